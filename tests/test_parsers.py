"""corpus.lib.parsers: bytes to records, and every bad input named by file and line. No database."""

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpus.lib.parsers import (
    BadRecord,
    FormatError,
    Origin,
    ParsedArticle,
    detect_format,
    list_source_files,
    parse_bytes,
    parse_csv,
    parse_files,
    parse_jsonl,
    parse_txt,
    read_files,
)
from corpus.lib.text import canonicalise

FIXTURES = Path(__file__).parent / "fixtures"


def only(records):
    records = list(records)
    assert len(records) == 1, records
    return records[0]


def errors(records):
    return [str(r) for r in records if isinstance(r, BadRecord)]


def jsonl(*objects) -> bytes:
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects).encode()


# --- txt ----------------------------------------------------------------------------------


def test_txt_first_non_empty_line_is_the_title():
    record = parse_txt("\n\n  عنوان الخبر  \n\nالنص الأول.\nالنص الثاني.\n".encode(), name="a.txt")
    assert record == ParsedArticle(
        text="النص الأول.\nالنص الثاني.", origin=Origin("a.txt"), title="عنوان الخبر"
    )


def test_txt_without_title_keeps_the_whole_file_as_text():
    record = parse_txt("عنوان\nنص.\n".encode(), name="a.txt", title_from_first_line=False)
    assert (record.title, record.text) == ("", "عنوان\nنص.")


def test_txt_fixture_with_bom_and_crlf_is_canonical():
    data = (FIXTURES / "articles" / "03_bom_crlf.txt").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    record = parse_txt(data, name="03_bom_crlf.txt")
    assert record.title == "بيان وزارة الدفاع"
    assert record.text == "قالت الوزارة في بيان إن الطيران نفذ ١٢ غارة.\nوأكدت أن الخسائر محدودة."


def test_txt_keeps_diacritics_emoji_and_tatweel_as_written():
    folder = FIXTURES / "articles"
    diacritics = parse_txt((folder / "01_diacritics.txt").read_bytes(), name="d")
    assert "الرَّقَّة" in diacritics.text
    emoji = parse_txt((folder / "02_emoji.txt").read_bytes(), name="e")
    assert "👍🏽" in emoji.text and "👨\u200d👩\u200d👧" in emoji.text
    latin = parse_txt((folder / "04_tatweel_latin.txt").read_bytes(), name="t")
    assert "الجولـــــة" in latin.text and "Staffan de Mistura" in latin.text


def test_txt_names_file_byte_and_line_of_bad_utf8():
    record = parse_txt((FIXTURES / "bad_utf8.txt").read_bytes(), name="bad_utf8.txt")
    assert str(record) == (
        "bad_utf8.txt: not valid UTF-8 at byte 49 (line 2): invalid continuation byte"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (" \n\t\n", "a.txt: empty article (the file is blank)"),
        ("", "a.txt: empty article (the file is blank)"),
        ("عنوان فقط\n\n  \n", "a.txt: empty article (only a title line)"),
    ],
)
def test_txt_refuses_an_empty_article(content, message):
    assert str(parse_txt(content.encode(), name="a.txt")) == message


def test_txt_refuses_a_nul_character():
    record = parse_txt("عنوان\nنص\x00".encode(), name="a.txt")
    assert str(record) == "a.txt: text contains a NUL character (U+0000) at offset 2"


def test_txt_refuses_a_first_line_too_long_for_a_title():
    record = parse_txt(("ك" * 1001 + "\nنص").encode(), name="long.txt")
    assert str(record) == (
        "long.txt: the first line is too long for a title (1001 characters, at most 1000); "
        "import without titles from the first line"
    )


# --- jsonl --------------------------------------------------------------------------------


def test_jsonl_fixture_maps_fields_aliases_and_metadata():
    records = list(parse_jsonl((FIXTURES / "articles.jsonl").read_bytes(), name="f.jsonl"))
    assert [r.origin for r in records] == [
        Origin("f.jsonl", 1),
        Origin("f.jsonl", 3),  # the blank line 2 is skipped but still counted
        Origin("f.jsonl", 4),
    ]
    first, second, third = records
    assert first.external_id == "n-1"
    assert first.source == "وكالة محلية"
    assert first.url == "https://news.example/1"
    assert first.published_on == date(2018, 2, 5)
    assert second.external_id == "n-2"
    assert second.published_on == date(2018, 2, 6)
    assert second.metadata == {"section": "سياسة", "reviewed": True}
    assert second.text == "قال الناطق: “لن نتراجع”.\nوأضاف أن الاجتماع المقبل سيكون في 12/3."
    assert (third.title, third.metadata) == ("", {})
    assert "😀" in third.text


def test_jsonl_keeps_the_text_exactly_apart_from_canonical_form():
    text = "  \ufeffسطر\r\nسطر  \n"
    record = only(parse_jsonl(jsonl({"text": text}), name="f.jsonl"))
    assert record.text == "  \ufeffسطر\nسطر  \n"  # only line ends change; inner BOM stays


def test_jsonl_file_bom_and_crlf_line_ends():
    data = b"\xef\xbb\xbf" + '{"text": "أ"}\r\n{"text": "ب"}\r\n'.encode()
    assert [r.text for r in parse_jsonl(data, name="f.jsonl")] == ["أ", "ب"]


def test_jsonl_explicit_metadata_wins_over_unknown_keys():
    record = only(parse_jsonl(jsonl({"text": "ن", "k": 1, "metadata": {"k": 2}}), name="f"))
    assert record.metadata == {"k": 2}


def test_jsonl_numeric_id_becomes_text():
    assert only(parse_jsonl(jsonl({"text": "ن", "id": 17}), name="f")).external_id == "17"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            '{"text": "أ",}',
            "f.jsonl, line 2: not valid JSON: Expecting property name enclosed "
            "in double quotes (column 14)",
        ),
        ('["أ"]', "f.jsonl, line 2: expected a JSON object, got an array"),
        ('"أ"', "f.jsonl, line 2: expected a JSON object, got a string"),
        ('{"title": "أ"}', "f.jsonl, line 2: missing the required field 'text'"),
        ('{"text": 5}', "f.jsonl, line 2: text must be a string"),
        ('{"text": " \\n\\t "}', "f.jsonl, line 2: empty article (text is blank)"),
        (
            '{"text": "أ", "published_on": "18/03/2019"}',
            "f.jsonl, line 2: published_on must be an ISO date (YYYY-MM-DD), got '18/03/2019'",
        ),
        (
            '{"text": "أ", "published_date": "2019-02-30"}',
            "f.jsonl, line 2: published_on must be an ISO date (YYYY-MM-DD), got '2019-02-30'",
        ),
        (
            '{"text": "أ", "url": "javascript:alert(1)"}',
            "f.jsonl, line 2: url must be an http(s) URL, got 'javascript:alert(1)'",
        ),
        ('{"text": "أ", "metadata": [1]}', "f.jsonl, line 2: metadata must be a JSON object"),
        ('{"text": "أ", "title": ["x"]}', "f.jsonl, line 2: title must be a string"),
        (
            '{"text": "أب\\u0000ج"}',
            "f.jsonl, line 2: text contains a NUL character (U+0000) at offset 2",
        ),
        (
            '{"text": "أ", "source": "\\u0000"}',
            "f.jsonl, line 2: source contains a NUL character (U+0000)",
        ),
        (
            '{"text": "أ", "source": "' + "s" * 301 + '"}',
            "f.jsonl, line 2: source is longer than 300 characters (301)",
        ),
    ],
)
def test_jsonl_bad_line_is_named(line, message):
    data = jsonl({"text": "سليم"}) + line.encode() + b"\n" + jsonl({"text": "سليم أيضا"})
    records = list(parse_jsonl(data, name="f.jsonl"))
    assert errors(records) == [message]
    assert [r.text for r in records if isinstance(r, ParsedArticle)] == ["سليم", "سليم أيضا"]


def test_jsonl_bad_utf8_names_line_and_byte():
    data = jsonl({"text": "أ"}) + b'{"text": "\xff"}\n'
    assert errors(parse_jsonl(data, name="f.jsonl")) == [
        f"f.jsonl, line 2: not valid UTF-8 at byte {len(jsonl({'text': 'أ'})) + 10}: "
        "invalid start byte"
    ]


@given(st.text(min_size=1).filter(lambda t: t.strip()))
def test_jsonl_round_trips_any_text(text):
    record = only(parse_jsonl(jsonl({"text": text}), name="f.jsonl"))
    if canonicalise(text).strip() and "\x00" not in text:
        assert record.text == canonicalise(text)
    else:
        assert isinstance(record, BadRecord)


# --- csv ----------------------------------------------------------------------------------


def test_csv_fixture_with_bom_crlf_quotes_and_empty_cells():
    records = list(parse_csv((FIXTURES / "articles.csv").read_bytes(), name="f.csv"))
    assert [r.origin for r in records] == [Origin("f.csv", 2), Origin("f.csv", 4)]
    first, second = records
    assert first.external_id == "c-1"
    assert first.title == "عودة النازحين"
    assert first.text == (
        'بدأ مئات النازحين العودة إلى منازلهم في تدمر.\nوقال أحدهم: "البيت مهدّم لكننا عدنا".'
    )
    assert first.published_on == date(2017, 3, 2)
    assert first.metadata == {"section": "تقارير"}
    assert (second.title, second.source, second.published_on, second.metadata) == (
        "",
        "",
        None,
        {},
    )


def test_csv_without_text_column_says_so():
    data = "title,body\nعنوان,نص\n".encode()
    assert errors(parse_csv(data, name="f.csv")) == [
        "f.csv, line 1: no 'text' column in the header (columns: 'title', 'body')"
    ]


def test_csv_header_is_case_insensitive():
    assert only(parse_csv("Text,Title\nنص,عنوان\n".encode(), name="f")).title == "عنوان"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("text,title\nنص,عنوان,زائد\n", "f.csv, line 2: 3 fields, but the header has 2 columns"),
        ("text,title\n   ,عنوان\n", "f.csv, line 2: empty article (text is blank)"),
        (
            "text,published_on\nنص,أمس\n",
            "f.csv, line 2: published_on must be an ISO date (YYYY-MM-DD), got 'أمس'",
        ),
        ("text,metadata\nنص,not json\n", "f.csv, line 2: metadata must be a JSON object"),
        ('text\n"نص "غير" مغلق\n', "f.csv, line 2: malformed CSV: ',' expected after '\"'"),
        ("", "f.csv: the file is empty (no header row)"),
    ],
)
def test_csv_bad_rows_are_named(rows, message):
    assert errors(parse_csv(rows.encode(), name="f.csv")) == [message]


def test_csv_line_numbers_count_multiline_cells():
    data = 'text,published_on\n"سطر\nسطر\nسطر",2019-01-01\nنص,bad\n'.encode()
    assert errors(parse_csv(data, name="f.csv")) == [
        "f.csv, line 5: published_on must be an ISO date (YYYY-MM-DD), got 'bad'"
    ]


def test_csv_bad_utf8_names_byte_and_line():
    data = "text\nسليم\n".encode() + b"caf\xe9\n"
    assert errors(parse_csv(data, name="f.csv")) == [
        "f.csv: not valid UTF-8 at byte 17 (line 3): invalid continuation byte"
    ]


def test_csv_cells_longer_than_the_csv_module_default_limit():
    long_text = "كلمة " * 40_000
    data = ("text\n" + long_text + "\n").encode()
    assert only(parse_csv(data, name="f.csv")).text == long_text


# --- detection and files --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.txt", "txt"), ("A.JSONL", "jsonl"), ("a.ndjson", "jsonl"), ("x/y.csv", "csv")],
)
def test_format_is_detected_by_extension(name, fmt):
    assert detect_format(name) == fmt


def test_format_override_wins_and_unknown_is_refused():
    assert detect_format("data.dump", override="jsonl") == "jsonl"
    with pytest.raises(FormatError) as caught:
        detect_format("data.dump")
    assert str(caught.value) == (
        "cannot tell the format of 'data.dump' from its extension; name it .txt, .jsonl or "
        ".csv, or give the format (txt, jsonl, csv)"
    )
    with pytest.raises(FormatError, match="unknown format 'xml'; use one of txt, jsonl, csv"):
        detect_format("a.txt", override="xml")


def test_parse_bytes_with_a_format_override():
    record = only(parse_bytes(jsonl({"text": "ن"}), name="dump.data", format="jsonl"))
    assert record.text == "ن"


def test_folder_files_in_name_order_hidden_skipped(tmp_path):
    for name in ["b.txt", "a.txt", ".hidden.txt", "notes.md", "c.jsonl"]:
        (tmp_path / name).write_text("عنوان\nنص", encoding="utf-8")
    assert [p.name for p in list_source_files(tmp_path)] == ["a.txt", "b.txt", "c.jsonl"]
    assert [p.name for p in list_source_files(tmp_path, format="txt")] == ["a.txt", "b.txt"]


def test_folder_errors_name_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing: no such file or folder"):
        list_source_files(tmp_path / "missing")
    with pytest.raises(FormatError, match=r"no files to import \(looked for .csv, .jsonl"):
        list_source_files(tmp_path)


def test_fixture_folder_parses_into_four_articles():
    paths = list_source_files(FIXTURES / "articles")
    records = list(parse_files(read_files(paths)))
    assert all(isinstance(r, ParsedArticle) for r in records)
    assert [r.origin.file.rsplit("/", 1)[1] for r in records] == [
        "01_diacritics.txt",
        "02_emoji.txt",
        "03_bom_crlf.txt",
        "04_tatweel_latin.txt",
    ]
