"""The export writers as they were before the fast paths (dict per line and per span, one
CoNLL line per token through a loop).

Kept verbatim as the oracle the fast writers are compared with in
tests/test_fast_export_matches_reference.py. Not used by the application.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Collection, Iterable, Iterator
from typing import Any

from annotate.lib.exports.records import ExportError, GoldRecord, RawRecord
from corpus.lib.text import token_bounds

SENTENCE_END = frozenset({".", "!", "?", "؟"})

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def _span_order(span: dict[str, Any]) -> tuple[int, int, str, str]:
    return (span["start"], span["end"], span["label"], span["id"])


def export_spans(text: str, content: dict[str, Any], *, article_id: int) -> list[dict[str, Any]]:
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
    return {
        "title": record.title,
        "text": record.text,
        "spans": export_spans(record.text, record.content, article_id=record.article_id),
        "relations": export_relations(record.content),
        "document_labels": export_document_labels(record.content),
        "split": record.split,
    }


def gold_jsonl_line(record: GoldRecord) -> str:
    head = {"id": record.article_id, "external_id": record.external_id}
    return _dumps({**head, **_labelled(record)}) + "\n"


def raw_jsonl_line(record: RawRecord) -> str:
    head = {
        "annotation_id": record.annotation_id,
        "article_id": record.article_id,
        "external_id": record.external_id,
        "annotator": record.annotator,
        "submitted_at": record.submitted_at,
        "schema_version": record.schema_version,
    }
    suggested = [
        {"id": span_id, "recommender": source} for span_id, source in sorted(record.suggested)
    ]
    return _dumps({**head, **_labelled(record), "suggested_spans": suggested}) + "\n"


def layer_spans(
    spans: Iterable[dict[str, Any]], *, labels: Collection[str]
) -> tuple[list[tuple[int, int, str]], int]:
    candidates = sorted(
        ((s["start"], s["end"], s["label"]) for s in spans if s["label"] in labels),
        key=lambda s: (-(s[1] - s[0]), s[0], s[2]),
    )
    kept: list[tuple[int, int, str]] = []
    dropped = 0
    for start, end, label in candidates:
        if any(start < k_end and k_start < end for k_start, k_end, _ in kept):
            dropped += 1
            continue
        kept.append((start, end, label))
    kept.sort()
    return kept, dropped


def split_bounds(
    bounds: Iterable[tuple[int, int]], boundaries: Collection[int]
) -> list[tuple[int, int]]:
    ordered = sorted(boundaries)
    if not ordered:
        return list(bounds)
    pieces = []
    for start, end in bounds:
        i = bisect_right(ordered, start)
        while i < len(ordered) and ordered[i] < end:
            pieces.append((start, ordered[i]))
            start = ordered[i]
            i += 1
        pieces.append((start, end))
    return pieces


def bio_lines(text: str, spans: list[tuple[int, int, str]]) -> Iterator[str]:
    """Token lines of one article with blank lines between sentences."""
    bounds = split_bounds(token_bounds(text), {b for start, end, _ in spans for b in (start, end)})
    span_index = 0
    current: tuple[int, int, str] | None = None
    begun = False
    previous_end = -1
    in_sentence = False
    find = text.find
    for start, end in bounds:
        while span_index < len(spans) and spans[span_index][1] <= start:
            span_index += 1
        candidate = spans[span_index] if span_index < len(spans) else None
        inside = candidate is not None and candidate[0] <= start and end <= candidate[1]
        if (
            in_sentence
            and find("\n", previous_end, start) != -1
            and not (inside and current == candidate)
        ):
            yield "\n"
            in_sentence = False
        piece = text[start:end]
        if inside:
            assert candidate is not None
            if current != candidate:
                current, begun = candidate, False
            yield f"{piece}\t{start}\t{end}\t{'I' if begun else 'B'}-{candidate[2]}\n"
            begun = True
        else:
            current = None
            yield f"{piece}\t{start}\t{end}\tO\n"
        in_sentence = True
        previous_end = end
        if piece in SENTENCE_END and not (inside and current and end < current[1]):
            yield "\n"
            in_sentence = False
    if in_sentence:
        yield "\n"
