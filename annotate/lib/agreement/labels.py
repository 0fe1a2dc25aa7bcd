"""Agreement on categorical labels (stance per target). Pure: no Django.

Input is `ratings`: item -> {annotator: label}. An item is whatever was labelled, here an
(article, stance target) pair. Items rated by fewer than two annotators carry no agreement
information and are left out of every measure (their count is reported separately).

- Cohen's kappa (Cohen 1960) for each pair of annotators, on the items both labelled;
- Fleiss' kappa (Fleiss 1971) when every item has the same number of raters;
- Krippendorff's alpha, nominal, missing data allowed (Krippendorff 2004, "Content Analysis",
  ch. 11), computed by the `krippendorff` package;
- observed agreement: the share of agreeing pairs among all pairs of ratings of one item.

Every function returns a Score; degenerate inputs give an undefined Score with a reason.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import krippendorff
import numpy as np

from annotate.lib.agreement.score import Score, mean_score

# item -> {annotator: label}; items and annotators are any hashable keys. Any, not Hashable:
# a Mapping's key type is invariant, so Mapping[Hashable, ...] would refuse a dict[int, ...].
Ratings = Mapping[Any, Mapping[Any, str]]


def confusion_matrix(a: Sequence[str], b: Sequence[str], *, labels: Sequence[str]) -> np.ndarray:
    """Counts of (label of a, label of b) over paired ratings; rows follow a."""
    if len(a) != len(b):
        raise ValueError("both rating lists must have the same length")
    index = {label: i for i, label in enumerate(labels)}
    k = len(labels)
    codes = np.fromiter(
        (index[x] * k + index[y] for x, y in zip(a, b, strict=True)), dtype=np.int64, count=len(a)
    )
    return np.bincount(codes, minlength=k * k).reshape(k, k)


def kappa_from_confusion(matrix: np.ndarray, *, annotators: int = 2) -> Score:
    """Cohen's kappa from a square confusion matrix of counts.

    kappa = (p_o - p_e) / (1 - p_e), p_o the diagonal share, p_e = sum_k row_k col_k / n^2.
    Undefined with no items, or when p_e = 1 (both used one and the same label throughout).
    """
    matrix = np.asarray(matrix, dtype=np.int64)
    n = int(matrix.sum())
    if n == 0:
        return Score.undefined("no_common_items", annotators=annotators)
    rows = matrix.sum(axis=1)
    cols = matrix.sum(axis=0)
    chance = int(rows @ cols)  # exact integer: p_e = chance / n^2
    if chance == n * n:
        return Score.undefined("no_variation", items=n, annotators=annotators)
    observed = int(np.trace(matrix)) / n
    expected = chance / (n * n)
    return Score((observed - expected) / (1 - expected), items=n, annotators=annotators)


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> Score:
    """Cohen's kappa of two annotators over the same items (a[i] and b[i] label item i)."""
    labels = sorted(set(a) | set(b))
    return kappa_from_confusion(confusion_matrix(a, b, labels=labels))


def multi_rated(ratings: Ratings) -> dict[Hashable, Mapping[Hashable, str]]:
    """The items that at least two annotators labelled."""
    return {item: by for item, by in ratings.items() if len(by) >= 2}


def annotators_of(ratings: Ratings) -> list[Hashable]:
    return _sorted({annotator for by in ratings.values() for annotator in by})


def _sorted(values: Iterable[Hashable]) -> list[Hashable]:
    """A fixed order for item or annotator keys; mixed types sort by type name first."""
    values = list(values)
    try:
        # Hashable keys need not be orderable: sorting them may raise, handled below.
        return sorted(values)  # type: ignore[type-var]
    except TypeError:
        return sorted(values, key=_sort_key)


def _sort_key(value: Any) -> tuple[str, Any]:
    return (type(value).__name__, value)


def pair_labels(ratings: Ratings, a: Hashable, b: Hashable) -> tuple[list[str], list[str]]:
    """The labels of a and b on the items both labelled, in a fixed item order."""
    common = _sorted(item for item, by in ratings.items() if a in by and b in by)
    return [ratings[item][a] for item in common], [ratings[item][b] for item in common]


def count_table(ratings: Ratings, *, labels: Sequence[str]) -> tuple[np.ndarray, list[Hashable]]:
    """Items x labels table of how many annotators gave each label (multi-rated items only)."""
    index = {label: i for i, label in enumerate(labels)}
    items = _sorted(multi_rated(ratings))
    table = np.zeros((len(items), len(labels)), dtype=np.int64)
    for row, item in enumerate(items):
        for label in ratings[item].values():
            table[row, index[label]] += 1
    return table, items


def fleiss_kappa_from_table(table: np.ndarray, *, annotators: int) -> Score:
    """Fleiss' kappa from an items x categories count table with a constant row sum."""
    table = np.asarray(table, dtype=np.int64)
    items = table.shape[0]
    if items == 0:
        return Score.undefined("no_common_items", annotators=annotators)
    raters = table.sum(axis=1)
    if raters.min() != raters.max():
        return Score.undefined("unequal_raters", items=items, annotators=annotators)
    m = int(raters[0])
    if m < 2:
        return Score.undefined("no_common_items", items=items, annotators=annotators)
    totals = table.sum(axis=0)
    n_total = int(totals.sum())
    if int(totals @ totals) == n_total * n_total:
        return Score.undefined("no_variation", items=items, annotators=annotators)
    p_cat = totals / n_total
    p_item = ((table * table).sum(axis=1) - m) / (m * (m - 1.0))
    p_mean = float(p_item.mean())
    p_expected = float((p_cat * p_cat).sum())
    return Score((p_mean - p_expected) / (1 - p_expected), items=items, annotators=annotators)


def alpha_from_table(table: np.ndarray, *, annotators: int) -> Score:
    """Krippendorff's alpha (nominal) from an items x categories count table.

    Rows may have different sums (missing data). The `krippendorff` package computes it;
    this function only turns its preconditions into explicit undefined reasons.
    """
    table = np.asarray(table, dtype=np.int64)
    pairable = table[table.sum(axis=1) >= 2]
    items = int(pairable.shape[0])
    if items == 0:
        return Score.undefined("no_common_items", annotators=annotators)
    used = pairable.sum(axis=0) > 0
    if int(used.sum()) < 2:
        return Score.undefined("no_variation", items=items, annotators=annotators)
    value = krippendorff.alpha(value_counts=pairable[:, used], level_of_measurement="nominal")
    return Score(float(value), items=items, annotators=annotators)


def observed_from_table(table: np.ndarray, *, annotators: int) -> Score:
    """Share of agreeing pairs among all pairs of ratings given to the same item."""
    table = np.asarray(table, dtype=np.int64)
    table = table[table.sum(axis=1) >= 2]
    items = int(table.shape[0])
    if items == 0:
        return Score.undefined("no_common_items", annotators=annotators)
    raters = table.sum(axis=1)
    agreeing = int((table * (table - 1)).sum()) // 2
    pairs = int((raters * (raters - 1)).sum()) // 2
    return Score(agreeing / pairs, items=items, annotators=annotators)


@dataclass
class LabelAgreement:
    """Every label measure over one set of ratings."""

    labels: list[str]
    annotators: list[Hashable]
    items: int
    single_rated_items: int
    cohen: dict[tuple[Hashable, Hashable], Score]
    cohen_mean: Score
    fleiss: Score
    alpha: Score
    observed: Score
    confusion: dict[tuple[Hashable, Hashable], np.ndarray] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "labels": list(self.labels),
            "annotators": list(self.annotators),
            "items": self.items,
            "single_rated_items": self.single_rated_items,
            "cohen_kappa": self.cohen_mean.as_dict(),
            "fleiss_kappa": self.fleiss.as_dict(),
            "krippendorff_alpha": self.alpha.as_dict(),
            "observed_agreement": self.observed.as_dict(),
            "pairs": [
                {
                    "a": a,
                    "b": b,
                    "cohen_kappa": score.as_dict(),
                    "confusion": self.confusion[(a, b)].tolist(),
                }
                for (a, b), score in self.cohen.items()
            ],
        }


def label_agreement(ratings: Ratings, *, labels: Iterable[str] = ()) -> LabelAgreement:
    """All label measures at once. `labels` fixes the order of known labels; labels found in
    the ratings but not listed are appended in sorted order."""
    known = list(dict.fromkeys(labels))
    found = {label for by in ratings.values() for label in by.values()}
    all_labels = known + sorted(found - set(known))
    multi = multi_rated(ratings)
    raters = annotators_of(multi)
    n_raters = len(raters)
    table, _ = count_table(multi, labels=all_labels)
    cohen: dict[tuple[Hashable, Hashable], Score] = {}
    confusion: dict[tuple[Hashable, Hashable], np.ndarray] = {}
    for a, b in combinations(raters, 2):
        la, lb = pair_labels(multi, a, b)
        matrix = confusion_matrix(la, lb, labels=all_labels)
        confusion[(a, b)] = matrix
        cohen[(a, b)] = kappa_from_confusion(matrix)
    items = len(multi)
    if n_raters < 2:
        one = Score.undefined("one_rater", items=items, annotators=n_raters)
        fleiss = alpha = observed = cohen_mean = one
    else:
        cohen_mean = mean_score(list(cohen.values()), items=items, annotators=n_raters)
        fleiss = fleiss_kappa_from_table(table, annotators=n_raters)
        alpha = alpha_from_table(table, annotators=n_raters)
        observed = observed_from_table(table, annotators=n_raters)
    return LabelAgreement(
        labels=all_labels,
        annotators=raters,
        items=items,
        single_rated_items=len(ratings) - items,
        cohen=cohen,
        cohen_mean=cohen_mean,
        fleiss=fleiss,
        alpha=alpha,
        observed=observed,
        confusion=confusion,
    )
