"""python manage.py import_articles PATH --corpus NAME [--format txt|jsonl|csv] [--skip-bad]
[--no-title | --title-rule auto|first_line|file_name|column|none [--title-column NAME]]
[--owner USERNAME]

The operator's import: no permission check (whoever runs manage.py has the database anyway).
`--owner` makes a user an owner of the corpus, so that someone who is not staff can use it."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from corpus.importing import (
    DEFAULT_BATCH_SIZE,
    CorpusNameError,
    ImportRejected,
    do_import_articles,
)
from corpus.lib.parsers import (
    FORMATS,
    FormatError,
    detect_format,
    list_source_files,
    parse_files,
    read_files,
)
from corpus.lib.preview import TITLE_RULES, RulesError, apply_rules, check_rules
from corpus.models import Corpus
from corpus.owners import do_add_owner


class Command(BaseCommand):
    help = (
        "Import articles from a folder of .txt files (one article each; the first non-empty "
        "line is the title), a JSONL file or a CSV file into a corpus, created when missing. "
        "All or nothing: a bad record aborts the import unless --skip-bad is given."
    )
    # The system checks load every URL, view and API schema of the project (half a second)
    # and say nothing about an import; `manage.py check` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="a .txt/.jsonl/.csv file, or a folder of them")
        parser.add_argument("--corpus", required=True, help="corpus name (created if missing)")
        parser.add_argument(
            "--format", choices=FORMATS, help="file format (default: from the file extension)"
        )
        parser.add_argument(
            "--skip-bad",
            action="store_true",
            help="import the good records and report the bad ones instead of aborting",
        )
        parser.add_argument(
            "--no-title",
            action="store_true",
            help="for .txt files: the whole file is the text; do not take a title from it",
        )
        parser.add_argument(
            "--title-rule",
            choices=TITLE_RULES,
            help="where titles come from (corpus/lib/preview.py): auto (default), first_line, "
            "file_name, column (with --title-column) or none",
        )
        parser.add_argument("--title-column", default="", help="the title's JSONL/CSV column")
        parser.add_argument(
            "--owner",
            metavar="USERNAME",
            help="make this user an owner of the corpus (imports here are not checked)",
        )
        parser.add_argument(
            "--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="articles per bulk insert"
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["path"])
        fmt = options["format"]
        owner = None
        if options["owner"]:
            owner = get_user_model().objects.filter(username=options["owner"]).first()
            if owner is None:
                raise CommandError(f"--owner: no user {options['owner']!r}")
        try:
            paths = list_source_files(path, format=fmt)
            total = sum(_estimate_records(p, fmt) for p in paths)
        except (FileNotFoundError, FormatError) as exc:
            raise CommandError(str(exc)) from None

        try:
            rules = check_rules(
                title=options["title_rule"] or ("none" if options["no_title"] else "auto"),
                title_column=options["title_column"],
            )
        except RulesError as exc:
            raise CommandError(f"--{exc.field.replace('_', '-')}: {exc.message}") from None
        records = apply_rules(
            parse_files(
                read_files(paths), format=fmt, title_from_first_line=rules.title_from_first_line
            ),
            rules,
        )
        bar = tqdm(
            total=total or None,
            unit="article",
            desc="importing",
            # The wrapped stream itself: OutputWrapper.write would end every redraw with "\n".
            file=self.stderr._out,
            disable=options["verbosity"] < 1,
            leave=True,
        )
        done = 0

        def progress(read: int) -> None:
            nonlocal done
            bar.update(read - done)
            done = read

        try:
            with transaction.atomic():
                report = do_import_articles(
                    options["corpus"],
                    records,
                    skip_bad=options["skip_bad"],
                    batch_size=max(options["batch_size"], 1),
                    progress=progress,
                )
                if owner is not None:
                    do_add_owner(Corpus.objects.get(pk=report.corpus_id), user=owner)
        except ImportRejected as exc:
            bar.close()
            hint = "(use --skip-bad to import the good records)"
            raise CommandError(f"{exc.message}\n{hint}") from None
        except CorpusNameError as exc:
            bar.close()
            raise CommandError(str(exc)) from None
        bar.close()

        for bad in report.skipped:
            self.stderr.write(f"skipped {bad}")
        self.stdout.write(report.summary)
        if owner is not None:
            self.stdout.write(f"{owner.username} owns the corpus {report.corpus!r}.")


def _estimate_records(path: Path, fmt: str | None) -> int:
    """Records in a file, counted cheaply for the progress bar: one per .txt, else lines."""
    if detect_format(path.name, override=fmt) == "txt":
        return 1
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
