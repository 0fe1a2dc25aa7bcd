"""A measured value, or an explicit "undefined" with the reason. Pure: no Django.

Every agreement measure returns a Score rather than a bare float so that degenerate inputs
(one rater, no items in common, every rating the same label, no spans at all) are reported
as undefined with a reason, never as a crash, a NaN or a fake 1.0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Reason codes for undefined values, with the English sentence the API and command show.
# Pages translate by code.
REASONS: dict[str, str] = {
    "one_rater": "fewer than two annotators",
    "no_common_items": "no item was labelled by two annotators",
    "no_variation": "every rating uses the same label, so chance agreement is 1",
    "unequal_raters": "items have different numbers of raters",
    "no_spans": "neither annotator marked a span",
    "no_reference_spans": "the first annotator marked no span",
    "no_predicted_spans": "the second annotator marked no span",
    "no_tokens": "no token was tagged by both annotators",
    "no_matches": "no matched claims to compare",
}


@dataclass(frozen=True, slots=True)
class Score:
    """`value` is None when undefined; then `reason` is one of REASONS."""

    value: float | None
    items: int = 0
    annotators: int = 0
    reason: str = ""

    @classmethod
    def undefined(cls, reason: str, *, items: int = 0, annotators: int = 0) -> Score:
        if reason not in REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        return cls(None, items=items, annotators=annotators, reason=reason)

    @property
    def defined(self) -> bool:
        return self.value is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "items": self.items,
            "annotators": self.annotators,
            "undefined": REASONS[self.reason] if self.reason else None,
            "reason": self.reason or None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Score:
        """The Score that as_dict() turned into `data` (e.g. a cached report)."""
        return cls(
            data["value"],
            items=data["items"],
            annotators=data["annotators"],
            reason=data["reason"] or "",
        )


def mean_score(scores: list[Score], *, items: int, annotators: int) -> Score:
    """The plain mean of the defined scores (e.g. over annotator pairs)."""
    values = [s.value for s in scores if s.value is not None]
    if not values:
        if len(scores) == 0:
            return Score.undefined("one_rater", items=items, annotators=annotators)
        reasons = [s.reason for s in scores if s.reason]
        return Score.undefined(
            reasons[0] if reasons else "no_common_items", items=items, annotators=annotators
        )
    return Score(sum(values) / len(values), items=items, annotators=annotators)


@dataclass(frozen=True, slots=True)
class UndefinedPair:
    a: Any
    b: Any
    reason: str


@dataclass(frozen=True, slots=True)
class PairAccount:
    """Which pairs a mean over pairs (mean_score) stands on: how many were compared, how
    many had a defined value, and the others with their reasons."""

    pairs: int
    defined: int
    undefined: tuple[UndefinedPair, ...]


def pair_account(pairs: Iterable[tuple[Any, Any, Score]]) -> PairAccount:
    """The accounting of mean_score over these (a, b, score) pairs: mean_score averages the
    `defined` ones; the `undefined` ones are left out (a NaN mean in scikit-learn)."""
    listed = list(pairs)
    undefined = tuple(
        UndefinedPair(a, b, score.reason or "no_common_items")
        for a, b, score in listed
        if score.value is None
    )
    return PairAccount(pairs=len(listed), defined=len(listed) - len(undefined), undefined=undefined)
