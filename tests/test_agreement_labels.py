"""Label agreement (annotate/lib/agreement/labels.py) against trusted implementations.

References: scikit-learn's cohen_kappa_score (Cohen 1960), statsmodels' fleiss_kappa (Fleiss
1971), the `krippendorff` package and nltk's AnnotationTask.alpha (Krippendorff 2004).
"""

from __future__ import annotations

import math
import warnings
from itertools import combinations

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.metrics.agreement import AnnotationTask
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

from annotate.lib.agreement.labels import (
    cohen_kappa,
    fleiss_kappa_from_table,
    label_agreement,
)
from annotate.lib.agreement.score import REASONS, Score

TOL = 1e-9
LABELS = ["favor", "against", "neutral", "not_mentioned"]


@st.composite
def label_pairs(draw):
    k = draw(st.integers(2, 4))
    n = draw(st.integers(1, 40))
    labels = st.sampled_from(LABELS[:k])
    return draw(st.lists(labels, min_size=n, max_size=n)), draw(
        st.lists(labels, min_size=n, max_size=n)
    )


@st.composite
def ratings_with_gaps(draw, *, complete: bool = False):
    """item -> {annotator: label}; annotators skip items unless `complete`."""
    n_annotators = draw(st.integers(2, 5))
    n_items = draw(st.integers(1, 30))
    k = draw(st.integers(2, 4))
    ratings = {}
    for item in range(n_items):
        by = {}
        for annotator in range(n_annotators):
            if complete or draw(st.booleans()):
                by[annotator] = draw(st.sampled_from(LABELS[:k]))
        if by:
            ratings[("article", item)] = by
    return ratings


def sklearn_kappa(a, b) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(cohen_kappa_score(a, b))


@settings(max_examples=300, deadline=None)
@given(label_pairs())
def test_cohen_kappa_matches_scikit_learn(pair):
    a, b = pair
    ours = cohen_kappa(a, b)
    reference = sklearn_kappa(a, b)
    if ours.value is None:
        assert ours.reason == "no_variation"
        assert len(set(a) | set(b)) == 1  # both used one and the same label throughout
        assert math.isnan(reference)
    else:
        assert abs(ours.value - reference) <= TOL
        assert ours.items == len(a)


@settings(max_examples=200, deadline=None)
@given(ratings_with_gaps(complete=True))
def test_fleiss_kappa_matches_statsmodels(ratings):
    data = np.array([[LABELS.index(by[r]) for r in sorted(by)] for by in ratings.values()])
    result = label_agreement(ratings, labels=LABELS)
    counts, _ = aggregate_raters(data, n_cat=len(LABELS))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = fleiss_kappa(counts, method="fleiss")
    if result.fleiss.value is None:
        assert result.fleiss.reason == "no_variation"
        assert len({v for by in ratings.values() for v in by.values()}) == 1
    else:
        assert abs(result.fleiss.value - reference) <= TOL
        assert result.fleiss.items == len(ratings)


@settings(max_examples=200, deadline=None)
@given(ratings_with_gaps())
def test_alpha_with_missing_data_matches_krippendorff_and_nltk(ratings):
    result = label_agreement(ratings, labels=LABELS)
    annotators = sorted({a for by in ratings.values() for a in by})
    items = sorted(ratings)
    reliability = np.full((len(annotators), len(items)), np.nan)
    for j, item in enumerate(items):
        for annotator, label in ratings[item].items():
            reliability[annotators.index(annotator), j] = LABELS.index(label)
    pairable = [by for by in ratings.values() if len(by) >= 2]
    used = {v for by in pairable for v in by.values()}
    if not pairable:
        assert result.alpha.reason in {"one_rater", "no_common_items"}
        return
    if len(used) < 2:
        assert result.alpha.value is None
        assert result.alpha.reason in {"no_variation", "one_rater"}
        return
    reference = krippendorff.alpha(reliability_data=reliability, level_of_measurement="nominal")
    task = AnnotationTask(
        data=[
            (f"c{annotator}", str(item), label)
            for item, by in ratings.items()
            for annotator, label in by.items()
        ]
    )
    assert abs(result.alpha.value - reference) <= TOL
    assert abs(result.alpha.value - task.alpha()) <= TOL
    assert result.alpha.items == len(pairable)


@settings(max_examples=200, deadline=None)
@given(ratings_with_gaps())
def test_cohen_kappa_of_each_pair_uses_only_items_both_labelled(ratings):
    result = label_agreement(ratings, labels=LABELS)
    multi = {i: by for i, by in ratings.items() if len(by) >= 2}
    for (a, b), score in result.cohen.items():
        common = sorted(i for i, by in multi.items() if a in by and b in by)
        if not common:
            assert score.reason == "no_common_items"
            continue
        la = [multi[i][a] for i in common]
        lb = [multi[i][b] for i in common]
        reference = sklearn_kappa(la, lb)
        if score.value is None:
            assert math.isnan(reference)
        else:
            assert abs(score.value - reference) <= TOL
            assert score.items == len(common)
            assert result.confusion[(a, b)].sum() == len(common)
            if len(set(la) | set(lb)) > 1:
                task = AnnotationTask(
                    data=[("a", str(i), x) for i, x in zip(common, la, strict=True)]
                    + [("b", str(i), y) for i, y in zip(common, lb, strict=True)]
                )
                assert abs(score.value - task.kappa_pairwise("a", "b")) <= TOL


@settings(max_examples=200, deadline=None)
@given(ratings_with_gaps())
def test_observed_agreement_is_the_share_of_agreeing_pairs(ratings):
    result = label_agreement(ratings, labels=LABELS)
    agree = pairs = 0
    for by in ratings.values():
        for x, y in combinations(by.values(), 2):
            pairs += 1
            agree += x == y
    if pairs == 0:
        assert result.observed.value is None
    else:
        assert abs(result.observed.value - agree / pairs) <= TOL


@settings(max_examples=100, deadline=None)
@given(ratings_with_gaps())
def test_fleiss_needs_the_same_number_of_raters_everywhere(ratings):
    result = label_agreement(ratings, labels=LABELS)
    sizes = {len(by) for by in ratings.values() if len(by) >= 2}
    if len(sizes) > 1:
        assert result.fleiss.value is None
        assert result.fleiss.reason == "unequal_raters"


def test_one_rater_is_undefined_everywhere():
    ratings = {i: {"amal": "favor"} for i in range(5)}
    result = label_agreement(ratings, labels=LABELS)
    for score in (result.alpha, result.fleiss, result.cohen_mean, result.observed):
        assert score.value is None
        assert score.reason == "one_rater"
    assert result.single_rated_items == 5
    assert result.cohen == {}


def test_identical_labels_are_undefined_not_a_fake_one():
    ratings = {i: {"amal": "neutral", "badr": "neutral", "huda": "neutral"} for i in range(6)}
    result = label_agreement(ratings, labels=LABELS)
    assert result.alpha == Score.undefined("no_variation", items=6, annotators=3)
    assert result.fleiss.reason == "no_variation"
    assert all(s.reason == "no_variation" for s in result.cohen.values())
    assert result.cohen_mean.reason == "no_variation"
    assert result.observed.value == 1.0  # they did all agree: that is observed, not corrected


def test_pair_with_no_items_in_common_is_undefined():
    ratings = {1: {"amal": "favor", "badr": "favor"}, 2: {"badr": "against", "huda": "favor"}}
    result = label_agreement(ratings, labels=LABELS)
    assert result.cohen[("amal", "huda")].reason == "no_common_items"
    assert result.cohen[("amal", "badr")].reason == "no_variation"
    # One item, different labels: p_o = 0 and p_e = 0, so kappa is 0.
    assert result.cohen[("badr", "huda")].value == 0.0


def test_empty_input_is_undefined():
    result = label_agreement({}, labels=LABELS)
    assert result.alpha.reason == "one_rater"
    assert cohen_kappa([], []).reason == "no_common_items"
    assert fleiss_kappa_from_table(np.zeros((0, 4), dtype=int), annotators=0).reason == (
        "no_common_items"
    )


def test_undefined_scores_serialise_with_their_reason():
    data = Score.undefined("unequal_raters", items=3, annotators=4).as_dict()
    assert data == {
        "value": None,
        "items": 3,
        "annotators": 4,
        "undefined": REASONS["unequal_raters"],
        "reason": "unequal_raters",
    }
    with pytest.raises(ValueError):
        Score.undefined("made_up")


def test_unknown_labels_are_kept_after_the_known_ones():
    ratings = {1: {"a": "favor", "b": "sarcastic"}, 2: {"a": "against", "b": "against"}}
    result = label_agreement(ratings, labels=LABELS)
    assert result.labels == [*LABELS, "sarcastic"]
    assert result.confusion[("a", "b")].tolist()[0][4] == 1
