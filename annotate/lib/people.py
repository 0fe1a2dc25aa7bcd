"""A lead's view of each annotator: pace and differences from gold. Pure: no Django.

- `time_summary`: the active time per article (milliseconds the annotation page was focused and
  in use, idle gaps over a minute left out) as its median and a distribution over fixed bins;
- `per_hour`: spans per active hour;
- `gold_differences`: one annotator's spans against the gold of one article, each difference
  named: a span the gold has and the annotator missed, one the annotator added, one with the
  right label but other boundaries, one on the same text with another label. The pairing is
  the agreement code's (annotate/lib/agreement/spans.py): exact matches first, then overlap
  matches of the same label, one to one;
- `segments`: the article cut where any marked span starts or ends, for drawing one side of
  the side-by-side view.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import median
from typing import Any

from annotate.lib.agreement.spans import Span, exact_matches, overlap_matches

# Upper bounds (seconds) of the active-time bins; the last bin is open.
TIME_BINS: tuple[int, ...] = (60, 120, 300, 600, 1200)

MATCH = "match"
BOUNDARY = "boundary"
LABEL = "label"
MISSING = "missing"
EXTRA = "extra"
# The order a reader fixes things in: what is missing first, what is merely matched last.
KINDS: tuple[str, ...] = (MISSING, EXTRA, LABEL, BOUNDARY, MATCH)


@dataclass(frozen=True, slots=True)
class TimeBin:
    lower_seconds: int
    upper_seconds: int | None  # None: no upper bound
    count: int


@dataclass(frozen=True, slots=True)
class TimeSummary:
    """Active time over the `articles` that have any; None values when there are none."""

    articles: int
    median_seconds: float | None
    total_seconds: float
    bins: tuple[TimeBin, ...]


def time_summary(active_ms: Iterable[int], *, bins: Sequence[int] = TIME_BINS) -> TimeSummary:
    """Median and distribution of the positive times in `active_ms` (zero means unmeasured)."""
    seconds = [ms / 1000 for ms in active_ms if ms > 0]
    counts = [0] * (len(bins) + 1)
    for value in seconds:
        index = next((k for k, upper in enumerate(bins) if value < upper), len(bins))
        counts[index] += 1
    lowers = (0, *bins)
    uppers: tuple[int | None, ...] = (*bins, None)
    return TimeSummary(
        articles=len(seconds),
        median_seconds=median(seconds) if seconds else None,
        total_seconds=sum(seconds),
        bins=tuple(TimeBin(lo, hi, n) for lo, hi, n in zip(lowers, uppers, counts, strict=True)),
    )


def per_hour(count: int, active_ms: int) -> float | None:
    """`count` per hour of `active_ms`; None without measured time."""
    if active_ms <= 0:
        return None
    return count / (active_ms / 3_600_000)


@dataclass(frozen=True, slots=True)
class Difference:
    """One gold span and/or one annotator span, and how they differ (a kind of KINDS)."""

    kind: str
    gold: Span | None
    annotator: Span | None

    @property
    def start(self) -> int:
        return min(s.start for s in (self.gold, self.annotator) if s is not None)


def gold_differences(gold: Sequence[Span], annotator: Sequence[Span]) -> list[Difference]:
    """Every gold and annotator span, paired and named, in text order (see the module doc)."""
    found: list[Difference] = []
    gold_left = list(range(len(gold)))
    ann_left = list(range(len(annotator)))

    def pair(kind: str, pairs: list[tuple[int, int]]) -> None:
        nonlocal gold_left, ann_left
        taken_g = {gold_left[i] for i, _ in pairs}
        taken_a = {ann_left[j] for _, j in pairs}
        found.extend(Difference(kind, gold[gold_left[i]], annotator[ann_left[j]]) for i, j in pairs)
        gold_left = [g for g in gold_left if g not in taken_g]
        ann_left = [a for a in ann_left if a not in taken_a]

    pair(MATCH, exact_matches([gold[g] for g in gold_left], [annotator[a] for a in ann_left]))
    pair(BOUNDARY, overlap_matches([gold[g] for g in gold_left], [annotator[a] for a in ann_left]))
    # Overlapping spans with different labels: the overlap matching with every label the same.
    pair(
        LABEL,
        overlap_matches(
            [gold[g]._replace(label="") for g in gold_left],
            [annotator[a]._replace(label="") for a in ann_left],
        ),
    )
    found.extend(Difference(MISSING, gold[g], None) for g in gold_left)
    found.extend(Difference(EXTRA, None, annotator[a]) for a in ann_left)
    found.sort(key=lambda d: (d.start, KINDS.index(d.kind)))
    return found


def difference_counts(differences: Iterable[Difference]) -> dict[str, int]:
    counts = dict.fromkeys(KINDS, 0)
    for difference in differences:
        counts[difference.kind] += 1
    return counts


def stance_differences(
    gold: Mapping[str, str], annotator: Mapping[str, str], *, targets: Sequence[str]
) -> list[dict[str, Any]]:
    """Per stance target (the schema's, then any other either side set): both values."""
    keys = list(dict.fromkeys([*targets, *sorted(set(gold) | set(annotator))]))
    return [
        {
            "target": key,
            "gold": gold.get(key),
            "annotator": annotator.get(key),
            "same": gold.get(key) == annotator.get(key),
        }
        for key in keys
    ]


@dataclass(frozen=True, slots=True)
class Segment:
    """text[start:end] and the kinds and labels of the marks over it (empty: plain text)."""

    start: int
    end: int
    kinds: tuple[str, ...]
    labels: tuple[str, ...]

    @property
    def kind(self) -> str | None:
        """The mark to draw: the most pressing kind over the segment."""
        return min(self.kinds, key=KINDS.index) if self.kinds else None


def segments(length: int, marks: Sequence[tuple[int, int, str, str]]) -> list[Segment]:
    """Cut [0, length) at every mark boundary; `marks` are (start, end, kind, label)."""
    cuts = sorted({0, length, *(x for s, e, _, _ in marks for x in (s, e) if 0 <= x <= length)})
    result = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        over = [(kind, label) for s, e, kind, label in marks if s <= start and end <= e]
        result.append(
            Segment(
                start,
                end,
                tuple(kind for kind, _ in over),
                tuple(dict.fromkeys(label for _, label in over)),
            )
        )
    return result


def side_marks(differences: Iterable[Difference], *, side: str) -> list[tuple[int, int, str, str]]:
    """The marks of one side ("gold" or "annotator") of the side-by-side view."""
    marks = []
    for difference in differences:
        span = difference.gold if side == "gold" else difference.annotator
        if span is not None:
            marks.append((span.start, span.end, difference.kind, span.label))
    return marks
