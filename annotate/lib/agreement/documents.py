"""Plain input for the agreement engine: one submitted annotation, reduced. Pure: no Django.

`doc_from_content` reads the content document shape of annotate/lib/content.py (spans, relations,
document labels) and keeps what agreement compares.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from annotate.lib.agreement.spans import Span


@dataclass(frozen=True, slots=True)
class ClaimInfo:
    """A claim span's attributes: claimant value or claimant span id, stance, check-worthy."""

    claimant: str | None = None
    claimant_span: str | None = None
    stance: str | None = None
    checkworthy: bool | None = None


@dataclass(frozen=True, slots=True)
class Doc:
    """One annotator's submitted annotation of one article."""

    article: int
    annotator: int
    entities: tuple[Span, ...] = ()
    claims: tuple[Span, ...] = ()
    claim_info: tuple[ClaimInfo, ...] = ()
    stance: Mapping[str, str] = field(default_factory=dict)
    submitted_at: datetime | None = None


def doc_from_content(
    content: Mapping[str, Any],
    *,
    article: int,
    annotator: int,
    claim_label: str,
    submitted_at: datetime | None = None,
) -> Doc:
    """Reduce a content document; spans labelled `claim_label` are claims, others entities."""
    spans = content.get("spans") or ()
    entities = tuple(
        [
            Span(r["start"], r["end"], r["label"], r.get("id", ""))
            for r in spans
            if r["label"] != claim_label
        ]
    )
    claims, info = _claims([r for r in spans if r["label"] == claim_label], content)
    return Doc(
        article,
        annotator,
        entities,
        claims,
        info,
        _stance(content.get("document_labels")),
        submitted_at,
    )


_new_span = partial(tuple.__new__, Span)


def doc_from_columns(
    starts: list[int],
    ends: list[int],
    labels: list[str],
    ids: list[str],
    *,
    claims: list[Mapping[str, Any]],
    relations: list[Mapping[str, Any]],
    stance: Mapping[str, Any],
    article: int,
    annotator: int,
    claim_label: str,
    submitted_at: datetime | None = None,
) -> Doc:
    """The same Doc as doc_from_content, from the span fields as parallel lists (in span
    order) and the claim spans as objects (a database can pick these out of the JSON)."""
    # tuple.__new__ straight from C: no Python call per span (a project has a million).
    spans = map(_new_span, zip(starts, ends, labels, ids, strict=True))
    entities = tuple([s for s in spans if s.label != claim_label])
    claim_spans, info = _claims(claims, {"relations": relations})
    return Doc(
        article,
        annotator,
        entities,
        claim_spans,
        info,
        _stance({"stance": stance}),
        submitted_at,
    )


def _claims(
    rows: list[Mapping[str, Any]], content: Mapping[str, Any]
) -> tuple[tuple[Span, ...], tuple[ClaimInfo, ...]]:
    """Claim spans and their attributes; claimant relations come from `content`."""
    if not rows:
        return (), ()
    links = {
        r["from"]: r["to"] for r in content.get("relations") or () if r.get("type") == "claimant"
    }
    claims = tuple(Span(r["start"], r["end"], r["label"], r.get("id", "")) for r in rows)
    info = tuple(
        ClaimInfo(
            claimant=attributes.get("claimant"),
            claimant_span=links.get(r.get("id", "")),
            stance=attributes.get("stance"),
            checkworthy=attributes.get("checkworthy"),
        )
        for r in rows
        for attributes in (r.get("attributes") or {},)
    )
    return claims, info


def _stance(document_labels: Mapping[str, Any] | None) -> dict[str, str]:
    stance = (document_labels or {}).get("stance") or {}
    return {str(k): str(v) for k, v in stance.items() if v is not None}
