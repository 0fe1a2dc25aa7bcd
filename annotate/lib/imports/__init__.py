"""Parsers of labelled data from other tools (and our own exports). Pure: no Django.

Each parser turns file bytes into `ImportRecord`s (canonical article text plus a content
document with code-point offsets, already checked against the project schema by
annotate.lib.content.check_content) or `RecordError`s naming the file, line or task and the
field. The ORM side (annotate/imports.py) decides whether errors abort the import
(the default: nothing is written) or are skipped.

- ours.py: our gold JSONL and raw per-annotator JSONL exports (round trip);
- label_studio.py: Label Studio's JSON export (a list of tasks with annotations);
- doccano.py: doccano's JSONL export of sequence labelling (`label` or `entities`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from annotate.lib.imports.common import OFFSET_MODES, OffsetMode, Parsed, ParseSummary

FORMATS = ("ours", "label-studio", "doccano")


class ImportFormatError(ValueError):
    """An unknown format or offset mode; `field` names which."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def file_refusal(data: bytes, *, format: str, name: str = "upload") -> str | None:
    """Why the file as a whole is not `format`, saying what it looks like; None when it may
    be (its records are checked one by one when imported). Label Studio JSON is loaded whole
    to tell; the JSONL formats are judged record by record only."""
    if format != "label-studio":
        return None
    from annotate.lib.imports.label_studio import load_tasks

    tasks = load_tasks(data, name=name)
    return tasks if isinstance(tasks, str) else None


def parse_annotations(
    data: bytes,
    *,
    name: str,
    format: str,
    schema: dict[str, Any],
    offsets: str = "auto",
    summary: ParseSummary | None = None,
) -> Iterator[Parsed]:
    """Records and errors of one file in one of FORMATS."""
    from annotate.lib.imports.doccano import parse_doccano
    from annotate.lib.imports.label_studio import parse_label_studio
    from annotate.lib.imports.ours import parse_ours

    if format not in FORMATS:
        raise ImportFormatError("format", f"unknown format {format!r}; use {', '.join(FORMATS)}")
    if offsets not in OFFSET_MODES:
        raise ImportFormatError(
            "offsets", f"unknown offset mode {offsets!r}; use {', '.join(OFFSET_MODES)}"
        )
    mode: OffsetMode = offsets
    if format == "ours":
        return parse_ours(data, name=name, schema=schema, summary=summary)
    if format == "label-studio":
        return parse_label_studio(data, name=name, schema=schema, offsets=mode, summary=summary)
    return parse_doccano(data, name=name, schema=schema, offsets=mode, summary=summary)
