"""Span matching, P/R/F1 and BIO tags (annotate/lib/agreement/spans.py), computed by hand."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from annotate.lib.agreement.labels import confusion_matrix
from annotate.lib.agreement.spans import (
    Span,
    bio_kappa,
    bio_sequences,
    exact_matches,
    overlap_matches,
    prf,
)
from annotate.lib.agreement.tokens import token_bounds
from corpus.lib.text import tokenize


def S(start: int, end: int, label: str, span_id: str = "") -> Span:
    return Span(start, end, label, span_id)


def scores(matched: int, a: int, b: int) -> tuple[float | None, float | None, float | None]:
    result = prf(matched, a, b)
    return result.precision.value, result.recall.value, result.f1.value


def test_exact_and_overlap_precision_recall_f1_by_hand():
    a = [S(0, 5, "PER"), S(10, 20, "ORG")]
    b = [S(0, 5, "PER"), S(12, 18, "ORG"), S(30, 35, "LOC")]
    assert exact_matches(a, b) == [(0, 0)]
    assert sorted(overlap_matches(a, b)) == [(0, 0), (1, 1)]
    # Exact: 1 matched of 2 (a) and 3 (b): P = 1/3, R = 1/2, F1 = 2*1/(2+3).
    assert scores(1, 2, 3) == pytest.approx((1 / 3, 1 / 2, 2 / 5))
    # Overlap: 2 matched: P = 2/3, R = 1, F1 = 4/5.
    assert scores(2, 2, 3) == pytest.approx((2 / 3, 1.0, 4 / 5))


def test_overlap_is_one_to_one_largest_overlap_first():
    a = [S(0, 10, "PER")]
    b = [S(0, 4, "PER"), S(5, 10, "PER")]
    assert overlap_matches(a, b) == [(0, 1)]  # 5 shared characters beat 4
    assert scores(1, 1, 2) == pytest.approx((0.5, 1.0, 2 / 3))


def test_overlap_prefers_the_nested_span_with_closer_boundaries():
    a = [S(0, 20, "LOC"), S(5, 10, "LOC")]
    b = [S(6, 10, "LOC")]
    # Both share 4 characters with b; (5, 10) is 1 character away, (0, 20) 16.
    assert overlap_matches(a, b) == [(1, 0)]


def test_overlap_ties_are_broken_by_position():
    a = [S(4, 8, "PER"), S(0, 4, "PER")]
    b = [S(2, 6, "PER")]
    # Same overlap (2) and same distance (4): the earlier span of a wins.
    assert overlap_matches(a, b) == [(1, 0)]
    assert overlap_matches(list(reversed(a)), b) == [(0, 0)]


def test_overlap_needs_the_same_label_and_a_shared_character():
    a = [S(0, 5, "PER"), S(10, 15, "ORG")]
    b = [S(0, 5, "ORG"), S(15, 20, "ORG")]  # touching at 15 is not overlapping
    assert overlap_matches(a, b) == []
    assert exact_matches(a, b) == []


def test_nested_spans_with_several_labels_match_exactly():
    a = [S(0, 20, "ORG"), S(5, 10, "LOC")]
    b = [S(5, 10, "LOC"), S(0, 20, "ORG")]
    assert sorted(exact_matches(a, b)) == [(0, 1), (1, 0)]
    assert sorted(overlap_matches(a, b)) == [(0, 1), (1, 0)]


def test_no_spans_gives_undefined_scores():
    result = prf(0, 0, 0)
    assert result.f1.reason == "no_spans"
    assert result.precision.reason == "no_predicted_spans"
    assert result.recall.reason == "no_reference_spans"
    only_a = prf(0, 3, 0)
    assert only_a.f1.value == 0.0
    assert only_a.recall.value == 0.0
    assert only_a.precision.value is None


def test_bio_tags_split_a_clitic_inside_a_word():
    text = "قال إن وداعش انسحب"
    start = text.index("داعش")
    a = [S(start, start + 4, "MILITARY_GROUP")]  # داعش inside وداعش
    b = [S(start - 1, start + 4, "MILITARY_GROUP")]  # the whole word وداعش
    tags_a, tags_b = bio_sequences(token_bounds(text), a, b, labels=["MILITARY_GROUP"])
    # Tokens: قال | إن | و | داعش | انسحب
    assert tags_a == ["O", "O", "O", "B-MILITARY_GROUP", "O"]
    assert tags_b == ["O", "O", "B-MILITARY_GROUP", "I-MILITARY_GROUP", "O"]


def test_bio_tags_give_nested_tokens_to_the_longest_span():
    text = "جامعة دمشق الحكومية اليوم"
    org = S(0, text.index(" اليوم"), "ORG")
    loc = S(text.index("دمشق"), text.index("دمشق") + 4, "LOC")
    tags, _ = bio_sequences(token_bounds(text), [org, loc], [], labels=["ORG", "LOC"])
    assert tags == ["B-ORG", "I-ORG", "I-ORG", "O"]
    # Adjacent spans of one label each begin with B.
    first = S(0, 5, "ORG")
    second = S(6, 10, "ORG")
    tags, _ = bio_sequences(token_bounds(text), [first, second], [], labels=["ORG"])
    assert tags == ["B-ORG", "B-ORG", "O", "O"]


WORDS = ["قال", "وداعش", "الجيش", "،", "«الرقة»", "2019", "في", "والقوات", "Reuters"]


@st.composite
def text_and_spans(draw):
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=25))
    text = " ".join(words)
    labels = ["PER", "ORG", "LOC"]

    def spans():
        result = []
        for _ in range(draw(st.integers(0, 6))):
            start = draw(st.integers(0, len(text) - 1))
            end = draw(st.integers(start + 1, min(len(text), start + 15)))
            result.append(S(start, end, draw(st.sampled_from(labels))))
        return list(dict.fromkeys(result))

    return text, spans(), spans(), labels


@settings(max_examples=300, deadline=None)
@given(text_and_spans())
def test_bio_kappa_matches_scikit_learn_on_the_tag_sequences(case):
    text, a, b, labels = case
    tags_a, tags_b = bio_sequences(token_bounds(text), a, b, labels=labels)
    assert len(tags_a) == len(tags_b) >= len(tokenize(text))
    names = sorted(set(tags_a) | set(tags_b))
    ours = bio_kappa(confusion_matrix(tags_a, tags_b, labels=names))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = cohen_kappa_score(tags_a, tags_b)
    if ours.value is None:
        assert np.isnan(reference)
        assert ours.reason == "no_variation"
    else:
        assert abs(ours.value - reference) <= 1e-9


@settings(max_examples=200, deadline=None)
@given(text_and_spans())
def test_matching_is_symmetric_and_one_to_one(case):
    _, a, b, _ = case
    forward = overlap_matches(a, b)
    backward = overlap_matches(b, a)
    assert sorted((j, i) for i, j in backward) == sorted(forward)
    assert len({i for i, _ in forward}) == len(forward)
    assert len({j for _, j in forward}) == len(forward)
    for i, j in forward:
        assert a[i].label == b[j].label
        assert min(a[i].end, b[j].end) > max(a[i].start, b[j].start)
    # An identical span shares the most characters at distance 0: overlap keeps it.
    assert set(exact_matches(a, b)) <= set(forward)
