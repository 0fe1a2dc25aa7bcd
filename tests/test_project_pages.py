"""The home page and the project overview page, through the test client."""

from __future__ import annotations

import copy
import json

import pytest
from django.contrib.messages import get_messages

from annotate.annotations import do_skip
from annotate.lib.schema import default_schema
from annotate.models import Assignment, Membership, Project, ProjectArticle, Role
from annotate.queue import do_generate_assignments, do_next
from tests.base import ProjectTeam
from tests.factories import make_article, make_corpus, make_project, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def shared_project(module_team):
    """The team's project (without the third annotator) over three articles; built once."""
    corpus = make_corpus("news")
    articles = [make_article(corpus, title=f"خبر {i}") for i in range(3)]
    return ProjectTeam.create(
        module_team,
        name="الرقة 2017",
        articles=articles,
        without=("annotator3",),
        guidelines="Mark **every** claim.\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))",
    ).project


@pytest.fixture
def project(shared_project, db):
    return copy.deepcopy(shared_project)


def login(client, user):
    client.force_login(user)
    return client


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# ---- home ----


def test_home_needs_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_home_lists_own_projects_with_role_and_progress(client, team, project):
    make_project("someone else project")
    do_generate_assignments(project, k=1, seed=0)
    found = do_next(project, team.annotator)
    do_skip(found[0], user=team.annotator, reason="duplicate")
    own_total = Assignment.objects.filter(annotator=team.annotator).count()
    response = login(client, team.annotator).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "الرقة 2017" in html
    assert "someone else project" not in html
    assert f"1 of {own_total} done" in html
    assert f'href="/projects/{project.pk}/annotate/"' in html
    assert "New project" not in html
    rows = response.context["rows"]
    assert [(r["role"], r["own_done"]) for r in rows] == [("annotator", 1)]


def test_home_for_leads_shows_everyone_and_staff_can_create(client, team, project):
    do_generate_assignments(project, k=1, seed=0)
    html = login(client, team.manager).get("/").content.decode()
    assert "0 of 3 submitted" in html
    assert "New project" in login(client, team.staff).get("/").content.decode()
    response = client.post("/projects/new/", {"name": "جديد", "description": ""})
    created = Project.objects.get(name="جديد")
    assert response["Location"] == f"/projects/{created.pk}/"
    assert Membership.objects.get(project=created).role == Role.MANAGER


def test_non_staff_cannot_create_projects_from_the_page(client, team):
    response = login(client, team.reviewer).post("/projects/new/", {"name": "x"})
    assert response.status_code == 403
    assert not Project.objects.filter(name="x").exists()


# ---- overview ----


def test_overview_for_an_annotator(client, team, project):
    response = login(client, team.annotator).get(f"/projects/{project.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Start annotating" in html
    assert f'href="/projects/{project.pk}/annotate/"' in html
    assert "<strong>every</strong>" in html
    assert "<script>" not in html
    assert "javascript:" not in html
    assert "Progress per annotator" not in html
    assert "Generate assignments" not in html
    assert "MILITARY_GROUP" in html  # the schema is shown


def test_overview_for_leads_and_managers(client, team, project):
    html = login(client, team.reviewer).get(f"/projects/{project.pk}/").content.decode()
    assert "Progress per annotator" in html
    assert "amal" in html and "badr" in html
    assert "Generate assignments" not in html
    html = login(client, team.manager).get(f"/projects/{project.pk}/").content.decode()
    for section in (
        "Generate assignments",
        "Add articles",
        "Members and invitations",
        "Edit the schema",
    ):
        assert section in html


def test_outsiders_get_404(client, team, project):
    assert login(client, team.outsider).get(f"/projects/{project.pk}/").status_code == 404


def test_manager_generates_assignments_from_the_page(client, team, project):
    login(client, team.manager)
    response = client.post(
        f"/projects/{project.pk}/assignments/generate/",
        {"k": 2, "fraction": 1, "seed": 3, "mode": "preassign"},
        follow=True,
    )
    assert "6 assignments created (6 in all)." in messages_of(response)
    assert Assignment.objects.filter(project=project).count() == 6
    response = client.post(
        f"/projects/{project.pk}/assignments/generate/",
        {"k": 3, "fraction": 1, "seed": 3, "mode": "preassign"},
        follow=True,
    )
    assert any(m.startswith("k: ") for m in messages_of(response))
    assert Assignment.objects.filter(project=project).count() == 6


def test_only_managers_post_the_forms(client, team, project):
    login(client, team.reviewer)
    urls = [
        (
            f"/projects/{project.pk}/assignments/generate/",
            {"k": 1, "fraction": 1, "seed": 1, "mode": "pool"},
        ),
        (f"/projects/{project.pk}/members/invite/", {"who": "omar", "role": "annotator"}),
        (f"/projects/{project.pk}/settings/", {"name": "renamed"}),
    ]
    for url, data in urls:
        assert client.post(url, data).status_code == 403
    login(client, team.outsider)
    for url, data in urls:
        assert client.post(url, data).status_code == 404
    assert not Assignment.objects.exists()
    assert Project.objects.get(pk=project.pk).name == "الرقة 2017"


def test_manager_adds_articles_by_search_or_all(client, team, project):
    corpus = make_corpus("more", owners=[team.manager])
    make_article(corpus, text="دخلت القوات مدينة الرَّقَّة.")
    make_article(corpus, text="خبر آخر عن دمشق.")
    login(client, team.manager)
    url = f"/projects/{project.pk}/articles/add/"
    response = client.post(url, {"corpus": corpus.pk, "q": "الرقة"}, follow=True)
    assert "1 articles added, 0 were already in the project." in messages_of(response)
    response = client.post(url, {"corpus": corpus.pk, "all": "on"}, follow=True)
    assert "1 articles added, 1 were already in the project." in messages_of(response)
    response = client.post(url, {"corpus": corpus.pk}, follow=True)
    assert any(m.startswith("q: ") for m in messages_of(response))
    assert ProjectArticle.objects.filter(project=project).count() == 5


def test_manager_manages_members(client, team, project):
    login(client, team.manager)
    response = client.post(
        f"/projects/{project.pk}/members/invite/",
        {"who": "omar", "role": "annotator"},
        follow=True,
    )
    assert "omar is now Annotator." in messages_of(response)
    outsider = team.outsider
    client.post(f"/projects/{project.pk}/members/{outsider.pk}/", {"role": "reviewer"})
    assert Membership.objects.get(project=project, user=outsider).role == Role.REVIEWER
    client.post(f"/projects/{project.pk}/members/{outsider.pk}/", {"remove": "1", "role": "x"})
    assert not Membership.objects.filter(project=project, user=outsider).exists()
    manager = team.manager
    response = client.post(
        f"/projects/{project.pk}/members/{manager.pk}/", {"remove": "1"}, follow=True
    )
    assert any("last manager" in m for m in messages_of(response))
    response = client.post(
        f"/projects/{project.pk}/members/invite/",
        {"who": "nobody", "role": "annotator"},
        follow=True,
    )
    assert any(m.startswith("username: ") for m in messages_of(response))


def test_manager_edits_schema_and_settings(client, team, project):
    login(client, team.manager)
    schema = default_schema()
    schema["entity_labels"][0]["name"] = "شخص"
    response = client.post(
        f"/projects/{project.pk}/schema/",
        {"schema": json.dumps(schema, ensure_ascii=False), "note": "arabic names"},
        follow=True,
    )
    assert "Schema saved (version 2)." in messages_of(response)
    project.refresh_from_db()
    assert project.schema["entity_labels"][0]["name"] == "شخص"
    response = client.post(
        f"/projects/{project.pk}/schema/", {"schema": "{not json", "note": ""}, follow=True
    )
    assert any(m.startswith("schema: not valid JSON at line 1") for m in messages_of(response))
    response = client.post(
        f"/projects/{project.pk}/settings/",
        {"name": "الرقة", "description": "", "guidelines": "# Rules"},
        follow=True,
    )
    assert '<h1 dir="auto">Rules</h1>' in response.content.decode()
    assert Project.objects.get(pk=project.pk).name == "الرقة"


def test_manager_reassigns_and_gives_back_skipped_work(client, team, project):
    do_generate_assignments(project, k=1, seed=0)
    found = do_next(project, team.annotator)
    do_skip(found[0], user=team.annotator, reason="لا علاقة")
    login(client, team.manager)
    html = client.get(f"/projects/{project.pk}/").content.decode()
    assert "لا علاقة" in html
    asid = found[0].pk
    client.post(f"/assignments/{asid}/reassign/", {"annotator": team.annotator2.pk})
    assert Assignment.objects.get(pk=asid).annotator == team.annotator2
    do_next(project, team.annotator2)
    while (found := do_next(project, team.annotator2)) is not None:
        if found[0].pk == asid:
            break
        do_skip(found[0], user=team.annotator2, reason="r")
    do_skip(Assignment.objects.get(pk=asid), user=team.annotator2, reason="again")
    client.post(f"/assignments/{asid}/reopen/")
    assert Assignment.objects.get(pk=asid).status == "in_progress"
    login(client, team.reviewer)
    assert client.post(f"/assignments/{asid}/reopen/").status_code == 403


@pytest.mark.parametrize(
    "model",
    [
        "project",
        "membership",
        "schemaversion",
        "assignment",
        "annotation",
        "gold",
        "auditevent",
        "agreementsnapshot",
        "job",
        "exporttoken",
    ],
)
def test_admin_lists_render(client, project, team, model):
    do_generate_assignments(project, k=1, seed=0)
    do_next(project, team.annotator)
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    response = client.get(f"/admin/annotate/{model}/")
    assert response.status_code == 200


def test_admin_shows_a_project_and_refuses_editing_annotations(client, project, team):
    do_generate_assignments(project, k=1, seed=0)
    _, annotation = do_next(project, team.annotator)
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    assert client.get(f"/admin/annotate/project/{project.pk}/change/").status_code == 200
    response = client.post(f"/admin/annotate/annotation/{annotation.pk}/change/", {})
    assert response.status_code == 403


def test_leads_find_agreement_adjudication_and_data_from_the_project_page(client):
    manager, reviewer, annotator = make_user(), make_user(), make_user()
    project = make_project(
        members={manager: Role.MANAGER, reviewer: Role.REVIEWER, annotator: Role.ANNOTATOR}
    )
    links = {
        f"/projects/{project.pk}/agreement/",
        f"/projects/{project.pk}/adjudicate/",
        f"/projects/{project.pk}/exports/",
    }
    client.force_login(manager)
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert all(f'href="{link}"' in page for link in links)
    client.force_login(reviewer)
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert f'href="/projects/{project.pk}/exports/"' not in page
    assert f'href="/projects/{project.pk}/agreement/"' in page
    client.force_login(annotator)
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert not any(f'href="{link}"' in page for link in links)
