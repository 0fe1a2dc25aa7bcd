"""The pure merge of submitted annotations into a gold proposal (annotate/lib/merge.py)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.lib.content import check_content
from annotate.lib.merge import Submission, is_unanimous, merge, span_id
from annotate.lib.schema import default_schema
from corpus.lib.text import tokenize
from tests.factories import span, span_of

TEXT = "قال المتحدث باسم الجيش السوري إن وحدات الجيش استعادت السيطرة على المدينة من داعش."
SCHEMA = default_schema()


def doc(spans=(), relations=(), stance=None):
    return {
        "spans": list(spans),
        "relations": list(relations),
        "document_labels": {"stance": dict(stance or {})},
    }


def claim(word, **attrs):
    base = {"checkworthy": None, "claimant": None, "stance": None}
    base.update(attrs)
    return span_of(TEXT, word, "CLAIM", **base)


ARMY = span_of(TEXT, "الجيش السوري", "MILITARY_GROUP")
ISIS = span_of(TEXT, "داعش", "MILITARY_GROUP")
CITY = span_of(TEXT, "المدينة", "LOC")
CLAIM_TEXT = "وحدات الجيش استعادت السيطرة على المدينة"


def run(*docs):
    return merge(
        [Submission(f"ann{i}", d) for i, d in enumerate(docs, start=1)], claim_label="CLAIM"
    )


def decision(result, decision_id):
    return next(d for d in result["decisions"] if d["id"] == decision_id)


def test_it_keeps_majority_spans_and_leaves_nothing_open_when_all_agree():
    result = run(doc([ARMY, ISIS]), doc([ARMY, ISIS]), doc([ISIS, ARMY]))
    assert result["unanimous"] is True
    assert result["decisions"] == []
    assert [(s["start"], s["end"], s["label"]) for s in result["proposal"]["spans"]] == [
        (ARMY["start"], ARMY["end"], "MILITARY_GROUP"),
        (ISIS["start"], ISIS["end"], "MILITARY_GROUP"),
    ]


def test_a_two_of_three_span_goes_in_but_stays_an_open_decision():
    result = run(doc([ARMY, CITY]), doc([ARMY, CITY]), doc([ARMY]))
    ids = [s["id"] for s in result["proposal"]["spans"]]
    city_id = span_id((CITY["start"], CITY["end"], "LOC"))
    assert city_id in ids
    assert result["support"][city_id] == ["ann1", "ann2"]
    (open_city,) = result["decisions"]
    assert open_city["id"] == f"span:{city_id}"
    assert open_city["reason"] == "majority"
    assert open_city["suggestion"] == "accept"
    assert open_city["options"] == [
        {"value": "accept", "annotators": ["ann1", "ann2"]},
        {"value": "reject", "annotators": ["ann3"]},
    ]
    assert result["unanimous"] is False


def test_it_leaves_a_minority_span_open_with_reject_suggested():
    result = run(doc([ARMY, CITY]), doc([ARMY]), doc([ARMY]))
    city_id = span_id((CITY["start"], CITY["end"], "LOC"))
    assert city_id not in [s["id"] for s in result["proposal"]["spans"]]
    open_city = decision(result, f"span:{city_id}")
    assert open_city["reason"] == "minority"
    assert open_city["suggestion"] == "reject"
    assert open_city["options"] == [
        {"value": "accept", "annotators": ["ann1"]},
        {"value": "reject", "annotators": ["ann2", "ann3"]},
    ]
    assert open_city["span"]["text"] == "المدينة"


def test_it_leaves_a_tie_open_without_a_suggestion():
    result = run(doc([ARMY, CITY]), doc([ARMY]))
    city_id = span_id((CITY["start"], CITY["end"], "LOC"))
    tie = decision(result, f"span:{city_id}")
    assert tie["reason"] == "tie"
    assert tie["suggestion"] is None


def test_same_offsets_with_another_label_are_different_spans():
    as_loc = span(TEXT, CITY["start"], CITY["end"], "GPE")
    result = run(doc([CITY]), doc([as_loc]), doc([CITY]))
    assert [s["label"] for s in result["proposal"]["spans"]] == ["LOC"]
    assert decision(result, f"span:s{CITY['start']}-{CITY['end']}-GPE")["reason"] == "minority"


def test_clitic_split_spans_are_not_the_same_span():
    text = "وقالت وداعش إن"
    whole = span_of(text, "وداعش", "MILITARY_GROUP")
    inner = span(text, whole["start"] + 1, whole["end"], "MILITARY_GROUP")
    result = merge(
        [Submission("a", doc([whole])), Submission("b", doc([inner]))], claim_label="CLAIM"
    )
    assert result["proposal"]["spans"] == []
    assert {d["reason"] for d in result["decisions"]} == {"tie"}


def test_claim_attributes_are_voted_among_those_who_marked_the_claim():
    a = claim(CLAIM_TEXT, checkworthy=True, stance="reports", claimant="author")
    b = claim(CLAIM_TEXT, checkworthy=True, stance="supports", claimant="author")
    c = claim(CLAIM_TEXT, checkworthy=False, stance="refutes", claimant="author")
    result = run(doc([a]), doc([b]), doc([c]))
    (merged,) = result["proposal"]["spans"]
    assert merged["attributes"]["checkworthy"] is True
    assert merged["attributes"]["claimant"] == "author"
    # Three different stances: a three-way tie, left open without a suggestion.
    assert merged["attributes"]["stance"] is None
    open_stance = decision(result, f"attr:{merged['id']}:stance")
    assert open_stance["reason"] == "tie"
    assert {o["value"] for o in open_stance["options"]} == {"reports", "supports", "refutes"}
    # Two of three said check-worthy: in the proposal, and still a decision to settle.
    checkworthy = decision(result, f"attr:{merged['id']}:checkworthy")
    assert checkworthy["reason"] == "majority"
    assert checkworthy["suggestion"] is True
    # All three gave the author: nothing to decide.
    assert not any(d["id"].endswith(":claimant") for d in result["decisions"])


def test_a_claimant_relation_and_a_claimant_value_are_one_vote():
    def with_relation(name):
        c = claim(CLAIM_TEXT)
        c["id"] = "c1"
        army = dict(ARMY, id="e1")
        return doc([c, army], [{"type": "claimant", "from": "c1", "to": "e1"}])

    result = run(with_relation("a"), with_relation("b"), doc([claim(CLAIM_TEXT), ARMY]))
    (relation,) = result["proposal"]["relations"]
    claim_id = next(s["id"] for s in result["proposal"]["spans"] if s["label"] == "CLAIM")
    army_id = span_id((ARMY["start"], ARMY["end"], ARMY["label"]))
    assert relation == {"type": "claimant", "from": claim_id, "to": army_id}
    # Two of three is a majority: in the proposal, and still open for the reviewer.
    (majority,) = result["decisions"]
    assert majority["id"] == f"attr:{claim_id}:claimant"
    assert majority["reason"] == "majority"
    assert majority["suggestion"] == {"span": army_id}

    tied = run(with_relation("a"), doc([claim(CLAIM_TEXT, claimant="author"), ARMY]))
    assert tied["proposal"]["relations"] == []
    open_claimant = decision(tied, f"attr:{claim_id}:claimant")
    assert open_claimant["reason"] == "tie"
    assert open_claimant["suggestion"] is None
    assert sorted(map(repr, (o["value"] for o in open_claimant["options"]))) == sorted(
        [repr({"span": army_id}), repr("author")]
    )


def test_a_relation_between_open_spans_rides_with_the_claim_decision():
    c = dict(claim(CLAIM_TEXT), id="c1")
    city = dict(CITY, id="e1")
    with_rel = doc([c, city], [{"type": "claimant", "from": "c1", "to": "e1"}])
    result = run(with_rel, with_rel, doc(), doc())
    assert result["proposal"]["spans"] == []
    claim_decision = decision(result, f"span:{span_id((c['start'], c['end'], 'CLAIM'))}")
    assert claim_decision["relation"] == {
        "type": "claimant",
        "from": span_id((c["start"], c["end"], "CLAIM")),
        "to": span_id((CITY["start"], CITY["end"], "LOC")),
    }


def test_stance_majority_goes_in_and_disagreement_stays_open():
    result = run(
        doc(stance={"isis": "against", "syrian_army": "favor"}),
        doc(stance={"isis": "against", "syrian_army": "neutral"}),
        doc(stance={"isis": "neutral"}),
    )
    stance = result["proposal"]["document_labels"]["stance"]
    assert stance["isis"] == "against"
    army = decision(result, "stance:syrian_army")
    assert army["reason"] == "tie"
    assert army["suggestion"] is None
    assert "syrian_army" not in stance
    values = [o["value"] for o in army["options"]]
    assert sorted(values, key=repr) == sorted(["favor", "neutral", None], key=repr)
    isis = decision(result, "stance:isis")
    assert (isis["reason"], isis["suggestion"]) == ("majority", "against")


def test_stance_plurality_is_suggested_when_unique():
    result = run(
        doc(stance={"isis": "against"}),
        doc(stance={"isis": "against"}),
        doc(stance={"isis": "neutral"}),
        doc(stance={"isis": "favor"}),
    )
    open_isis = decision(result, "stance:isis")
    assert open_isis["reason"] == "no_majority"
    assert open_isis["suggestion"] == "against"
    assert result["proposal"]["document_labels"]["stance"] == {"isis": "against"}


def test_one_annotator_is_never_unanimous():
    assert is_unanimous([doc([ARMY])]) is False
    assert is_unanimous([]) is False
    assert run(doc([ARMY]))["unanimous"] is False


def test_unanimity_needs_identical_attributes_and_stance():
    assert is_unanimous([doc([ARMY], stance={"isis": "against"})] * 2)
    assert not is_unanimous([doc([ARMY], stance={"isis": "against"}), doc([ARMY])])
    a = claim(CLAIM_TEXT, checkworthy=True)
    b = claim(CLAIM_TEXT, checkworthy=False)
    assert not is_unanimous([doc([a]), doc([b])])
    # Span ids chosen by each annotator do not matter.
    assert is_unanimous([doc([dict(ARMY, id="x")]), doc([dict(ARMY, id="y")])])


TOKENS = [t for t in tokenize(TEXT) if t.kind == "word"]
ENTITY_LABELS = ["PER", "ORG", "LOC", "MILITARY_GROUP"]


@st.composite
def annotation(draw):
    chosen = draw(st.sets(st.integers(0, len(TOKENS) - 1), max_size=6))
    spans = []
    for i in sorted(chosen):
        token = TOKENS[i]
        label = draw(st.sampled_from(ENTITY_LABELS))
        spans.append(span(TEXT, token.start, token.end, label, span_id=f"x{i}"))
    stance = draw(
        st.dictionaries(
            st.sampled_from(["isis", "syrian_army"]),
            st.sampled_from(["favor", "against", "neutral"]),
        )
    )
    return doc(spans, stance=stance)


@settings(max_examples=150, deadline=None)
@given(st.lists(annotation(), min_size=1, max_size=5))
def test_every_span_not_marked_by_all_is_exactly_one_decision(docs):
    result = run(*docs)
    keys = [{(s["start"], s["end"], s["label"]) for s in d["spans"]} for d in docs]
    marked = set().union(*keys)
    by_all = set.intersection(*keys)
    proposed = {(s["start"], s["end"], s["label"]) for s in result["proposal"]["spans"]}
    open_ = [
        (d["span"]["start"], d["span"]["end"], d["span"]["label"])
        for d in result["decisions"]
        if d["kind"] == "span"
    ]
    assert len(open_) == len(set(open_))
    assert set(open_) == marked - by_all
    assert by_all <= proposed <= marked
    # A span is in the proposal exactly when its decision suggests accepting it.
    for d in result["decisions"]:
        if d["kind"] == "span":
            key = (d["span"]["start"], d["span"]["end"], d["span"]["label"])
            assert (key in proposed) == (d["suggestion"] == "accept")
    # Every stance disagreement is a decision too.
    for target in ("isis", "syrian_army"):
        given_values = {d["document_labels"]["stance"].get(target) for d in docs}
        has_decision = any(d["id"] == f"stance:{target}" for d in result["decisions"])
        assert has_decision == (len(given_values) > 1)
    # The proposal is a valid content document for the article.
    check_content(result["proposal"], text=TEXT, schema=SCHEMA)


@settings(max_examples=100, deadline=None)
@given(st.lists(annotation(), min_size=2, max_size=4), st.randoms(use_true_random=False))
def test_the_merge_does_not_depend_on_submission_order(docs, rnd: random.Random):
    subs = [Submission(f"ann{i}", d) for i, d in enumerate(docs)]
    shuffled = list(subs)
    rnd.shuffle(shuffled)
    assert merge(subs, claim_label="CLAIM") == merge(shuffled, claim_label="CLAIM")


@settings(max_examples=100, deadline=None)
@given(annotation(), st.integers(2, 4))
def test_identical_submissions_merge_to_themselves(content, n):
    result = run(*([content] * n))
    assert result["unanimous"] is True
    assert result["decisions"] == []
    assert [(s["start"], s["end"], s["label"]) for s in result["proposal"]["spans"]] == sorted(
        (s["start"], s["end"], s["label"]) for s in content["spans"]
    )
    assert result["proposal"]["document_labels"] == content["document_labels"]
