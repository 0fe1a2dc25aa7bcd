"""Incremental agreement (annotate/lib/agreement/contributions.py): totals kept up to date
through any sequence of submissions, changes and withdrawals give exactly the summary of
totals summed afresh, and that summary is report.build_report's."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.lib.agreement.contributions import (
    INCREMENTAL_KEYS,
    Totals,
    article_contribution,
    contribution_from_json,
    contribution_json,
    sum_contributions,
    summary_rows,
)
from annotate.lib.agreement.documents import Doc
from annotate.lib.agreement.report import build_report, label_space
from tests.test_agreement_batch import SCHEMA, projects

SPACE = label_space(SCHEMA)
EXACT = {"stance.krippendorff_alpha", "stance.fleiss_kappa"}  # exact rationals: see the module


def contributions(texts, docs):
    by_article: dict[int, list[Doc]] = defaultdict(list)
    for doc in docs:
        by_article[doc.article].append(doc)
    return {
        article: article_contribution(group, text=texts[article], space=SPACE)
        for article, group in by_article.items()
    }


def summary(totals):
    return [row.as_dict() for row in summary_rows(totals, SPACE)]


@settings(max_examples=150, deadline=None)
@given(projects())
def test_the_summary_of_the_totals_is_the_reports(project):
    texts, docs = project
    totals = sum_contributions(contributions(texts, docs).values())
    reference = {
        row.key: row.score for row in build_report(docs, texts=texts, schema=SCHEMA).summary
    }
    for row in summary_rows(totals, SPACE):
        assert row.key in INCREMENTAL_KEYS
        expected = reference[row.key]
        if row.key in EXACT and expected.value is not None:
            assert row.score.value == pytest.approx(expected.value, abs=1e-12), row.key
            assert (row.score.items, row.score.annotators) == (expected.items, expected.annotators)
        else:
            assert row.score == expected, row.key


@settings(max_examples=150, deadline=None)
@given(projects(), st.data())
def test_totals_kept_up_to_date_equal_totals_summed_afresh(project, data):
    """Submissions arrive, are changed (another annotator's version of the same article) and
    withdrawn in any order; the running totals never drift from a full recomputation."""
    texts, docs = project
    by_key = {(d.article, d.annotator): d for d in docs}
    keys = sorted(by_key)
    current: dict[tuple[int, int], Doc] = {}
    running = Totals()
    stored: dict[int, object] = {}
    steps = data.draw(
        st.lists(st.tuples(st.sampled_from(keys), st.booleans()), min_size=1, max_size=25)
    )
    for key, submit in steps:
        if submit:
            current[key] = by_key[key]
        else:
            current.pop(key, None)
        article = key[0]
        group = [d for k, d in current.items() if k[0] == article]
        new = article_contribution(group, text=texts[article], space=SPACE)
        # The stored contribution goes through JSON, as the database keeps it.
        new = contribution_from_json(json.loads(json.dumps(contribution_json(new))))
        if article in stored:
            running.remove(stored[article])
        running.add(new)
        stored[article] = new
        afresh = sum_contributions(contributions(texts, list(current.values())).values())
        assert running == afresh
        assert summary(running) == summary(afresh)
    restored = Totals.from_json(json.loads(json.dumps(running.as_json())))
    assert restored == running
    assert summary(restored) == summary(running)


def test_an_article_nobody_submitted_contributes_nothing_and_removing_all_leaves_zero():
    texts = {1: "قال الجيش في الرقة"}
    docs = [
        Doc(1, 7, stance={"isis": "favor"}),
        Doc(1, 8, stance={"isis": "against"}),
    ]
    assert article_contribution([], text=texts[1], space=SPACE) == {}
    totals = sum_contributions(contributions(texts, docs).values())
    totals.remove(article_contribution(docs, text=texts[1], space=SPACE))
    assert totals == Totals()
    rows = {row.key: row.score for row in summary_rows(totals, SPACE)}
    assert rows["stance.krippendorff_alpha"].reason == "one_rater"
