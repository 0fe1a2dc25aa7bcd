"""Corpus pages: the searchable article list, the article page, and the upload page."""

import copy
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from annotate.models import Role
from corpus.models import Article, Corpus
from tests.factories import make_article, make_corpus, make_project, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def shared_world(module_team):
    """Two corpora, both owned by the team's manager; the project holds one article, its
    members are the manager and the annotator; the outsider is in no project."""
    manager, annotator = module_team.manager, module_team.annotator
    corpus = make_corpus("أخبار", owners=[manager])
    raqqa = make_article(
        corpus,
        text="دخلت القوات مدينة الرَّقَّة صباح الأحد.",
        title="معركة الرَّقَّة",
        source="وكالة",
    )
    other = make_article(corpus, text="بيان عن الأوضاع في دير الزور.", title="دير الزور")
    second = make_corpus("ثانية", owners=[manager])
    elsewhere = make_article(second, text="خبر عن الرقة في مجموعة ثانية.", title="الرقة مجددا")
    make_project("p", articles=[raqqa], members={manager: Role.MANAGER, annotator: Role.ANNOTATOR})
    return {
        "corpus": corpus,
        "second": second,
        "raqqa": raqqa,
        "other": other,
        "elsewhere": elsewhere,
        "manager": manager,
        "annotator": annotator,
        "outsider": module_team.outsider,
    }


@pytest.fixture
def world(shared_world, db):
    return copy.deepcopy(shared_world)


def client_for(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def listed_titles(response) -> list[str]:
    return [a.title for a in response.context["articles"]]


def snapshot():
    return list(Corpus.objects.values_list("id", "name").order_by("id")) + list(
        Article.objects.values_list("id", "corpus_id").order_by("id")
    )


# --- the article list ------------------------------------------------------------------


def test_article_list_needs_login():
    response = Client().get("/corpus/articles/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_search_without_diacritics_finds_the_diacritised_article(world):
    response = client_for(world["manager"]).get("/corpus/articles/", {"q": "الرقة"})
    assert response.status_code == 200
    assert listed_titles(response) == ["معركة الرَّقَّة", "الرقة مجددا"]
    assert "معركة الرَّقَّة" in response.content.decode()


def test_search_with_diacritics_finds_the_plain_article(world):
    response = client_for(world["manager"]).get("/corpus/articles/", {"q": "الرَّقَّة مجددا"})
    assert listed_titles(response) == ["الرقة مجددا"]


def test_filter_by_corpus(world):
    client = client_for(world["manager"])
    response = client.get("/corpus/articles/", {"q": "الرقة", "corpus": world["second"].pk})
    assert listed_titles(response) == ["الرقة مجددا"]
    response = client.get("/corpus/articles/", {"corpus": "nonsense"})
    assert listed_titles(response) == []


def test_list_shows_corpus_source_and_date_and_paginates(world):
    for i in range(30):
        make_article(world["second"], text=f"خبر رقم {i}", title=f"عنوان {i}")
    client = client_for(world["manager"])
    response = client.get("/corpus/articles/", {"corpus": world["second"].pk})
    assert len(response.context["articles"]) == 25
    html = response.content.decode()
    cursor = response.context["next_cursor"]
    assert f"corpus={world['second'].pk}&amp;after={cursor}" in html
    assert 'rel="first"' not in html
    response = client.get("/corpus/articles/", {"corpus": world["second"].pk, "after": cursor})
    assert len(response.context["articles"]) == 6
    assert response.context["next_cursor"] is None
    assert 'rel="first"' in response.content.decode()
    response = client.get("/corpus/articles/", {"after": "not-a-cursor"})
    assert response.status_code == 400
    response = client.get("/corpus/articles/", {"q": "معركة"})
    html = response.content.decode()
    assert "وكالة" in html and "أخبار" in html


def test_members_see_only_their_project_articles(world):
    response = client_for(world["annotator"]).get("/corpus/articles/")
    assert listed_titles(response) == ["معركة الرَّقَّة"]
    assert "Import articles" not in response.content.decode()
    response = client_for(world["outsider"]).get("/corpus/articles/")
    assert listed_titles(response) == []


def test_managers_get_the_import_link(world):
    response = client_for(world["manager"]).get("/corpus/articles/")
    assert 'href="/corpus/import/"' in response.content.decode()


# --- the article page -------------------------------------------------------------------


def test_article_text_is_right_to_left_and_escaped(world):
    article = make_article(
        world["corpus"], text='قال <script>alert("x")</script> & «انتهى»', title="<b>عنوان</b>"
    )
    response = client_for(world["manager"]).get(f"/corpus/articles/{article.pk}/")
    html = response.content.decode()
    assert (
        '<div lang="ar" dir="rtl" class="article-text">'
        "قال &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; «انتهى»</div>"
    ) in html
    assert "<b>عنوان</b>" not in html and "&lt;b&gt;عنوان&lt;/b&gt;" in html


@pytest.mark.parametrize(
    ("who", "article", "status"),
    [
        ("manager", "other", 200),
        ("annotator", "raqqa", 200),
        ("annotator", "other", 404),
        ("outsider", "raqqa", 404),
    ],
)
def test_who_may_open_an_article(world, who, article, status):
    response = client_for(world[who]).get(f"/corpus/articles/{world[article].pk}/")
    assert response.status_code == status


# --- the upload page ---------------------------------------------------------------------


def test_upload_page_has_progress_and_no_inline_script(world):
    response = client_for(world["manager"]).get("/corpus/import/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<progress id="upload-progress"' in html
    assert '<script type="module" src="/static/js/upload.js"></script>' in html
    assert 'id="upload-texts" type="application/json"' in html
    inline = [s for s in re.findall(r"<script([^>]*)>", html) if "src=" not in s]
    assert inline == [
        ' id="upload-texts" type="application/json"',
        ' id="column-choices" type="application/json"',
    ]
    assert '<option value="أخبار">' in html  # existing corpus names offered


@pytest.mark.parametrize("who", ["annotator", "outsider"])
def test_upload_page_is_for_managers_only(world, who):
    client = client_for(world[who])
    assert client.get("/corpus/import/").status_code == 403
    before = snapshot()
    upload = SimpleUploadedFile("a.jsonl", '{"text": "خبر"}\n'.encode())
    response = client.post("/corpus/import/", {"corpus": "x", "file": upload})
    assert response.status_code == 403
    assert snapshot() == before


def post_import(client, files, *, json=False, **fields):
    data = {"corpus": "جديدة", "file": files, **fields}
    headers = {"Accept": "application/json"} if json else {}
    return client.post("/corpus/import/", data, headers=headers)


def test_form_post_creates_the_corpus_and_shows_the_report(world):
    upload = SimpleUploadedFile("a.jsonl", '{"text": "خبر أول"}\n{"text": "خبر ثان"}\n'.encode())
    response = post_import(client_for(world["manager"]), upload)
    assert response.status_code == 200
    assert "imported 2 articles, 0 duplicates" in response.content.decode()
    corpus = Corpus.objects.get(name="جديدة")
    assert corpus.created_by == world["manager"]
    assert corpus.articles.count() == 2


def test_script_post_gets_the_report_as_json(world):
    files = [
        SimpleUploadedFile("a.txt", "عنوان\nنص أول".encode()),
        SimpleUploadedFile("b.txt", "عنوان\nنص أول".encode()),
    ]
    response = post_import(client_for(world["manager"]), files, json=True)
    assert response.status_code == 200
    body = response.json()
    assert body["summary"] == "imported 1 article, 1 duplicate (1 repeated in the input)"
    corpus = Corpus.objects.get(name="جديدة")
    assert body["articles_url"] == f"/corpus/articles/?corpus={corpus.pk}"


def test_bad_file_is_400_with_the_line_and_nothing_written(world):
    before = snapshot()
    upload = SimpleUploadedFile("a.jsonl", '{"text": "أ"}\n{"text": "ب"\n'.encode())
    response = post_import(client_for(world["manager"]), upload, json=True)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "a.jsonl, line 2: not valid JSON: Expecting ',' delimiter (column 13); "
        "nothing was imported",
        "field": "file",
        "errors": ["a.jsonl, line 2: not valid JSON: Expecting ',' delimiter (column 13)"],
        "error_count": 1,
    }
    assert snapshot() == before

    upload = SimpleUploadedFile("a.jsonl", '{"text": "أ"}\n{"text": "ب"\n'.encode())
    response = post_import(client_for(world["manager"]), upload)  # without the script
    assert response.status_code == 400
    assert "line 2: not valid JSON" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "data", "detail"),
    [
        (
            "a.txt",
            "عنوان\n".encode() + b"\xc3\x28",
            "a.txt: not valid UTF-8 at byte 11 (line 2): invalid continuation byte; "
            "nothing was imported",
        ),
        (
            "a.csv",
            "body\nنص\n".encode(),
            "a.csv, line 1: no 'text' column in the header (columns: 'body'); nothing was imported",
        ),
        (
            "a.txt",
            "عنوان فقط\n".encode(),
            "a.txt: empty article (only a title line); nothing was imported",
        ),
        (
            "a.csv",
            "text,published_on\nنص,2019-02-30\n".encode(),
            "a.csv, line 2: published_on must be an ISO date (YYYY-MM-DD), got '2019-02-30'; "
            "nothing was imported",
        ),
        (
            "a.jsonl",
            '{"title": "بلا نص"}\n'.encode(),
            "a.jsonl, line 1: missing the required field 'text'; nothing was imported",
        ),
    ],
)
def test_each_bad_input_is_named(world, name, data, detail):
    before = snapshot()
    response = post_import(client_for(world["manager"]), SimpleUploadedFile(name, data), json=True)
    assert (response.status_code, response.json()["detail"]) == (400, detail)
    assert snapshot() == before


def test_skip_bad_on_the_page(world):
    upload = SimpleUploadedFile("a.jsonl", '{"text": "خبر"}\n{"text": 1}\n'.encode())
    response = post_import(client_for(world["manager"]), upload, json=True, skip_bad="on")
    body = response.json()
    assert body["summary"] == "imported 1 article, 0 duplicates; skipped 1 bad record"
    assert body["skipped"][0]["message"] == "a.jsonl, line 2: text must be a string"


def test_missing_corpus_name_or_file(world):
    client = client_for(world["manager"])
    response = client.post(
        "/corpus/import/", {"corpus": ""}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "corpus: This field is required.", "field": "corpus"}
    response = client.post(
        "/corpus/import/", {"corpus": "x"}, headers={"Accept": "application/json"}
    )
    assert response.json() == {"detail": "file: choose a file to import", "field": "file"}
    assert not Corpus.objects.filter(name="x").exists()


def test_oversize_upload_is_413(world, settings):
    settings.MAX_UPLOAD_BYTES = 10
    before = snapshot()
    upload = SimpleUploadedFile("a.jsonl", '{"text": "خبر طويل"}\n'.encode())
    response = post_import(client_for(world["manager"]), upload, json=True)
    assert response.status_code == 413
    assert response.json()["detail"].endswith("more than the limit of 0.0 KB (10 bytes)")
    assert snapshot() == before


def test_upload_needs_the_csrf_token(world):
    client = client_for(world["manager"], enforce_csrf_checks=True)
    upload = SimpleUploadedFile("a.jsonl", '{"text": "خبر"}\n'.encode())
    response = client.post("/corpus/import/", {"corpus": "x", "file": upload})
    assert response.status_code == 403
    assert not Corpus.objects.filter(name="x").exists()


# --- admin -------------------------------------------------------------------------------


def test_admin_searches_the_normalised_form_and_keeps_text_read_only(world):
    admin = make_user("root", is_staff=True, is_superuser=True)
    client = client_for(admin)
    response = client.get("/admin/corpus/article/", {"q": "الرقة"})
    assert response.status_code == 200
    titles = {a.title for a in response.context["cl"].result_list}
    assert titles == {"معركة الرَّقَّة", "الرقة مجددا"}
    response = client.get(f"/admin/corpus/article/{world['raqqa'].pk}/change/")
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "text" not in form.fields and "corpus" not in form.fields
    assert "title" in form.fields
    assert client.get("/admin/corpus/article/add/").status_code == 403
    response = client.get("/admin/corpus/corpus/")
    assert response.status_code == 200
    assert [c.article_count for c in response.context["cl"].result_list] == [2, 1]


def test_admin_edit_of_a_title_refreshes_the_search_text(world):
    admin = make_user("root", is_staff=True, is_superuser=True)
    article = world["other"]
    response = client_for(admin).post(
        f"/admin/corpus/article/{article.pk}/change/",
        {
            "title": "بيان جديد",
            "source": "",
            "url": "",
            "published_on": "",
            "external_id": "",
            "metadata": "{}",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert article.title == "بيان جديد"
    assert article.text == "بيان عن الأوضاع في دير الزور."
    assert article.search_text.startswith("بيان جديد\n")


def test_a_long_list_is_counted_up_to_a_limit_and_a_search_not_at_all(world, monkeypatch):
    monkeypatch.setattr("corpus.views.COUNT_LIMIT", 2)
    client = client_for(world["manager"])
    assert "More than 2 articles" in client.get("/corpus/articles/").content.decode()
    html = client.get("/corpus/articles/", {"q": "الرقة"}).content.decode()
    assert "Articles matching “الرقة”" in html and "More than" not in html
