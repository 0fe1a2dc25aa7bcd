"""Print a project's inter-annotator agreement: a table, or the full report as JSON."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from annotate.agreement import MEASURES, assembled_report, project_report, text_report
from annotate.lib.agreement.report import text_lines
from annotate.management.commands._project import find_project
from annotate.recommend import hand_drawn_agreement, hand_drawn_lines


class Command(BaseCommand):
    help = (
        "Inter-annotator agreement of PROJECT (id or name) over its submitted annotations: "
        "every measure with the number of items and annotators behind it, then each pair "
        "of annotators. --json prints the same report the REST API returns."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("project", help="project id or name")
        parser.add_argument("--json", action="store_true", help="print the full report as JSON")
        parser.add_argument(
            "--refresh", action="store_true", help="recompute even if the cache is current"
        )
        parser.add_argument(
            "--hand-drawn",
            action="store_true",
            help="leave out entity spans accepted from suggestions (and say how many)",
        )
        parser.add_argument(
            "--incremental",
            action="store_true",
            help="the report assembled from the per-article counts that submissions keep up to "
            "date (their rebuild is queued the first time); without it, the full recomputation",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        project = find_project(options["project"])
        if options["hand_drawn"]:
            self._hand_drawn(project, as_json=options["json"])
            return
        if options["incremental"]:
            assembled = assembled_report(project)
            if options["json"]:
                document = assembled.as_dict()
                text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
                self.stdout.write(text)
                return
            titles = {key: str(title) for key, (title, _) in MEASURES.items()}
            for line in text_lines(assembled.report, project=project.name, titles=titles):
                self.stdout.write(line)
            state = "a rebuild is pending: the last complete figures" if assembled.pending else ""
            source = f"from the stored totals in {assembled.meta.seconds:.3f} s"
            self.stdout.write(f"\n({source}{'; ' + state if state else ''})")
            return
        if options["json"]:
            document = project_report(project, refresh=options["refresh"]).as_dict()
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True))
            return
        for line in text_report(project, refresh=options["refresh"]):
            self.stdout.write(line)

    def _hand_drawn(self, project, *, as_json: bool) -> None:
        if as_json:
            report, share = hand_drawn_agreement(project)
            document = {**report.as_dict(), "suggestions": share.as_dict()}
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True))
            return
        for line in hand_drawn_lines(project):
            self.stdout.write(line)
