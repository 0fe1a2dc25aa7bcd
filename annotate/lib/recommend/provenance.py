"""Which spans came from suggestions, and agreement without them. Pure: no Django.

An accepted suggestion is remembered as (span id, start, end, label) of the annotation it was
added to. A span is suggestion-born while it still has that id, offsets and label; one the
annotator moved or relabelled afterwards is counted as theirs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from annotate.lib.agreement.documents import Doc

SpanKey = tuple[str, int, int, str]
# What an accepted suggestion recorded: start, end, label, recommender@version.
Accepted = tuple[int, int, str, str]


@dataclass(frozen=True, slots=True)
class SuggestionShare:
    """How many submitted spans there are, and how many came from suggestions."""

    spans: int
    from_suggestions: int
    annotations_with_suggestions: int

    def as_dict(self) -> dict[str, int]:
        return {
            "spans": self.spans,
            "from_suggestions": self.from_suggestions,
            "hand_drawn": self.spans - self.from_suggestions,
            "annotations_with_suggestions": self.annotations_with_suggestions,
        }


def suggested_in(
    content: Mapping[str, Any], accepted: Mapping[str, Accepted] | None
) -> tuple[tuple[str, str], ...]:
    """(span id, recommender) of the content's spans that are still as they were accepted."""
    if not accepted:
        return ()
    found = []
    for span in content.get("spans") or ():
        record = accepted.get(span.get("id", ""))
        if record and record[:3] == (span["start"], span["end"], span["label"]):
            found.append((span["id"], record[3]))
    return tuple(sorted(found))


def hand_drawn_docs(
    docs: Iterable[Doc], accepted: Mapping[tuple[int, int], set[SpanKey]]
) -> tuple[list[Doc], SuggestionShare]:
    """The documents with their suggestion-born spans (entities and claims) left out, and
    the counts.

    `accepted` maps (article, annotator) to the keys of the spans accepted from suggestions.
    """
    kept: list[Doc] = []
    spans = suggested = touched = 0
    for doc in docs:
        keys = accepted.get((doc.article, doc.annotator))
        spans += len(doc.entities) + len(doc.claims)
        if not keys:
            kept.append(doc)
            continue
        entities = tuple(
            span for span in doc.entities if (span.id, span.start, span.end, span.label) not in keys
        )
        own_claims = [
            k
            for k, span in enumerate(doc.claims)
            if (span.id, span.start, span.end, span.label) not in keys
        ]
        removed = len(doc.entities) - len(entities) + len(doc.claims) - len(own_claims)
        suggested += removed
        touched += removed > 0
        if removed:
            doc = replace(
                doc,
                entities=entities,
                claims=tuple(doc.claims[k] for k in own_claims),
                claim_info=tuple(doc.claim_info[k] for k in own_claims),
            )
        kept.append(doc)
    return kept, SuggestionShare(spans, suggested, touched)
