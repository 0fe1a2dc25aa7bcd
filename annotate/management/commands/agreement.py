"""Print a project's inter-annotator agreement: a table, or the full report as JSON."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from annotate.agreement import agreement_report
from annotate.management.commands._project import find_project
from annotate.views.agreement import MEASURES


def _value(entry: dict[str, Any]) -> str:
    return "undefined" if entry["value"] is None else f"{entry['value']:.3f}"


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

    def handle(self, *args: Any, **options: Any) -> None:
        project = find_project(options["project"])
        report = agreement_report(project, refresh=options["refresh"])
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True))
            return
        counts = report["counts"]
        self.stdout.write(
            f"Agreement of {project.name!r}: {counts['annotations']} submitted annotations, "
            f"{counts['compared_articles']} articles annotated by two or more "
            f"({counts['single_annotated_articles']} by one, not compared)."
        )
        rows = [("measure", "value", "items", "annotators", "note")]
        for entry in report["summary"]:
            title = str(MEASURES.get(entry["key"], (entry["key"], ""))[0])
            rows.append(
                (
                    title,
                    _value(entry),
                    str(entry["items"]),
                    str(entry["annotators"]),
                    entry["undefined"] or "",
                )
            )
        self._table(rows)
        names = {a["id"]: a["name"] for a in report["annotators"]}
        if report["pairs"]:
            self.stdout.write("")
            pair_rows = [
                ("pair", "articles", "stance κ", "span F1 exact", "span F1 overlap", "token κ")
            ]
            for pair in report["pairs"]:
                pair_rows.append(
                    (
                        f"{names.get(pair['a'], pair['a'])} × {names.get(pair['b'], pair['b'])}",
                        str(pair["articles"]),
                        _value(pair["stance"]["cohen_kappa"]),
                        _value(pair["spans"]["exact"]["micro"]["f1"]),
                        _value(pair["spans"]["overlap"]["micro"]["f1"]),
                        _value(pair["spans"]["token_kappa"]),
                    )
                )
            self._table(pair_rows)
        meta = report["meta"]
        source = "cache" if meta["cached"] else f"computed in {meta['seconds']} s"
        self.stdout.write(f"\n({source}; fingerprint {meta['fingerprint']})")

    def _table(self, rows: list[tuple[str, ...]]) -> None:
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for k, row in enumerate(rows):
            cells = [
                cell.ljust(widths[i]) if i in (0, len(row) - 1) else cell.rjust(widths[i])
                for i, cell in enumerate(row)
            ]
            self.stdout.write("  ".join(cells).rstrip())
            if k == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
