"""Our own exports read back: gold JSONL (one article a line) or raw per-annotator JSONL.

Offsets are code points into `text`, as we wrote them; spans carry their text, which must
still match. Span ids and relations are kept, so a round trip gives the same documents.
Raw lines name their annotator; gold lines have none.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from annotate.lib.imports.common import (
    Parsed,
    ParseSummary,
    RecordError,
    RecordProblem,
    build_span,
    external_id_of,
    finish,
    json_lines,
    known_labels,
    object_with_text,
    safe_span_id,
    title_of,
)


def parse_ours(
    data: bytes, *, name: str, schema: dict[str, Any], summary: ParseSummary | None = None
) -> Iterator[Parsed]:
    labels = known_labels(schema)
    for item in json_lines(data, name=name):
        if isinstance(item, RecordError):
            yield item
            continue
        origin, obj = item
        try:
            obj, text, mapping = object_with_text(obj, what="article")
            spans_in = obj.get("spans", [])
            if not isinstance(spans_in, list):
                raise RecordProblem("spans", "must be a list")
            spans = []
            for i, span in enumerate(spans_in):
                field = f"spans[{i}]"
                if not isinstance(span, dict):
                    raise RecordProblem(field, "must be an object")
                expected = span.get("text")
                spans.append(
                    build_span(
                        mapping,
                        start=span.get("start"),
                        end=span.get("end"),
                        label=span.get("label"),
                        span_id=safe_span_id(span.get("id"), f"s{i + 1}"),
                        expected=expected if isinstance(expected, str) else None,
                        mode="codepoints",
                        field=field,
                        labels=labels,
                        attributes=span.get("attributes") or {},
                    )
                )
            annotator = obj.get("annotator")
            if annotator is not None and not isinstance(annotator, str):
                raise RecordProblem("annotator", "must be a user name")
            content = {
                "spans": spans,
                "relations": obj.get("relations", []),
                "document_labels": obj.get("document_labels", {}),
            }
            yield finish(
                origin,
                mapping,
                content,
                schema=schema,
                title=title_of(obj.get("title")),
                external_id=external_id_of(obj.get("external_id")),
                annotator=annotator or None,
            )
        except RecordProblem as exc:
            yield RecordError(origin, exc.message, exc.field)
