"""After import, an article's title and metadata can be edited by its corpus's owners; its text
never changes; every edit is kept with the values before and after."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from annotate.models import Role
from corpus.articles import ONE_LINE_TITLE, ArticleEditError, check_article_changes
from corpus.models import Article, ArticleEdit
from corpus.search import search_page
from tests.factories import make_article, make_corpus, make_project

pytestmark = pytest.mark.django_db
TEXT = "دخلت القوات مدينة الرقة صباح الأحد."


@pytest.fixture
def article(team):
    corpus = make_corpus("أخبار", owners=[team.manager])
    article = make_article(corpus, text=TEXT, title="شارك", metadata={"site": "kayhan.ir"})
    make_project("p", articles=[article], members={team.annotator: Role.ANNOTATOR})
    return article


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_an_owner_renames_an_article_and_the_edit_is_kept(team, article):
    response = api(team.manager).patch(
        f"/api/articles/{article.pk}/",
        {"title": "دخول الرقة", "metadata": {"site": "kayhan.ir", "checked": True}},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "دخول الرقة"
    article.refresh_from_db()
    assert (article.title, article.text) == ("دخول الرقة", TEXT)
    assert article.metadata == {"site": "kayhan.ir", "checked": True}
    edit = ArticleEdit.objects.get()
    assert edit.user == team.manager
    assert edit.changes == {
        "title": ["شارك", "دخول الرقة"],
        "metadata": [{"site": "kayhan.ir"}, {"site": "kayhan.ir", "checked": True}],
    }
    # The new title is searchable (the search text holds the title).
    assert search_page(Article.objects.all(), "دخول").rows == [article]
    history = api(team.manager).get(f"/api/articles/{article.pk}/edits/")
    assert history.status_code == 200
    assert history.json()["results"][0]["changes"]["title"] == ["شارك", "دخول الرقة"]
    assert history.json()["results"][0]["user"] == "mona"


def test_an_edit_that_changes_nothing_writes_nothing(team, article):
    response = api(team.manager).patch(
        f"/api/articles/{article.pk}/", {"title": "شارك"}, format="json"
    )
    assert response.status_code == 200
    assert not ArticleEdit.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "نص آخر"}, "text"),
        ({"title": "a\nb"}, "title"),
        ({"title": "x" * 1001}, "title"),
        ({"metadata": [1]}, "metadata"),
        ({"source": "x"}, "source"),
    ],
)
def test_the_text_and_bad_values_are_refused(team, article, body, field):
    response = api(team.manager).patch(f"/api/articles/{article.pk}/", body, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == field
    article.refresh_from_db()
    assert (article.title, article.text) == ("شارك", TEXT)
    assert not ArticleEdit.objects.exists()


@pytest.mark.parametrize(
    ("who", "expected"),
    [("manager", 200), ("staff", 200), ("annotator", 403), ("outsider", 404), (None, 401)],
)
def test_who_may_edit_an_article(team, article, who, expected):
    client = api(team[who] if who else None)
    response = client.patch(f"/api/articles/{article.pk}/", {"title": "جديد"}, format="json")
    assert response.status_code == expected
    history = client.get(f"/api/articles/{article.pk}/edits/")
    assert history.status_code == expected
    article.refresh_from_db()
    assert article.title == ("جديد" if expected == 200 else "شارك")


def test_edit_history_list_query_count(team, article, django_assert_num_queries):
    for i in range(5):
        api(team.manager).patch(f"/api/articles/{article.pk}/", {"title": f"t{i}"}, format="json")
    client = api(team.manager)
    with django_assert_num_queries(4):  # article, ownership, count, page with editors
        response = client.get(f"/api/articles/{article.pk}/edits/")
    assert len(response.json()["results"]) == 5


def test_the_article_page_edits_for_owners_only(client: Client, team, article):
    client.force_login(team.outsider)
    assert client.get(f"/corpus/articles/{article.pk}/").status_code == 404
    assert client.post(f"/corpus/articles/{article.pk}/edit/", {"title": "x"}).status_code == 404
    client.logout()
    assert client.post(f"/corpus/articles/{article.pk}/edit/", {"title": "x"}).status_code == 302
    client.force_login(team.annotator)
    page = client.get(f"/corpus/articles/{article.pk}/").content.decode()
    assert 'id="article-edit-form"' not in page
    assert client.post(f"/corpus/articles/{article.pk}/edit/", {"title": "x"}).status_code == 403
    client.force_login(team.manager)
    page = client.get(f"/corpus/articles/{article.pk}/").content.decode()
    assert 'id="article-edit-form"' in page
    response = client.post(
        f"/corpus/articles/{article.pk}/edit/",
        {"title": "دخول الرقة", "metadata": '{"site": "kayhan.ir"}'},
        follow=True,
    )
    assert "Article saved. Its text is unchanged." in [str(m) for m in response.context["messages"]]
    assert "دخول الرقة" in response.content.decode()
    bad = client.post(
        f"/corpus/articles/{article.pk}/edit/",
        {"title": "y", "metadata": '{"site": \n'},
        follow=True,
    )
    assert any("not valid JSON at line 2" in str(m) for m in bad.context["messages"])
    article.refresh_from_db()
    assert article.title == "دخول الرقة"
    assert ArticleEdit.objects.count() == 1


def test_an_edit_is_json_only_a_form_is_refused_and_changes_nothing(team, article):
    response = api(team.manager).patch(
        f"/api/articles/{article.pk}/", {"title": ""}, format="multipart"
    )
    assert response.status_code == 415
    article.refresh_from_db()
    assert article.title == "شارك"
    assert not ArticleEdit.objects.exists()


@pytest.mark.parametrize(
    "title",
    ["", "  ", "عنوان", "  عنوان جديد \n", "\r\nعنوان\r\n", "عنوان\u2028آخر", "a\nb", "a\rb",
     "a\x00", "\x00"],
)  # fmt: skip
def test_the_schemas_title_pattern_takes_what_an_edit_takes(title):
    try:
        check_article_changes({"title": title})
        taken = True
    except ArticleEditError:
        taken = False
    # The schema allows the empty title on its own, and the pattern the rest.
    assert (title == "" or re.match(ONE_LINE_TITLE, title) is not None) == taken


def test_the_schema_documents_the_title_pattern(client, team):
    client.force_login(team.manager)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    body = schema["paths"]["/api/articles/{article_id}/"]["patch"]["requestBody"]
    assert list(body["content"]) == ["application/json"]
    title = schema["components"]["schemas"]["PatchedArticleEditRequest"]["properties"]["title"]
    assert {"type": "string", "maxLength": 0} in title["oneOf"]
    assert title["oneOf"][0]["pattern"] == ONE_LINE_TITLE.replace("\\x00", "\\u0000")
