"""manage.py backup and restore, run as an operator would: a restored instance exports the same
bytes, and a restore that cannot go ahead changes nothing.

Each test builds whole instances (database + MEDIA_ROOT) in subprocesses, on the backend the
suite runs on: new SQLite files, or new PostgreSQL databases on the suite's server.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection

from annotate.management.commands.export_dataset import pinned_created_at

ROOT = Path(__file__).resolve().parent.parent
PINNED = "2026-01-01T00:00:00+00:00"
PROJECT = "Demo: Syria news"


class Instance:
    """One instance of the application: its own database and MEDIA_ROOT."""

    def __init__(self, base: Path, name: str):
        self.media = base / f"{name}-media"
        self.name = f"wb_backup_{name}_{uuid.uuid4().hex[:8]}"
        if connection.vendor == "postgresql":
            db = settings.DATABASES["default"]
            self.server = (
                f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
            )
            self.url = f"{self.server}/{self.name}"
            self._admin(f'CREATE DATABASE "{self.name}"')
        else:
            self.server = None
            self.url = f"sqlite:///{base / self.name}.sqlite3"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as admin:
            admin.execute(sql)

    def drop(self) -> None:
        if self.server:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE"}}
        env.update(DATABASE_URL=self.url, MEDIA_ROOT=str(self.media))
        env.pop("SOURCE_DATE_EPOCH", None)
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def ok(self, *args: str) -> str:
        result = self.manage(*args)
        assert result.returncode == 0, f"{args}: {result.stdout}{result.stderr}"
        return result.stdout

    def export(self, out: Path) -> bytes:
        self.ok("export_dataset", PROJECT, "--out", str(out), "--created-at", PINNED)
        return out.read_bytes()


@pytest.fixture(scope="module")
def instances(tmp_path_factory):
    made: list[Instance] = []
    base = tmp_path_factory.mktemp("instances")

    def make(name: str) -> Instance:
        instance = Instance(base, name)
        made.append(instance)
        return instance

    yield make
    for instance in made:
        instance.drop()


@pytest.fixture(scope="module")
def backed_up(instances, tmp_path_factory):
    """A demo instance with an export under MEDIA_ROOT, its export bytes and its backup
    (built once: the tests only read it)."""
    source = instances("source")
    source.ok("demo", "--no-serve")
    in_media = source.media / "exports" / "kept.zip"
    in_media.parent.mkdir(parents=True)
    exported = source.export(in_media)
    backup = tmp_path_factory.mktemp("backup") / "instance.tar"
    out = source.ok("backup", str(backup))
    assert "1 media files" in out
    return exported, backup


def test_a_restored_instance_exports_byte_identical_files(instances, backed_up, tmp_path):
    exported, backup = backed_up
    target = instances("target")
    out = target.ok("restore", str(backup))
    assert "1 media files" in out
    # The raw annotations carry microsecond timestamps: a lossy path would change these bytes.
    assert target.export(tmp_path / "again.zip") == exported
    assert (target.media / "exports" / "kept.zip").read_bytes() == exported


def test_restore_refuses_a_database_that_is_not_empty(instances, backed_up, tmp_path):
    exported, backup = backed_up
    target = instances("busy")
    target.ok("restore", str(backup))
    result = target.manage("restore", str(backup))
    assert result.returncode != 0
    assert "the database is not empty" in result.stderr
    assert target.export(tmp_path / "still.zip") == exported


def test_restore_refuses_a_damaged_backup_and_changes_nothing(instances, backed_up, tmp_path):
    _, backup = backed_up
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(backup) as good, tarfile.open(damaged, "w") as bad:
        for member in good.getmembers():
            data = good.extractfile(member).read()
            if member.name.startswith("database."):
                # Flipped, not zeroed: a SQLite file may already end in zero bytes.
                data = data[:-10] + bytes(b ^ 0xFF for b in data[-10:])
            member.size = len(data)
            bad.addfile(member, io.BytesIO(data))
    target = instances("damaged")
    result = target.manage("restore", str(damaged))
    assert result.returncode != 0
    assert "does not match its SHA-256" in result.stderr
    assert not list(target.media.rglob("*.zip"))
    tables = target.manage(
        "shell",
        "-c",
        "from django.db import connection; print(connection.introspection.table_names())",
    )
    assert tables.stdout.strip().splitlines()[-1] == "[]"


def test_restore_names_a_file_that_is_not_a_backup(instances, tmp_path):
    stray = tmp_path / "notes.txt"
    stray.write_text("not a backup")
    result = instances("stray").manage("restore", str(stray))
    assert result.returncode != 0
    assert f"{stray}: not a readable tar file" in result.stderr


@pytest.mark.parametrize(
    ("option", "epoch", "expected"),
    [
        (PINNED, None, PINNED),
        (None, "1767225600", PINNED),
        ("2026-01-01T03:00:00+03:00", "0", "2026-01-01T03:00:00+03:00"),
        (None, None, None),
    ],
)
def test_export_created_at_comes_from_the_option_then_source_date_epoch(option, epoch, expected):
    assert pinned_created_at(option, epoch) == expected


@pytest.mark.parametrize(
    ("option", "epoch", "message"),
    [
        ("2026-01-01", None, "needs a time zone"),
        ("yesterday", None, "is not an ISO 8601 date and time"),
        (None, "soon", "SOURCE_DATE_EPOCH: 'soon' is not a number of seconds"),
    ],
)
def test_export_created_at_refuses_what_it_cannot_pin(option, epoch, message):
    with pytest.raises(CommandError, match=message):
        pinned_created_at(option, epoch)
