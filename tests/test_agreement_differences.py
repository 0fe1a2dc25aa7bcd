"""Differences between annotators (annotate/lib/agreement/differences.py), an article's score
with claim attributes (report.article_score, claim_attribute_agreement) and the pairs behind a
mean over pairs (score.pair_account, report.pairs_behind)."""

from __future__ import annotations

import math
import warnings
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from annotate.lib.agreement.claims import claim_tally
from annotate.lib.agreement.differences import KINDS, differences, kind_counts
from annotate.lib.agreement.documents import doc_from_content
from annotate.lib.agreement.evidence import article_agreement, token_runs
from annotate.lib.agreement.labels import label_agreement
from annotate.lib.agreement.report import (
    article_score,
    build_report,
    claim_attribute_agreement,
    pairs_behind,
    target_pairs,
)
from annotate.lib.agreement.score import Score, mean_score, pair_account
from annotate.lib.merge import Submission, merge
from annotate.lib.schema import default_schema
from corpus.lib.text import tokenize
from tests.factories import span, span_of

TEXT = "قال المتحدث باسم الجيش السوري إن وحدات الجيش استعادت السيطرة على المدينة من داعش."
CLAIM_TEXT = "وحدات الجيش استعادت السيطرة على المدينة"
SCHEMA = default_schema()


def doc(spans=(), relations=(), stance=None):
    return {
        "spans": list(spans),
        "relations": list(relations),
        "document_labels": {"stance": dict(stance or {})},
    }


def claim(**attrs):
    base = {"checkworthy": None, "claimant": None, "stance": None}
    base.update(attrs)
    return span_of(TEXT, CLAIM_TEXT, "CLAIM", **base)


def classify(*contents):
    subs = [Submission(f"ann{i}", c) for i, c in enumerate(contents, start=1)]
    merged = merge(subs, claim_label="CLAIM")
    return differences(merged, subs, claim_label="CLAIM"), merged


ARMY = span_of(TEXT, "الجيش السوري", "MILITARY_GROUP")
ARMY_WORD = span_of(TEXT, "الجيش", "MILITARY_GROUP")  # the first word only: other boundary
ARMY_ORG = span_of(TEXT, "الجيش السوري", "ORG")
ISIS = span_of(TEXT, "داعش", "MILITARY_GROUP")


@pytest.mark.parametrize(
    ("first", "second", "kinds"),
    [
        # One marked ISIS, the other nothing there.
        ([ARMY, ISIS], [ARMY], {"missing_span"}),
        # Same label, other offsets: both spans are boundary differences.
        ([ARMY], [ARMY_WORD], {"boundary"}),
        # Same offsets, other label: a label difference each way.
        ([ARMY], [ARMY_ORG], {"label"}),
        # Other label and other offsets.
        ([ARMY_WORD], [ARMY_ORG], {"label"}),
        # A claim over the army is no label difference for the entity: claims are apart.
        ([ARMY, claim()], [claim()], {"missing_span"}),
    ],
)
def test_span_differences_are_named(first, second, kinds):
    found, merged = classify(doc(first), doc(second))
    assert {d.kind for d in found} == kinds
    assert [d.decision for d in found] == [d["id"] for d in merged["decisions"]]


def test_the_others_of_a_label_difference_say_who_marked_what():
    found, _ = classify(doc([ARMY]), doc([ARMY_ORG]))
    by_label = {d.label: d for d in found}
    assert by_label["MILITARY_GROUP"].annotators == ("ann1",)
    (other,) = by_label["MILITARY_GROUP"].others
    assert (other.annotator, other.label) == ("ann2", "ORG")
    assert (other.start, other.end) == (ARMY["start"], ARMY["end"])


def test_claim_attribute_and_stance_differences_are_named_even_two_to_one():
    a = claim(claimant="author", checkworthy=True, stance="reports")
    b = claim(claimant="author", checkworthy=False, stance="reports")
    c = claim(claimant="unattributed", checkworthy=True, stance="supports")
    found, merged = classify(
        doc([a], stance={"isis": "against"}),
        doc([b], stance={"isis": "against"}),
        doc([c], stance={"isis": "neutral"}),
    )
    assert kind_counts(found) == {"claimant": 1, "checkworthy": 1, "claim_stance": 1, "stance": 1}
    assert {d.reason for d in found} == {"majority"}
    claim_diffs = [d for d in found if d.kind != "stance"]
    assert {(d.start, d.end, d.label) for d in claim_diffs} == {(a["start"], a["end"], "CLAIM")}
    assert next(d for d in found if d.kind == "stance").target == "isis"
    assert merged["unanimous"] is False


def test_agreeing_annotators_have_no_difference():
    content = doc([ARMY, ISIS, claim(claimant="author")], stance={"isis": "against"})
    found, _ = classify(content, content, content)
    assert found == []
    assert kind_counts(found) == {}


WORDS = [t for t in tokenize(TEXT) if t.kind == "word"]


@st.composite
def annotation(draw):
    spans = []
    for i in sorted(draw(st.sets(st.integers(0, len(WORDS) - 1), max_size=5))):
        first = WORDS[i]
        last = WORDS[min(i + draw(st.integers(0, 1)), len(WORDS) - 1)]
        label = draw(st.sampled_from(["PER", "ORG", "MILITARY_GROUP", "CLAIM"]))
        attrs = {}
        if label == "CLAIM":
            attrs = {
                "claimant": draw(st.sampled_from([None, "author", "unattributed"])),
                "checkworthy": draw(st.sampled_from([None, True, False])),
                "stance": draw(st.sampled_from([None, "supports", "refutes"])),
            }
        spans.append(span(TEXT, first.start, last.end, label, span_id=f"x{i}", **attrs))
    stance = draw(st.dictionaries(st.just("isis"), st.sampled_from(["favor", "against"])))
    return doc(spans, stance=stance)


@settings(max_examples=150, deadline=None)
@given(st.lists(annotation(), min_size=2, max_size=4))
def test_every_decision_is_one_difference_of_a_known_kind(contents):
    found, merged = classify(*contents)
    assert [d.decision for d in found] == [d["id"] for d in merged["decisions"]]
    assert all(d.kind in KINDS for d in found)
    assert sum(kind_counts(found).values()) == len(found)
    # A span counts as missing exactly when nobody who left it out marked an overlapping
    # span of its family.
    keys = [{(s["start"], s["end"], s["label"]) for s in c["spans"]} for c in contents]
    for d in found:
        if d.kind not in ("missing_span", "boundary", "label"):
            continue
        is_claim = d.label == "CLAIM"
        overlapping = [
            k
            for i, ks in enumerate(keys)
            if f"ann{i + 1}" not in d.annotators
            for k in ks
            if (k[2] == "CLAIM") == is_claim and k[0] < d.end and d.start < k[1]
        ]
        assert (d.kind == "missing_span") == (not overlapping)
    # Unanimous exactly when there is nothing to decide.
    assert merged["unanimous"] == (not found)


# ---- an article's score includes the claim attributes ---------------------------------


def docs_of(*contents):
    return [
        doc_from_content(c, article=1, annotator=i, claim_label="CLAIM")
        for i, c in enumerate(contents, start=1)
    ]


def test_a_claimant_two_to_one_no_longer_scores_the_article_one():
    """Finding 2 of issue 15: same spans and stance, the claimant given two to one."""
    same = {"checkworthy": True, "stance": "reports"}
    contents = [
        doc([ARMY, claim(claimant="author", **same)], stance={"isis": "against"}),
        doc([ARMY, claim(claimant="author", **same)], stance={"isis": "against"}),
        doc([ARMY, claim(claimant="unattributed", **same)], stance={"isis": "against"}),
    ]
    docs = docs_of(*contents)
    # Three pairs x one matched claim x three answers; the claimant differs in two pairs.
    assert claim_attribute_agreement(docs) == (7, 9)
    report = build_report(docs, texts={1: TEXT}, schema=SCHEMA)
    (row,) = report.lowest_articles
    assert row.span_f1_overlap == 1.0 and row.stance_observed == 1.0
    assert row.claim_attributes == pytest.approx(7 / 9)
    assert row.score == pytest.approx((1 + 1 + 7 / 9) / 3)
    assert row.score < 1


def test_an_article_without_claims_scores_as_before():
    contents = [doc([ARMY], stance={"isis": "against"}), doc([ISIS], stance={"isis": "against"})]
    report = build_report(docs_of(*contents), texts={1: TEXT}, schema=SCHEMA)
    (row,) = report.lowest_articles
    assert row.claim_attributes is None
    assert row.score == pytest.approx((0.0 + 1.0) / 2)


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ((None, None, None), None),
        ((0.5, None, None), 0.5),
        ((1.0, 0.0, None), 0.5),
        ((1.0, 1.0, 0.4), 0.8),
    ],
)
def test_article_score_is_the_mean_of_its_defined_parts(parts, expected):
    assert article_score(*parts) == (None if expected is None else pytest.approx(expected))


@settings(max_examples=100, deadline=None)
@given(st.lists(annotation(), min_size=2, max_size=4))
def test_claim_attribute_agreement_is_a_share_and_full_for_copies(contents):
    agree, answers = claim_attribute_agreement(docs_of(*contents))
    assert 0 <= agree <= answers
    assert answers % 3 == 0
    same_agree, same_answers = claim_attribute_agreement(docs_of(*([contents[0]] * 3)))
    assert same_agree == same_answers


# ---- the pairs behind a mean over pairs --------------------------------------------------


def sklearn_kappa(a, b) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(cohen_kappa_score(a, b))


def test_a_pair_without_variation_is_named_not_silently_dropped():
    """Finding 8 of issue 15: three annotators, one pair with no variation."""
    ratings = {
        "i1": {"amal": "favor", "badr": "favor", "chadi": "favor"},
        "i2": {"amal": "favor", "badr": "against", "chadi": "favor"},
        "i3": {"amal": "favor", "badr": "against", "chadi": "favor"},
    }
    agreement = label_agreement(ratings)
    pairs = [(a, b, agreement.cohen[(a, b)]) for a, b in agreement.cohen]
    account = pair_account(pairs)
    assert (account.pairs, account.defined) == (3, 2)
    ((undefined),) = account.undefined
    assert (undefined.a, undefined.b, undefined.reason) == ("amal", "chadi", "no_variation")
    # scikit-learn's per-pair values: the mean over all three is NaN; ours is the mean of the
    # two defined pairs, and the page says so.
    per_pair = {
        (a, b): sklearn_kappa([ratings[i][a] for i in ratings], [ratings[i][b] for i in ratings])
        for a, b in combinations(["amal", "badr", "chadi"], 2)
    }
    assert math.isnan(per_pair[("amal", "chadi")])
    assert math.isnan(sum(per_pair.values()) / 3)
    defined = [v for v in per_pair.values() if not math.isnan(v)]
    assert agreement.cohen_mean.value == pytest.approx(sum(defined) / len(defined), abs=1e-9)


scores = st.one_of(
    st.floats(-1, 1, allow_nan=False).map(lambda v: Score(v, items=1)),
    st.sampled_from(["no_variation", "no_common_items", "no_matches"]).map(Score.undefined),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(scores, max_size=8))
def test_the_account_matches_the_mean_it_explains(listed):
    account = pair_account((k, k + 1, s) for k, s in enumerate(listed))
    assert account.pairs == len(listed)
    assert account.defined + len(account.undefined) == account.pairs
    assert [u.a for u in account.undefined] == [k for k, s in enumerate(listed) if not s.defined]
    mean = mean_score(listed, items=0, annotators=0)
    if account.defined:
        values = [s.value for s in listed if s.value is not None]
        assert mean.value == pytest.approx(sum(values) / account.defined)
    else:
        assert mean.value is None


def test_every_mean_of_pairs_in_the_report_has_its_account():
    contents = [
        doc([ARMY, claim(claimant="author", stance="reports")], stance={"isis": "against"}),
        doc([ARMY, claim(claimant="author", stance="reports")], stance={"isis": "against"}),
        doc([ISIS, claim(claimant="author", stance="refutes")], stance={"isis": "favor"}),
    ]
    report = build_report(docs_of(*contents), texts={1: TEXT}, schema=SCHEMA)
    for row in report.summary:
        account = pairs_behind(report, row.key)
        if row.key in (
            "stance.cohen_kappa",
            "spans.token_kappa",
            "claims.token_kappa",
            "claims.stance_kappa",
            "claims.checkworthy_kappa",
        ):
            assert account is not None and account.pairs == 3
            assert (row.score.value is None) == (account.defined == 0)
        else:
            assert account is None
    # Every pair gave checkworthy unset: each pair is undefined, and named.
    checkworthy = pairs_behind(report, "claims.checkworthy_kappa")
    assert checkworthy.defined == 0
    assert {u.reason for u in checkworthy.undefined} == {"no_variation"}
    account = target_pairs(report.stance.targets["isis"])
    assert account.pairs == 3


# ---- the evidence behind a number: one article's score, a confusion cell's tokens --------


@settings(max_examples=100, deadline=None)
@given(st.lists(annotation(), min_size=2, max_size=4))
def test_one_articles_agreement_is_the_reports(contents):
    docs = docs_of(*contents)
    got = article_agreement(docs)
    report = build_report(docs, texts={1: TEXT}, schema=SCHEMA)
    if got.score is None:
        assert report.lowest_articles == []
        return
    (row,) = report.lowest_articles
    assert got.score == pytest.approx(row.score, abs=1e-12)
    for part in ("span_f1_overlap", "stance_observed", "claim_attributes"):
        mine, theirs = getattr(got, part), getattr(row, part)
        assert (mine is None) == (theirs is None)
        if mine is not None:
            assert mine == pytest.approx(theirs, abs=1e-12)


def test_the_tokens_behind_a_confusion_cell_are_listed():
    """Finding 1 of issue 15: the tokens one annotator tagged MILITARY_GROUP, another ORG."""
    first = doc([ARMY, ISIS])
    second = doc([ARMY_ORG, ISIS])
    docs = docs_of(first, second)
    runs = token_runs(TEXT, docs[0].entities, docs[1].entities, labels=ENTITY_LABELS)
    cell = [r for r in runs if (r.a_type, r.b_type) == ("MILITARY_GROUP", "ORG")]
    assert [(TEXT[r.start : r.end], r.tokens) for r in cell] == [("الجيش السوري", 2)]
    report = build_report(docs, texts={1: TEXT}, schema=SCHEMA)
    (pair,) = report.pairs
    confusion = pair.spans.token_confusion
    row = confusion.labels.index("MILITARY_GROUP")
    col = confusion.labels.index("ORG")
    assert confusion.matrix[row][col] == 2


ENTITY_LABELS = [lab["key"] for lab in SCHEMA["entity_labels"]]


@settings(max_examples=100, deadline=None)
@given(annotation(), annotation())
def test_token_runs_add_up_to_every_confusion_cell(first, second):
    docs = docs_of(first, second)
    runs = token_runs(TEXT, docs[0].entities, docs[1].entities, labels=ENTITY_LABELS)
    # Runs tile the tokens: in order, not overlapping.
    assert all(x.end <= y.start for x, y in zip(runs, runs[1:], strict=False))
    report = build_report(docs, texts={1: TEXT}, schema=SCHEMA)
    (pair,) = report.pairs
    confusion = pair.spans.token_confusion
    for i, x in enumerate(confusion.labels):
        for j, y in enumerate(confusion.labels):
            listed = sum(r.tokens for r in runs if (r.a_type, r.b_type) == (x, y))
            assert listed == confusion.matrix[i][j], (x, y)


@st.composite
def with_claimant_relations(draw):
    """An annotation whose claims may name an entity span of it as claimant."""
    content = draw(annotation())
    entities = [s for s in content["spans"] if s["label"] != "CLAIM"]
    relations = []
    for s in content["spans"]:
        if s["label"] == "CLAIM" and entities and draw(st.booleans()):
            target = draw(st.sampled_from(entities))
            s["attributes"]["claimant"] = None
            relations.append({"type": "claimant", "from": s["id"], "to": target["id"]})
    content["relations"] = relations
    return content


@settings(max_examples=150, deadline=None)
@given(st.lists(with_claimant_relations(), min_size=2, max_size=4))
def test_claim_attribute_agreement_counts_as_the_reference_claim_tally(contents):
    docs = docs_of(*contents)
    agree = answers = 0
    for a, b in combinations(docs, 2):
        tally = claim_tally(a, b)
        answers += 3 * tally.matched
        agree += tally.claimant_agree
        agree += sum(x == y for x, y in zip(tally.stance_a, tally.stance_b, strict=True))
        agree += sum(x == y for x, y in zip(tally.checkworthy_a, tally.checkworthy_b, strict=True))
    assert claim_attribute_agreement(docs) == (agree, answers)
