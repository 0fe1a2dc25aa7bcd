"""annotate.lib.content.with_span_added / with_span_removed: one-span edits of a canonical
document give exactly what a full check_content of the edited document gives. Pure."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.lib.content import (
    MAX_SPANS,
    ContentError,
    check_content,
    empty_content,
    with_span_added,
    with_span_removed,
)
from annotate.lib.schema import default_schema
from corpus.lib.text import canonicalise, tokenize
from tests.test_content import TEXT, doc, sp, texts

SCHEMA = default_schema()


def added(content, span, **kwargs):
    return with_span_added(content, span, text=TEXT, schema=SCHEMA, **kwargs)


def test_adding_a_span_keeps_spans_in_canonical_order():
    base = check_content(
        doc(sp("داعش", "MILITARY_GROUP", "a"), sp("التحالف", "ORG", "b")),
        text=TEXT,
        schema=SCHEMA,
    )
    new, span = added(base, sp("الرَّقَّة", "LOC", "c"))
    assert span == {**sp("الرَّقَّة", "LOC", "c"), "attributes": {}}
    assert [s["id"] for s in new["spans"]] == ["a", "c", "b"]
    assert new == check_content(
        doc(*base["spans"], sp("الرَّقَّة", "LOC", "c")), text=TEXT, schema=SCHEMA
    )
    assert [s["id"] for s in base["spans"]] == ["a", "b"], "the input is not changed"


def test_adding_checks_the_new_span_and_names_the_field():
    with pytest.raises(ContentError) as info:
        added(empty_content(), {**sp("داعش"), "end": sp("داعش")["end"] - 1})
    assert info.value.field == "span.text"
    with pytest.raises(ContentError) as info:
        added(empty_content(), sp("داعش", label="NOPE"))
    assert info.value.field == "span.label"
    with pytest.raises(ContentError) as info:
        added(empty_content(), ["not", "a", "span"])
    assert info.value.field == "span"


def test_adding_refuses_a_used_id_and_an_exact_duplicate():
    base, _ = added(empty_content(), sp("داعش", "MILITARY_GROUP", "a"))
    with pytest.raises(ContentError, match="already used") as info:
        added(base, sp("التحالف", "ORG", "a"))
    assert info.value.field == "span.id"
    with pytest.raises(ContentError, match="duplicates spans") as info:
        added(base, sp("داعش", "MILITARY_GROUP", "b"))
    assert info.value.field == "span"


def test_adding_refuses_a_retired_label_unless_allowed():
    schema = default_schema()
    for label in schema["entity_labels"]:
        label["retired"] = label["key"] == "ORG"
    with pytest.raises(ContentError, match="retired"):
        with_span_added(empty_content(), sp("التحالف"), text=TEXT, schema=schema)
    new, _ = with_span_added(
        empty_content(), sp("التحالف"), text=TEXT, schema=schema, allow_retired={"ORG"}
    )
    assert len(new["spans"]) == 1


def test_adding_stops_at_the_span_limit():
    full = {**empty_content(), "spans": [{"id": str(i)} for i in range(MAX_SPANS)]}
    with pytest.raises(ContentError, match="at most"):
        added(full, sp("داعش"))


def test_removing_a_span_drops_its_relations():
    claim = sp("انسحبت", "CLAIM", "c1", checkworthy=True, claimant=None, stance="reports")
    base = check_content(
        doc(
            claim,
            sp("داعش", "MILITARY_GROUP", "e1"),
            relations=[{"type": "claimant", "from": "c1", "to": "e1"}],
        ),
        text=TEXT,
        schema=SCHEMA,
    )
    without = with_span_removed(base, "e1")
    assert [s["id"] for s in without["spans"]] == ["c1"]
    assert without["relations"] == []
    assert check_content(without, text=TEXT, schema=SCHEMA) == without
    assert len(base["spans"]) == 2, "the input is not changed"


def test_removing_an_unknown_span_names_it():
    with pytest.raises(ContentError, match="'zz'") as info:
        with_span_removed(empty_content(), "zz")
    assert info.value.field == "span_id"


@settings(max_examples=100, deadline=None)
@given(texts, st.randoms(use_true_random=False))
def test_spans_added_one_by_one_equal_one_full_check(text, rnd: random.Random):
    text = canonicalise(text)
    tokens = tokenize(text)
    spans = []
    for n in range(min(12, 2 * len(tokens))):
        i = rnd.randrange(len(tokens))
        j = rnd.randrange(i, min(len(tokens), i + 3))
        start, end = tokens[i].start, tokens[j].end
        label = rnd.choice(["ORG", "LOC", "PER"])
        if any((s["start"], s["end"], s["label"]) == (start, end, label) for s in spans):
            continue
        spans.append(
            {"id": f"s{n}", "start": start, "end": end, "label": label, "text": text[start:end]}
        )
    content = empty_content()
    for span in spans:
        content, _ = with_span_added(content, span, text=text, schema=SCHEMA)
    full = check_content({"spans": spans}, text=text, schema=SCHEMA)
    assert content == full
    if spans:
        victim = rnd.choice(spans)["id"]
        rest = [s for s in spans if s["id"] != victim]
        assert with_span_removed(content, victim) == check_content(
            {"spans": rest}, text=text, schema=SCHEMA
        )
