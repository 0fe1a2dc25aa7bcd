"""Imports that stream: a file sent as the request body is parsed as it arrives, and
PostgreSQL takes the rows with one COPY across batches. Whatever the path, the outcome is the
import's: all or nothing, duplicates left out, nothing written when the client goes away."""

from __future__ import annotations

import io
import json

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from corpus import importing
from corpus.importing import UploadInterrupted, do_import_articles, read_body
from corpus.lib.parsers import BadRecord, Origin, ParsedArticle, parse_jsonl, parse_jsonl_stream
from corpus.models import Article, Corpus
from tests.factories import make_corpus, make_user
from tests.test_api_contract import api_server  # noqa: F401  (gunicorn on the test database)

ON_POSTGRES = connection.vendor == "postgresql"
on_postgres = pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: COPY")


def jsonl_bytes(objects) -> bytes:
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects).encode()


def articles(count: int, *, start: int = 0) -> list[dict]:
    return [
        {"text": f"خبر رقم {i} عن الرَّقَّة", "title": f"عنوان {i}", "id": f"n-{i}"}
        for i in range(start, start + count)
    ]


# --- the streaming JSONL parser (pure) -------------------------------------------------------


LINES = st.lists(
    st.one_of(
        st.builds(lambda t: json.dumps({"text": t}, ensure_ascii=False), st.text(max_size=8)),
        st.sampled_from(["", "   ", "[]", "{", '{"text": 1}', '{"title": "x"}', "\r"]),
    ),
    max_size=8,
)


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(max(c, 0), len(data)) for c in cuts})
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in zip(edges, edges[1:], strict=False)]


@settings(max_examples=300, deadline=None)
@given(
    lines=LINES,
    bom=st.booleans(),
    final_newline=st.booleans(),
    bad_byte=st.booleans(),
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=6),
)
def test_a_jsonl_file_in_pieces_parses_as_the_whole_file(lines, bom, final_newline, bad_byte, cuts):
    data = "\n".join(lines).encode()
    if bad_byte:
        data += b'\n{"text": "\xff"}'
    if final_newline:
        data += b"\n"
    if bom:
        data = b"\xef\xbb\xbf" + data
    whole = list(parse_jsonl(data, name="f.jsonl"))
    assert list(parse_jsonl_stream(_split(data, cuts), name="f.jsonl")) == whole
    one_byte_at_a_time = [data[i : i + 1] for i in range(len(data))]
    assert list(parse_jsonl_stream(one_byte_at_a_time, name="f.jsonl")) == whole


def test_a_bad_byte_is_named_from_the_start_of_the_file_across_pieces():
    data = b'\xef\xbb\xbf{"text": "a"}\n{"text": "\xff"}\n'
    records = list(parse_jsonl_stream([data[:2], data[2:17], data[17:]], name="f.jsonl"))
    assert records == list(parse_jsonl(data, name="f.jsonl"))
    assert records[1] == BadRecord(
        Origin("f.jsonl", 2), "not valid UTF-8 at byte 27: invalid start byte"
    )


# --- the body of a request ------------------------------------------------------------------


def test_a_body_cut_short_is_an_interrupted_upload():
    with pytest.raises(UploadInterrupted, match="ended after 5 of its 10 bytes"):
        list(read_body(io.BytesIO(b"12345"), 10, chunk_size=2))
    assert b"".join(read_body(io.BytesIO(b"1234567890"), 10, chunk_size=3)) == b"1234567890"


# --- the API -------------------------------------------------------------------------------


@pytest.fixture
def lead(db):
    return make_user("lead", is_staff=True)


@pytest.fixture
def corpus(lead):
    return make_corpus("news", owners=[lead])


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def stream_url(corpus, query: str = "") -> str:
    return f"/api/corpora/{corpus.pk}/import/stream/" + (f"?{query}" if query else "")


def post_body(client, url, data: bytes, content_type="application/x-ndjson"):
    return client.generic("POST", url, data, content_type=content_type)


def test_a_jsonl_body_is_imported_then_its_records_are_duplicates(lead, corpus):
    client = client_for(lead)
    data = jsonl_bytes(articles(30))
    response = post_body(client, stream_url(corpus, "name=news.jsonl"), data)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["read"], body["created"], body["duplicates"]) == (30, 30, 0)
    stored = corpus.articles.get(external_id="n-7")
    assert (stored.title, stored.text) == ("عنوان 7", "خبر رقم 7 عن الرَّقَّة")
    assert stored.search_text == "عنوان 7\nخبر رقم 7 عن الرقه"

    again = post_body(client, stream_url(corpus), jsonl_bytes(articles(40)))
    assert again.json()["created"] == 10
    assert again.json()["duplicates_in_corpus"] == 30
    assert corpus.articles.count() == 40


def test_the_stream_stores_what_the_multipart_upload_stores(lead):
    client = client_for(lead)
    records = [
        *articles(5),
        {"text": "نص\r\nبسطرين", "published_on": "2019-03-02", "url": "https://example.org/a"},
        {"text": "نص بوسم", "metadata": {"وسم": ["سياسة", 1]}, "section": "محلي"},
        {"text": "خبر رقم 1 عن الرَّقَّة"},  # repeats a record above
    ]
    data = jsonl_bytes(records)
    streamed = make_corpus("streamed", owners=[lead])
    multipart = make_corpus("multipart", owners=[lead])
    one = post_body(client, stream_url(streamed, "name=a.jsonl"), data).json()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("a.jsonl", data)
    two = client.post(
        f"/api/corpora/{multipart.pk}/import/", {"file": upload}, format="multipart"
    ).json()
    for report in (one, two):
        del report["corpus"]
    assert one == two

    def rows(c):
        fields = ["title", "text", "source", "url", "published_on", "external_id"]
        fields += ["content_hash", "search_text", "metadata"]
        return list(c.articles.order_by("id").values_list(*fields))

    assert rows(streamed) == rows(multipart)


@pytest.mark.parametrize(
    ("content_type", "query", "data", "title"),
    [
        ("text/csv", "", "title,text\nعنوان,نص الخبر\n".encode(), "عنوان"),
        ("text/plain", "name=a.txt", "عنوان\nنص الخبر".encode(), "عنوان"),
        ("application/octet-stream", "name=a.csv", "title,text\nعنوان,نص\n".encode(), "عنوان"),
        ("application/octet-stream", "format=txt&no_title=true", "نص الخبر".encode(), ""),
    ],
)
def test_csv_and_text_bodies_by_content_type_name_or_format(
    lead, corpus, content_type, query, data, title
):
    response = post_body(client_for(lead), stream_url(corpus, query), data, content_type)
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 1
    assert corpus.articles.get().title == title


def test_a_bad_line_in_the_middle_of_a_large_body_is_named_and_nothing_is_written(lead, corpus):
    lines = jsonl_bytes(articles(6000)).split(b"\n")
    lines[3500] = b'{"text": "\xd8\xa3", "published_on": "2019-13-01"}'
    data = b"\n".join(lines)
    response = post_body(client_for(lead), stream_url(corpus, "name=big.jsonl"), data)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "big.jsonl, line 3501: published_on must be an ISO date (YYYY-MM-DD), got "
        "'2019-13-01'; nothing was imported",
        "field": "file",
        "errors": [
            "big.jsonl, line 3501: published_on must be an ISO date (YYYY-MM-DD), got '2019-13-01'"
        ],
        "error_count": 1,
    }
    assert not Article.objects.exists()


def test_skip_bad_imports_the_rest_of_the_body(lead, corpus):
    data = jsonl_bytes(articles(3)) + b"[]\n" + jsonl_bytes(articles(2, start=3))
    response = post_body(client_for(lead), stream_url(corpus, "skip_bad=true"), data)
    body = response.json()
    assert (body["created"], [s["line"] for s in body["skipped"]]) == (5, [4])
    assert body["skipped"][0]["file"] == "upload.jsonl"


class CutShort(io.RawIOBase):
    """A request body whose client goes away after `after` bytes: the server hands over
    what came (`raises` False) or the read fails (`raises` True)."""

    def __init__(self, data: bytes, after: int, *, raises: bool) -> None:
        self.data, self.after, self.raises, self.position = data, after, raises, 0

    def read(self, size=-1):
        if self.position >= self.after:
            if self.raises:
                raise ConnectionResetError("connection reset by peer")
            return b""
        end = min(self.after, self.position + (size if size >= 0 else self.after))
        chunk, self.position = self.data[self.position : end], end
        return chunk


@pytest.mark.parametrize("raises", [False, True])
def test_a_client_that_goes_away_mid_upload_writes_nothing(lead, corpus, raises):
    from django.test import RequestFactory
    from rest_framework.test import force_authenticate

    from corpus.api import CorpusImportStream

    data = jsonl_bytes(articles(4000))
    body = CutShort(data, len(data) * 3 // 4, raises=raises)
    request = RequestFactory().post(
        stream_url(corpus),
        CONTENT_TYPE="application/x-ndjson",
        CONTENT_LENGTH=str(len(data)),
        **{"wsgi.input": body},
    )
    force_authenticate(request, user=lead)
    response = CorpusImportStream.as_view()(request, corpus_id=corpus.pk)
    assert response.status_code == 400, response.data
    assert response.data["detail"] == (
        f"the upload ended after {len(data) * 3 // 4} of its {len(data)} bytes (the connection "
        "was closed); nothing was imported"
    )
    assert not Article.objects.exists()
    # The connection is fine afterwards.
    ok = post_body(client_for(lead), stream_url(corpus), jsonl_bytes(articles(2)))
    assert ok.json()["created"] == 2


@pytest.mark.parametrize(
    ("content_type", "query", "data", "detail"),
    [
        ("application/x-ndjson", "", b"", "the request body is empty: send the file as the body"),
        ("application/pdf", "", b"%PDF", "cannot import a body of type 'application/pdf'"),
        ("application/octet-stream", "", b"x", "cannot tell the format of 'upload'"),
        ("application/x-ndjson", "skip_bad=yes", b"{}", "skip_bad: Not a valid boolean"),
        ("application/x-ndjson", "title_rule=column", b"{}", "name the column that holds"),
    ],
)
def test_bad_requests_are_refused_naming_the_problem(
    lead, corpus, content_type, query, data, detail
):
    response = post_body(client_for(lead), stream_url(corpus, query), data, content_type)
    assert response.status_code == 400, response.content
    assert response.json()["detail"].startswith(detail), response.json()
    assert not Article.objects.exists()


def test_a_body_above_the_limit_is_413_before_it_is_read(lead, corpus, settings):
    settings.MAX_UPLOAD_BYTES = 100
    data = jsonl_bytes(articles(20))
    response = post_body(client_for(lead), stream_url(corpus), data)
    assert response.status_code == 413
    assert response.json()["detail"].startswith(f"the upload is {len(data) / 1024:.1f} KB")
    assert not Article.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("annotator", 403), ("outsider", 404)])
def test_only_owners_and_staff_stream_an_import(corpus, who, status):
    from annotate.models import Role
    from tests.factories import make_article, make_project

    user = make_user(who)
    if who == "annotator":
        article = make_article(corpus, text="خبر")
        make_project("p", articles=[article], members={user: Role.ANNOTATOR})
    before = Article.objects.count()
    response = post_body(client_for(user), stream_url(corpus), jsonl_bytes(articles(2)))
    assert response.status_code == status
    assert Article.objects.count() == before


@pytest.mark.django_db
def test_the_schema_documents_the_raw_body_and_its_options():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    operation = paths["/api/corpora/{corpus_id}/import/stream/"]["post"]
    content = operation["requestBody"]["content"]
    assert set(content) == {
        "application/x-ndjson",
        "application/jsonl",
        "application/x-jsonlines",
        "text/csv",
        "text/plain",
        "application/octet-stream",
    }
    query = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
    assert {"format", "skip_bad", "no_title", "title_rule", "name"} <= query
    assert {"200", "400", "403", "404", "413"} <= set(operation["responses"])


# --- the writes ----------------------------------------------------------------------------


def records(count: int, *, start: int = 0) -> list[ParsedArticle]:
    return [
        ParsedArticle(text=f"خبر رقم {i}", origin=Origin("mem", i + 1), title=f"ع {i}")
        for i in range(start, start + count)
    ]


@pytest.mark.django_db
def test_duplicates_in_the_corpus_and_in_the_input_are_counted_apart_across_batches():
    corpus = make_corpus("news")
    do_import_articles(corpus, records(10))
    repeats = records(3, start=17)
    report = do_import_articles(corpus, [*records(15, start=5), *repeats], batch_size=4)
    assert (report.read, report.created) == (18, 10)
    assert (report.duplicates_in_corpus, report.duplicates_in_file) == (5, 3)
    assert corpus.articles.count() == 20


@on_postgres
@pytest.mark.postgres_only
@pytest.mark.django_db
def test_postgresql_takes_the_rows_with_copy_and_keeps_lz4(monkeypatch):
    statements = []
    real_open = importing._PostgresCopyWriter._open

    def spy(self):
        copy = real_open(self)
        statements.append("COPY")
        return copy

    monkeypatch.setattr(importing._PostgresCopyWriter, "_open", spy)
    corpus = make_corpus("news")
    long_text = "خبر طويل عن الرَّقَّة " * 300  # compressed: over PostgreSQL's 2 KB threshold
    batch = [ParsedArticle(text=f"{long_text}{i}", origin=Origin("m", i)) for i in range(5)]
    report = do_import_articles(corpus, batch, batch_size=2)
    assert report.created == 5
    assert statements == ["COPY"]  # an empty corpus: one COPY, never closed for a lookup
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT pg_column_compression(text), pg_column_compression(search_text) "
            "FROM corpus_article WHERE corpus_id = %s",
            [corpus.pk],
        )
        compressions = cursor.fetchall()
    if compressions != [("lz4", "lz4")]:
        pytest.skip(f"this server compresses with {compressions} (built without lz4?)")


@on_postgres
@pytest.mark.postgres_only
@pytest.mark.django_db
def test_a_failure_inside_copy_leaves_nothing_and_the_connection_usable():
    corpus = make_corpus("news")

    def failing():
        yield from records(3000)
        raise OSError("the disk went away")

    with pytest.raises(OSError, match="the disk went away"):
        do_import_articles(corpus, failing(), batch_size=500)
    assert corpus.articles.count() == 0
    assert do_import_articles(corpus, records(3)).created == 3


@pytest.mark.django_db
def test_a_new_corpus_named_in_a_failed_import_is_not_created():
    with pytest.raises(importing.ImportRejected):
        do_import_articles("fresh", [*records(3), BadRecord(Origin("mem", 4), "bad")])
    assert not Corpus.objects.filter(name="fresh").exists()


def test_a_body_above_the_api_body_limit_is_still_a_file_within_the_upload_limit(
    lead, corpus, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    data = jsonl_bytes(articles(100))
    assert len(data) > 1000
    response = post_body(client_for(lead), stream_url(corpus), data)
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 100
    # Other API bodies keep the limit.
    big = client_for(lead).post("/api/corpora/", {"name": "x" * 2000}, format="json")
    assert big.status_code == 413


def test_the_import_options_go_in_the_query_string(lead, corpus):
    data = jsonl_bytes([{"text": "نص الخبر", "headline": "عنوان", "desk": "محلي"}])
    query = 'title_rule=column&title_column=headline&columns={"desk": "source"}'
    response = post_body(client_for(lead), stream_url(corpus, query), data)
    assert response.status_code == 200, response.content
    stored = corpus.articles.get()
    assert (stored.title, stored.source, stored.metadata) == ("عنوان", "محلي", {})
    bad = post_body(client_for(lead), stream_url(corpus, "columns=[1]"), data)
    assert (bad.status_code, bad.json()["field"]) == (400, "columns")


# --- a real server, a client that goes away --------------------------------------------------


@on_postgres
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_gunicorn_writes_nothing_when_the_client_hangs_up_mid_upload(api_server):  # noqa: F811
    import http.client
    import socket
    import time
    from urllib.parse import urlsplit

    from annotate.tokens import do_create_api_token

    user = make_user("lead", is_staff=True)
    corpus = make_corpus("news", owners=[user])
    _, key = do_create_api_token(user, name="fault")
    address = urlsplit(api_server)
    data = jsonl_bytes(articles(20_000))
    head = (
        f"POST /api/corpora/{corpus.pk}/import/stream/ HTTP/1.1\r\n"
        f"Host: 127.0.0.1\r\nAuthorization: Token {key}\r\n"
        f"Content-Type: application/x-ndjson\r\nContent-Length: {len(data)}\r\n\r\n"
    ).encode()
    client = socket.create_connection((address.hostname, address.port))
    client.sendall(head + data[: len(data) * 2 // 3])
    time.sleep(0.5)  # the server is reading and writing rows
    client.close()
    # The import has ended once its lock on the corpus is free.
    deadline = time.monotonic() + 30
    while True:
        with connection.cursor() as cursor:
            try:
                cursor.execute(
                    "SELECT 1 FROM corpus_corpus WHERE id = %s FOR UPDATE NOWAIT", [corpus.pk]
                )
                break
            except Exception:
                assert time.monotonic() < deadline, "the import never ended"
                time.sleep(0.1)
    assert not Article.objects.exists()
    # The server carries on: the whole file goes in.
    whole = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    whole.request(
        "POST",
        f"/api/corpora/{corpus.pk}/import/stream/",
        data,
        {"Authorization": f"Token {key}", "Content-Type": "application/x-ndjson"},
    )
    answer = whole.getresponse()
    assert answer.status == 200, answer.read()[:300]
    assert json.loads(answer.read())["created"] == 20_000


@pytest.mark.django_db
def test_search_texts_are_computed_in_bulk_for_new_articles_only(monkeypatch):
    folded = []
    real = importing.search_texts

    def counting(batch):
        folded.append(len(batch))
        return real(batch)

    monkeypatch.setattr(importing, "search_texts", counting)
    corpus = make_corpus("news")
    do_import_articles(corpus, records(10), batch_size=4)
    assert folded == [4, 4, 2]
    folded.clear()
    do_import_articles(corpus, [*records(10), *records(2, start=10)], batch_size=4)
    assert folded == [2]  # the ten already there are never folded again
    assert corpus.articles.get(text="خبر رقم 11").search_text == "ع 11\nخبر رقم 11"
