"""Backup and restore of a whole instance: the database and the files under MEDIA_ROOT.

A backup is one tar file:

- `backup.json`: format, database vendor, creation time, the last migration of every app, and
  the size and SHA-256 of every other member;
- the database: `database.pgdump` (PostgreSQL's `pg_dump --format=custom`) or
  `database.sqlite3` (an online copy through SQLite's backup API), both exact to the byte and
  the microsecond (Django's `dumpdata` is not: it rounds timestamps to milliseconds, which
  changes exported files, so it is not offered as a backup path);
- `media/...`: every file under MEDIA_ROOT (finished exports, uploads waiting for their import
  job), except the `.part` files of exports still being written.

Restoring checks every checksum before it changes anything, refuses a database that already
holds tables (the restore goes into an empty one) and a backup of the other vendor, restores
PostgreSQL in one transaction (`pg_restore --single-transaction --exit-on-error`), and unpacks
the files beside MEDIA_ROOT before moving them in, so a failure leaves nothing half-written.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT = 1
MANIFEST = "backup.json"
DUMPS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why."""


@dataclass(frozen=True)
class RestoreReport:
    vendor: str
    created_at: str
    media_files: int
    database_bytes: int


def _vendor() -> str:
    if connection.vendor not in DUMPS:
        raise BackupError(f"backups cover PostgreSQL and SQLite, not {connection.vendor}")
    return connection.vendor


def _pg_env() -> dict[str, str]:
    """libpq's environment for the default database (the password never on a command line)."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, name in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        value = db.get(name)
        if value:
            env[key] = str(value)
        else:
            env.pop(key, None)
    return env


def _run(command: list[str]) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed (apt-get install postgresql-client)")
    result = subprocess.run(command, env=_pg_env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip() or result.stdout.strip()}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _dump_database(vendor: str, into: Path) -> None:
    if vendor == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={into}"])
        return
    connection.ensure_connection()
    target = sqlite3.connect(into)
    try:
        connection.connection.backup(target)
    finally:
        target.close()


def _media_files() -> Iterator[tuple[Path, str]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and not path.name.endswith(".part"):
            yield path, MEDIA_PREFIX + path.relative_to(root).as_posix()


def _migrations() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        latest: dict[str, str] = {}
        for app, name in cursor.fetchall():
            latest[app] = name
    return latest


def do_backup(out: Path) -> dict[str, Any]:
    """Write the instance's backup to `out` (a tar file, written whole or not at all)."""
    vendor = _vendor()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".backup-") as work:
        dump = Path(work) / DUMPS[vendor]
        _dump_database(vendor, dump)
        members = [(dump, DUMPS[vendor]), *_media_files()]
        manifest = {
            "format": FORMAT,
            "vendor": vendor,
            "created_at": timezone.now().isoformat(),
            "migrations": _migrations(),
            "files": {
                name: {"bytes": path.stat().st_size, "sha256": _sha256(path)}
                for path, name in members
            },
        }
        manifest_path = Path(work) / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        partial = Path(work) / "backup.tar"
        with tarfile.open(partial, "w") as archive:
            archive.add(manifest_path, arcname=MANIFEST)
            for path, name in members:
                archive.add(path, arcname=name)
        os.replace(partial, out)
    return manifest


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


def _read_manifest(archive: tarfile.TarFile, source: Path) -> dict[str, Any]:
    try:
        member = archive.extractfile(MANIFEST)
    except KeyError:
        raise BackupError(f"{source}: no {MANIFEST}: not a backup of this application") from None
    if member is None:
        raise BackupError(f"{source}: {MANIFEST} is not a file")
    try:
        manifest = json.loads(member.read())
    except ValueError as exc:
        raise BackupError(f"{source}: {MANIFEST} is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source}: unknown backup format {manifest.get('format')!r}")
    return manifest


def _unpack(source: Path, into: Path) -> dict[str, Any]:
    """Extract and verify every member listed in the manifest; refuse anything else."""
    try:
        archive = tarfile.open(source, "r")  # noqa: SIM115 - closed by the with below
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{source}: not a readable tar file: {exc}") from None
    with archive:
        manifest = _read_manifest(archive, source)
        listed = manifest.get("files", {})
        for member in archive.getmembers():
            if member.name == MANIFEST:
                continue
            if member.name not in listed or not member.isfile() or not _safe_member(member.name):
                raise BackupError(f"{source}: unexpected member {member.name!r}")
            archive.extract(member, into, filter="data")
    for name, info in listed.items():
        path = into / name
        if not path.is_file():
            raise BackupError(f"{source}: {name} is listed in {MANIFEST} but missing")
        if path.stat().st_size != info["bytes"] or _sha256(path) != info["sha256"]:
            raise BackupError(f"{source}: {name} does not match its SHA-256 in {MANIFEST}")
    return manifest


def _tables() -> list[str]:
    return sorted(connection.introspection.table_names())


def check_empty_database() -> None:
    """BackupError unless the default database holds no table at all."""
    tables = _tables()
    if tables:
        shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
        raise BackupError(
            f"the database is not empty ({len(tables)} tables: {shown}); restore into an "
            "empty database"
        )


def _restore_database(vendor: str, dump: Path) -> None:
    if vendor == "postgresql":
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={settings.DATABASES['default']['NAME']}",
                str(dump),
            ]
        )
        return
    source = sqlite3.connect(dump)
    try:
        connection.ensure_connection()
        source.backup(connection.connection)
    finally:
        source.close()


def _check_media_free(media: Path) -> None:
    root = Path(settings.MEDIA_ROOT)
    for path in sorted(media.rglob("*")) if media.is_dir() else []:
        if path.is_file():
            target = root / path.relative_to(media)
            if target.exists():
                raise BackupError(f"{target} exists already; restore into an empty MEDIA_ROOT")


def _move_media(media: Path) -> int:
    root = Path(settings.MEDIA_ROOT)
    moved = 0
    for path in sorted(media.rglob("*")) if media.is_dir() else []:
        if path.is_file():
            target = root / path.relative_to(media)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, target)
            moved += 1
    return moved


def do_restore(source: Path) -> RestoreReport:
    """Restore a backup written by do_backup into this (empty) database and MEDIA_ROOT."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    vendor = _vendor()
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    # Unpacked beside MEDIA_ROOT, so the files move in by rename on the same file system.
    with tempfile.TemporaryDirectory(dir=root.parent, prefix=".restore-") as work:
        unpacked = Path(work)
        manifest = _unpack(source, unpacked)
        if manifest.get("vendor") != vendor:
            raise BackupError(
                f"{source}: a {manifest.get('vendor')} backup cannot be restored into {vendor}"
            )
        check_empty_database()
        _check_media_free(unpacked / "media")
        dump = unpacked / DUMPS[vendor]
        _restore_database(vendor, dump)
        moved = _move_media(unpacked / "media")
    return RestoreReport(
        vendor=vendor,
        created_at=str(manifest.get("created_at", "")),
        media_files=moved,
        database_bytes=int(manifest["files"][DUMPS[vendor]]["bytes"]),
    )
