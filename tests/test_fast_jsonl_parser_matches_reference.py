"""The fast JSONL parser gives exactly the records the earlier line-by-line one gave.

tests/parsers_reference.py keeps the earlier implementation verbatim as the oracle; the one
deliberate difference is a lone UTF-16 surrogate, which the oracle let through to crash the
import and the parser now names as a bad record.
"""

import json

from hypothesis import example, given, settings
from hypothesis import strategies as st

from corpus.lib.parsers import BadRecord, Origin, ParsedArticle, parse_jsonl
from corpus.lib.text import canonicalise
from tests import parsers_reference

# Text with the characters canonicalisation and field checks care about.
TRICKY = "ab ا\u0627\u0653\u064e\ufeff\r\n\t\x00 \u00a0\u2028\x0b\x0cé\u0301😀"
tricky_text = st.text(alphabet=TRICKY, max_size=12)
keys = st.sampled_from(
    [
        "text",
        " text ",
        "title",
        "source",
        "url",
        "published_on",
        "published_date",
        "external_id",
        "id",
        " id",
        "metadata",
        "section",
        "\u00a0title",
    ]
)
values = st.one_of(
    tricky_text,
    st.none(),
    st.booleans(),
    st.integers(-5, 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            "2019-03-18",
            "2019-03-18T10:00:00",
            "18/03/2019",
            "https://example.org/a",
            "ftp://x",
            "x" * 1001,
            "",
        ]
    ),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.sampled_from(["a", "b"]), st.integers(0, 3), max_size=2),
)
objects = st.dictionaries(keys, values, max_size=6)


def line_of(obj, ensure_ascii: bool) -> str:
    return json.dumps(obj, ensure_ascii=ensure_ascii, allow_nan=True)


lines = st.one_of(
    st.builds(line_of, objects, st.booleans()),
    st.sampled_from(
        [
            "",
            "   ",
            "\t\r",
            "\u00a0",
            "\u2028",
            "[1, 2]",
            '"text"',
            "null",
            "7",
            '{"text": ',
            "{'text': 'x'}",
            '{"text": "a"} trailing',
            "\ufeff{}",
        ]
    ),
)


@st.composite
def jsonl_files(draw) -> bytes:
    body = "\n".join(draw(st.lists(lines, max_size=8)))
    data = body.encode("utf-8")
    if draw(st.booleans()):
        data = data.replace(b"\n", b"\r\n")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    if draw(st.booleans()):
        data += b"\n"
    if data and draw(st.integers(0, 5)) == 0:  # a bad byte somewhere
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + b"\xff" + data[at:]
    return data


def as_list(records):
    return [(type(r).__name__, r) for r in records]


METADATA_NUL = "metadata contains a NUL character (U+0000)"


def as_now(records):
    """The oracle's records as the parser gives them now: metadata with a NUL character, which
    the oracle let through to fail in PostgreSQL, is a bad record."""
    return [
        BadRecord(r.origin, METADATA_NUL)
        if isinstance(r, ParsedArticle) and "\\u0000" in json.dumps(r.metadata)
        else r
        for r in records
    ]


@given(jsonl_files())
@settings(max_examples=1500)
@example(b'{"id": 1, "external_id": 2, " id": 3, "text": "x"}')
@example(b'{"text": "a"}\n\xff\n{"text": "b"}\n')
@example(b'\xef\xbb\xbf{"text": "\\r\\n\xd8\xa7\xd9\x93"}\r\n\r\n')
@example(b'{"text": " \\u00a0 "}\n{"text": "\\u0000x"}')
@example(b'{"text": "x", "title": "x\\u0000", "m": "\\u0000"}')
@example(b'{"text":\n"x"}\n{"text": "x"} {"b": 1}\n{"text": "x"}\x0c\n')  # not one object a line
@example(b'  {"text": "x"}\n{"text": "y"}  \t\r\n\t\n{"text": "z"}\r')
def test_parse_jsonl_matches_the_line_by_line_parser(data):
    assert as_list(parse_jsonl(data, name="f.jsonl")) == as_list(
        as_now(parsers_reference.parse_jsonl(data, name="f.jsonl"))
    )


@given(st.text(alphabet=TRICKY, max_size=40))
def test_canonicalise_matches_the_previous_one(text):
    assert canonicalise(text) == parsers_reference.canonicalise(text)


def test_a_lone_surrogate_is_a_bad_record_naming_the_field():
    data = b'{"text": "ok"}\n{"title": "\\ud800", "text": "x"}\n{"text": "\\udc00"}\n'
    records = list(parse_jsonl(data, name="f.jsonl"))
    assert records[1:] == [
        BadRecord(
            Origin("f.jsonl", 2), "'title' holds an unpaired surrogate (\\ud800): not Unicode text"
        ),
        BadRecord(
            Origin("f.jsonl", 3), "'text' holds an unpaired surrogate (\\udc00): not Unicode text"
        ),
    ]


def test_a_surrogate_pair_is_one_character_and_fine():
    data = b'{"text": "\\ud83d\\ude00 \\\\ud800", "m": {"k": ["\\u0041"]}}'
    (record,) = parse_jsonl(data, name="f")
    assert record.text == "😀 \\ud800"
    assert record.metadata == {"m": {"k": ["A"]}}


def test_surrogates_deep_in_metadata_are_found():
    data = b'{"text": "x", "metadata": {"a": [1, {"\\udfff": 2}]}}'
    (record,) = parse_jsonl(data, name="f")
    assert record == BadRecord(
        Origin("f", 1), "'metadata' holds an unpaired surrogate (\\udfff): not Unicode text"
    )


def test_a_nul_character_in_metadata_is_a_bad_record():
    data = (
        b'{"text": "x", "metadata": {"a": ["\\u0000"]}}\n'
        b'{"text": "x", "extra\\u0000": 1}\n'
        b'{"text": "x", "metadata": {"a": "\\\\u0000"}}\n'
    )
    records = list(parse_jsonl(data, name="f"))
    assert records[:2] == [
        BadRecord(Origin("f", 1), METADATA_NUL),
        BadRecord(Origin("f", 2), METADATA_NUL),
    ]
    assert records[2].metadata == {"a": "\\u0000"}  # an escaped backslash, not a NUL


def test_checks_of_deeply_nested_metadata_need_no_recursion():
    def line(inner: str) -> bytes:
        return b'{"text": "x", "m": ' + b"[" * 1400 + inner.encode() + b"]" * 1400 + b"}"

    plain, nul, surrogate = parse_jsonl(
        line("") + b"\n" + line('"\\u0000"') + b"\n" + line('"\\ud800"'), name="f"
    )
    assert isinstance(plain, ParsedArticle)
    assert nul == BadRecord(Origin("f", 2), METADATA_NUL)
    assert surrogate == BadRecord(
        Origin("f", 3), "'m' holds an unpaired surrogate (\\ud800): not Unicode text"
    )


def test_a_number_too_long_to_convert_is_a_bad_record():
    data = b'{"text": "x", "n": ' + b"7" * 5000 + b"}\n"
    (record,) = parse_jsonl(data, name="f")
    assert isinstance(record, BadRecord) and record.message.startswith("not valid JSON: ")


def test_json_nested_too_deeply_is_a_bad_record():
    data = b'{"text": "x"}\n' + b"[" * 100_000 + b"]" * 100_000 + b"\n"
    records = list(parse_jsonl(data, name="f"))
    assert records[1] == BadRecord(Origin("f", 2), "not valid JSON: nested too deeply")
