"""The corpus REST API: who sees which corpora and articles, search, and imports."""

import copy
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from annotate.models import Role
from corpus.models import Article, Corpus
from tests.factories import make_api_token, make_article, make_corpus, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def shared_world(module_team):
    """A corpus with one article in a project and one outside it, and the team around it:
    the manager and the annotator are the project's members; staff and the outsider are not.
    The manager owns both corpora (tests/test_corpus_ownership.py has a manager who does not)."""
    team = module_team
    corpus = make_corpus("أخبار", owners=[team.manager])
    in_project = make_article(corpus, text="دخلت القوات مدينة الرَّقَّة صباح الأحد.", title="الرقة")
    outside = make_article(corpus, text="بيان عن الأوضاع في دير الزور.", title="دير الزور")
    other = make_corpus("other", owners=[team.manager])
    make_article(other, text="خبر في مجموعة أخرى.")
    make_project(
        "p",
        articles=[in_project],
        members={team.manager: Role.MANAGER, team.annotator: Role.ANNOTATOR},
    )
    people = {who: team[who] for who in ("staff", "manager", "annotator", "outsider")}
    return {"corpus": corpus, "other": other, "in": in_project, "out": outside, **people}


@pytest.fixture
def world(shared_world, db):
    return copy.deepcopy(shared_world)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def jsonl_file(*objects, name="articles.jsonl") -> SimpleUploadedFile:
    data = "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects).encode()
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def snapshot():
    return list(Corpus.objects.values_list("id", "name").order_by("id")) + list(
        Article.objects.values_list("id", "corpus_id").order_by("id")
    )


# --- corpora ----------------------------------------------------------------------------


def test_anonymous_is_asked_to_authenticate():
    response = APIClient().get("/api/corpora/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"


def test_staff_and_owners_see_their_corpora_with_counts(world):
    for who in ("staff", "manager"):
        response = client_for(world[who]).get("/api/corpora/")
        assert response.status_code == 200
        rows = {row["name"]: row["article_count"] for row in response.json()["results"]}
        assert rows == {"أخبار": 2, "other": 1}


def test_members_see_only_corpora_of_their_articles(world):
    response = client_for(world["annotator"]).get("/api/corpora/")
    assert [row["name"] for row in response.json()["results"]] == ["أخبار"]
    assert client_for(world["outsider"]).get("/api/corpora/").json()["results"] == []


def test_manager_creates_a_corpus(world):
    response = client_for(world["manager"]).post(
        "/api/corpora/", {"name": "  جديد ", "description": "d"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["name"] == "جديد"
    corpus = Corpus.objects.get(name="جديد")
    assert corpus.created_by == world["manager"]


def test_create_corpus_errors_name_the_field(world):
    client = client_for(world["manager"])
    response = client.post("/api/corpora/", {"name": "أخبار"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "name: a corpus named 'أخبار' already exists",
        "field": "name",
    }
    response = client.post("/api/corpora/", {"name": "   "}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "name"


@pytest.mark.parametrize("who", ["annotator", "outsider"])
def test_others_may_not_create_corpora(world, who):
    response = client_for(world[who]).post("/api/corpora/", {"name": "x"}, format="json")
    assert response.status_code == 403
    assert "project managers" in response.json()["detail"]
    assert not Corpus.objects.filter(name="x").exists()


def test_corpus_detail_is_404_for_outsiders(world):
    url = f"/api/corpora/{world['corpus'].pk}/"
    assert client_for(world["manager"]).get(url).json()["article_count"] == 2
    assert client_for(world["annotator"]).get(url).json()["article_count"] == 1
    assert client_for(world["outsider"]).get(url).status_code == 404


# --- articles -----------------------------------------------------------------------------


def test_article_list_search_ignores_diacritics(world):
    url = f"/api/corpora/{world['corpus'].pk}/articles/"
    response = client_for(world["manager"]).get(url, {"q": "الرقة"})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [world["in"].pk]
    response = client_for(world["manager"]).get(url, {"q": "دير   الزور"})
    assert [row["id"] for row in response.json()["results"]] == [world["out"].pk]


def test_article_list_is_paginated_without_text(world):
    for i in range(50):
        make_article(world["corpus"], text=f"خبر إضافي رقم {i}")
    url = f"/api/corpora/{world['corpus'].pk}/articles/"
    body = client_for(world["manager"]).get(url).json()
    assert len(body["results"]) == 50
    assert "text" not in body["results"][0]
    assert body["results"][0]["corpus_name"] == "أخبار"
    last = body["results"][-1]["id"]
    body = client_for(world["manager"]).get(url, {"after": body["next"]}).json()
    assert len(body["results"]) == 2 and body["next"] is None
    assert all(row["id"] > last for row in body["results"])


def test_article_list_queries_do_not_grow_with_articles(world):
    for i in range(20):
        make_article(world["corpus"], text=f"خبر إضافي رقم {i}")
    client = client_for(world["manager"])
    url = f"/api/corpora/{world['corpus'].pk}/articles/"
    client.get(url)  # warm the session and content types
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert len(response.json()["results"]) == 22
    assert len(queries) <= 3  # corpus, ownership, page


def test_members_list_only_their_project_articles(world):
    url = f"/api/corpora/{world['corpus'].pk}/articles/"
    body = client_for(world["annotator"]).get(url).json()
    assert [row["id"] for row in body["results"]] == [world["in"].pk]
    assert client_for(world["outsider"]).get(url).status_code == 404


def test_article_detail_has_text_and_code_point_length(world):
    response = client_for(world["manager"]).get(f"/api/articles/{world['in'].pk}/")
    body = response.json()
    assert body["text"] == world["in"].text
    assert body["length"] == len(world["in"].text)
    assert body["corpus"] == world["corpus"].pk


@pytest.mark.parametrize(
    ("who", "article", "status"),
    [
        ("staff", "out", 200),
        ("manager", "out", 200),
        ("annotator", "in", 200),
        ("annotator", "out", 404),
        ("outsider", "in", 404),
    ],
)
def test_who_may_read_an_article(world, who, article, status):
    response = client_for(world[who]).get(f"/api/articles/{world[article].pk}/")
    assert response.status_code == status


def test_missing_article_is_404(world):
    assert client_for(world["staff"]).get("/api/articles/999999/").status_code == 404


# --- import -------------------------------------------------------------------------------


def import_url(corpus) -> str:
    return f"/api/corpora/{corpus.pk}/import/"


def test_manager_imports_jsonl_then_gets_duplicates(world):
    client = client_for(world["manager"])
    upload = jsonl_file({"text": "خبر أول", "title": "أ"}, {"text": "خبر ثان"})
    response = client.post(import_url(world["other"]), {"file": upload}, format="multipart")
    assert response.status_code == 200
    body = response.json()
    assert body["summary"] == "imported 2 articles, 0 duplicates"
    assert (body["created"], body["duplicates"], body["skipped"]) == (2, 0, [])
    assert world["other"].articles.count() == 3

    upload = jsonl_file({"text": "خبر أول"}, {"text": "خبر ثان"})
    response = client.post(import_url(world["other"]), {"file": upload}, format="multipart")
    assert response.json()["summary"] == (
        "imported 0 articles; 2 were already in corpus 'other' (duplicates)"
    )


def test_token_authentication_imports_without_csrf(world):
    token = make_api_token(world["manager"])
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.post(
        import_url(world["other"]), {"file": jsonl_file({"text": "خبر"})}, format="multipart"
    )
    assert response.status_code == 200


def test_several_text_files_at_once(world):
    files = [
        SimpleUploadedFile("a.txt", "عنوان أ\nنص أ".encode()),
        SimpleUploadedFile("b.txt", "عنوان ب\nنص ب".encode()),
    ]
    response = client_for(world["staff"]).post(
        import_url(world["other"]), {"file": files}, format="multipart"
    )
    assert response.json()["created"] == 2
    assert set(world["other"].articles.values_list("title", flat=True)) >= {"عنوان أ", "عنوان ب"}


def test_no_title_option_for_text_files(world):
    upload = SimpleUploadedFile("a.txt", "سطر أول\nسطر ثان".encode())
    client_for(world["staff"]).post(
        import_url(world["other"]), {"file": upload, "no_title": "true"}, format="multipart"
    )
    assert world["other"].articles.filter(title="", text="سطر أول\nسطر ثان").exists()


@pytest.mark.parametrize(("who", "status"), [("annotator", 403), ("outsider", 404)])
def test_others_may_not_import(world, who, status):
    """The annotator reads the corpus through the project, but does not own it: 403; the
    outsider cannot see it: 404."""
    before = snapshot()
    response = client_for(world[who]).post(
        import_url(world["corpus"]), {"file": jsonl_file({"text": "خبر"})}, format="multipart"
    )
    assert response.status_code == status
    assert snapshot() == before


def test_import_into_a_missing_corpus_is_404(world):
    response = client_for(world["manager"]).post(
        "/api/corpora/999999/import/", {"file": jsonl_file({"text": "خبر"})}, format="multipart"
    )
    assert response.status_code == 404


BAD_UPLOADS = [
    (
        lambda: SimpleUploadedFile("a.jsonl", b'{"text": "\xd8\xa3"}\n{"text": \n'),
        "a.jsonl, line 2: not valid JSON: Expecting value (column 10); nothing was imported",
        "file",
    ),
    (
        lambda: SimpleUploadedFile("a.txt", "عنوان\n".encode() + b"\xff\xfe"),
        "a.txt: not valid UTF-8 at byte 11 (line 2): invalid start byte; nothing was imported",
        "file",
    ),
    (
        lambda: SimpleUploadedFile("a.csv", "title\nعنوان\n".encode()),
        "a.csv, line 1: no 'text' column in the header (columns: 'title'); nothing was imported",
        "file",
    ),
    (
        lambda: SimpleUploadedFile("a.jsonl", b'{"text": "   "}\n'),
        "a.jsonl, line 1: empty article (text is blank); nothing was imported",
        "file",
    ),
    (
        lambda: SimpleUploadedFile(
            "a.jsonl", '{"text": "أ", "published_on": "2019-13-01"}'.encode()
        ),
        "a.jsonl, line 1: published_on must be an ISO date (YYYY-MM-DD), got '2019-13-01'; "
        "nothing was imported",
        "file",
    ),
    (
        lambda: SimpleUploadedFile("a.docx", b"PK"),
        "cannot tell the format of 'a.docx' from its extension; name it .txt, .jsonl or .csv, "
        "or give the format (txt, jsonl, csv)",
        "format",
    ),
]


@pytest.mark.parametrize(("upload", "detail", "field"), BAD_UPLOADS)
def test_bad_uploads_get_400_and_write_nothing(world, upload, detail, field):
    before = snapshot()
    response = client_for(world["manager"]).post(
        import_url(world["corpus"]), {"file": upload()}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == detail
    assert response.json()["field"] == field
    assert snapshot() == before


def test_all_bad_records_are_listed(world):
    upload = SimpleUploadedFile("a.jsonl", b'{"text": "x"}\n[]\n{}\n')
    response = client_for(world["manager"]).post(
        import_url(world["corpus"]), {"file": upload}, format="multipart"
    )
    body = response.json()
    assert body["error_count"] == 2
    assert body["errors"] == [
        "a.jsonl, line 2: expected a JSON object, got an array",
        "a.jsonl, line 3: missing the required field 'text'",
    ]


def test_skip_bad_reports_skipped_records(world):
    upload = SimpleUploadedFile("a.jsonl", '{"text": "خبر سليم"}\n{"text": ""}\n'.encode())
    response = client_for(world["manager"]).post(
        import_url(world["corpus"]), {"file": upload, "skip_bad": "true"}, format="multipart"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["created"] == 1
    assert body["skipped"] == [
        {
            "file": "a.jsonl",
            "line": 2,
            "reason": "empty article (text is blank)",
            "message": "a.jsonl, line 2: empty article (text is blank)",
        }
    ]


def test_missing_file_and_bad_format_option(world):
    client = client_for(world["manager"])
    response = client.post(import_url(world["corpus"]), {"format": "jsonl"}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"detail": "choose a file to import", "field": "file"}
    response = client.post(
        import_url(world["corpus"]),
        {"file": jsonl_file({"text": "خبر"}), "format": "xml"},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json() == {"detail": 'format: "xml" is not a valid choice.', "field": "format"}


def test_format_option_overrides_the_extension(world):
    upload = jsonl_file({"text": "خبر"}, name="export.data")
    response = client_for(world["manager"]).post(
        import_url(world["corpus"]), {"file": upload, "format": "jsonl"}, format="multipart"
    )
    assert response.status_code == 200


def test_upload_above_the_limit_is_413(world, settings):
    settings.MAX_UPLOAD_BYTES = 100
    before = snapshot()
    upload = jsonl_file({"text": "خبر " * 50})
    response = client_for(world["manager"]).post(
        import_url(world["corpus"]), {"file": upload}, format="multipart"
    )
    assert response.status_code == 413
    size = upload.size
    assert response.json() == {
        "detail": f"the upload is {size / 1024:.1f} KB ({size} bytes), more than the limit "
        "of 0.1 KB (100 bytes)",
        "field": "file",
    }
    assert snapshot() == before


def test_request_far_above_the_limit_is_refused_by_its_length(world, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    upload = jsonl_file({"text": "خ" * 40_000})
    response = client_for(world["manager"]).post(
        import_url(world["corpus"]), {"file": upload}, format="multipart"
    )
    assert response.status_code == 413
    assert "more than the limit of 1.0 KB (1000 bytes)" in response.json()["detail"]


def test_openapi_schema_describes_the_corpus_endpoints():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for path in [
        "/api/corpora/",
        "/api/corpora/{corpus_id}/",
        "/api/corpora/{corpus_id}/articles/",
        "/api/corpora/{corpus_id}/import/",
        "/api/articles/{article_id}/",
    ]:
        assert path in paths, path
    upload = paths["/api/corpora/{corpus_id}/import/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert {"200", "400", "403", "404", "413"} <= set(upload["responses"])
