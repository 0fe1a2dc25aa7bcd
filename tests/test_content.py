"""annotate.lib.content: every validation rule of the content document, with its message. Pure."""

from __future__ import annotations

import copy
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.lib.content import (
    MAX_SPANS,
    ContentError,
    check_content,
    diff_content,
    empty_content,
    missing_required_stance,
    used_vocabulary,
)
from annotate.lib.schema import default_schema
from corpus.lib.text import canonicalise, tokenize

TEXT = canonicalise(
    "قال المتحدث باسم الجيش السوري إن وداعش انسحبت من الرَّقَّة، وأكد «التحالف» ذلك في 3.5 ساعة."
)
SCHEMA = default_schema()


def sp(word: str, label: str = "ORG", span_id: str = "s1", text: str = TEXT, **attributes):
    start = text.index(word)
    return {
        "id": span_id,
        "start": start,
        "end": start + len(word),
        "label": label,
        "text": word,
        "attributes": attributes,
    }


def doc(*spans, relations=(), stance=None):
    return {
        "spans": list(spans),
        "relations": list(relations),
        "document_labels": {"stance": dict(stance or {})},
    }


def refused(content, *, text=TEXT, schema=SCHEMA, **kwargs) -> ContentError:
    with pytest.raises(ContentError) as info:
        check_content(content, text=text, schema=schema, **kwargs)
    return info.value


# ---- offsets ----


def test_it_accepts_a_span_and_returns_it_canonical():
    result = check_content(doc(sp("داعش", "MILITARY_GROUP")), text=TEXT, schema=SCHEMA)
    (span,) = result["spans"]
    assert TEXT[span["start"] : span["end"]] == "داعش"
    assert span["attributes"] == {}
    assert result["relations"] == []
    assert result["document_labels"] == {"stance": {}}


def test_it_finds_a_clitic_free_span_inside_a_word():
    span = sp("داعش", "MILITARY_GROUP")
    assert TEXT[span["start"] - 1] == "و"  # وداعش: the span starts after the conjunction
    check_content(doc(span), text=TEXT, schema=SCHEMA)


def test_it_rejects_a_negative_start():
    span = sp("قال") | {"start": -1}
    error = refused(doc(span))
    assert error.field == "spans[0].start"
    assert "must be >= 0, got -1" in error.message


def test_it_rejects_an_end_past_the_text():
    span = sp("قال") | {"end": len(TEXT) + 1}
    error = refused(doc(span))
    assert error.field == "spans[0].end"
    assert f"must be <= {len(TEXT)} (the article's length), got {len(TEXT) + 1}" in error.message


@pytest.mark.parametrize("delta", [0, -2])
def test_it_rejects_inverted_and_empty_spans(delta):
    span = sp("المتحدث")
    span["end"] = span["start"] + delta
    error = refused(doc(span))
    assert error.field == "spans[0].end"
    assert f"must be greater than start ({span['start']})" in error.message


@pytest.mark.parametrize("value", ["3", 3.0, True, None])
def test_it_rejects_offsets_that_are_not_integers(value):
    span = sp("قال") | {"start": value}
    error = refused(doc(span))
    assert error.field == "spans[0].start"
    assert "must be an integer" in error.message


def test_it_rejects_text_that_does_not_match_the_article():
    span = sp("قال") | {"text": "قيل"}
    error = refused(doc(span))
    assert error.field == "spans[0].text"
    assert "does not match the article" in error.message
    assert "'قال'" in error.message


def test_it_rejects_span_that_splits_a_diacritic_and_says_where():
    word = "الرَّقَّة"
    base = TEXT.index(word)
    inside = base + word.index("ر") + 1  # between ر and its shadda
    span = {"id": "x", "start": base, "end": inside, "label": "LOC", "text": TEXT[base:inside]}
    error = refused(doc(span))
    assert error.field == "spans[0].end"
    assert "splits a letter from its diacritics" in error.message
    assert f"offset {inside}" in error.message
    assert "الر" in error.message  # the text before the offset is quoted


def test_it_rejects_a_start_that_splits_a_diacritic():
    word = "الرَّقَّة"
    end = TEXT.index(word) + len(word)
    start = TEXT.index(word) + word.index("ق") + 1
    span = {"id": "x", "start": start, "end": end, "label": "LOC", "text": TEXT[start:end]}
    error = refused(doc(span))
    assert error.field == "spans[0].start"
    assert f"offset {start}" in error.message


def test_offsets_are_code_points_even_after_emoji_and_astral_characters():
    text = canonicalise("🇸🇾😀 𝒜 خبر: داعش هنا")
    span = sp("داعش", "MILITARY_GROUP", text=text)
    assert span["start"] == text.index("داعش")
    check_content(doc(span), text=text, schema=SCHEMA)
    # A client counting UTF-16 units would be off by one per astral character: refused.
    shifted = span | {"start": span["start"] + 4, "end": span["end"] + 4}
    error = refused(doc(shifted), text=text)
    assert error.field in {"spans[0].text", "spans[0].end"}


def test_it_rejects_a_span_splitting_an_emoji_modifier_sequence():
    text = "👍🏽 نعم"
    span = {"id": "x", "start": 0, "end": 1, "label": "ORG", "text": text[0:1]}
    error = refused(doc(span), text=text)
    assert error.field == "spans[0].end"


# ---- labels and attributes ----


def test_it_rejects_an_unknown_label():
    error = refused(doc(sp("قال", "WEAPON")))
    assert error.field == "spans[0].label"
    assert "unknown label 'WEAPON'" in error.message


def test_it_rejects_a_retired_label_unless_the_document_already_used_it():
    schema = copy.deepcopy(SCHEMA)
    schema["entity_labels"][0]["retired"] = True  # PER
    error = refused(doc(sp("المتحدث", "PER")), schema=schema)
    assert error.field == "spans[0].label"
    assert "label 'PER' is retired" in error.message
    check_content(doc(sp("المتحدث", "PER")), text=TEXT, schema=schema, allow_retired={"PER"})


@pytest.mark.parametrize(
    ("span_update", "field", "words"),
    [
        ({"attributes": ["x"]}, "spans[0].attributes", "must be an object"),
        ({"attributes": {"checkworthy": True}}, "spans[0].attributes", "take no attributes"),
        ({"colour": "red"}, "spans[0].colour", "is not a span field"),
        ({"id": ""}, "spans[0].id", "1-64 letters"),
        ({"id": "has space"}, "spans[0].id", "1-64 letters"),
        ({"text": None}, "spans[0].text", "must be the covered text"),
    ],
)
def test_it_rejects_malformed_entity_spans(span_update, field, words):
    error = refused(doc(sp("قال") | span_update))
    assert error.field == field
    assert words in error.message


@pytest.mark.parametrize(
    ("attributes", "field", "words"),
    [
        ({"checkworthy": "yes"}, "spans[0].attributes.checkworthy", "true, false or null"),
        ({"claimant": "someone"}, "spans[0].attributes.claimant", "must be one of"),
        ({"stance": "favor"}, "spans[0].attributes.stance", "must be one of"),
        ({"mood": "angry"}, "spans[0].attributes.mood", "is not a claim attribute"),
    ],
)
def test_it_rejects_malformed_claim_attributes(attributes, field, words):
    error = refused(doc(sp("انسحبت من الرَّقَّة", "CLAIM", **attributes)))
    assert error.field == field
    assert words in error.message


def test_claim_attributes_are_filled_with_nulls():
    result = check_content(doc(sp("انسحبت", "CLAIM", claimant="author")), text=TEXT, schema=SCHEMA)
    assert result["spans"][0]["attributes"] == {
        "checkworthy": None,
        "claimant": "author",
        "stance": None,
    }


def test_null_attributes_mean_none():
    span = sp("قال") | {"attributes": None}
    assert check_content(doc(span), text=TEXT, schema=SCHEMA)["spans"][0]["attributes"] == {}


# ---- duplicates, overlap, nesting ----


def test_overlapping_and_nested_spans_are_allowed():
    content = doc(
        sp("الجيش السوري", "ORG", "a"),
        sp("السوري", "GPE", "b"),
        sp("الجيش", "MILITARY_GROUP", "c"),
        sp("الجيش السوري", "MILITARY_GROUP", "d"),
    )
    assert len(check_content(content, text=TEXT, schema=SCHEMA)["spans"]) == 4


def test_it_rejects_an_exact_duplicate_span():
    error = refused(doc(sp("قال", "ORG", "a"), sp("قال", "ORG", "b")))
    assert error.field == "spans[1]"
    assert "duplicates spans[0]" in error.message


def test_it_rejects_a_span_id_used_twice():
    error = refused(doc(sp("قال", "ORG", "a"), sp("المتحدث", "PER", "a")))
    assert error.field == "spans[1].id"
    assert "used twice" in error.message


def test_it_limits_the_number_of_spans():
    error = refused({"spans": [{}] * (MAX_SPANS + 1)})
    assert error.field == "spans"


# ---- relations and claimant rules ----


def claim_and_entity(**claim_attributes):
    return sp("انسحبت", "CLAIM", "c1", **claim_attributes), sp("المتحدث", "PER", "e1")


def test_a_claimant_relation_links_a_claim_to_an_entity():
    claim, entity = claim_and_entity()
    result = check_content(
        doc(claim, entity, relations=[{"type": "claimant", "from": "c1", "to": "e1"}]),
        text=TEXT,
        schema=SCHEMA,
    )
    assert result["relations"] == [{"type": "claimant", "from": "c1", "to": "e1"}]


@pytest.mark.parametrize(
    ("relation", "field", "words"),
    [
        ({"type": "claimant", "from": "c1", "to": "missing"}, "relations[0].to", "no span"),
        ({"type": "claimant", "from": "nope", "to": "e1"}, "relations[0].from", "no span"),
        ({"type": "claimant", "from": ["c1"], "to": "e1"}, "relations[0].from", "no span"),
        ({"type": "cites", "from": "c1", "to": "e1"}, "relations[0].type", "must be one of"),
        ({"type": "claimant", "from": "e1", "to": "c1"}, "relations[0].from", "starts at a claim"),
        ({"type": "claimant", "from": "c1", "to": "e1", "w": 1}, "relations[0].w", "not a rel"),
    ],
)
def test_it_rejects_bad_relations(relation, field, words):
    claim, entity = claim_and_entity()
    error = refused(doc(claim, entity, relations=[relation]))
    assert error.field == field
    assert words in error.message


def test_a_relation_must_end_at_an_entity_span():
    claim, _ = claim_and_entity()
    other = sp("وأكد", "CLAIM", "c2")
    error = refused(doc(claim, other, relations=[{"type": "claimant", "from": "c1", "to": "c2"}]))
    assert error.field == "relations[0].to"
    assert "ends at an entity span" in error.message


def test_a_claim_has_one_claimant_relation_at_most():
    claim, entity = claim_and_entity()
    other = sp("الجيش", "ORG", "e2")
    relations = [
        {"type": "claimant", "from": "c1", "to": "e1"},
        {"type": "claimant", "from": "c1", "to": "e2"},
    ]
    error = refused(doc(claim, entity, other, relations=relations))
    assert error.field == "relations[1].from"
    assert "already has a claimant" in error.message


def test_a_claim_marked_author_cannot_also_have_a_claimant_relation():
    claim, entity = claim_and_entity(claimant="author")
    error = refused(doc(claim, entity, relations=[{"type": "claimant", "from": "c1", "to": "e1"}]))
    assert error.field == "relations[0].from"
    assert "needs claimant null" in error.message


# ---- document labels (stance) ----


def test_stance_values_are_checked_per_target():
    result = check_content(
        doc(stance={"isis": "against", "syrian_army": None}), text=TEXT, schema=SCHEMA
    )
    assert result["document_labels"] == {"stance": {"isis": "against"}}
    error = refused(doc(stance={"isis": "hostile"}))
    assert error.field == "document_labels.stance.isis"
    assert "must be one of" in error.message
    error = refused(doc(stance={"hamas": "favor"}))
    assert error.field == "document_labels.stance.hamas"
    assert "unknown stance target" in error.message


def test_a_retired_stance_target_takes_no_new_value():
    schema = copy.deepcopy(SCHEMA)
    schema["stance_targets"][0]["retired"] = True
    error = refused(doc(stance={"isis": "favor"}), schema=schema)
    assert "retired" in error.message
    check_content(doc(stance={"isis": "favor"}), text=TEXT, schema=schema, allow_retired={"isis"})


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ([], "content"),
        ({"spans": {}}, "spans"),
        ({"relations": {}}, "relations"),
        ({"document_labels": []}, "document_labels"),
        ({"document_labels": {"stance": []}}, "document_labels.stance"),
        ({"document_labels": {"topic": {}}}, "document_labels.topic"),
        ({"notes": "x"}, "notes"),
    ],
)
def test_it_rejects_malformed_documents(content, field):
    assert refused(content).field == field


def test_missing_required_stance_lists_active_required_targets():
    schema = copy.deepcopy(SCHEMA)
    schema["stance_targets"][1]["required"] = False
    schema["stance_targets"][2]["retired"] = True
    assert missing_required_stance(empty_content(), schema) == ["isis"]
    assert missing_required_stance(doc(stance={"isis": "favor"}), schema) == []


def test_used_vocabulary_collects_labels_targets_and_values():
    claim, entity = claim_and_entity(claimant="author", stance="refutes")
    labels, targets, values = used_vocabulary([doc(claim, entity, stance={"isis": "favor"})])
    assert labels == {"CLAIM", "PER"}
    assert targets == {"isis"}
    assert values == {"author", "refutes", "favor"}


def test_diff_content_names_added_removed_and_changed_spans():
    old = check_content(
        doc(sp("قال", "ORG", "a"), sp("المتحدث", "PER", "b")), text=TEXT, schema=SCHEMA
    )
    new = check_content(
        doc(sp("قال", "GPE", "a"), sp("الجيش", "ORG", "c"), stance={"isis": "favor"}),
        text=TEXT,
        schema=SCHEMA,
    )
    changes = diff_content(old, new)
    assert [s["id"] for s in changes["spans_added"]] == ["c"]
    assert [s["id"] for s in changes["spans_removed"]] == ["b"]
    assert changes["spans_changed"][0]["id"] == "a"
    assert changes["spans_changed"][0]["before"]["label"] == "ORG"
    assert changes["stance"] == {"isis": [None, "favor"]}
    assert diff_content(new, new) == {}


# ---- properties ----

LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإةى"
MARKS = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652"
word = st.builds(
    lambda parts: "".join(parts),
    st.lists(
        st.builds(lambda c, m: c + m, st.sampled_from(LETTERS), st.sampled_from(["", *MARKS])),
        min_size=1,
        max_size=7,
    ),
)
piece = st.one_of(
    word,
    word.map(lambda w: "و" + w),
    st.sampled_from(["٣", "2017", "3.5", "١٬٠٠٠", "ISIS", "«", "»", "،", "😀", "🇸🇾", "𝒜"]),
)
texts = st.lists(piece, min_size=1, max_size=25).map(lambda ps: canonicalise(" ".join(ps)))


@settings(max_examples=150, deadline=None)
@given(texts, st.data())
def test_any_span_from_token_boundaries_passes(text, data):
    tokens = tokenize(text)
    labels = [lab["key"] for lab in SCHEMA["entity_labels"]]
    count = data.draw(st.integers(min_value=1, max_value=min(8, len(tokens))))
    spans = []
    seen = set()
    for n in range(count):
        i = data.draw(st.integers(0, len(tokens) - 1))
        j = data.draw(st.integers(i, len(tokens) - 1))
        label = data.draw(st.sampled_from(labels))
        start, end = tokens[i].start, tokens[j].end
        if (start, end, label) in seen:
            continue
        seen.add((start, end, label))
        spans.append(
            {"id": f"s{n}", "start": start, "end": end, "label": label, "text": text[start:end]}
        )
    result = check_content({"spans": spans}, text=text, schema=SCHEMA)
    for span in result["spans"]:
        assert text[span["start"] : span["end"]] == span["text"]


@settings(max_examples=100, deadline=None)
@given(texts, st.randoms(use_true_random=False))
def test_canonical_order_is_stable_and_idempotent(text, rnd: random.Random):
    tokens = tokenize(text)
    spans = [
        {"id": f"s{i}", "start": t.start, "end": t.end, "label": "ORG", "text": t.text}
        for i, t in enumerate(tokens[:10])
    ]
    spans += [
        {"id": f"n{i}", "start": t.start, "end": t.end, "label": "LOC", "text": t.text}
        for i, t in enumerate(tokens[:5])
    ]
    first = check_content({"spans": spans}, text=text, schema=SCHEMA)
    shuffled = list(spans)
    rnd.shuffle(shuffled)
    second = check_content({"spans": shuffled}, text=text, schema=SCHEMA)
    assert first == second
    assert check_content(first, text=text, schema=SCHEMA) == first
    keys = [(s["start"], s["end"], s["label"], s["id"]) for s in first["spans"]]
    assert keys == sorted(keys)
