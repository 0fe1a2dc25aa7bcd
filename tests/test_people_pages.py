"""The People pages: who sees them, the table's forms, the preview, escaping, Arabic."""

from __future__ import annotations

import pytest

from annotate.models import Assignment, Gold, GoldSource
from tests.base import ProjectTeam, login
from tests.factories import make_annotation, make_article, span_of

pytestmark = pytest.mark.django_db

TEXT = "قال المتحدث باسم الجيش السوري إن داعش انسحب من الرقة."


@pytest.fixture
def world(team):
    articles = [
        make_article(text=TEXT, title="<script>alert(1)</script> مقال"),
        make_article(text="نص ثان هنا."),
    ]
    pt = ProjectTeam.create(team, articles=articles)
    make_annotation(
        pt.project,
        articles[0],
        team.annotator,
        spans=[span_of(TEXT, "داعش", "ORG", span_id="a1")],
        stance={"isis": "favor"},
    )
    Gold.objects.create(
        project=pt.project,
        article=articles[0],
        content={
            "spans": [span_of(TEXT, "داعش", "MILITARY_GROUP", span_id="g1"),
                      span_of(TEXT, "الرقة", "LOC", span_id="g2")],
            "relations": [],
            "document_labels": {"stance": {"isis": "against"}},
        },
        source=GoldSource.ADJUDICATED,
    )  # fmt: skip
    todo = Assignment.objects.create(
        project=pt.project, article=articles[1], annotator=team.annotator2, position=1
    )
    return {"project": pt.project, "articles": articles, "team": team, "todo": todo}


def pages(w):
    p, a0, amal = w["project"].pk, w["articles"][0].pk, w["team"].annotator.pk
    return {
        "people": f"/projects/{p}/people/",
        "annotator": f"/projects/{p}/people/{amal}/",
        "article": f"/projects/{p}/people/{amal}/articles/{a0}/",
    }


@pytest.mark.parametrize("page", ["people", "annotator", "article"])
@pytest.mark.parametrize(
    ("who", "status"),
    [("manager", 200), ("reviewer", 200), ("annotator", 403), ("outsider", 404)],
)
def test_only_leads_see_the_people_pages(client, world, page, who, status):
    login(client, world["team"][who])
    assert client.get(pages(world)[page]).status_code == status


def test_anonymous_users_are_sent_to_log_in(client, world):
    response = client.get(pages(world)["people"])
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_people_page_shows_each_annotator_and_escapes_titles(client, world):
    login(client, world["team"].reviewer)
    html = client.get(pages(world)["people"]).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    for name in ("amal", "badr", "chadi"):
        assert f'data-annotator="{name}"' in html
    # A reviewer sees no manager's forms.
    assert 'name="one"' not in html and "preview-form" not in html


def test_a_manager_reassigns_one_row_from_the_table(client, world):
    team = world["team"]
    login(client, team.manager)
    todo = world["todo"]
    response = client.post(
        f"/projects/{world['project'].pk}/people/actions/",
        {"one": todo.pk, f"annotator-{todo.pk}": team.annotator3.pk,
         "query": "status=todo&next=https://evil.example/"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"].endswith("/people/?status=todo")
    assert Assignment.objects.get(pk=todo.pk).annotator_id == team.annotator3.pk


def test_a_refused_bulk_action_changes_nothing_and_says_why(client, world):
    login(client, world["team"].manager)
    submitted = Assignment.objects.get(article=world["articles"][0])
    response = client.post(
        f"/projects/{world['project'].pk}/people/actions/",
        {"action": "unassign", "assignments": [world["todo"].pk, submitted.pk]},
        follow=True,
    )
    assert f"Assignment {submitted.pk}" in response.content.decode()
    assert Assignment.objects.get(pk=world["todo"].pk).annotator_id == world["team"].annotator2.pk


def test_reviewers_cannot_post_actions(client, world):
    login(client, world["team"].reviewer)
    response = client.post(
        f"/projects/{world['project'].pk}/people/actions/",
        {"action": "unassign", "assignments": [world["todo"].pk]},
    )
    assert response.status_code == 403
    assert Assignment.objects.get(pk=world["todo"].pk).annotator_id == world["team"].annotator2.pk


def test_the_preview_says_what_generating_will_create(client, world):
    login(client, world["team"].manager)
    html = client.get(pages(world)["people"], {"preview": 1, "k": 2, "fraction": 1}).content
    html = html.decode()
    assert "This will create 2 assignments" in html
    assert "2 annotators on 2 articles" in html
    assert Assignment.objects.count() == 2


def test_the_article_page_marks_each_difference_and_escapes_text(client, world):
    login(client, world["team"].manager)
    html = client.get(pages(world)["article"]).content.decode()
    assert 'class="diff diff-label" data-kind="label"' in html
    assert 'class="diff diff-missing" data-kind="missing"' in html
    assert 'data-count="missing">1<' in html


def test_the_people_page_in_arabic(client, world):
    login(client, world["team"].manager)
    client.cookies["django_language"] = "ar"
    html = client.get(pages(world)["people"], HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'dir="rtl"' in html
    assert "People and assignments" not in html
