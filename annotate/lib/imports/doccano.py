"""doccano's JSONL export of sequence-labelling projects.

One JSON object a line with `text` and the spans in one of the shapes doccano has written:

- `"label": [[start, end, "LABEL"], ...]` (doccano 1.x sequence labelling; some versions
  call the key `labels`);
- `"entities": [{"id": 1, "label": "LABEL", "start_offset": 0, "end_offset": 4}, ...]`
  with optional `"relations": [{"from_id": 1, "to_id": 2, "type": "..."}]` (projects with
  relations enabled).

`id` becomes the external id. doccano is a Python application and stores offsets as code
points (Python string indices), so "auto" reads them as code points; `offsets="utf16"` is
there for files another tool wrote with UTF-16 units (they differ only after an emoji).
A relation of type "claimant" (any case) from a claim span to an entity span becomes our
claimant relation; other relation types are counted as ignored.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from annotate.lib.imports.common import (
    OffsetMode,
    Parsed,
    ParseSummary,
    RecordError,
    RecordProblem,
    build_span,
    external_id_of,
    finish,
    foreign_attributes,
    json_lines,
    known_labels,
    object_with_text,
    safe_span_id,
    title_of,
)
from annotate.lib.schema import claim_key


def parse_doccano(
    data: bytes,
    *,
    name: str,
    schema: dict[str, Any],
    offsets: OffsetMode = "auto",
    summary: ParseSummary | None = None,
) -> Iterator[Parsed]:
    if offsets == "auto":
        offsets = "codepoints"
    labels = known_labels(schema)
    claim = claim_key(schema)
    summary = summary if summary is not None else ParseSummary()
    for item in json_lines(data, name=name):
        if isinstance(item, RecordError):
            yield item
            continue
        origin, obj = item
        try:
            obj, text, mapping = object_with_text(obj, what="document")
            spans: list[dict[str, Any]] = []
            ids: dict[Any, str] = {}
            if "entities" in obj:
                entities = obj["entities"]
                if not isinstance(entities, list):
                    raise RecordProblem("entities", "must be a list")
                for i, entity in enumerate(entities):
                    field = f"entities[{i}]"
                    if not isinstance(entity, dict):
                        raise RecordProblem(field, "must be an object")
                    span_id = safe_span_id(entity.get("id"), f"e{i + 1}")
                    label = entity.get("label")
                    spans.append(
                        build_span(
                            mapping,
                            start=entity.get("start_offset"),
                            end=entity.get("end_offset"),
                            label=label,
                            span_id=span_id,
                            expected=None,
                            mode=offsets,
                            field=field,
                            labels=labels,
                            attributes=foreign_attributes(label, claim=claim),
                        )
                    )
                    ids[entity.get("id")] = span_id
            else:
                key = "label" if "label" in obj else "labels"
                triples = obj.get(key, [])
                if not isinstance(triples, list):
                    raise RecordProblem(key, "must be a list of [start, end, label]")
                for i, triple in enumerate(triples):
                    field = f"{key}[{i}]"
                    if not isinstance(triple, list | tuple) or len(triple) != 3:
                        raise RecordProblem(field, "must be [start, end, label]")
                    start, end, label = triple
                    spans.append(
                        build_span(
                            mapping,
                            start=start,
                            end=end,
                            label=label,
                            span_id=f"s{i + 1}",
                            expected=None,
                            mode=offsets,
                            field=field,
                            labels=labels,
                            attributes=foreign_attributes(label, claim=claim),
                        )
                    )
            relations = []
            for i, relation in enumerate(obj.get("relations") or []):
                if not isinstance(relation, dict):
                    raise RecordProblem(f"relations[{i}]", "must be an object")
                if str(relation.get("type", "")).lower() != "claimant":
                    summary.ignore("relations of other types")
                    continue
                source, target = ids.get(relation.get("from_id")), ids.get(relation.get("to_id"))
                if source is None or target is None:
                    raise RecordProblem(f"relations[{i}]", "refers to an entity that is not here")
                relations.append({"type": "claimant", "from": source, "to": target})
            yield finish(
                origin,
                mapping,
                {"spans": spans, "relations": relations, "document_labels": {}},
                schema=schema,
                title=title_of(obj.get("title")),
                external_id=external_id_of(obj.get("id")),
            )
        except RecordProblem as exc:
            yield RecordError(origin, exc.message, exc.field)
