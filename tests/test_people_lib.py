"""Pure people code: active-time summaries, pace, differences from gold, segments."""

from __future__ import annotations

from statistics import median

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotate.lib.agreement.spans import Span, exact_matches, overlap_matches
from annotate.lib.people import (
    BOUNDARY,
    EXTRA,
    KINDS,
    LABEL,
    MATCH,
    MISSING,
    difference_counts,
    gold_differences,
    per_hour,
    segments,
    side_marks,
    stance_differences,
    time_summary,
)


def test_time_summary_ignores_unmeasured_work_and_bins_the_rest():
    summary = time_summary([0, 30_000, 90_000, 90_000, 400_000, 3_000_000])
    assert summary.articles == 5
    assert summary.median_seconds == 90
    assert summary.total_seconds == pytest.approx(30 + 90 + 90 + 400 + 3000)
    assert [(b.lower_seconds, b.upper_seconds, b.count) for b in summary.bins] == [
        (0, 60, 1),
        (60, 120, 2),
        (120, 300, 0),
        (300, 600, 1),
        (600, 1200, 0),
        (1200, None, 1),
    ]


def test_time_summary_of_nothing_is_empty_not_zero():
    summary = time_summary([0, 0])
    assert summary.articles == 0 and summary.median_seconds is None
    assert sum(b.count for b in summary.bins) == 0


@given(st.lists(st.integers(min_value=0, max_value=10**8)))
def test_time_summary_counts_every_measured_article_once(values):
    summary = time_summary(values)
    measured = [v / 1000 for v in values if v > 0]
    assert sum(b.count for b in summary.bins) == summary.articles == len(measured)
    assert summary.median_seconds == (median(measured) if measured else None)


def test_per_hour():
    assert per_hour(30, 1_800_000) == 60
    assert per_hour(5, 0) is None


G = [Span(0, 5, "PER"), Span(10, 20, "ORG"), Span(30, 35, "LOC"), Span(40, 45, "GPE")]


def test_each_kind_of_difference_is_named():
    annotator = [
        Span(0, 5, "PER"),  # same
        Span(12, 20, "ORG"),  # shorter: boundary
        Span(30, 35, "GPE"),  # another label
        Span(50, 55, "PER"),  # not in gold
    ]  # gold's (40, 45, GPE) is missing
    found = gold_differences(G, annotator)
    assert [(d.kind, d.gold, d.annotator) for d in found] == [
        (MATCH, G[0], annotator[0]),
        (BOUNDARY, G[1], annotator[1]),
        (LABEL, G[2], annotator[2]),
        (MISSING, G[3], None),
        (EXTRA, None, annotator[3]),
    ]
    assert difference_counts(found) == dict.fromkeys(KINDS, 1)


def test_exact_match_wins_over_an_overlap_with_another_label():
    gold = [Span(0, 10, "ORG")]
    annotator = [Span(0, 10, "PER"), Span(0, 10, "ORG")]
    kinds = [d.kind for d in gold_differences(gold, annotator)]
    assert sorted(kinds) == sorted([MATCH, EXTRA])


spans = st.builds(
    lambda s, n, label: Span(s, s + n, label),
    st.integers(0, 60),
    st.integers(1, 15),
    st.sampled_from(["PER", "ORG", "LOC"]),
)


@given(st.lists(spans, max_size=8), st.lists(spans, max_size=8))
def test_every_span_appears_once_and_matches_agree_with_the_agreement_code(gold, annotator):
    found = gold_differences(gold, annotator)
    assert sorted(d.gold for d in found if d.gold) == sorted(gold)
    assert sorted(d.annotator for d in found if d.annotator) == sorted(annotator)
    # The exact matches are exactly as many as agreement's exact matching finds.
    assert sum(d.kind == MATCH for d in found) == len(exact_matches(gold, annotator))
    # Matched or boundary pairs never outnumber agreement's overlap matches.
    paired = sum(d.kind in (MATCH, BOUNDARY) for d in found)
    assert paired <= len(overlap_matches(gold, annotator)) + len(exact_matches(gold, annotator))
    for d in found:
        if d.kind == BOUNDARY:
            assert d.gold.label == d.annotator.label and d.gold != d.annotator
            assert min(d.gold.end, d.annotator.end) > max(d.gold.start, d.annotator.start)
        if d.kind == LABEL:
            assert d.gold.label != d.annotator.label


def test_stance_differences_list_schema_targets_first():
    rows = stance_differences(
        {"isis": "against", "army": "neutral"}, {"isis": "favor", "extra": "x"}, targets=["army"]
    )
    assert [r["target"] for r in rows] == ["army", "extra", "isis"]
    assert [r["same"] for r in rows] == [False, False, False]
    assert rows[0] == {"target": "army", "gold": "neutral", "annotator": None, "same": False}


def test_segments_cut_at_every_boundary_and_keep_the_most_pressing_kind():
    marks = [(2, 6, MATCH, "PER"), (4, 8, MISSING, "ORG")]
    found = segments(10, marks)
    assert [(s.start, s.end, s.kind) for s in found] == [
        (0, 2, None),
        (2, 4, MATCH),
        (4, 6, MISSING),
        (6, 8, MISSING),
        (8, 10, None),
    ]
    assert found[2].labels == ("PER", "ORG")


@given(st.integers(0, 80), st.lists(spans, max_size=6))
def test_segments_tile_the_text(length, marked):
    marks = [(s.start, s.end, MATCH, s.label) for s in marked]
    found = segments(length, marks)
    if length == 0:
        assert found == []
    else:
        assert found[0].start == 0 and found[-1].end == length
        assert all(a.end == b.start for a, b in zip(found, found[1:], strict=False))


def test_side_marks_take_each_sides_spans():
    found = gold_differences([Span(0, 3, "PER")], [Span(5, 8, "ORG")])
    assert side_marks(found, side="gold") == [(0, 3, MISSING, "PER")]
    assert side_marks(found, side="annotator") == [(5, 8, EXTRA, "ORG")]
