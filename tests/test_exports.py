"""Pure export writers: JSONL, CoNLL BIO, stance CSV, split, manifest, deterministic zip."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
import time
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.lib.exports import archive
from annotate.lib.exports.archive import FileInfo, zip_stream
from annotate.lib.exports.conll import (
    articles_lines,
    bio_lines,
    conll_lines,
    layer_spans,
    split_tokens,
    tag_names,
)
from annotate.lib.exports.jsonl import gold_jsonl_lines, raw_jsonl_lines
from annotate.lib.exports.manifest import build_manifest
from annotate.lib.exports.records import (
    ExportError,
    ExportStats,
    GoldRecord,
    RawRecord,
    counting_gold,
)
from annotate.lib.exports.split import (
    SplitError,
    assign_split,
    check_seed,
    parse_ratios,
    plan_split,
    split_point,
    unit_key,
)
from annotate.lib.exports.stance_csv import stance_csv_lines
from annotate.lib.exports.tokens import token_lines
from annotate.lib.schema import default_schema
from corpus.lib.text import tokenize
from tests.factories import span, span_of

TEXT = "قال المتحدث إن وداعش انسحب من الرقة. وأكد الجيش السوري ذلك؟ نعم\nسطر جديد 😀 هنا"
ENTITIES = {"PER", "ORG", "LOC", "GPE", "MILITARY_GROUP", "EVENT", "DATE"}


def content(spans=(), relations=(), stance=None):
    return {
        "spans": list(spans),
        "relations": list(relations),
        "document_labels": {"stance": dict(stance or {})},
    }


def record(text=TEXT, spans=(), stance=None, article_id=7, split="train", relations=()):
    return GoldRecord(
        article_id=article_id,
        external_id="ext-7",
        title="عنوان",
        text=text,
        content=content(spans, relations, stance),
        split=split,
    )


ISIS_IN_CLITIC = span(TEXT, TEXT.index("وداعش") + 1, TEXT.index("وداعش") + 5, "MILITARY_GROUP")
RAQQA = span_of(TEXT, "الرقة", "GPE")
ARMY = span_of(TEXT, "الجيش السوري", "MILITARY_GROUP")


# ---- JSONL ----


def test_gold_jsonl_has_one_article_a_line_with_slicing_spans():
    lines = list(gold_jsonl_lines([record(spans=[RAQQA, ISIS_IN_CLITIC])]))
    assert len(lines) == 1 and lines[0].endswith("\n") and lines[0].count("\n") == 1
    row = json.loads(lines[0])
    assert list(row) == [
        "id",
        "external_id",
        "title",
        "text",
        "spans",
        "relations",
        "document_labels",
        "split",
    ]
    assert [s["text"] for s in row["spans"]] == ["داعش", "الرقة"]
    for s in row["spans"]:
        assert row["text"][s["start"] : s["end"]] == s["text"]
    # Real UTF-8, not \\u escapes.
    assert "داعش" in lines[0]


def test_jsonl_bytes_do_not_depend_on_stored_key_or_span_order():
    shuffled = {k: dict(reversed(list(v.items()))) for k, v in enumerate([RAQQA, ARMY])}
    a = list(gold_jsonl_lines([record(spans=[RAQQA, ARMY], stance={"isis": "against", "a": "x"})]))
    b = list(
        gold_jsonl_lines(
            [record(spans=[shuffled[1], shuffled[0]], stance={"a": "x", "isis": "against"})]
        )
    )
    assert a == b


def test_a_span_that_does_not_slice_its_text_is_refused():
    bad = dict(RAQQA, text="دمشق")
    with pytest.raises(ExportError, match="does not slice"):
        list(gold_jsonl_lines([record(spans=[bad])]))
    with pytest.raises(ExportError):
        list(gold_jsonl_lines([record(spans=[dict(RAQQA, end=len(TEXT) + 5)])]))


def test_raw_jsonl_names_the_annotator():
    raw = RawRecord(
        annotation_id=3,
        article_id=7,
        external_id="",
        title="",
        text=TEXT,
        annotator="salma",
        submitted_at="2024-01-02T03:04:05+00:00",
        schema_version=2,
        content=content([RAQQA]),
        split="dev",
    )
    row = json.loads(next(raw_jsonl_lines([raw])))
    assert row["annotator"] == "salma"
    assert row["annotation_id"] == 3
    assert row["spans"][0]["text"] == "الرقة"
    assert row["split"] == "dev"


# ---- CoNLL ----


def conll_rows(text, spans):
    kept, _ = layer_spans(spans, labels=ENTITIES)
    return list(bio_lines(text, kept))


def test_conll_splits_a_clitic_off_the_entity():
    rows = [r.split("\t") for r in conll_rows(TEXT, [ISIS_IN_CLITIC]) if r != "\n"]
    start = TEXT.index("وداعش")
    assert ["و", str(start), str(start + 1), "O\n"] in rows
    assert ["داعش", str(start + 1), str(start + 5), "B-MILITARY_GROUP\n"] in rows


def test_conll_tags_multi_token_entities_b_then_i():
    rows = [r.rstrip("\n").split("\t") for r in conll_rows(TEXT, [ARMY]) if r != "\n"]
    tags = {row[0]: row[3] for row in rows}
    assert tags["الجيش"] == "B-MILITARY_GROUP"
    assert tags["السوري"] == "I-MILITARY_GROUP"
    assert tags["وأكد"] == "O"


def test_conll_offsets_slice_the_text_and_sentences_end_with_a_blank_line():
    rows = conll_rows(TEXT, [ARMY, RAQQA, ISIS_IN_CLITIC])
    tokens = [r.rstrip("\n").split("\t") for r in rows if r != "\n"]
    for token, start, end, _tag in tokens:
        assert TEXT[int(start) : int(end)] == token
    sentences = "".join(rows).split("\n\n")
    # "... الرقة ." | "... ذلك ؟" | "نعم" (line break) | "سطر جديد 😀 هنا"
    assert len([s for s in sentences if s.strip()]) == 4
    assert rows[-1] == "\n"


def test_conll_never_breaks_a_sentence_inside_an_entity():
    text = "زار وفد من الولايات المتحدة.الأمريكية المدينة."
    entity = span_of(text, "الولايات المتحدة.الأمريكية", "GPE")
    rows = conll_rows(text, [entity])
    body = "".join(rows)
    block = body.split("\n\n")[0]
    assert "الأمريكية" in block


def conll_columns(lines):
    return [line.rstrip("\n").split("\t") for line in lines if line != "\n"]


def test_conll_puts_the_longest_of_overlapping_entities_in_ner_the_next_in_nested():
    inner = span_of(TEXT, "السوري", "GPE")
    innermost = span_of(TEXT, "السو", "LOC")
    stats = ExportStats()
    lines = list(
        conll_lines([record(spans=[ARMY, inner, innermost])], entity_labels=ENTITIES, stats=stats)
    )
    assert stats.conll_overlapping_dropped == 1  # a third layer does not exist
    rows = {row[0]: row for row in conll_columns(lines)}
    assert rows["الجيش"][3:] == ["B-MILITARY_GROUP", "O", "O"]
    # The token is cut at the innermost span's end, as the dropped span still cuts nothing:
    # only written spans cut tokens.
    assert rows["السوري"][3:] == ["I-MILITARY_GROUP", "B-GPE", "O"]


def test_conll_starts_every_article_with_docstart_and_has_a_claim_column():
    claim = span(TEXT, 0, TEXT.index("."), "CLAIM", checkworthy=True, claimant=None, stance=None)
    records = [record(spans=[claim, RAQQA]), record(article_id=8, text="نص آخر.")]
    lines = list(conll_lines(records, entity_labels=ENTITIES, claim_label="CLAIM"))
    assert lines[:2] == ["-DOCSTART-\t-X-\t-X-\tO\tO\tO\n", "\n"]
    assert sum(line.startswith("-DOCSTART-") for line in lines) == 2
    assert not any(line.startswith("# ") for line in lines)
    rows = conll_columns(lines)
    assert all(len(row) == 6 for row in rows)
    assert rows[1][0] == "قال" and rows[1][5] == "B-CLAIM"
    assert {row[5] for row in rows[2:8]} == {"I-CLAIM"}
    raqqa = next(row for row in rows if row[0] == "الرقة")
    assert raqqa[3:] == ["B-GPE", "O", "I-CLAIM"]
    side = [json.loads(line) for line in articles_lines(records)]
    assert side == [
        {"doc": 1, "id": 7, "external_id": "ext-7", "title": "عنوان", "split": "train"},
        {"doc": 2, "id": 8, "external_id": "ext-7", "title": "عنوان", "split": "train"},
    ]


HARD_TOKENS_TEXT = "# وسم \"قال\" 'نعم' #داعش «الرقة» “هنا” ## ."


def read_conll_as_readers_do(data: str) -> list[list[tuple[str, str]]]:
    """The reading loop of the Hugging Face conll2003 loader and of conlleval: documents
    begin with -DOCSTART-, a blank line ends a sentence, columns split on whitespace."""
    sentences, current = [], []
    for line in data.splitlines():
        if line.startswith("-DOCSTART-") or not line.strip():
            if current:
                sentences.append(current)
                current = []
            continue
        columns = line.split()
        current.append((columns[0], columns[3]))
    if current:
        sentences.append(current)
    return sentences


def test_hash_and_quote_tokens_read_back_exactly_with_conll_readers(tmp_path, monkeypatch):
    import nltk
    from nltk.corpus.reader.conll import ConllCorpusReader
    from seqeval.metrics.sequence_labeling import get_entities

    text = HARD_TOKENS_TEXT
    spans = [span_of(text, "الرقة", "GPE")]
    data = "".join(conll_lines([record(text=text, spans=spans)], entity_labels=ENTITIES))
    expected = [t.text for t in tokenize(text)]
    sentences = read_conll_as_readers_do(data)
    assert [token for sentence in sentences for token, _ in sentence] == expected
    assert data.splitlines()[2].startswith("#\t0\t1\tO")
    tags = [tag for sentence in sentences for _, tag in sentence]
    assert get_entities(tags) == [("GPE", expected.index("الرقة"), expected.index("الرقة"))]

    # NLTK reads corpora only from its data path: the test's folder joins it.
    monkeypatch.setattr(nltk.data, "path", [*nltk.data.path, str(tmp_path)])
    (tmp_path / "a.conll").write_text(data, encoding="utf-8")
    reader = ConllCorpusReader(
        str(tmp_path), ["a.conll"], ("words", "ignore", "ignore", "ne", "ignore", "ignore")
    )
    words = [w for w in reader.words() if w != "-DOCSTART-"]
    assert words == expected


def test_conll_reads_in_pandas_with_every_token_intact():
    import csv

    import pandas

    text = HARD_TOKENS_TEXT
    data = "".join(conll_lines([record(text=text)], entity_labels=ENTITIES))
    frame = pandas.read_csv(
        io.StringIO(data),
        sep="\t",
        header=None,
        quoting=csv.QUOTE_NONE,
        keep_default_na=False,
        names=["token", "start", "end", "ner", "nested", "claim"],
    )
    frame = frame[frame["token"] != "-DOCSTART-"]
    # With pandas' default quoting every token but a lone ASCII '"' reads back as well:
    # "#", "'", « », “ ” (what Arabic news uses).
    typographic = HARD_TOKENS_TEXT.replace('"', "")
    data = "".join(conll_lines([record(text=typographic)], entity_labels=ENTITIES))
    default = pandas.read_csv(io.StringIO(data), sep="\t", header=None, keep_default_na=False)
    default = default[default[0] != "-DOCSTART-"]
    assert list(default[0]) == [t.text for t in tokenize(typographic)]
    assert list(frame["token"]) == [t.text for t in tokenize(text)]
    assert all(
        text[int(a) : int(b)] == t
        for t, a, b in zip(frame["token"], frame["start"], frame["end"], strict=True)
    )


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_split_tokens_cover_the_same_text_and_cut_at_every_inner_boundary(data):
    text = data.draw(
        st.text(alphabet="وداعشالرقة 0123.،😀\u064e", min_size=1, max_size=40), label="text"
    )
    boundaries = data.draw(st.sets(st.integers(0, len(text))), label="boundaries")
    tokens = tokenize(text)
    pieces = list(split_tokens(tokens, boundaries))
    assert "".join(p.text for p in pieces) == "".join(t.text for t in tokens)
    for piece in pieces:
        assert text[piece.start : piece.end] == piece.text
        assert not any(piece.start < b < piece.end for b in boundaries)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_every_entity_begins_with_b_and_bio_never_starts_with_i(data):
    words = [t for t in tokenize(TEXT) if t.kind == "word"]
    chosen = data.draw(st.lists(st.sampled_from(words), max_size=5, unique=True))
    spans = [span(TEXT, t.start, t.end, "LOC") for t in chosen]
    rows = [r.rstrip("\n").split("\t") for r in conll_rows(TEXT, spans) if r != "\n"]
    previous = "O"
    begins = 0
    for _token, _start, _end, tag in rows:
        if tag.startswith("I-"):
            assert previous != "O"
        begins += tag.startswith("B-")
        previous = tag
    assert begins == len(spans)


# ---- stance CSV ----


# ---- token classification ----

LABEL_ORDER = ["PER", "ORG", "LOC", "GPE", "MILITARY_GROUP", "EVENT", "DATE"]


def test_tag_names_are_o_then_b_and_i_of_each_label_in_schema_order():
    assert tag_names(["PER", "GPE"]) == ["O", "B-PER", "I-PER", "B-GPE", "I-GPE"]


def test_token_classification_has_the_conll_tokens_with_tag_indices_and_offsets():
    spans = [ISIS_IN_CLITIC, RAQQA, ARMY, span_of(TEXT, "وأكد الجيش", "CLAIM")]
    (line,) = token_lines([record(spans=spans)], entity_labels=LABEL_ORDER)
    row = json.loads(line)
    assert list(row) == ["id", "external_id", "tokens", "ner_tags", "token_offsets", "split"]
    names = tag_names(LABEL_ORDER)
    conll = [r.rstrip("\n").split("\t") for r in conll_rows(TEXT, spans) if r != "\n"]
    assert row["tokens"] == [token for token, *_ in conll]
    assert [names[i] for i in row["ner_tags"]] == [tag for *_, tag in conll]
    assert row["token_offsets"] == [[int(start), int(end)] for _, start, end, _ in conll]
    pairs = zip(row["tokens"], row["token_offsets"], strict=True)
    assert all(TEXT[start:end] == token for token, (start, end) in pairs)
    at = row["tokens"].index("داعش")
    assert row["tokens"][at - 1] == "و" and names[row["ner_tags"][at - 1]] == "O"
    assert names[row["ner_tags"][at]] == "B-MILITARY_GROUP"
    assert line == "".join(token_lines([record(spans=spans[::-1])], entity_labels=LABEL_ORDER))


def test_stance_csv_has_a_header_and_one_row_per_labelled_target():
    text = "".join(
        stance_csv_lines(
            [
                record(stance={"syrian_army": "favor", "isis": "against"}),
                record(article_id=8, stance={}),
                record(article_id=9, stance={"isis": 'say "no", really'}, split="test"),
            ]
        )
    )
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["article_id", "target", "label", "split"],
        ["7", "isis", "against", "train"],
        ["7", "syrian_army", "favor", "train"],
        ["9", "isis", 'say "no", really', "test"],
    ]


# ---- split ----


def test_ratios_are_parsed_and_checked():
    assert parse_ratios("0.7,0.2,0.1").as_dict() == {"train": 0.7, "dev": 0.2, "test": 0.1}
    for bad, message in [
        ("0.8,0.2", "three ratios"),
        ("0.8,0.1,x", "not a number"),
        ("0.9,0.2,-0.1", "between 0 and 1"),
        ("0.5,0.1,0.1", "sum to 1"),
    ]:
        with pytest.raises(SplitError, match=message) as caught:
            parse_ratios(bad)
        assert caught.value.field == "ratios"
    with pytest.raises(SplitError):
        check_seed("seven")
    assert check_seed("7") == 7


def key(n: int) -> str:
    """A content hash, as Article.content_hash holds it."""
    return hashlib.sha256(f"article {n}".encode()).hexdigest()


def test_split_is_deterministic_and_stable_as_the_project_grows():
    ratios = parse_ratios("0.8,0.1,0.1")
    small = {i: assign_split(key(i), seed=3, ratios=ratios) for i in range(1, 500)}
    large = {i: assign_split(key(i), seed=3, ratios=ratios) for i in range(1, 5000)}
    assert all(large[i] == small[i] for i in small)
    other_seed = {i: assign_split(key(i), seed=4, ratios=ratios) for i in range(1, 500)}
    assert other_seed != small
    # A project this size needs no moves: the plan is the thresholds.
    plan = plan_split(map(key, range(1, 500)), seed=3, ratios=ratios)
    assert plan.moved == ()
    assert all(plan.split_of(key(i)) == small[i] for i in small)


def test_split_proportions_follow_the_ratios():
    ratios = parse_ratios("0.6,0.3,0.1")
    n = 20_000
    counts = {"train": 0, "dev": 0, "test": 0}
    for i in range(n):
        counts[assign_split(key(i), seed=11, ratios=ratios)] += 1
    assert abs(counts["train"] / n - 0.6) < 0.015
    assert abs(counts["dev"] / n - 0.3) < 0.015
    assert abs(counts["test"] / n - 0.1) < 0.015


def test_degenerate_ratios_put_everything_in_one_split():
    for ratios, only in (("1,0,0", "train"), ("0,0,1", "test")):
        plan = plan_split(map(key, range(300)), seed=1, ratios=parse_ratios(ratios))
        assert {plan.split_of(key(i)) for i in range(300)} == {only}


def test_eight_articles_get_a_dev_and_a_test_set():
    """The issue's case: eight gold articles came out 7/0/1."""
    ratios = parse_ratios("0.8,0.1,0.1")
    for seed in range(50):
        plan = plan_split(map(key, range(8)), seed=seed, ratios=ratios)
        splits = [plan.split_of(key(i)) for i in range(8)]
        assert {"train", "dev", "test"} == set(splits), seed


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 2**63 - 1),
    st.lists(st.integers(0, 10**6), min_size=3, max_size=12, unique=True),
    st.sampled_from(["0.8,0.1,0.1", "0.98,0.01,0.01", "0.01,0.01,0.98", "0.3,0.3,0.4"]),
)
def test_three_or_more_articles_fill_every_split_by_moving_few(seed, numbers, ratios_text):
    ratios = parse_ratios(ratios_text)
    keys = [key(n) for n in numbers]
    plan = plan_split(keys, seed=seed, ratios=ratios)
    assert {plan.split_of(k) for k in keys} == {"train", "dev", "test"}
    assert len(plan.moved) <= 2
    moved = dict(plan.moved)
    for k in keys:
        if k not in moved:
            assert plan.split_of(k) == assign_split(k, seed=seed, ratios=ratios)
    # The same set in any order gives the same plan.
    assert plan_split(reversed(keys), seed=seed, ratios=ratios) == plan


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**63 - 1), st.lists(st.integers(0, 3), min_size=1, max_size=8))
def test_a_ratio_of_zero_stays_empty_and_fewer_than_three_units_move_nothing(seed, numbers):
    keys = [key(n) for n in numbers]
    plan = plan_split(keys, seed=seed, ratios=parse_ratios("0.5,0.5,0"))
    assert "test" not in {plan.split_of(k) for k in keys}
    if len(set(keys)) < 3:
        assert plan_split(keys, seed=seed, ratios=parse_ratios("0.8,0.1,0.1")).moved == ()


def test_a_group_shares_one_split_and_articles_without_one_keep_their_hash():
    assert unit_key("ab" * 32, "story-7") == "group:story-7"
    assert unit_key("ab" * 32, None) == unit_key("ab" * 32, "") == "ab" * 32
    ratios = parse_ratios("0.4,0.3,0.3")
    keys = [unit_key(key(i), f"story-{i % 4}") for i in range(40)]
    plan = plan_split(keys, seed=2, ratios=ratios)
    by_story: dict[str, set[str]] = {}
    for i, k in enumerate(keys):
        by_story.setdefault(f"story-{i % 4}", set()).add(plan.split_of(k))
    assert all(len(splits) == 1 for splits in by_story.values())


def test_split_point_is_sha256_of_seed_and_key():
    digest = hashlib.sha256(b"5:" + key(42).encode()).digest()
    assert split_point(key(42), 5) == int.from_bytes(digest[:8], "big") / 2**64


# ---- zip and manifest ----


def entries():
    return [
        ("a.jsonl", (f'{{"n":{i},"t":"نص"}}\n' for i in range(5000))),
        ("b.csv", iter(["x,y\n", "1,2\n"])),
    ]


def test_zip_is_byte_identical_for_the_same_entries_and_holds_their_hashes():
    def finish(files: list[FileInfo]):
        return [("manifest.json", json.dumps([f.sha256 for f in files]).encode())]

    first = b"".join(zip_stream(entries(), finish=finish))
    second = b"".join(zip_stream(entries(), finish=finish))
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert archive.namelist() == ["a.jsonl", "b.csv", "manifest.json"]
        assert archive.testzip() is None
        hashes = json.loads(archive.read("manifest.json"))
        assert hashes[0] == hashlib.sha256(archive.read("a.jsonl")).hexdigest()
        assert archive.read("b.csv") == b"x,y\n1,2\n"


def export_threads():
    return [t for t in threading.enumerate() if t.name.startswith("export-")]


def test_an_error_while_lines_are_written_reaches_the_caller_and_stops_the_thread():
    def lines():
        for i in range(2000):
            yield f"{i} {'نص' * 100}\n"
        raise ExportError("article 9: bad span")

    with pytest.raises(ExportError, match="bad span"):
        b"".join(zip_stream([("a.jsonl", lines())]))
    assert export_threads() == []


def test_a_stream_closed_early_stops_its_thread():
    stream = zip_stream([("a.jsonl", (f"{i} {'نص' * 100}\n" for i in range(100_000)))])
    assert next(stream)
    assert export_threads()
    stream.close()
    assert export_threads() == []


def test_the_zip_holds_every_line_of_a_large_entry_in_order():
    lines = [f'{{"n":{i},"t":"{"نص" * (i % 50)}"}}\n' for i in range(20_000)]
    infos = []
    data = b"".join(zip_stream([("a.jsonl", iter(lines))], on_progress=infos.append))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        body = archive.read("a.jsonl")
    assert body == "".join(lines).encode("utf-8")
    assert infos == [FileInfo("a.jsonl", hashlib.sha256(body).hexdigest(), len(body), 20_000)]


def test_the_zip_bytes_do_not_depend_on_how_the_compressing_thread_is_fed(monkeypatch):
    """Batches handed to the compressing thread vary with timing: the bytes must not."""
    lines = [f'{{"n":{i},"t":"{TEXT[: i % len(TEXT)]}"}}\n' for i in range(30_000)]
    expected = b"".join(zip_stream([("a.jsonl", iter(lines))]))
    for chunk, batch in [(1 << 10, 1 << 12), (1 << 12, 1 << 22), (1 << 20, 1 << 20)]:
        monkeypatch.setattr(archive, "CHUNK", chunk)
        monkeypatch.setattr(archive, "MAX_BATCH", batch)
        assert b"".join(zip_stream([("a.jsonl", iter(lines))])) == expected
    # And a thread that always lags, so every batch grows to the limit.
    slow_write = archive._Entry.write

    def write(self, data):
        time.sleep(0.002)
        slow_write(self, data)

    monkeypatch.setattr(archive._Entry, "write", write)
    monkeypatch.setattr(archive, "CHUNK", 1 << 10)
    assert b"".join(zip_stream([("a.jsonl", iter(lines))])) == expected


def test_manifest_counts_labels_per_split_and_lists_files():
    stats = ExportStats()
    records = [
        record(spans=[RAQQA, ARMY], stance={"isis": "against"}),
        record(article_id=8, spans=[RAQQA], split="test", stance={"isis": "favor"}),
    ]
    for _ in counting_gold(records, stats):
        pass
    manifest = json.loads(
        build_manifest(
            project={"id": 1, "name": "p"},
            schema=default_schema(),
            schema_version=3,
            options={"formats": ["jsonl"], "seed": 1, "ratios": {}},
            split={"key": "content_hash"},
            stats=stats,
            files=[FileInfo("gold.jsonl", "ab" * 32, 10, 2)],
            articles_in_project=5,
            agreement=None,
            tool={"name": "t", "version": "1"},
            created_at="now",
        )
    )
    assert manifest["schema_version"] == 3
    assert manifest["counts"]["gold_articles"] == {"train": 1, "dev": 0, "test": 1, "total": 2}
    assert manifest["counts"]["articles_without_gold"] == 3
    assert manifest["counts"]["spans"]["GPE"] == {"train": 1, "dev": 0, "test": 1, "total": 2}
    assert manifest["counts"]["spans"]["PER"]["total"] == 0
    assert manifest["counts"]["stance"] == {"isis": {"against": 1, "favor": 1}}
    assert "CLAIM" in manifest["label_set"]["span_labels"]
    assert manifest["files"]["gold.jsonl"] == {"sha256": "ab" * 32, "bytes": 10, "lines": 2}
    assert manifest["conll"] is None
