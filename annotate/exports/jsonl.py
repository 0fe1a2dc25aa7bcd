"""Gold JSONL (one article a line) and raw per-annotator JSONL (one annotation a line).

Keys come in a fixed order and JSON is written compactly with real UTF-8 (no \\u escapes),
so the same data always gives the same bytes whichever database stored it (PostgreSQL's
jsonb does not keep key order). Offsets are code points: `text[start:end] == span["text"]`
holds for every span, and the writer refuses to export a span for which it does not.

Lines are assembled from pieces rather than by encoding a dict per line and per span: the
pieces use the encoder's own string escaping, and any value that is not a plain str or int
goes through the encoder itself, so the bytes are those `json.dumps` gives for the same
dict (tests/test_export_speed.py compares the two on generated records).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring
from typing import Any

from annotate.exports.records import ExportError, GoldRecord, RawRecord

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
# The escaping the encoder above applies to every str (ensure_ascii=False), without its
# dispatch: most of a line is the article text, one call.
_string = encode_basestring


def _value(value: Any) -> str:
    """`_dumps(value)`, the short way for the common types."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if kind is int:
        return int.__repr__(value)
    return _dumps(value)


def _span_order(span: dict[str, Any]) -> tuple[int, int, str, str]:
    return (span["start"], span["end"], span["label"], span["id"])


def _checked(text: str, span: dict[str, Any], article_id: int) -> str:
    """The text the span covers, or ExportError when it does not slice the article text."""
    start, end = span["start"], span["end"]
    covered = text[start:end]
    if not (0 <= start < end <= len(text)) or covered != span.get("text"):
        raise ExportError(
            f"article {article_id}: span {span.get('id')!r} [{start}, {end}) does not slice "
            f"the article text ({covered!r} != {span.get('text')!r})"
        )
    return covered


def _attributes(span: dict[str, Any]) -> dict[str, Any]:
    attributes = span.get("attributes")
    return dict(sorted(attributes.items())) if attributes else {}


def export_spans(text: str, content: dict[str, Any], *, article_id: int) -> list[dict[str, Any]]:
    """The content's spans in export order and key order, each checked against the text."""
    return [
        {
            "id": span["id"],
            "start": span["start"],
            "end": span["end"],
            "label": span["label"],
            "text": _checked(text, span, article_id),
            "attributes": _attributes(span),
        }
        for span in sorted(content.get("spans", []), key=_span_order)
    ]


def spans_json(text: str, content: dict[str, Any], *, article_id: int) -> str:
    """`_dumps(export_spans(...))`, built piece by piece (most of a line's work)."""
    spans = content.get("spans", [])
    if type(spans) is list and not spans:
        return "[]"
    parts = []
    for span in sorted(spans, key=_span_order):
        covered = _checked(text, span, article_id)
        start, end, span_id, label = span["start"], span["end"], span["id"], span["label"]
        attributes = span.get("attributes")
        if type(start) is int and type(end) is int:
            parts.append(
                f'{{"id":{_value(span_id)},"start":{start},"end":{end},"label":{_value(label)},'
                f'"text":{_string(covered)},"attributes":'
                f"{_dumps(dict(sorted(attributes.items()))) if attributes else '{}'}}}"
            )
        else:  # bools and floats print differently: let the encoder write the whole span
            parts.append(
                _dumps(
                    {
                        "id": span_id,
                        "start": start,
                        "end": end,
                        "label": label,
                        "text": covered,
                        "attributes": _attributes(span),
                    }
                )
            )
    return f"[{','.join(parts)}]"


def export_relations(content: dict[str, Any]) -> list[dict[str, Any]]:
    relations = sorted(content.get("relations", []), key=lambda r: (r["type"], r["from"], r["to"]))
    return [{"type": r["type"], "from": r["from"], "to": r["to"]} for r in relations]


def export_document_labels(content: dict[str, Any]) -> dict[str, Any]:
    stance = (content.get("document_labels") or {}).get("stance") or {}
    return {"stance": {target: stance[target] for target in sorted(stance)}}


def _relations_json(content: dict[str, Any]) -> str:
    relations = content.get("relations", [])
    if type(relations) is list and not relations:
        return "[]"
    return _dumps(export_relations(content))


def _labelled(text: str, title: Any, content: dict[str, Any], split: str, article_id: int) -> str:
    """The fields every line ends with: the text, its labels, the split (and the closing })."""
    return (
        f'"title":{_value(title)},"text":{_value(text)},'
        f'"spans":{spans_json(text, content, article_id=article_id)},'
        f'"relations":{_relations_json(content)},'
        f'"document_labels":{_dumps(export_document_labels(content))},'
        f'"split":{_value(split)}}}\n'
    )


def gold_jsonl_line(record: GoldRecord) -> str:
    article_id = record.article_id
    return f'{{"id":{_value(article_id)},"external_id":{_value(record.external_id)},' + _labelled(
        record.text, record.title, record.content, record.split, article_id
    )


def raw_jsonl_line(record: RawRecord) -> str:
    article_id = record.article_id
    return (
        f'{{"annotation_id":{_value(record.annotation_id)},"article_id":{_value(article_id)},'
        f'"external_id":{_value(record.external_id)},"annotator":{_value(record.annotator)},'
        f'"submitted_at":{_value(record.submitted_at)},'
        f'"schema_version":{_value(record.schema_version)},'
        + _labelled(record.text, record.title, record.content, record.split, article_id)
    )


def gold_jsonl_lines(records: Iterable[GoldRecord]) -> Iterator[str]:
    return map(gold_jsonl_line, records)


def raw_jsonl_lines(records: Iterable[RawRecord]) -> Iterator[str]:
    return map(raw_jsonl_line, records)
