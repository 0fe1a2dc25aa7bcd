"""Pure import parsers: our JSONL, Label Studio JSON, doccano JSONL; offsets and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotate.lib.imports import ImportFormatError, parse_annotations
from annotate.lib.imports.common import (
    ImportRecord,
    ParseSummary,
    RecordError,
    RecordProblem,
    TextMap,
    resolve_offsets,
    utf16_to_codepoints,
)
from annotate.lib.schema import default_schema
from corpus.lib.text import utf16_length

FIXTURES = Path(__file__).parent / "fixtures"
SCHEMA = default_schema()


def parse(data: bytes | str, fmt: str, **kwargs):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return list(parse_annotations(data, name="in.file", format=fmt, schema=SCHEMA, **kwargs))


def only_records(items):
    bad = [i for i in items if isinstance(i, RecordError)]
    assert not bad, bad
    return items


def spans_of(record: ImportRecord):
    return [(s["text"], s["label"]) for s in record.content["spans"]]


# ---- offsets ----


@given(st.text(alphabet="ab داعش😀🕊\u064e", max_size=30), st.data())
def test_utf16_offsets_map_back_to_code_points(text, data):
    index = data.draw(st.integers(0, len(text)))
    assert utf16_to_codepoints(text, utf16_length(text[:index])) == index


def test_a_utf16_offset_inside_a_surrogate_pair_maps_to_nothing():
    assert utf16_to_codepoints("😀x", 1) is None
    assert utf16_to_codepoints("😀x", 5) is None


def test_span_text_decides_between_code_points_and_utf16():
    text = "😀 داعش"
    assert resolve_offsets(text, 2, 6, expected="داعش", mode="auto", field="f") == (2, 6)
    assert resolve_offsets(text, 3, 7, expected="داعش", mode="auto", field="f") == (2, 6)
    with pytest.raises(RecordProblem, match="do not match the span text"):
        resolve_offsets(text, 0, 2, expected="داعش", mode="auto", field="f")


def test_without_span_text_astral_characters_make_offsets_ambiguous():
    text = "😀 داعش"
    with pytest.raises(RecordProblem, match="codepoints or utf16"):
        resolve_offsets(text, 3, 7, expected=None, mode="auto", field="f")
    assert resolve_offsets(text, 3, 7, expected=None, mode="utf16", field="f") == (2, 6)
    assert resolve_offsets(text, 2, 6, expected=None, mode="codepoints", field="f") == (2, 6)
    # No astral character before the span: both counts agree, no question.
    assert resolve_offsets("داعش 😀", 0, 4, expected=None, mode="auto", field="f") == (0, 4)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (5, 3, "inverted"),
        (-1, 2, "inverted or negative"),
        ("1", 3, "integer"),
        (0, 99, "past the end"),
    ],
)
def test_bad_offsets_are_named(start, end, message):
    with pytest.raises(RecordProblem, match=message):
        resolve_offsets("نص قصير", start, end, expected=None, mode="codepoints", field="f")


def test_offsets_follow_the_text_onto_its_canonical_form():
    raw = "\ufeffسطر\r\nداعش"
    mapping = TextMap(raw)
    assert mapping.text == "سطر\nداعش"
    start = raw.index("داعش")
    assert mapping.text[mapping.offset(start) : mapping.offset(start + 4)] == "داعش"


# ---- Label Studio ----


def test_label_studio_export_becomes_one_record_per_annotation():
    summary = ParseSummary()
    data = (FIXTURES / "label_studio_export.json").read_bytes()
    records = only_records(parse(data, "label-studio", summary=summary))
    assert len(records) == 3
    first, second, third = records
    assert first.annotator == "ann1@example.org"
    assert second.annotator == "2"
    assert first.title == "عاجل من الباغوز"
    assert first.external_id == "101"
    # UTF-16 offsets after the emoji resolved to code points through the span text.
    assert spans_of(first) == [
        ("المرصد السوري", "ORG"),
        ("مقاتلي داعش انسحبوا من بلدة الباغوز", "CLAIM"),
        ("داعش", "MILITARY_GROUP"),
        ("الباغوز", "LOC"),
    ]
    for record in records:
        for s in record.content["spans"]:
            assert record.text[s["start"] : s["end"]] == s["text"]
    claim = next(s for s in first.content["spans"] if s["label"] == "CLAIM")
    org = next(s for s in first.content["spans"] if s["label"] == "ORG")
    assert first.content["relations"] == [
        {"type": "claimant", "from": claim["id"], "to": org["id"]}
    ]
    assert first.content["document_labels"] == {"stance": {"isis": "against"}}
    assert third.content["document_labels"] == {"stance": {"syrian_army": "favor"}}
    assert summary.ignored == {"predictions": 1, "tasks without annotations": 1}


def label_studio(text, results, **annotation):
    return json.dumps(
        [{"id": 1, "data": {"text": text}, "annotations": [{"result": results, **annotation}]}]
    )


def labels(start, end, text, *names, rid="r1"):
    return {
        "id": rid,
        "type": "labels",
        "value": {"start": start, "end": end, "text": text, "labels": list(names)},
    }


def test_label_studio_unknown_label_and_mismatched_text_are_reported_per_record():
    text = "قال الناطق باسم داعش"
    items = parse(label_studio(text, [labels(16, 20, "داعش", "TERRORIST")]), "label-studio")
    (error,) = items
    assert isinstance(error, RecordError)
    assert error.field == "result[0].value.label"
    assert "unknown label 'TERRORIST'" in error.message
    assert "task 1" in str(error)
    items = parse(label_studio(text, [labels(10, 14, "داعش", "ORG")]), "label-studio")
    assert items[0].field == "result[0].value.text"
    assert "do not match" in items[0].message


def test_label_studio_region_with_two_labels_gives_two_spans():
    text = "قال الناطق باسم داعش"
    (record,) = only_records(
        parse(label_studio(text, [labels(16, 20, "داعش", "ORG", "MILITARY_GROUP")]), "label-studio")
    )
    assert spans_of(record) == [("داعش", "MILITARY_GROUP"), ("داعش", "ORG")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'"a string"', "expected a JSON list"),
        (b"\xff[]", "not valid UTF-8"),
        (b"[]", "holds no tasks"),
        (b'{"tasks": []}', 'an object with "tasks"'),
        (
            b'{"id":1,"external_id":"","title":"","text":"\xd9\x86\xd8\xb5","spans":[],'
            b'"relations":[],"document_labels":{"stance":{}},"split":"train"}',
            "use --format ours",
        ),
        (
            b'[{"id":1,"text":"x","label":[],"annotator":3,"annotation_id":2,"lead_time":4.5}]',
            "this is Label Studio JSON-MIN: export as JSON",
        ),
    ],
)
def test_label_studio_file_errors_name_the_file(data, message):
    (error,) = parse(data, "label-studio")
    assert message in error.message
    assert str(error).startswith("in.file")


def test_label_studio_task_without_text_is_an_error():
    data = json.dumps([{"id": 3, "data": {"image": "x.png"}, "annotations": [{"result": []}]}])
    (error,) = parse(data, "label-studio")
    assert error.field == "data.text"


# ---- doccano ----


def test_doccano_label_triples():
    records = only_records(parse((FIXTURES / "doccano_export.jsonl").read_bytes(), "doccano"))
    assert [spans_of(r) for r in records] == [
        [("الجيش السوري", "MILITARY_GROUP"), ("تدمر", "LOC"), ("داعش", "MILITARY_GROUP")],
        [("وكالة سانا", "ORG"), ("إدلب", "GPE")],
    ]
    assert [r.external_id for r in records] == ["1", "2"]
    assert all(r.annotator is None for r in records)


def test_doccano_entities_with_a_claimant_relation_and_emoji_offsets():
    data = (FIXTURES / "doccano_entities.jsonl").read_bytes()
    first, second = parse(data, "doccano")
    assert isinstance(first, ImportRecord)
    claim = next(s for s in first.content["spans"] if s["label"] == "CLAIM")
    assert first.content["relations"] == [{"type": "claimant", "from": claim["id"], "to": "1"}]
    # The second line has an emoji before منبج and no span text. This fixture was written with
    # UTF-16 offsets: read as code points (the default, what doccano stores) the span is off
    # by one; --offsets utf16 reads it right.
    assert spans_of(second) == [("قسد", "MILITARY_GROUP"), ("نبج.", "LOC")]
    _, fixed = only_records(parse(data, "doccano", offsets="utf16"))
    assert spans_of(fixed) == [("قسد", "MILITARY_GROUP"), ("منبج", "LOC")]


def test_doccano_offsets_are_code_points_by_default_even_after_an_emoji():
    """doccano 1.8 stores Python string indices: an emoji before a span is no ambiguity."""
    text = "أعلنت قسد 🕊️ وقف إطلاق النار في منبج."
    start = text.index("منبج")
    line = json.dumps({"id": 9, "text": text, "label": [[start, start + 4, "LOC"]]})
    (record,) = only_records(parse(line.encode(), "doccano"))
    assert spans_of(record) == [("منبج", "LOC")]


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ('{"text": "داعش", "label": [[0, 4, "BAD"]]}', "label[0].label", "unknown label"),
        ('{"text": "داعش", "label": [[0, 9, "ORG"]]}', "label[0].end", "past the end"),
        ('{"text": "داعش", "label": [[0, 4]]}', "label[0]", "[start, end, label]"),
        ('{"label": []}', "text", "document text"),
        ('{"text": "داعش", "label": [[0, 4, "ORG"], [0, 4, "ORG"]]}', "spans[1]", "duplicates"),
        ('{"text": "دَاعش", "label": [[0, 1, "ORG"]]}', "spans[0].end", "diacritics"),
        ("[1, 2]", "line", "JSON object"),
    ],
)
def test_doccano_bad_records_name_line_and_field(line, field, message):
    data = '{"text": "سطر سليم", "label": []}\n' + line + "\n"
    good, bad = parse(data, "doccano")
    assert isinstance(good, ImportRecord)
    assert isinstance(bad, RecordError)
    assert bad.origin.line == 2
    assert bad.field == field
    assert message in bad.message


def test_a_line_that_is_not_json_is_reported_with_its_line():
    (bad,) = parse('\n\n{"text": \n', "doccano")
    assert bad.origin.line == 3
    assert "not valid JSON" in bad.message


# ---- ours ----


def test_our_jsonl_keeps_span_ids_relations_attributes_and_annotator():
    text = "قال مسؤول إن داعش انسحب."
    line = {
        "id": 4,
        "external_id": "x-4",
        "title": "عنوان",
        "text": text,
        "annotator": "ann2",
        "spans": [
            {
                "id": "c1",
                "start": 0,
                "end": 23,
                "label": "CLAIM",
                "text": text[:23],
                "attributes": {"checkworthy": True, "claimant": None, "stance": "reports"},
            },
            {
                "id": "e1",
                "start": 13,
                "end": 17,
                "label": "MILITARY_GROUP",
                "text": "داعش",
                "attributes": {},
            },
        ],
        "relations": [{"type": "claimant", "from": "c1", "to": "e1"}],
        "document_labels": {"stance": {"isis": "against"}},
        "split": "train",
    }
    (record,) = only_records(parse(json.dumps(line, ensure_ascii=False) + "\n", "ours"))
    assert record.annotator == "ann2"
    assert record.external_id == "x-4"
    assert [s["id"] for s in record.content["spans"]] == ["c1", "e1"]
    assert record.content["spans"][0]["attributes"]["stance"] == "reports"
    assert record.content["relations"] == line["relations"]


def test_our_jsonl_refuses_a_span_whose_text_moved():
    line = {
        "text": "قال داعش",
        "spans": [{"id": "a", "start": 0, "end": 3, "label": "ORG", "text": "داعش"}],
    }
    (bad,) = parse(json.dumps(line) + "\n", "ours")
    assert bad.field == "spans[0].text"


def test_unknown_format_and_offset_mode_are_refused():
    with pytest.raises(ImportFormatError) as caught:
        parse(b"", "brat")
    assert caught.value.field == "format"
    with pytest.raises(ImportFormatError) as caught:
        parse(b"", "doccano", offsets="bytes")
    assert caught.value.field == "offsets"


def test_retired_labels_take_no_imported_spans():
    schema = default_schema()
    schema["entity_labels"][0]["retired"] = True  # PER
    data = b'{"text": "\xd8\xb9\xd9\x84\xd9\x8a", "label": [[0, 3, "PER"]]}\n'
    (bad,) = list(parse_annotations(data, name="f", format="doccano", schema=schema))
    assert bad.message == "label 'PER' is retired: it takes no new spans"
