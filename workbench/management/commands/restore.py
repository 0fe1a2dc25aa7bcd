"""manage.py restore BACKUP: a backup made by `manage.py backup`, into an empty instance."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workbench.backup import BackupError, do_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an empty database (same vendor) and "
        "an empty MEDIA_ROOT. Every checksum is verified before anything changes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", help="the tar file written by manage.py backup")

    def handle(self, *args, **options) -> None:
        try:
            report = do_restore(Path(options["backup"]))
        except BackupError as exc:
            raise CommandError(f"cannot restore: {exc}") from None
        self.stdout.write(
            f"Restored the {report.vendor} database ({report.database_bytes:,} bytes) and "
            f"{report.media_files} media files from the backup made at {report.created_at}."
        )
