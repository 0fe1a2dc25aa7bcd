"""Gold JSONL (one article a line) and raw per-annotator JSONL (one annotation a line).

Keys come in a fixed order and JSON is written compactly with real UTF-8 (no \\u escapes),
so the same data always gives the same bytes whichever database stored it (PostgreSQL's
jsonb does not keep key order). Offsets are code points: `text[start:end] == span["text"]`
holds for every span, and the writer refuses to export a span for which it does not.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from annotate.exports.records import ExportError, GoldRecord, RawRecord

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def _span_order(span: dict[str, Any]) -> tuple[int, int, str, str]:
    return (span["start"], span["end"], span["label"], span["id"])


def export_spans(text: str, content: dict[str, Any], *, article_id: int) -> list[dict[str, Any]]:
    """The content's spans in export order and key order, each checked against the text."""
    spans = []
    length = len(text)
    for span in sorted(content.get("spans", []), key=_span_order):
        start, end = span["start"], span["end"]
        covered = text[start:end]
        if not (0 <= start < end <= length) or covered != span.get("text"):
            raise ExportError(
                f"article {article_id}: span {span.get('id')!r} [{start}, {end}) does not slice "
                f"the article text ({covered!r} != {span.get('text')!r})"
            )
        attributes = span.get("attributes")
        spans.append(
            {
                "id": span["id"],
                "start": start,
                "end": end,
                "label": span["label"],
                "text": covered,
                "attributes": dict(sorted(attributes.items())) if attributes else {},
            }
        )
    return spans


def export_relations(content: dict[str, Any]) -> list[dict[str, Any]]:
    relations = sorted(content.get("relations", []), key=lambda r: (r["type"], r["from"], r["to"]))
    return [{"type": r["type"], "from": r["from"], "to": r["to"]} for r in relations]


def export_document_labels(content: dict[str, Any]) -> dict[str, Any]:
    stance = (content.get("document_labels") or {}).get("stance") or {}
    return {"stance": {target: stance[target] for target in sorted(stance)}}


def _labelled(record: GoldRecord | RawRecord) -> dict[str, Any]:
    """The fields every line ends with: the text, its labels, the split."""
    return {
        "title": record.title,
        "text": record.text,
        "spans": export_spans(record.text, record.content, article_id=record.article_id),
        "relations": export_relations(record.content),
        "document_labels": export_document_labels(record.content),
        "split": record.split,
    }


def gold_jsonl_lines(records: Iterable[GoldRecord]) -> Iterator[str]:
    for record in records:
        head = {"id": record.article_id, "external_id": record.external_id}
        yield _dumps({**head, **_labelled(record)}) + "\n"


def raw_jsonl_lines(records: Iterable[RawRecord]) -> Iterator[str]:
    for record in records:
        head = {
            "annotation_id": record.annotation_id,
            "article_id": record.article_id,
            "external_id": record.external_id,
            "annotator": record.annotator,
            "submitted_at": record.submitted_at,
            "schema_version": record.schema_version,
        }
        yield _dumps({**head, **_labelled(record)}) + "\n"
