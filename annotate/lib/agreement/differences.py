"""What the annotators of one article disagree on, each difference named. Pure: no Django.

The merge (annotate/lib/merge.py) turns every disagreement into a decision; this module says
what kind of difference each decision is, so that pages can list, count, filter and highlight
them and link each to its decision in adjudication:

- ``missing_span``: some annotators marked a span, the others marked nothing overlapping it
  (of the same family: entity spans against entity spans, claims against claims);
- ``boundary``: the others marked an overlapping span with the same label but other offsets;
- ``label``: the others marked an overlapping span with another label (same offsets, or not);
- ``claimant``, ``checkworthy``, ``claim_stance``: the annotators who marked a claim gave it
  different attributes;
- ``stance``: the annotators gave the article different stances towards a target (one who
  left the target empty counts as a different answer).

A span decision whose others have both a same-label overlap and an other-label one is a
``label`` difference when some other span has exactly its offsets, else ``boundary``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from annotate.lib.merge import Submission

KINDS = (
    "missing_span",
    "boundary",
    "label",
    "claimant",
    "checkworthy",
    "claim_stance",
    "stance",
)
ATTRIBUTE_KINDS = {"claimant": "claimant", "checkworthy": "checkworthy", "stance": "claim_stance"}


@dataclass(frozen=True, slots=True)
class OtherSpan:
    """A span another annotator marked where the decision's span is (or overlapping it)."""

    annotator: str
    start: int
    end: int
    label: str


@dataclass(frozen=True, slots=True)
class Difference:
    """One open decision of the merge, classified. `span_id` is the merged span's id (span
    and attribute decisions); `annotators` are those who marked the span (span decisions)."""

    decision: str
    kind: str
    reason: str
    span_id: str | None = None
    start: int | None = None
    end: int | None = None
    label: str | None = None
    target: str | None = None
    annotators: tuple[str, ...] = ()
    others: tuple[OtherSpan, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "kind": self.kind,
            "reason": self.reason,
            "span_id": self.span_id,
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "target": self.target,
            "annotators": list(self.annotators),
            "others": [
                {"annotator": o.annotator, "start": o.start, "end": o.end, "label": o.label}
                for o in self.others
            ],
        }


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def span_kind(
    start: int, end: int, label: str, others: Sequence[OtherSpan]
) -> tuple[str, tuple[OtherSpan, ...]]:
    """The kind of a span difference given the overlapping spans of the annotators who did
    not mark it (already of the same family), and those spans."""
    overlapping = tuple(o for o in others if _overlaps(start, end, o.start, o.end))
    if not overlapping:
        return "missing_span", ()
    if any((o.start, o.end) == (start, end) for o in overlapping):
        return "label", overlapping
    if any(o.label == label for o in overlapping):
        return "boundary", overlapping
    return "label", overlapping


def differences(
    merged: Mapping[str, Any], submissions: Sequence[Submission], *, claim_label: str
) -> list[Difference]:
    """Every decision of `merged` (merge(submissions)) as a classified Difference."""
    spans_of: dict[str, list[tuple[int, int, str]]] = {}
    for submission in submissions:
        spans_of[submission.annotator] = sorted(
            {
                (int(s["start"]), int(s["end"]), str(s["label"]))
                for s in submission.content.get("spans", [])
            }
        )
    result = []
    for decision in merged.get("decisions", []):
        kind = decision["kind"]
        if kind == "span":
            span = decision["span"]
            start, end, label = span["start"], span["end"], span["label"]
            marked = tuple(decision["options"][0]["annotators"])
            is_claim = label == claim_label
            candidates = [
                OtherSpan(name, s, e, lab)
                for name, spans in sorted(spans_of.items())
                if name not in marked
                for s, e, lab in spans
                if (lab == claim_label) == is_claim
            ]
            what, others = span_kind(start, end, label, candidates)
            result.append(
                Difference(
                    decision=decision["id"],
                    kind=what,
                    reason=decision["reason"],
                    span_id=span["id"],
                    start=start,
                    end=end,
                    label=label,
                    annotators=marked,
                    others=others,
                )
            )
        elif kind == "attribute":
            sid = decision["span_id"]
            start, end, label = parse_span_id(sid)
            result.append(
                Difference(
                    decision=decision["id"],
                    kind=ATTRIBUTE_KINDS[decision["attribute"]],
                    reason=decision["reason"],
                    span_id=sid,
                    start=start,
                    end=end,
                    label=label,
                )
            )
        else:
            result.append(
                Difference(
                    decision=decision["id"],
                    kind="stance",
                    reason=decision["reason"],
                    target=decision["target"],
                )
            )
    return result


def parse_span_id(sid: str) -> tuple[int | None, int | None, str | None]:
    """(start, end, label) of a merged span id "s<start>-<end>-<label>"."""
    try:
        start, end, label = sid[1:].split("-", 2)
        return int(start), int(end), label
    except ValueError:
        return None, None, None


def kind_counts(found: Iterable[Difference]) -> dict[str, int]:
    """How many differences of each kind, in KINDS order, kinds with none left out."""
    counts = Counter(d.kind for d in found)
    return {kind: counts[kind] for kind in KINDS if counts[kind]}
