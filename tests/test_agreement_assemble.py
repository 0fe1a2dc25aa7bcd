"""The report assembled from stored totals (annotate/lib/agreement/assemble.py) is
report.build_report's: every value identical, but for the three measures computed in exact
rational arithmetic (stance Krippendorff's alpha and Fleiss' kappa, the unitizing alphas),
which agree within 1e-9 relative. Hypothesis drives random projects and random sequences of
submissions, reopenings, resubmissions and deletions."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.lib.agreement.assemble import report_from_totals
from annotate.lib.agreement.contributions import (
    Totals,
    article_parts,
    contribution_from_json,
    contribution_json,
    sum_contributions,
)
from annotate.lib.agreement.documents import Doc
from annotate.lib.agreement.report import LowArticle, build_report, label_space
from annotate.lib.agreement.unitizing import (
    Continuum,
    UnitizingSums,
    continuum_statistics,
    unitizing_alpha,
    unitizing_from_sums,
)
from tests.test_agreement_batch import SCHEMA, projects

SPACE = label_space(SCHEMA)
RELATIVE = 1e-9
# Values computed in another order (see assemble.py): compared within RELATIVE.
ROUNDED_PARTS = {"krippendorff_alpha", "fleiss_kappa", "alpha_u", "stance_alpha"}
ROUNDED_ROWS = {
    "stance.krippendorff_alpha",
    "stance.fleiss_kappa",
    "spans.alpha_u",
    "claims.alpha_u",
}


def assert_same(
    got: Any, expected: Any, path: str = "", rounded: bool = False, *, ordered: bool = True
) -> None:
    """Equal, except floats where `rounded`, which are within RELATIVE (`ordered`: the keys
    of every object in the same order too)."""
    if isinstance(expected, dict):
        assert isinstance(got, dict), path
        if ordered:
            assert list(got) == list(expected), path
        assert set(got) == set(expected), path
        rounded = rounded or expected.get("key") in ROUNDED_ROWS
        for key in expected:
            part = rounded or key in ROUNDED_PARTS
            assert_same(got[key], expected[key], f"{path}.{key}", part, ordered=ordered)
    elif isinstance(expected, list):
        assert isinstance(got, list) and len(got) == len(expected), path
        for k, (x, y) in enumerate(zip(got, expected, strict=True)):
            assert_same(x, y, f"{path}[{k}]", rounded, ordered=ordered)
    elif rounded and isinstance(expected, float) and isinstance(got, float):
        assert math.isclose(got, expected, rel_tol=RELATIVE, abs_tol=1e-12), (path, got, expected)
    else:
        assert got == expected and type(got) is type(expected), (path, got, expected)


def parts_of(texts, docs):
    by_article: dict[int, list[Doc]] = defaultdict(list)
    for doc in docs:
        by_article[doc.article].append(doc)
    return {
        article: article_parts(group, text=texts[article], space=SPACE)
        for article, group in by_article.items()
    }


def lowest_of(standings, limit=25):
    """What the database's ORDER BY score, article LIMIT gives."""
    rows = sorted((s.score, a, s) for a, s in standings.items() if s and s.score is not None)
    return [
        LowArticle(a, s.annotators, score, s.span_f1, s.stance_observed, s.claim_attributes)
        for score, a, s in rows[:limit]
    ]


def assembled(totals, standings):
    return report_from_totals(totals, SPACE, lowest=lowest_of(standings))


@settings(max_examples=200, deadline=None)
@given(projects())
def test_the_report_of_the_totals_is_build_reports(project):
    texts, docs = project
    parts = parts_of(texts, docs)
    totals = sum_contributions(c for c, _ in parts.values())
    standings = {a: s for a, (_, s) in parts.items()}
    reference = build_report(docs, texts=texts, schema=SCHEMA)
    assert_same(assembled(totals, standings).as_dict(), reference.as_dict())


@settings(max_examples=100, deadline=None)
@given(projects(), st.data())
def test_totals_kept_through_submit_reopen_resubmit_delete_give_the_full_report(project, data):
    """Each step changes one annotation: submitted, reopened (withdrawn), submitted again
    changed (another version of the same annotator's work) or deleted; the running totals,
    kept by subtracting the article's stored contribution and adding its new one, always give
    the report of a full recomputation."""
    texts, docs = project
    versions = defaultdict(list)
    for doc in docs:  # every doc of the article is a version any annotator may submit
        versions[doc.article].append(doc)
    keys = sorted({(d.article, d.annotator) for d in docs})
    current: dict[tuple[int, int], Doc] = {}
    running = Totals()
    stored: dict[int, Any] = {}
    standings: dict[int, Any] = {}
    steps = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(keys),
                st.sampled_from(["submit", "reopen", "resubmit", "delete"]),
                st.integers(0, 10),
            ),
            min_size=1,
            max_size=20,
        )
    )
    for (article, annotator), action, pick in steps:
        if action in ("submit", "resubmit"):
            options = versions[article]
            source = options[pick % len(options)]
            current[(article, annotator)] = Doc(
                article=article,
                annotator=annotator,
                entities=source.entities,
                claims=source.claims,
                claim_info=source.claim_info,
                stance=source.stance,
                submitted_at=source.submitted_at,
            )
        else:
            current.pop((article, annotator), None)
        group = [d for k, d in current.items() if k[0] == article]
        new, standing = article_parts(group, text=texts[article], space=SPACE)
        new = contribution_from_json(json.loads(json.dumps(contribution_json(new))))
        if article in stored:
            running.remove(stored[article])
        running.add(new)
        stored[article] = new
        standings[article] = standing
        now = list(current.values())
        assert running == sum_contributions(c for c, _ in parts_of(texts, now).values())
        reference = build_report(now, texts=texts, schema=SCHEMA)
        assert_same(assembled(running, standings).as_dict(), reference.as_dict())


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 40),
            st.lists(
                st.lists(
                    st.tuples(st.integers(-3, 45), st.integers(0, 15), st.sampled_from("ABC")),
                    max_size=6,
                ),
                min_size=1,
                max_size=4,
            ),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_unitizing_alpha_from_summed_article_statistics_is_the_direct_one(articles):
    continua = [
        Continuum(length, {c: [(s, s + w, lab) for s, w, lab in us] for c, us in enumerate(coders)})
        for length, coders in articles
    ]
    labels = ["A", "B", "C"]
    direct = unitizing_alpha(continua, labels=labels)
    observed, lengths, gaps, whole, taken = (defaultdict(int) for _ in range(5))
    n = total = compared = 0
    coders: set[int] = set()
    for continuum in continua:
        if len(continuum.units) < 2:
            continue
        stats = continuum_statistics(continuum)
        compared += 1
        coders |= set(continuum.units)
        n += stats.coders * stats.length
        total += stats.length
        for label, value in stats.observed.items():
            observed[(label, stats.coders)] += value
        for key, value in stats.unit_lengths.items():
            lengths[key] += value
        for key, value in stats.gaps.items():
            gaps[key] += value
        if stats.length:
            whole[stats.length] += stats.coders
            for label, value in stats.coders_with.items():
                taken[(label, stats.length)] += value
    sums = UnitizingSums(n, total, compared, len(coders), observed, lengths, gaps, whole, taken)
    summed = unitizing_from_sums(sums, labels)
    assert (summed.units, summed.continua, summed.coders) == (
        direct.units,
        direct.continua,
        direct.coders,
    )
    for got, expected in (
        *zip(summed.observed, direct.observed, strict=True),
        *zip(summed.expected, direct.expected, strict=True),
    ):
        assert math.isclose(got, expected, rel_tol=RELATIVE, abs_tol=1e-15)
    for label in labels:
        assert summed.label_alpha(label).reason == direct.label_alpha(label).reason
