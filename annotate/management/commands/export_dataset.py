"""Export a project's dataset as one zip: gold JSONL, CoNLL BIO, stance CSV, raw JSONL."""

from __future__ import annotations

import json
import os
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotate.errors import ActionError
from annotate.exports import check_export_options, write_export
from annotate.lib.exports import FORMATS, MANIFEST_NAME
from annotate.lib.exports.records import ExportError
from annotate.management.commands._project import find_project


def pinned_created_at(option: str | None, epoch: str | None) -> str | None:
    """The created_at to write: --created-at, else SOURCE_DATE_EPOCH (seconds), else None."""
    if option:
        try:
            moment = datetime.fromisoformat(option)
        except ValueError:
            raise CommandError(
                f"--created-at: {option!r} is not an ISO 8601 date and time"
            ) from None
        if moment.tzinfo is None:
            raise CommandError(f"--created-at: {option!r} needs a time zone, e.g. +00:00")
        return moment.isoformat()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC).isoformat()
        except (ValueError, OverflowError, OSError):
            raise CommandError(f"SOURCE_DATE_EPOCH: {epoch!r} is not a number of seconds") from None
    return None


class Command(BaseCommand):
    help = (
        "Export PROJECT (id or name) to a zip: the chosen formats, one file per split of a "
        "deterministic train/dev/test split keyed on content, a dataset card (README.md) "
        "and manifest.json with the SHA-256 of every file. The same "
        "project state and options give byte-identical files."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("project", help="project id or name")
        parser.add_argument(
            "--format",
            default=",".join(FORMATS),
            help=f"comma-separated, from {','.join(FORMATS)} (default: all)",
        )
        parser.add_argument(
            "--out",
            required=True,
            help="the zip to write (an existing directory gets <project>-export.zip in it)",
        )
        parser.add_argument("--seed", default="0", help="split seed (default 0)")
        parser.add_argument(
            "--ratios", default="0.8,0.1,0.1", help="train,dev,test ratios summing to 1"
        )
        parser.add_argument(
            "--group-by",
            default=None,
            metavar="KEY",
            help="an article metadata key (e.g. story): articles with the same value share a split",
        )
        parser.add_argument(
            "--stratify-by",
            default=None,
            metavar="LABEL",
            help=(
                'stratify the split by label: "spans" (the span label an article has most of) '
                'or "stance:TARGET" (its stance on that target key)'
            ),
        )
        parser.add_argument(
            "--stance-title",
            action="store_true",
            help="give stance/<split>.csv a title column after article_id",
        )
        parser.add_argument(
            "--created-at",
            default=None,
            help=(
                "the manifest's created_at (ISO 8601), so the whole zip is byte-identical "
                "across runs; default: SOURCE_DATE_EPOCH when set, else now"
            ),
        )

    def handle(self, *args, **options) -> None:
        project = find_project(options["project"])
        try:
            export_options = check_export_options(
                formats=options["format"],
                seed=options["seed"],
                ratios=options["ratios"],
                group_by=options["group_by"],
                stratify_by=options["stratify_by"],
                stance_title=options["stance_title"],
            )
        except ActionError as exc:
            option = {"formats": "--format"}.get(exc.field, f"--{exc.field.replace('_', '-')}")
            raise CommandError(f"{option}: {exc.message}") from None
        created_at = pinned_created_at(options["created_at"], os.environ.get("SOURCE_DATE_EPOCH"))
        out = Path(options["out"])
        if out.is_dir():
            out = out / f"project-{project.pk}-export.zip"
        started = time.perf_counter()
        try:
            size = write_export(project, export_options, out, created_at=created_at)
        except ExportError as exc:
            raise CommandError(f"cannot export: {exc}") from None
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc}") from None
        seconds = time.perf_counter() - started
        with zipfile.ZipFile(out) as archive:
            manifest = json.loads(archive.read(MANIFEST_NAME))
        counts = manifest["counts"]["gold_articles"]
        self.stdout.write(
            f"Wrote {out} ({size:,} bytes) in {seconds:.2f} s: {counts['total']} gold articles "
            f"(train {counts['train']}, dev {counts['dev']}, test {counts['test']}), "
            f"{manifest['counts']['raw_annotations']} raw annotations."
        )
        for name, info in manifest["files"].items():
            self.stdout.write(f"  {name}  {info['bytes']:>12,} bytes  sha256 {info['sha256']}")
