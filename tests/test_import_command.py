"""import_articles: the command and the importer behind it, against the real database."""

import json
import shutil
import threading
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corpus import importing
from corpus.importing import ImportRejected, do_import_articles
from corpus.lib.parsers import BadRecord, Origin, ParsedArticle, parse_jsonl
from corpus.lib.text import canonicalise, content_hash, normalise_for_search, tokenize
from corpus.models import Article, Corpus
from tests.factories import make_article, make_corpus

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_articles", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def fails(*args: str) -> str:
    with pytest.raises(CommandError) as caught:
        run(*args)
    return str(caught.value)


def snapshot() -> list[tuple]:
    return list(Corpus.objects.values_list("id", "name").order_by("id")) + list(
        Article.objects.values_list("id", "corpus_id", "content_hash").order_by("id")
    )


def write_jsonl(path: Path, *objects) -> Path:
    path.write_text(
        "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects), encoding="utf-8"
    )
    return path


# --- the happy path ---------------------------------------------------------------------------


def test_imports_a_folder_of_text_files_then_reports_duplicates():
    out, _ = run(str(FIXTURES / "articles"), "--corpus", "news")
    assert out == "imported 4 articles, 0 duplicates"
    corpus = Corpus.objects.get(name="news")
    articles = list(corpus.articles.order_by("id"))
    assert [a.title for a in articles] == [
        "دخول القوات إلى الرَّقَّة",
        "ناشطون يحتفلون على مواقع التواصل",
        "بيان وزارة الدفاع",
        "تصريحات المبعوث الأممي",
    ]
    for article in articles:
        assert article.text == canonicalise(article.text)
        assert "\r" not in article.text and "\ufeff" not in article.text
        assert article.content_hash == content_hash(article.text)
        assert article.search_text == normalise_for_search(f"{article.title}\n{article.text}")

    out, _ = run(str(FIXTURES / "articles"), "--corpus", "news")
    assert out == "imported 0 articles; 4 were already in corpus 'news' (duplicates)"
    assert corpus.articles.count() == 4


def test_every_token_offset_slices_the_stored_text():
    run(str(FIXTURES / "articles"), "--corpus", "news")
    run(str(FIXTURES / "articles.jsonl"), "--corpus", "news")
    run(str(FIXTURES / "articles.csv"), "--corpus", "news")
    assert Article.objects.count() == 9
    for article in Article.objects.all():
        tokens = tokenize(article.text)
        assert tokens
        for token in tokens:
            assert article.text[token.start : token.end] == token.text


def test_search_text_finds_the_undiacritised_form():
    run(str(FIXTURES / "articles"), "--corpus", "news")
    needle = normalise_for_search("الرقة")
    assert Article.objects.filter(search_text__contains=needle).count() == 1


@pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason="the shared sample corpus is not here")
def test_the_shared_sample_corpus_imports_once():
    out, _ = run(str(SHARED_CORPUS), "--corpus", "news")
    assert out == "imported 5 articles, 0 duplicates"
    out, _ = run(str(SHARED_CORPUS), "--corpus", "news")
    assert out == "imported 0 articles; 5 were already in corpus 'news' (duplicates)"
    for article in Article.objects.all():
        for token in tokenize(article.text):
            assert article.text[token.start : token.end] == token.text


def test_jsonl_and_csv_fields_are_stored():
    run(str(FIXTURES / "articles.jsonl"), "--corpus", "wire")
    article = Article.objects.get(external_id="n-2")
    assert article.title == "مؤتمر صحفي"
    assert str(article.published_on) == "2018-02-06"
    assert article.metadata == {"section": "سياسة", "reviewed": True}
    run(str(FIXTURES / "articles.csv"), "--corpus", "wire")
    article = Article.objects.get(external_id="c-1")
    assert article.source == "مراسل"
    assert "\r" not in article.text


def test_no_title_keeps_the_first_line_in_the_text():
    run(str(FIXTURES / "articles" / "01_diacritics.txt"), "--corpus", "news", "--no-title")
    article = Article.objects.get()
    assert article.title == ""
    assert article.text.startswith("دخول القوات إلى الرَّقَّة\n")


def test_format_option_overrides_the_extension(tmp_path):
    path = write_jsonl(tmp_path / "export.data", {"text": "نص من ملف بامتداد آخر"})
    assert "cannot tell the format of" in fails(str(path), "--corpus", "news")
    out, _ = run(str(path), "--corpus", "news", "--format", "jsonl")
    assert out == "imported 1 article, 0 duplicates"


def test_repeated_records_in_one_file_are_duplicates(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", {"text": "خبر"}, {"text": "خبر", "title": "نسخة"})
    out, _ = run(str(path), "--corpus", "news")
    assert out == "imported 1 article, 1 duplicate (1 repeated in the input)"


def test_the_same_text_may_live_in_two_corpora(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", {"text": "خبر"})
    run(str(path), "--corpus", "one")
    out, _ = run(str(path), "--corpus", "two")
    assert out == "imported 1 article, 0 duplicates"


def test_the_command_does_not_spend_its_start_on_system_checks(monkeypatch, tmp_path):
    from django.core.management.base import BaseCommand

    def refuse(*args, **kwargs):
        raise AssertionError("system checks ran")

    monkeypatch.setattr(BaseCommand, "check", refuse)
    out, _ = run(str(write_jsonl(tmp_path / "a.jsonl", {"text": "خبر"})), "--corpus", "news")
    assert out == "imported 1 article, 0 duplicates"


def test_progress_bar_goes_to_stderr():
    out, err = run(str(FIXTURES / "articles"), "--corpus", "news")
    assert "importing" in err and "4/4" in err
    assert "importing" not in out


def test_quiet_run_has_no_progress_bar():
    out, err = StringIO(), StringIO()
    call_command(
        "import_articles",
        str(FIXTURES / "articles"),
        corpus="news",
        verbosity=0,
        stdout=out,
        stderr=err,
    )
    assert err.getvalue() == ""


# --- bad input: exact errors, and nothing written -------------------------------------------


@pytest.fixture
def existing():
    """A corpus that already holds an article: failed imports must leave it as it was."""
    corpus = make_corpus("news")
    make_article(corpus, text="خبر قديم موجود قبل الاستيراد.")
    return snapshot()


HINT = "\n(use --skip-bad to import the good records)"


def test_bad_utf8_names_file_and_byte(tmp_path, existing):
    shutil.copytree(FIXTURES / "articles", tmp_path / "in")
    shutil.copy(FIXTURES / "bad_utf8.txt", tmp_path / "in" / "05_bad_utf8.txt")
    message = fails(str(tmp_path / "in"), "--corpus", "news")
    assert message == (
        f"{tmp_path}/in/05_bad_utf8.txt: not valid UTF-8 at byte 49 (line 2): "
        "invalid continuation byte; nothing was imported" + HINT
    )
    assert snapshot() == existing


def test_malformed_jsonl_line_is_named(tmp_path, existing):
    path = tmp_path / "a.jsonl"
    path.write_text('{"text": "أول"}\n{"text": "ثان"\n{"text": "ثالث"}\n', encoding="utf-8")
    assert fails(str(path), "--corpus", "news") == (
        f"{path}, line 2: not valid JSON: Expecting ',' delimiter (column 15); "
        "nothing was imported" + HINT
    )
    assert snapshot() == existing


def test_a_new_corpus_is_not_created_by_a_failed_import(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", {"text": "أول"}, {"title": "بلا نص"})
    assert fails(str(path), "--corpus", "fresh") == (
        f"{path}, line 2: missing the required field 'text'; nothing was imported" + HINT
    )
    assert not Corpus.objects.exists()


def test_empty_article_is_refused(tmp_path, existing):
    (tmp_path / "a.txt").write_text("عنوان\nنص", encoding="utf-8")
    (tmp_path / "b.txt").write_text("  \n\n", encoding="utf-8")
    assert fails(str(tmp_path), "--corpus", "news") == (
        f"{tmp_path}/b.txt: empty article (the file is blank); nothing was imported" + HINT
    )
    assert snapshot() == existing


def test_csv_without_text_column(tmp_path, existing):
    path = tmp_path / "a.csv"
    path.write_text("title,body\nعنوان,نص\n", encoding="utf-8")
    assert fails(str(path), "--corpus", "news") == (
        f"{path}, line 1: no 'text' column in the header (columns: 'title', 'body'); "
        "nothing was imported" + HINT
    )
    assert snapshot() == existing


def test_bad_date_names_field_and_line(tmp_path, existing):
    path = write_jsonl(
        tmp_path / "a.jsonl", {"text": "أ"}, {"text": "ب"}, {"text": "ج", "published_on": "أمس"}
    )
    assert fails(str(path), "--corpus", "news") == (
        f"{path}, line 3: published_on must be an ISO date (YYYY-MM-DD), got 'أمس'; "
        "nothing was imported" + HINT
    )
    assert snapshot() == existing


def test_every_bad_record_is_listed(tmp_path, existing):
    path = tmp_path / "a.jsonl"
    path.write_text('{"text": "أ"}\nnot json\n{"text": ""}\n[1]\n', encoding="utf-8")
    assert fails(str(path), "--corpus", "news") == (
        "3 bad records; nothing was imported:\n"
        f"{path}, line 2: not valid JSON: Expecting value (column 1)\n"
        f"{path}, line 3: empty article (text is blank)\n"
        f"{path}, line 4: expected a JSON object, got an array" + HINT
    )
    assert snapshot() == existing


def test_a_failure_after_the_first_batch_rolls_everything_back(tmp_path, existing):
    good = [{"text": f"خبر رقم {i}"} for i in range(7)]
    path = write_jsonl(tmp_path / "a.jsonl", *good, {"text": "  "})
    message = fails(str(path), "--corpus", "news", "--batch-size", "2")
    assert message.startswith(f"{path}, line 8: empty article (text is blank)")
    assert snapshot() == existing


def test_skip_bad_imports_the_rest_and_reports_each_skipped_record(tmp_path, existing):
    path = tmp_path / "a.jsonl"
    path.write_text('{"text": "أ"}\nnot json\n{"text": "ب"}\n{"text": " "}\n', encoding="utf-8")
    out, err = run(str(path), "--corpus", "news", "--skip-bad")
    assert out == "imported 2 articles, 0 duplicates; skipped 2 bad records"
    assert f"skipped {path}, line 2: not valid JSON: Expecting value (column 1)\n" in err
    assert f"skipped {path}, line 4: empty article (text is blank)\n" in err
    assert Article.objects.count() == 3


def test_missing_path_and_empty_folder(tmp_path):
    assert fails(str(tmp_path / "nope"), "--corpus", "news") == (
        f"{tmp_path}/nope: no such file or folder"
    )
    assert fails(str(tmp_path), "--corpus", "news") == (
        f"{tmp_path}: no files to import (looked for .csv, .jsonl, .ndjson, .txt)"
    )


def test_blank_corpus_name_is_refused():
    assert fails(str(FIXTURES / "articles"), "--corpus", "  ") == "a corpus name is required"
    assert not Corpus.objects.exists()


# --- the importer itself ---------------------------------------------------------------------


def records(count: int):
    return [ParsedArticle(text=f"خبر رقم {i}", origin=Origin("mem", i + 1)) for i in range(count)]


def spy_on_writes(monkeypatch) -> list[int]:
    """The number of articles of each bulk write the importer makes."""
    writes: list[int] = []
    real_row_writer = importing._row_writer

    def row_writer(corpus_id):
        writer = real_row_writer(corpus_id)
        real_write = writer.write

        def write(new):
            writes.append(len(new))
            real_write(new)

        writer.write = write
        return writer

    monkeypatch.setattr(importing, "_row_writer", row_writer)
    return writes


def duplicate_lookups(queries) -> list[str]:
    sql = [q["sql"].upper() for q in queries.captured_queries]
    return [s for s in sql if s.startswith("SELECT") and "CONTENT_HASH" in s]


def test_one_duplicate_query_and_one_bulk_write_per_batch(monkeypatch):
    corpus = make_corpus("news")
    make_article(corpus, text="خبر رقم 0")
    writes = spy_on_writes(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        report = do_import_articles(corpus, records(5), batch_size=2)
    sql = [q["sql"].upper() for q in queries.captured_queries]
    single_inserts = [s for s in sql if s.startswith("INSERT INTO") and "CORPUS_ARTICLE" in s]
    assert writes == [1, 2, 1]  # batches of 2; the first batch held the duplicate
    assert (len(duplicate_lookups(queries)), single_inserts) == (3, [])
    assert (report.created, report.duplicates_in_corpus) == (4, 1)
    assert sorted(corpus.articles.values_list("text", flat=True)) == sorted(
        f"خبر رقم {i}" for i in range(5)
    )


def test_an_empty_corpus_needs_no_duplicate_lookups(monkeypatch):
    corpus = make_corpus("news")
    writes = spy_on_writes(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        report = do_import_articles(corpus, [*records(5), *records(2)], batch_size=2)
    assert duplicate_lookups(queries) == []
    assert writes == [2, 2, 1]  # the repeats of the last batch are caught within the file
    assert (report.created, report.duplicates_in_file) == (5, 2)
    assert corpus.articles.count() == 5
    again = do_import_articles(corpus, records(5), batch_size=2)
    assert (again.created, again.duplicates_in_corpus) == (0, 5)


def test_an_error_while_reading_records_writes_nothing_and_leaves_the_connection_usable():
    corpus = make_corpus("news")

    def failing():
        yield from records(5)
        raise OSError("the disk went away")

    with pytest.raises(OSError, match="the disk went away"):
        do_import_articles(corpus, failing(), batch_size=2)
    assert corpus.articles.count() == 0
    assert do_import_articles(corpus, records(3)).created == 3


def test_inserted_rows_read_back_like_model_rows():
    record = ParsedArticle(
        text="نص",
        origin=Origin("mem", 1),
        title="عنوان",
        source="مصدر",
        url="https://example.org/a",
        published_on=date(2019, 3, 18),
        external_id="x-1",
        metadata={"section": "سياسة", "n": [1, 2]},
    )
    do_import_articles("news", [record])
    article = Article.objects.get()
    assert (article.title, article.text, article.source, article.url) == (
        "عنوان",
        "نص",
        "مصدر",
        "https://example.org/a",
    )
    assert (article.published_on, article.external_id) == (date(2019, 3, 18), "x-1")
    assert article.metadata == {"section": "سياسة", "n": [1, 2]}
    assert article.content_hash == content_hash("نص")
    assert article.search_text == normalise_for_search("عنوان\nنص")
    assert article.created_at is not None and article.created_at.tzinfo is not None


def test_deeply_nested_metadata_is_stored(tmp_path):
    deep = json.loads("[" * 1000 + '"x"' + "]" * 1000)
    out, _ = run(
        str(write_jsonl(tmp_path / "a.jsonl", {"text": "خبر", "tree": deep})), "--corpus", "news"
    )
    assert out == "imported 1 article, 0 duplicates"
    assert Article.objects.get().metadata == {"tree": deep}


def test_empty_fields_dates_before_2000_and_nested_metadata_are_stored():
    plain = ParsedArticle(text="نص أول", origin=Origin("mem", 1))
    old = ParsedArticle(
        text="نص\tثان\\ مع\r\nرموز",
        origin=Origin("mem", 2),
        published_on=date(1998, 12, 31),
        metadata={"tags": ["أ", {"b": None, "c": 1.5}], "quote": '"\\'},
    )
    do_import_articles("news", [plain, old])
    first, second = Article.objects.order_by("id")
    assert (first.title, first.source, first.url, first.external_id) == ("", "", "", "")
    assert (first.published_on, first.metadata) == (None, {})
    assert second.text == "نص\tثان\\ مع\r\nرموز"
    assert second.published_on == date(1998, 12, 31)
    assert second.metadata == {"tags": ["أ", {"b": None, "c": 1.5}], "quote": '"\\'}
    assert first.created_at == second.created_at


def test_progress_is_called_after_each_batch():
    seen = []
    do_import_articles("news", records(5), batch_size=2, progress=seen.append)
    assert seen == [2, 4, 5]


def test_import_rejected_lists_bad_records_and_writes_nothing():
    bad = BadRecord(Origin("f.jsonl", 2), "empty article (text is blank)")
    with pytest.raises(ImportRejected) as caught:
        do_import_articles("news", [*records(3), bad])
    assert caught.value.errors == [bad]
    assert not Corpus.objects.exists() and not Article.objects.exists()


def test_import_with_ids_names_the_article_of_every_record_new_or_already_there():
    corpus = make_corpus("news")
    there = make_article(corpus, text="خبر رقم 1")
    report, ids = importing.do_import_articles_with_ids(corpus, records(3))
    assert (report.created, report.duplicates_in_corpus) == (2, 1)
    assert ids == {
        content_hash(article.text): article.pk for article in Article.objects.filter(corpus=corpus)
    }
    assert ids[content_hash("خبر رقم 1")] == there.pk and len(ids) == 3


def test_report_as_dict():
    data = b'{"text": "\xd8\xa3"}\n{"x": 1}\n{"text": "\xd8\xa3"}\n'
    report = do_import_articles("news", parse_jsonl(data, name="f.jsonl"), skip_bad=True)
    result = report.as_dict()
    assert result["corpus"]["name"] == "news" and result["corpus"]["created"] is True
    assert (result["read"], result["created"], result["duplicates"]) == (3, 1, 1)
    assert result["skipped"] == [
        {
            "file": "f.jsonl",
            "line": 2,
            "reason": "missing the required field 'text'",
            "message": "f.jsonl, line 2: missing the required field 'text'",
        }
    ]
    assert result["summary"] == (
        "imported 1 article, 1 duplicate (1 repeated in the input); skipped 1 bad record"
    )


# --- two imports at once (PostgreSQL: SQLite serialises writers) ---------------------------

ON_POSTGRES = connection.vendor == "postgresql"


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_imports_of_one_file_store_each_article_once():
    corpus = make_corpus("news")
    start = threading.Barrier(2, timeout=20)
    results: list = [None, None]

    def job(i: int) -> None:
        try:
            start.wait()
            results[i] = do_import_articles(corpus, records(50), batch_size=10)
        except Exception as exc:  # noqa: BLE001 - handed back to the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=job, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert all(not isinstance(r, Exception) for r in results), results
    assert sorted(r.created for r in results) == [0, 50]
    assert sorted(r.duplicates_in_corpus for r in results) == [0, 50]
    assert corpus.articles.count() == 50
