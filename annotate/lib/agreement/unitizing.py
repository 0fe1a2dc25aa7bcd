"""Krippendorff's unitizing alpha (αU) for spans. Pure: no Django.

The definition is Krippendorff (2004), "Measuring the reliability of qualitative text analysis
data", Quality & Quantity 38: 787-800. For one category c, each coder's continuum (here an
article, in code points) is cut into sections: the coder's units of c and the gaps between
them. A section g has a beginning b_g, a length l_g and an end e_g = b_g + l_g. Between a
section g of coder i and a section h of another coder j:

    δ²(g, h) = (b_g - b_h)² + (e_g - e_h)²   both are units of c and they overlap
             = l_g²                          g is a unit lying inside the gap h
             = l_h²                          h is a unit lying inside the gap g
             = 0                             otherwise (two gaps, or a unit partly in a gap)

    uDo(c) = Σ_i Σ_{j≠i} Σ_g Σ_h δ²(g, h) / (m (m - 1) L²)

    uDe(c) = 2/L · Σ_{units g} [ (N_c - 1)/3 · (2 l_g³ - 3 l_g² + l_g)
                                 + l_g² · Σ_{gaps h of any coder, l_h ≥ l_g} (l_h - l_g + 1) ]
             / ( mL (mL - 1) - Σ_{units g} l_g (l_g - 1) )

    uα(c) = 1 - uDo(c) / uDe(c)        uα (all categories) = 1 - Σ_c uDo(c) / Σ_c uDe(c)

with m coders, L the length of the continuum and N_c the number of units of c of all coders.
These are the formulas of DKPro Statistics (UKP Lab: `AlphaUnitizedAgreement`,
`KrippendorffAlphaUnitizingAgreement`); tests/test_agreement_unitizing.py reproduces the
paper's worked example as DKPro's tests do (uDo(c) = 0.0144, uDe(c) = 0.0532, uα(c) = 0.7286,
uα = 0.859), and checks this vectorised code against loops over every pair of sections.

Several articles. Every article is a continuum of its own. They are combined as DKPro's users
combine several documents, as one continuum made of the articles laid end to end, with one
difference: a section never runs from one article into the next (the last gap of an article
and the first gap of the next stay two gaps). Every sum above is then a sum over articles,
L = Σ_a L_a, and the result does not depend on the order of the articles.

Articles with different numbers of coders. The paper has the same m coders on the whole
continuum. Where article a has m_a coders, mL becomes n = Σ_a m_a L_a (the total length of
every coder's sections, which is what mL counts), and the pairs of coders of article a are
averaged over m_a - 1 instead of m - 1, as Krippendorff's alpha does for units coded by
different numbers of coders:

    uDo(c) = Σ_a Σ_{i≠j in a} Σ_g Σ_h δ²(g, h) / (m_a - 1)  /  (n L)

With the same number of coders everywhere both are exactly the paper's formulas. Articles with
fewer than two coders are left out.

Input rules:
- a coder who annotated an article but marked no unit of c has one gap of c: the whole article;
- αU assumes that one coder's units of one category do not overlap: overlapping (or nested)
  units of one label by one coder are merged into one unit, their union. Units that only touch
  ([0, 5) and [5, 9)) stay two units, as in the paper;
- units are clipped to their article; empty units are dropped.

Undefined (an explicit Score, never a crash or a fake 1.0): no article with two coders
("one_rater"), no unit of the category at all ("no_spans"), expected disagreement 0
("no_variation").
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from annotate.lib.agreement.score import Score
from annotate.lib.agreement.tokens import ranks


@dataclass(frozen=True)
class UnitTable:
    """Units of many coders and articles as columns, one row a unit."""

    doc: np.ndarray  # the coder's annotation the unit is part of: index into doc_continuum
    label: np.ndarray  # label code: index into the labels
    start: np.ndarray  # code points from the start of the unit's continuum
    end: np.ndarray


@dataclass(frozen=True)
class UnitizingAlpha:
    """uDo and uDe per label (in `labels` order) and what they were computed from."""

    labels: list[str]
    observed: list[float]
    expected: list[float]
    units: list[int]  # N_c: units per label of every coder, after merging overlaps
    continua: int  # articles compared (two coders or more)
    coders: int  # distinct coders over those articles

    def _undefined(self, reason: str) -> Score:
        return Score.undefined(reason, items=self.continua, annotators=self.coders)

    def _score(self, codes: Sequence[int]) -> Score:
        if self.continua == 0:
            return self._undefined("one_rater")
        if sum(self.units[k] for k in codes) == 0:
            return self._undefined("no_spans")
        expected = sum(self.expected[k] for k in codes)
        if expected <= 0.0:
            return self._undefined("no_variation")
        observed = sum(self.observed[k] for k in codes)
        return Score(1.0 - observed / expected, items=self.continua, annotators=self.coders)

    def label_alpha(self, label: str) -> Score:
        """uα of one category (the category against everything else)."""
        return self.joint_alpha([label])

    def joint_alpha(self, labels: Sequence[str] | None = None) -> Score:
        """uα of all categories at once (or of these): 1 - Σ uDo(c) / Σ uDe(c)."""
        chosen = self.labels if labels is None else labels
        return self._score([self.labels.index(label) for label in chosen])

    def label_dict(self, label: str) -> dict[str, object]:
        """The label's Score as a dict, with uDo, uDe and the number of units behind them."""
        return self.joint_dict([label])

    def joint_dict(self, labels: Sequence[str] | None = None) -> dict[str, object]:
        chosen = self.labels if labels is None else labels
        codes = [self.labels.index(label) for label in chosen]
        return {
            **self._score(codes).as_dict(),
            "observed_disagreement": sum(self.observed[k] for k in codes),
            "expected_disagreement": sum(self.expected[k] for k in codes),
            "units": sum(self.units[k] for k in codes),
        }


@dataclass(frozen=True)
class Continuum:
    """One article: its length and each coder's units as (start, end, label).

    Every coder in `units` counts, an empty list included (that coder marked nothing). Offsets
    run from `begin` to `begin + length` (begin is 0 for an article's text).
    """

    length: int
    units: Mapping[Hashable, Sequence[tuple[int, int, str]]]
    begin: int = 0


def unitizing_alpha(
    continua: Sequence[Continuum], *, labels: Sequence[str] | None = None
) -> UnitizingAlpha:
    """αU over these continua (plain data in; see unitizing_alpha_columns for the maths).

    `labels` fixes the categories and their order; by default, every label used, sorted.
    """
    if labels is None:
        labels = sorted({u[2] for c in continua for units in c.units.values() for u in units})
    code = {label: k for k, label in enumerate(labels)}
    coder_code: dict[Hashable, int] = {}
    doc_continuum: list[int] = []
    doc_coder: list[int] = []
    unit_doc: list[int] = []
    unit_label: list[int] = []
    unit_start: list[int] = []
    unit_end: list[int] = []
    for k, continuum in enumerate(continua):
        for coder, units in continuum.units.items():
            doc = len(doc_continuum)
            doc_continuum.append(k)
            doc_coder.append(coder_code.setdefault(coder, len(coder_code)))
            for start, end, label in units:
                unit_doc.append(doc)
                unit_label.append(code[label])
                unit_start.append(start - continuum.begin)
                unit_end.append(end - continuum.begin)
    table = UnitTable(
        doc=np.array(unit_doc, dtype=np.int64),
        label=np.array(unit_label, dtype=np.int64),
        start=np.array(unit_start, dtype=np.int64),
        end=np.array(unit_end, dtype=np.int64),
    )
    return unitizing_alpha_columns(
        table,
        doc_continuum=np.array(doc_continuum, dtype=np.int64),
        doc_coder=np.array(doc_coder, dtype=np.int64),
        lengths=np.array([c.length for c in continua], dtype=np.int64),
        labels=list(labels),
    )


def unitizing_alpha_columns(
    units: UnitTable,
    *,
    doc_continuum: np.ndarray,
    doc_coder: np.ndarray,
    lengths: np.ndarray,
    labels: Sequence[str],
) -> UnitizingAlpha:
    """uDo and uDe of every label over many continua at once, vectorised.

    A "doc" is one coder's annotation of one continuum: doc_continuum[d] is its continuum,
    doc_coder[d] its coder. lengths[k] is continuum k's length. Sorting and a sweep over the
    sorted unit boundaries replace the pairs of sections: only pairs of overlapping units and
    units lying in another coder's gap add to uDo, and the gaps a unit fits in are counted by
    a binary search over the sorted gap lengths.
    """
    n_labels = len(labels)
    doc_continuum = np.asarray(doc_continuum, dtype=np.int64)
    doc_coder = np.asarray(doc_coder, dtype=np.int64)
    lengths = np.asarray(lengths, dtype=np.int64)
    coders_of = np.bincount(doc_continuum, minlength=len(lengths))
    compared = coders_of >= 2
    doc_kept = compared[doc_continuum]
    n_continua = int(compared.sum())
    n_coders = len(np.unique(doc_coder[doc_kept]))
    n = int((coders_of[compared] * lengths[compared]).sum())  # Σ_a m_a L_a (= mL)
    total = int(lengths[compared].sum())  # L
    if total == 0:  # no article, or only empty ones: no room for a unit
        zeros = [0.0] * n_labels
        return UnitizingAlpha(list(labels), zeros, zeros, [0] * n_labels, n_continua, n_coders)

    # Units of compared articles, clipped to their article, merged where one coder's units of
    # one label overlap; sorted by (doc, label, start).
    doc = np.asarray(units.doc, dtype=np.int64)
    doc_length = lengths[doc_continuum]
    unit_length = doc_length[doc]
    start = np.clip(np.asarray(units.start, dtype=np.int64), 0, unit_length)
    end = np.clip(np.asarray(units.end, dtype=np.int64), 0, unit_length)
    keep = doc_kept[doc] & (start < end)
    stride = int(lengths.max()) + 2
    doc, label, start, end = _merge(
        doc[keep], np.asarray(units.label, dtype=np.int64)[keep], start[keep], end[keep], stride
    )
    length = end - start
    weight = 1.0 / (coders_of[doc_continuum[doc]] - 1)  # 1 / (m_a - 1) of the unit's article

    observed = _observed(
        doc, label, start, end, weight, doc_continuum, coders_of, lengths, n_labels
    ) / (n * total)

    flength = length.astype(np.float64)
    n_units = np.bincount(label, minlength=n_labels)
    same = (
        (n_units - 1)
        / 3.0
        * np.bincount(
            label, weights=flength * (flength - 1) * (2 * flength - 1), minlength=n_labels
        )
    )
    gaps_label, gaps_length = _gaps(doc, label, start, end, doc_length, doc_kept, n_labels)
    fits = _fits(label, length, gaps_label, gaps_length, n_labels=n_labels, stride=stride)
    in_gaps = np.bincount(label, weights=flength * flength * fits, minlength=n_labels)
    within = np.bincount(label, weights=flength * (flength - 1), minlength=n_labels)
    expected = 2.0 / total * (same + in_gaps) / (float(n) * (n - 1) - within)
    return UnitizingAlpha(
        labels=list(labels),
        observed=[float(x) for x in observed],
        expected=[float(x) for x in expected],
        units=[int(x) for x in n_units],
        continua=n_continua,
        coders=n_coders,
    )


def _merge(
    doc: np.ndarray, label: np.ndarray, start: np.ndarray, end: np.ndarray, stride: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One coder's overlapping units of one label become their union; sorted by group, start."""
    if len(doc) == 0:
        return doc, label, start, end
    group = doc * (int(label.max()) + 1) + label
    # One packed key (group, start): the order of units that start together does not matter.
    order = np.argsort(group * stride + start)
    doc, label, start, end, group = doc[order], label[order], start[order], end[order], group[order]
    # The furthest end so far within the group: groups ascend, so offsetting each by
    # group * stride (stride > any end) keeps a running maximum from leaking across groups.
    reach = np.maximum.accumulate(group * stride + end)
    before = np.empty_like(end)
    before[0] = -1
    before[1:] = reach[:-1] - group[1:] * stride  # negative where a new group begins
    first = np.flatnonzero(start >= before)  # a unit that starts where the previous ended is new
    return doc[first], label[first], start[first], np.maximum.reduceat(end, first)


def _observed(
    doc: np.ndarray,
    label: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    weight: np.ndarray,
    doc_continuum: np.ndarray,
    coders_of: np.ndarray,
    lengths: np.ndarray,
    n_labels: int,
) -> np.ndarray:
    """Σ_a Σ_{i≠j} Σ δ² / (m_a - 1) per label (uDo before dividing by nL)."""
    if len(doc) == 0:
        return np.zeros(n_labels)
    # Every continuum on one axis with a separator after each, every label on a stripe of its
    # own, so that units overlap on the axis only within one article and one label.
    step = lengths + 1
    base = np.cumsum(step) - step
    axis = int(step.sum())
    shift = label * axis + base[doc_continuum[doc]]
    order = np.argsort(start + shift, kind="stable")
    doc, label, start, end, weight, shift = (
        a[order] for a in (doc, label, start, end, weight, shift)
    )
    begins = start + shift
    # Sorted by beginning, unit p overlaps exactly the later units q that begin before p ends.
    reach = np.searchsorted(begins, end + shift, side="left")
    counts = reach - np.arange(len(doc)) - 1
    p = np.repeat(np.arange(len(doc), dtype=np.int64), counts)
    q = p + 1 + ranks(counts)
    # One coder's units of one label do not overlap (merged), so p and q are two coders.
    delta = (start[p] - start[q]) ** 2 + (end[p] - end[q]) ** 2
    both_ways = 2.0 * np.bincount(label[p], weights=delta * weight[p], minlength=n_labels)
    # A unit lying inside a gap of another coder of its article (no unit of that coder
    # overlaps it) adds l², once for each order of the pair of coders.
    n_docs = len(doc_continuum)
    met = np.concatenate((p * n_docs + doc[q], q * n_docs + doc[p]))  # (unit, other coder)
    met.sort()  # then keep each pair once (a sort beats np.unique's hashing here)
    if len(met):
        met = met[np.concatenate(([True], met[1:] != met[:-1]))]
    coders_met = np.bincount(met // n_docs, minlength=len(doc))
    alone = coders_of[doc_continuum[doc]] - 1 - coders_met
    flength = (end - start).astype(np.float64)
    in_gaps = 2.0 * np.bincount(
        label, weights=flength * flength * alone * weight, minlength=n_labels
    )
    result: np.ndarray = both_ways + in_gaps
    return result


def _gaps(
    doc: np.ndarray,
    label: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    doc_length: np.ndarray,
    doc_kept: np.ndarray,
    n_labels: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Label and length of every gap of every compared doc (units sorted by doc, label, start)."""
    group = doc * n_labels + label
    new_group = np.ones(len(doc), dtype=bool)
    new_group[1:] = group[1:] != group[:-1]
    last = np.ones(len(doc), dtype=bool)
    last[:-1] = new_group[1:]
    previous_end = np.zeros_like(end)
    previous_end[1:] = end[:-1]
    previous_end[new_group] = 0
    before = start - previous_end  # the gap before each unit
    after = doc_length[doc[last]] - end[last]  # the gap after a doc's last unit of a label
    # Docs with no unit of a label: one gap, the whole article.
    has = np.zeros((len(doc_length), n_labels), dtype=bool)
    has[doc, label] = True
    empty_doc, empty_label = np.nonzero(~has & doc_kept[:, None])
    labels = np.concatenate((label, label[last], empty_label))
    lengths = np.concatenate((before, after, doc_length[empty_doc]))
    section = lengths > 0
    return labels[section], lengths[section]


def _fits(
    label: np.ndarray,
    length: np.ndarray,
    gaps_label: np.ndarray,
    gaps_length: np.ndarray,
    *,
    n_labels: int,
    stride: int,
) -> np.ndarray:
    """For each unit, Σ (l_h - l + 1) over the gaps h of its label with l_h ≥ l: the number
    of places the unit fits inside a gap, over every coder's gaps."""
    keys = np.sort(gaps_label * stride + gaps_length)
    sorted_length = keys % stride
    room = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum(sorted_length + 1, out=room[1:])
    label_end = np.searchsorted(keys, (np.arange(n_labels) + 1) * stride, side="left")
    lo = np.searchsorted(keys, label * stride + length, side="left")
    hi = label_end[label]
    fits: np.ndarray = (room[hi] - room[lo]) - length * (hi - lo)
    return fits.astype(np.float64)


# ---- per-article sufficient statistics (incremental agreement) -----------------------------
#
# uDo and uDe of every label are functions of sums over articles: with U_c(l) the number of
# units of c of length l, G_c(g) the number of gaps of c of length g (over every coder of every
# compared article), O_c(m) = Σ over articles with m coders of Σ_{i≠j} Σ δ² (integers), n and L:
#
#   uDo(c) = Σ_m O_c(m) / (m - 1)  /  (n L)
#   uDe(c) = 2 [ (N_c - 1) S_c / 3 + Σ_l U_c(l) l² Σ_{g ≥ l} G_c(g) (g - l + 1) ]
#            / ( L (n (n - 1) - W_c) )
#
# with N_c = Σ_l U_c(l), S_c = Σ_l U_c(l) l (l - 1)(2l - 1) and W_c = Σ_l U_c(l) l (l - 1).
# The expected disagreement pairs every unit with every gap of the project, so an article
# cannot contribute a number to it; it contributes its histograms, which add up.


@dataclass(frozen=True)
class ContinuumStatistics:
    """One article's part of the sums above, per label it has units of."""

    coders: int  # m_a
    length: int  # L_a
    observed: dict[str, int]  # Σ_{i≠j} Σ δ² (not yet divided by m_a - 1)
    unit_lengths: dict[tuple[str, int], int]  # (label, l) -> units
    gaps: dict[tuple[str, int], int]  # (label, g) -> gaps of the coders who marked label
    coders_with: dict[str, int]  # label -> coders with a unit of it (the others: one gap L_a)


def continuum_statistics(continuum: Continuum) -> ContinuumStatistics:
    """The sufficient statistics of one continuum (units clipped and merged as above)."""
    length = int(continuum.length)
    coders = list(continuum.units)
    labels = sorted({u[2] for units in continuum.units.values() for u in units})
    code = {label: k for k, label in enumerate(labels)}
    doc, label, start, end = [], [], [], []
    for d, coder in enumerate(coders):
        for s, e, lab in continuum.units[coder]:
            s = min(max(s - continuum.begin, 0), length)
            e = min(max(e - continuum.begin, 0), length)
            if s < e:
                doc.append(d)
                label.append(code[lab])
                start.append(s)
                end.append(e)
    empty = ContinuumStatistics(len(coders), length, {}, {}, {}, {})
    if not doc:
        return empty
    d_, l_, s_, e_ = _merge(
        np.array(doc, dtype=np.int64),
        np.array(label, dtype=np.int64),
        np.array(start, dtype=np.int64),
        np.array(end, dtype=np.int64),
        length + 2,
    )
    observed = _observed(
        d_,
        l_,
        s_,
        e_,
        np.ones(len(d_)),
        np.zeros(len(coders), dtype=np.int64),
        np.array([len(coders)], dtype=np.int64),
        np.array([length], dtype=np.int64),
        len(labels),
    )
    unit_lengths: dict[tuple[str, int], int] = {}
    gaps: dict[tuple[str, int], int] = {}
    coders_with: dict[str, int] = {}
    previous: tuple[int, int] | None = None
    last_end = 0
    rows = list(zip(d_.tolist(), l_.tolist(), s_.tolist(), e_.tolist(), strict=True))
    for k, (d, lab, s, e) in enumerate(rows):
        name = labels[lab]
        if (d, lab) != previous:
            coders_with[name] = coders_with.get(name, 0) + 1
            previous, last_end = (d, lab), 0
        unit_lengths[(name, e - s)] = unit_lengths.get((name, e - s), 0) + 1
        if s > last_end:
            gaps[(name, s - last_end)] = gaps.get((name, s - last_end), 0) + 1
        last_end = e
        if (k + 1 == len(rows) or rows[k + 1][:2] != (d, lab)) and length > e:
            gaps[(name, length - e)] = gaps.get((name, length - e), 0) + 1
    return ContinuumStatistics(
        coders=len(coders),
        length=length,
        observed={labels[k]: round(float(x)) for k, x in enumerate(observed) if x},
        unit_lengths=unit_lengths,
        gaps=gaps,
        coders_with=coders_with,
    )


@dataclass(frozen=True)
class UnitizingSums:
    """The sums over the compared articles of their ContinuumStatistics."""

    n: int  # Σ m_a L_a
    total: int  # Σ L_a
    continua: int
    coders: int
    observed: Mapping[tuple[str, int], int]  # (label, m) -> Σ δ² of articles with m coders
    unit_lengths: Mapping[tuple[str, int], int]
    gaps: Mapping[tuple[str, int], int]  # of the coders who marked the label
    whole: Mapping[int, int]  # L_a -> coders of articles of that length (every coder, a gap)
    whole_taken: Mapping[tuple[str, int], int]  # (label, L_a) -> coders with a unit of label


def unitizing_from_sums(sums: UnitizingSums, labels: Sequence[str]) -> UnitizingAlpha:
    """uDo and uDe of every label from the sums, in exact rational arithmetic, rounded once
    (unitizing_alpha_columns adds floats: the two agree to about 1e-15 relative)."""
    n, total = sums.n, sums.total
    if total == 0:
        zeros = [0.0] * len(labels)
        return UnitizingAlpha(
            list(labels), zeros, zeros, [0] * len(labels), sums.continua, sums.coders
        )
    by_label: dict[str, tuple[list[tuple[int, int]], ...]] = {}
    for source, kind, sign in (
        (sums.observed, 0, 1),
        (sums.unit_lengths, 1, 1),
        (sums.whole_taken, 2, -1),
        (sums.gaps, 2, 1),
    ):
        for (label, x), v in source.items():
            lists = by_label.get(label)
            if lists is None:
                lists = by_label[label] = ([], [], [])
            lists[kind].append((x, sign * v))
    observed, expected, units = [], [], []
    for c in labels:
        mine = by_label.get(c, ([], [], []))
        o = sum((Fraction(v, m - 1) for m, v in mine[0]), Fraction(0))
        observed.append(float(o / (n * total)))
        hist = sorted((ln, v) for ln, v in mine[1] if v)
        n_units = sum(v for _, v in hist)
        units.append(n_units)
        if not hist:
            expected.append(0.0)
            continue
        gap_counts: dict[int, int] = dict(sums.whole)
        for g, v in mine[2]:
            gap_counts[g] = gap_counts.get(g, 0) + v
        gap_list = sorted((g, v) for g, v in gap_counts.items() if v and g > 0)
        # Suffix sums over the sorted gap lengths: Σ_{g ≥ l} G(g) and Σ_{g ≥ l} G(g) (g + 1).
        count_from = [0] * (len(gap_list) + 1)
        room_from = [0] * (len(gap_list) + 1)
        for k in range(len(gap_list) - 1, -1, -1):
            g, v = gap_list[k]
            count_from[k] = count_from[k + 1] + v
            room_from[k] = room_from[k + 1] + v * (g + 1)
        gap_lengths = [g for g, _ in gap_list]
        same = within = in_gaps = 0
        for ln, v in hist:
            same += v * ln * (ln - 1) * (2 * ln - 1)
            within += v * ln * (ln - 1)
            k = bisect_left(gap_lengths, ln)
            in_gaps += v * ln * ln * (room_from[k] - ln * count_from[k])
        numerator = 2 * (Fraction((n_units - 1) * same, 3) + in_gaps)
        denominator = total * (n * (n - 1) - within)
        expected.append(float(numerator / denominator) if denominator else 0.0)
    return UnitizingAlpha(
        labels=list(labels),
        observed=observed,
        expected=expected,
        units=units,
        continua=sums.continua,
        coders=sums.coders,
    )
