"""Import labelled data into a project: our JSONL, Label Studio JSON or doccano JSONL."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from annotate.errors import ActionError
from annotate.imports import do_import_annotations, find_member, resolve_annotator_map
from annotate.lib.imports import FORMATS
from annotate.lib.imports.common import OFFSET_MODES
from annotate.management.commands._project import find_project
from corpus.importing import ImportRejected


class Command(BaseCommand):
    help = (
        "Import PATH into PROJECT (id or name) as submitted annotations (or as gold with "
        "--as-gold). Records attach to the project's article with the same text, or create it. "
        "All or nothing: any bad record (offsets that do not match the text, unknown labels) "
        "is reported with its file and line and nothing is written, unless --skip-bad."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("project", help="project id or name")
        parser.add_argument("path", help="the file to import")
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("--as-gold", action="store_true", help="import as the articles' gold")
        parser.add_argument(
            "--skip-bad", action="store_true", help="skip bad records, import the rest"
        )
        parser.add_argument(
            "--offsets",
            choices=OFFSET_MODES,
            default="auto",
            help="how foreign offsets count: auto (decided by the span text where given), "
            "codepoints, or utf16 (browser tools)",
        )
        parser.add_argument(
            "--annotator",
            help="project member to import records as when they name no annotator (doccano); "
            "default: the --user",
        )
        parser.add_argument(
            "--map-annotator",
            action="append",
            default=[],
            metavar="NAME=MEMBER",
            help="import the records the file credits to NAME (a user name, e-mail or foreign "
            "user id) as project member MEMBER; repeat for several. A file naming annotators "
            "who are neither members nor mapped is refused",
        )
        parser.add_argument("--user", help="who is importing (for the audit trail)")
        parser.add_argument(
            "--corpus",
            help="corpus for new articles (default: '<project> (imported)'); with --user, one "
            "that user owns or a new one",
        )

    def handle(self, *args, **options) -> None:
        project = find_project(options["project"])
        path = Path(options["path"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"--user: no user {options['user']!r}")
        try:
            annotator = find_member(project, options["annotator"]) if options["annotator"] else None
            annotator_map = resolve_annotator_map(project, options["map_annotator"])
            report = do_import_annotations(
                project,
                data,
                name=str(path),
                format=options["format"],
                user=user,
                offsets=options["offsets"],
                as_gold=options["as_gold"],
                skip_bad=options["skip_bad"],
                annotator=annotator,
                annotator_map=annotator_map,
                corpus_name=options["corpus"],
            )
        except ImportRejected as exc:
            raise CommandError(str(exc)) from None
        except ActionError as exc:
            raise CommandError(f"--{exc.field.replace('_', '-')}: {exc.message}") from None
        what = f"{report.gold} gold" if options["as_gold"] else f"{report.annotations} annotations"
        self.stdout.write(
            f"Imported {what} from {path} ({report.records} records; "
            f"{report.articles_created} new articles, {report.articles_added_to_project} added "
            f"to the project)."
        )
        for error in report.skipped:
            self.stdout.write(f"  skipped {error}")
        for what, count in report.ignored.items():
            self.stdout.write(f"  ignored {count} {what}")
