"""manage.py backup OUT: the database and MEDIA_ROOT in one verified tar file."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workbench.backup import BackupError, do_backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump for PostgreSQL, SQLite's backup API for SQLite) and "
        "every file under MEDIA_ROOT into one tar file with a SHA-256 for each member."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="the tar file to write (replaced whole when done)")

    def handle(self, *args, **options) -> None:
        out = Path(options["out"])
        try:
            manifest = do_backup(out)
        except BackupError as exc:
            raise CommandError(f"cannot back up: {exc}") from None
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc}") from None
        media = sum(1 for name in manifest["files"] if name.startswith("media/"))
        self.stdout.write(
            f"Wrote {out} ({out.stat().st_size:,} bytes): the {manifest['vendor']} database "
            f"and {media} media files."
        )
