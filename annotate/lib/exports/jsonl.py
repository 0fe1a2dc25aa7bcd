"""Gold JSONL (one article a line) and raw per-annotator JSONL (one annotation a line).

Keys come in a fixed order and JSON is written compactly with real UTF-8 (no \\u escapes),
so the same data always gives the same bytes whichever database stored it (PostgreSQL's
jsonb does not keep key order). Offsets are code points: `text[start:end] == span["text"]`
holds for every span, and the writer refuses to export a span for which it does not.

Lines are assembled from pieces rather than by encoding a dict per line and per span: the
pieces use the encoder's own string escaping, and any value that is not a plain str or int
goes through the encoder itself, so the bytes are those `json.dumps` gives for the same
dict (tests/test_fast_export_matches_reference.py compares the two on generated records).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring
from operator import itemgetter
from typing import Any

from annotate.lib.exports.records import ExportError, GoldRecord, RawRecord

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


# The export order of spans: (start, end, label, id).
_span_key = itemgetter("start", "end", "label", "id")


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
        for span in sorted(content.get("spans", []), key=_span_key)
    ]


def spans_json(text: str, content: dict[str, Any], *, article_id: int) -> str:
    """`_dumps(export_spans(...))`, built piece by piece (most of a line's work)."""
    spans = content.get("spans", [])
    if type(spans) is list and not spans:
        return "[]"
    length = len(text)
    parts = []
    for span in sorted(spans, key=_span_key):
        start, end = span["start"], span["end"]
        covered = text[start:end]
        if not (0 <= start < end <= length) or covered != span.get("text"):
            _checked(text, span, article_id)  # raises, naming the span
        if type(start) is not int or type(end) is not int:
            # bools and floats print differently: let the encoder write the whole span
            parts.append(
                _dumps(
                    {
                        "id": span["id"],
                        "start": start,
                        "end": end,
                        "label": span["label"],
                        "text": covered,
                        "attributes": _attributes(span),
                    }
                )
            )
            continue
        span_id, label, attributes = span["id"], span["label"], span.get("attributes")
        parts.append(
            f'{{"id":{_string(span_id) if type(span_id) is str else _dumps(span_id)},'
            f'"start":{start},"end":{end},'
            f'"label":{_string(label) if type(label) is str else _dumps(label)},'
            f'"text":{_string(covered)},'
            f'"attributes":{_dumps(dict(sorted(attributes.items()))) if attributes else "{}"}}}'
        )
    return f"[{','.join(parts)}]"


def export_relations(content: dict[str, Any]) -> list[dict[str, Any]]:
    relations = sorted(content.get("relations", []), key=lambda r: (r["type"], r["from"], r["to"]))
    return [{"type": r["type"], "from": r["from"], "to": r["to"]} for r in relations]


def export_document_labels(content: dict[str, Any]) -> dict[str, Any]:
    stance = (content.get("document_labels") or {}).get("stance") or {}
    return {"stance": {target: stance[target] for target in sorted(stance)}}


def _document_labels_json(content: dict[str, Any]) -> str:
    """`_dumps(export_document_labels(content))`, the short way when targets and values are
    text (the string escaping refuses anything else, which then goes through the encoder)."""
    stance = (content.get("document_labels") or {}).get("stance") or {}
    if type(stance) is dict:
        try:
            pairs = ",".join([f"{_string(k)}:{_string(stance[k])}" for k in sorted(stance)])
        except TypeError:
            pass
        else:
            return f'{{"stance":{{{pairs}}}}}'
    return _dumps(export_document_labels(content))


def _relations_json(content: dict[str, Any]) -> str:
    relations = content.get("relations", [])
    if type(relations) is list and not relations:
        return "[]"
    return _dumps(export_relations(content))


def _labels(text: str, content: dict[str, Any], split: str, article_id: int) -> str:
    """What every line has after the text: its labels, the split, the closing brace."""
    return (
        f',"spans":{spans_json(text, content, article_id=article_id)},'
        f'"relations":{_relations_json(content)},'
        f'"document_labels":{_document_labels_json(content)},'
        f'"split":{_value(split)}}}\n'
    )


def _gold_head(record: GoldRecord) -> str:
    return (
        f'{{"id":{_value(record.article_id)},"external_id":{_value(record.external_id)},'
        f'"title":{_value(record.title)},"text":'
    )


def _raw_head(record: RawRecord) -> str:
    return (
        f'{{"annotation_id":{_value(record.annotation_id)},'
        f'"article_id":{_value(record.article_id)},'
        f'"external_id":{_value(record.external_id)},"annotator":{_value(record.annotator)},'
        f'"submitted_at":{_value(record.submitted_at)},'
        f'"schema_version":{_value(record.schema_version)},'
        f'"title":{_value(record.title)},"text":'
    )


# Control characters the encoder writes as \u00XX: texts that hold one take the str path.
_RARE_CONTROLS = bytes(code for code in range(0x20) if code not in b"\n\t")


def _utf8_string(data: bytes) -> bytes | None:
    """`_string(text).encode()` worked out on the UTF-8 bytes of the text (in UTF-8 no byte of
    a non-ASCII character is below 0x80, so the bytes to escape are exactly the ASCII ones);
    None for a text holding a control character other than line feed and tab."""
    if len(data.translate(None, _RARE_CONTROLS)) != len(data):
        return None
    if b"\\" in data:
        data = data.replace(b"\\", b"\\\\")
    if b'"' in data:
        data = data.replace(b'"', b'\\"')
    if b"\n" in data:
        data = data.replace(b"\n", b"\\n")
    if b"\t" in data:
        data = data.replace(b"\t", b"\\t")
    return data


def gold_jsonl_line(record: GoldRecord) -> str:
    labels = _labels(record.text, record.content, record.split, record.article_id)
    return f"{_gold_head(record)}{_value(record.text)}{labels}"


def gold_jsonl_utf8(record: GoldRecord) -> bytes:
    """`gold_jsonl_line(record)` in UTF-8. Where the record carries its text as UTF-8 too
    (`text_utf8`), the text is escaped as bytes rather than escaped and encoded again: it is
    most of the line."""
    labels = _labels(record.text, record.content, record.split, record.article_id)
    escaped = None if record.text_utf8 is None else _utf8_string(record.text_utf8)
    if escaped is None:
        return f"{_gold_head(record)}{_value(record.text)}{labels}".encode()
    return b"".join((_gold_head(record).encode(), b'"', escaped, b'"', labels.encode()))


def suggested_spans(record: RawRecord) -> list[dict[str, str]]:
    """The raw line's `suggested_spans`: which spans came from a suggestion, by id order."""
    return [{"id": span_id, "recommender": source} for span_id, source in sorted(record.suggested)]


def _raw_tail(record: RawRecord) -> str:
    """What a raw line has after the text: the labels, the split, then `suggested_spans` (the
    span ids that came from a suggestion, with the recommender and its version; the other
    spans were drawn by hand)."""
    labels = _labels(record.text, record.content, record.split, record.article_id)
    suggested = _dumps(suggested_spans(record)) if record.suggested else "[]"
    return f'{labels[:-2]},"suggested_spans":{suggested}}}\n'


def raw_jsonl_line(record: RawRecord) -> str:
    tail = _raw_tail(record)
    return f"{_raw_head(record)}{_value(record.text)}{tail}"


def raw_jsonl_utf8_lines(records: Iterable[RawRecord]) -> Iterator[bytes]:
    """`raw_jsonl_line` of each record in UTF-8. A record carrying its text as UTF-8 has it
    escaped as bytes, once for the run of records that share those bytes (the annotations of
    one article), rather than escaped and encoded once per annotation."""
    shared: bytes | None = None
    escaped: bytes | None = None
    for record in records:
        data = record.text_utf8
        if data is not None and data is not shared:
            shared, escaped = data, _utf8_string(data)
        if data is None or escaped is None:
            yield raw_jsonl_line(record).encode()
        else:
            tail = _raw_tail(record)
            yield b"".join((_raw_head(record).encode(), b'"', escaped, b'"', tail.encode()))


def gold_jsonl_lines(records: Iterable[GoldRecord]) -> Iterator[str]:
    return map(gold_jsonl_line, records)


def gold_jsonl_utf8_lines(records: Iterable[GoldRecord]) -> Iterator[bytes]:
    return map(gold_jsonl_utf8, records)


def raw_jsonl_lines(records: Iterable[RawRecord]) -> Iterator[str]:
    return map(raw_jsonl_line, records)
