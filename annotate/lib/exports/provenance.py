"""Provenance of the gold: one article a line, where each gold article came from.

    {"id":12,"source":"adjudicated","adjudicator":"rana","updated_at":"2026-…","version":3,
     "annotators":["ann1","ann2"],
     "spans":[{"id":"s1","supported_by":["ann1"]},…]}

- `source`: unanimous (accepted because every annotator agreed), adjudicated (settled by a
  reviewer), imported; `adjudicator` is who last saved the gold (null when nobody did, e.g.
  an automatic unanimous acceptance), `updated_at` when;
- `annotators`: who submitted an annotation of the article; per gold span (in the gold
  JSONL's order) the annotators whose submitted annotation has a span with the same start,
  end and label.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@dataclass(frozen=True, slots=True)
class ProvenanceRecord:
    article_id: int
    source: str
    adjudicator: str | None
    updated_at: str | None
    version: int
    spans: list[dict[str, Any]]
    # (annotator, that annotator's submitted spans), by annotator name
    annotations: list[tuple[str, list[dict[str, Any]]]]


def provenance_line(record: ProvenanceRecord) -> str:
    support: dict[tuple[Any, Any, Any], list[str]] = {}
    for annotator, spans in record.annotations:
        for key in {(s.get("start"), s.get("end"), s.get("label")) for s in spans}:
            support.setdefault(key, []).append(annotator)
    spans = sorted(record.spans, key=lambda s: (s["start"], s["end"], s["label"], s["id"]))
    return (
        _dumps(
            {
                "id": record.article_id,
                "source": record.source,
                "adjudicator": record.adjudicator,
                "updated_at": record.updated_at,
                "version": record.version,
                "annotators": [annotator for annotator, _ in record.annotations],
                "spans": [
                    {
                        "id": s["id"],
                        "supported_by": support.get((s["start"], s["end"], s["label"]), []),
                    }
                    for s in spans
                ],
            }
        )
        + "\n"
    )


def provenance_lines(records: Iterable[ProvenanceRecord]) -> Iterator[str]:
    return map(provenance_line, records)
