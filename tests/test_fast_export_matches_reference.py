"""The fast export writers give exactly the bytes the straightforward ones gave.

tests/export_reference.py keeps the earlier writers verbatim as the oracle: JSONL lines built
as a dict and encoded whole, CoNLL lines one token at a time through a loop.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from annotate.lib.exports.conll import bio_lines, conll_lines, layer_spans, split_bounds
from annotate.lib.exports.jsonl import (
    gold_jsonl_line,
    gold_jsonl_utf8,
    raw_jsonl_line,
    raw_jsonl_utf8_lines,
)
from annotate.lib.exports.records import ExportError, GoldRecord, RawRecord
from corpus.lib.text import token_bounds
from tests import export_reference

TEXT_ALPHABET = (
    "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئىة"
    "\u064b\u064e\u0650\u0651ـ\u200d\u200c"
    "،؛؟«»“”.,:;!?()-\"'/\\#…"
    "0123456789٠١٢٣٫٬"
    "😀🏽\U0001f1f8\U0001f1fe"
    "CNNabcé"
    " \n\r\t\x00\x1f\x7f\u2028\u00a0"
)
texts = st.text(alphabet=TEXT_ALPHABET, min_size=1, max_size=80)
# JSON-shaped values as jsonb gives them back, and a few that only Python code would make.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet=TEXT_ALPHABET, max_size=8),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text(alphabet="abzأب_", max_size=4), inner, max_size=3),
    ),
    max_leaves=6,
)
labels = st.sampled_from(["PER", "GPE", "LOC", "MILITARY_GROUP", "CLAIM", "وسم"])


@st.composite
def contents(draw, text: str) -> dict:
    spans = []
    id_style = draw(st.sampled_from(["s{}", "م{}", "int"]))
    for i in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        spans.append(
            {
                "id": i if id_style == "int" else id_style.format(i),
                "start": start,
                "end": end,
                "label": draw(labels),
                "text": text[start:end],
                "attributes": draw(
                    st.one_of(
                        st.just({}),
                        st.none(),
                        st.dictionaries(
                            st.sampled_from(["checkworthy", "claimant", "stance", "ب"]),
                            json_values,
                            max_size=3,
                        ),
                    )
                ),
            }
        )
    relations = [
        {"type": draw(st.sampled_from(["claimant", "رابط"])), "from": f"s{i}", "to": f"s{i + 1}"}
        for i in range(draw(st.integers(0, 2)))
    ]
    stance = draw(
        st.dictionaries(st.sampled_from(["isis", "syrian_army", "هدف"]), scalars, max_size=3)
    )
    content: dict = {"spans": spans, "relations": relations}
    shape = draw(st.integers(0, 3))
    if shape == 0:
        content["document_labels"] = {"stance": stance}
    elif shape == 1:
        content["document_labels"] = None
    elif shape == 2:
        content["document_labels"] = {}
    if draw(st.booleans()):
        del content["relations"]
    return content


@st.composite
def gold_records(draw) -> GoldRecord:
    text = draw(texts)
    return GoldRecord(
        article_id=draw(st.integers(1, 2**62)),
        external_id=draw(st.text(alphabet=TEXT_ALPHABET, max_size=10)),
        title=draw(st.text(alphabet=TEXT_ALPHABET, max_size=10)),
        text=text,
        content=draw(contents(text)),
        split=draw(st.sampled_from(["train", "dev", "test"])),
    )


def outcome(write, record):
    """The line, or the type and message of the error writing it raised."""
    try:
        return write(record)
    except (ExportError, TypeError, KeyError, AttributeError, ValueError) as exc:
        return (type(exc), str(exc))


@given(gold_records())
@settings(max_examples=300, deadline=None)
def test_gold_lines_equal_the_reference_writer(record):
    assert outcome(gold_jsonl_line, record) == outcome(export_reference.gold_jsonl_line, record)


@given(gold_records())
@settings(max_examples=300, deadline=None)
@example(GoldRecord(1, "", "", 'a\\b"c\nd\te\x01f\u2028', {}, "dev"))
@example(GoldRecord(1, "", "", 'داعش\\ "قال"\n\tهنا\x7f', {}, "dev"))
def test_lines_from_utf8_text_are_the_lines_encoded(record):
    with_utf8 = dataclasses.replace(record, text_utf8=record.text.encode("utf-8"))
    expected = outcome(gold_jsonl_line, record)
    if isinstance(expected, str):
        expected = expected.encode("utf-8")
    assert outcome(gold_jsonl_utf8, with_utf8) == expected
    assert outcome(gold_jsonl_utf8, record) == expected


@given(gold_records(), st.one_of(st.none(), st.just("2024-01-02T03:04:05+00:00")))
@settings(max_examples=300, deadline=None)
def test_raw_lines_equal_the_reference_writer(gold, submitted_at):
    record = RawRecord(
        annotation_id=gold.article_id + 1,
        article_id=gold.article_id,
        external_id=gold.external_id,
        title=gold.title,
        text=gold.text,
        annotator="سلمى",
        submitted_at=submitted_at,
        schema_version=3,
        content=gold.content,
        split=gold.split,
    )
    assert outcome(raw_jsonl_line, record) == outcome(export_reference.raw_jsonl_line, record)


def utf8_lines(records):
    return list(raw_jsonl_utf8_lines(records))


@given(gold_records(), st.integers(1, 3))
@settings(max_examples=300, deadline=None)
@example(GoldRecord(1, "", "", 'a\\b"c\nd\te\x01f\u2028', {}, "dev"), 2)
def test_raw_lines_from_shared_utf8_text_are_the_lines_encoded(gold, annotators):
    """One article's annotations share its UTF-8 text: each line is still its own line."""
    data = gold.text.encode("utf-8")
    records = [
        RawRecord(
            annotation_id=gold.article_id + n,
            article_id=gold.article_id,
            external_id=gold.external_id,
            title=gold.title,
            text=gold.text,
            annotator=f"annotator {n}",
            submitted_at=None,
            schema_version=1,
            content=gold.content,
            split=gold.split,
            suggested=(("s1", "spacy@1"),) if n == 2 else (),
            text_utf8=data,
        )
        for n in range(annotators)
    ]
    expected = outcome(lambda rs: [raw_jsonl_line(r).encode("utf-8") for r in rs], records)
    assert outcome(utf8_lines, records) == expected
    plain = [dataclasses.replace(r, text_utf8=None) for r in records]
    assert outcome(utf8_lines, plain) == expected


def test_a_boolean_offset_is_written_as_the_encoder_writes_it():
    text = "نص قصير"
    span = {"id": "s1", "start": True, "end": 2, "label": "PER", "text": "ص", "attributes": {}}
    record = GoldRecord(7, "", "", text, {"spans": [span]}, "train")
    line = gold_jsonl_line(record)
    assert line == export_reference.gold_jsonl_line(record)
    assert json.loads(line)["spans"][0]["start"] is True


def test_a_bad_span_is_refused_the_same_way():
    text = "نص قصير"
    bad = {"id": "s1", "start": 0, "end": 2, "label": "PER", "text": "xx", "attributes": {}}
    record = GoldRecord(7, "", "", text, {"spans": [bad]}, "train")
    with pytest.raises(ExportError) as fast:
        gold_jsonl_line(record)
    with pytest.raises(ExportError) as reference:
        export_reference.gold_jsonl_line(record)
    assert str(fast.value) == str(reference.value)


# ---- CoNLL ----

CONLL_ALPHABET = "وداعشالرقة بت 0123.،؟!?😀\u064eـ\u200d\n\r\t#\u2028\u00a0CNN"
ENTITIES = {"PER", "GPE", "LOC", "MILITARY_GROUP"}


@st.composite
def texts_with_spans(draw):
    text = draw(st.text(alphabet=CONLL_ALPHABET, min_size=1, max_size=60))
    spans = []
    for i in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        spans.append(
            {
                "id": f"s{i}",
                "start": start,
                "end": end,
                "label": draw(st.sampled_from([*ENTITIES, "CLAIM"])),
                "text": text[start:end],
            }
        )
    return text, spans


@given(st.text(alphabet=CONLL_ALPHABET, max_size=60), st.data())
@settings(max_examples=300, deadline=None)
def test_split_bounds_equal_the_reference(text, data):
    boundaries = data.draw(st.sets(st.integers(0, len(text) + 1)))
    bounds = token_bounds(text)
    assert split_bounds(bounds, boundaries) == export_reference.split_bounds(bounds, boundaries)


@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.integers(-3, 12), st.sampled_from(["PER", "GPE", "X"])),
        max_size=12,
    )
)
@settings(max_examples=400, deadline=None)
@example([(5, 4, "PER"), (3, 6, "GPE"), (9, 2, "PER")])
def test_layer_spans_equal_the_reference(triples):
    spans = [
        {"start": start, "end": start + length, "label": label} for start, length, label in triples
    ]
    assert layer_spans(spans, labels={"PER", "GPE"}) == export_reference.layer_spans(
        spans, labels={"PER", "GPE"}
    )


@given(texts_with_spans())
@settings(max_examples=400, deadline=None)
@example(("الجيش السوري.\nوداعش", []))
@example(("أ.ب\nج", [{"id": "s", "start": 0, "end": 5, "label": "GPE", "text": "أ.ب\nج"}]))
@example(("أ ب\n\nج.", [{"id": "s", "start": 2, "end": 6, "label": "GPE", "text": "ب\n\nج"}]))
@example(("أ. .", [{"id": "s", "start": 0, "end": 1, "label": "GPE", "text": "أ"}]))
@example(("\n\n", []))
def test_bio_lines_equal_the_reference_writer(case):
    text, spans = case
    kept, _ = layer_spans(spans, labels=ENTITIES)
    assert list(bio_lines(text, kept)) == list(export_reference.bio_lines(text, kept))


def test_conll_lines_are_the_reference_lines_after_the_docstart():
    text = "قال المتحدث إن وداعش انسحب من الرقة. وأكد الجيش السوري ذلك؟ نعم\nسطر جديد 😀 هنا"
    start = text.index("الرقة")
    spans = [{"id": "s", "start": start, "end": start + 5, "label": "GPE", "text": "الرقة"}]
    record = GoldRecord(7, "ext 7\tx", "", text, {"spans": spans}, "dev")
    lines = list(conll_lines([record], entity_labels=ENTITIES))
    kept, _ = layer_spans(spans, labels=ENTITIES)
    assert lines == [
        "-DOCSTART-\t-X-\t-X-\tO\tO\tO\n",
        "\n",
        *(
            line if line == "\n" else line.replace("\n", "\tO\tO\n")
            for line in export_reference.bio_lines(text, kept)
        ),
    ]
