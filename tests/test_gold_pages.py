"""Adjudication and data pages through the test client: permissions, escaping, RTL, no
inline script, auto-accept from the page, exports and tokens from the page."""

from __future__ import annotations

import copy
import json
import re

import pytest

from annotate.models import ExportToken, Gold, Job, JobKind, JobStatus
from tests.base import ProjectTeam, login
from tests.factories import make_annotation, make_article, span_of

pytestmark = pytest.mark.django_db
HOSTILE = 'قال <script>alert("x")</script> داعش & "الجيش"'


@pytest.fixture(scope="module")
def shared_setup(module_team):
    """Two articles both annotators submitted: one they agree on, one with hostile markup."""
    agreed, hostile = make_article(text="أعلنت قسد السيطرة على منبج."), make_article(text=HOSTILE)
    crew = ProjectTeam.create(module_team, articles=[agreed, hostile])
    for annotator in (module_team.annotator, module_team.annotator2):
        make_annotation(
            crew.project, agreed, annotator, spans=[span_of(agreed.text, "منبج", "LOC")]
        )
    make_annotation(
        crew.project, hostile, module_team.annotator, spans=[span_of(HOSTILE, "داعش", "ORG")]
    )
    make_annotation(crew.project, hostile, module_team.annotator2, spans=[])
    return crew


@pytest.fixture
def setup(shared_setup, db, settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    return copy.deepcopy(shared_setup)


def scripts(html: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>", html)


@pytest.mark.parametrize(
    ("who", "status"), [("reviewer", 200), ("manager", 200), ("annotator", 403), ("outsider", 404)]
)
def test_who_sees_the_adjudication_pages(client, setup, who, status):
    project, (agreed, _), team = setup
    login(client, team[who])
    assert client.get(f"/projects/{project.pk}/adjudicate/").status_code == status
    assert (
        client.get(f"/projects/{project.pk}/articles/{agreed.pk}/adjudicate/").status_code == status
    )


def test_the_review_list_shows_progress_and_waiting_articles(client, setup):
    project, (agreed, hostile), team = setup
    html = login(client, team.reviewer).get(f"/projects/{project.pk}/adjudicate/").content.decode()
    assert "0 of 2 articles have gold" in html
    assert f"/projects/{project.pk}/articles/{agreed.pk}/adjudicate/" in html
    assert f"/projects/{project.pk}/articles/{hostile.pk}/adjudicate/" in html


def test_auto_accept_from_the_page(client, setup):
    project, (agreed, hostile), team = setup
    login(client, team.reviewer)
    response = client.post(f"/projects/{project.pk}/adjudicate/", follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 unanimous article accepted as gold." in html
    assert "1 article needs review." in html
    assert list(Gold.objects.values_list("article_id", flat=True)) == [agreed.pk]
    assert f"/articles/{agreed.pk}/adjudicate/" not in html
    assert f"/articles/{hostile.pk}/adjudicate/" in html


def test_the_article_page_escapes_text_and_carries_data_without_inline_script(client, setup):
    project, (_, hostile), team = setup
    html = (
        login(client, team.reviewer)
        .get(f"/projects/{project.pk}/articles/{hostile.pk}/adjudicate/")
        .content.decode()
    )
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert 'lang="ar" dir="rtl"' in html
    tags = scripts(html)
    assert all('src="' in tag or 'type="application/json"' in tag for tag in tags), tags
    assert any("js/adjudicate-boot.js" in tag for tag in tags)
    payload = re.search(
        r'<script id="page-data" type="application/json">(.*?)</script>', html, re.S
    )
    data = json.loads(payload.group(1))
    assert data["article"]["text"] == HOSTILE
    assert [a["annotator"]["username"] for a in data["annotations"]] == ["amal", "badr"]
    assert data["urls"]["gold"] == f"/api/projects/{project.pk}/articles/{hostile.pk}/gold/"
    assert {d["kind"] for d in data["decisions"]} == {"span"}


def test_the_article_page_never_includes_drafts(client, setup):
    project, (agreed, _), team = setup
    make_annotation(
        project,
        agreed,
        team.annotator3,
        spans=[span_of(agreed.text, "قسد", "ORG")],
        submitted=False,
    )
    html = (
        login(client, team.reviewer)
        .get(f"/projects/{project.pk}/articles/{agreed.pk}/adjudicate/")
        .content.decode()
    )
    assert team.annotator3.username not in html


# ---- the data page ----


@pytest.mark.parametrize(
    ("who", "status"), [("manager", 200), ("reviewer", 403), ("outsider", 404)]
)
def test_only_managers_see_the_data_page(client, setup, who, status):
    project, _, team = setup
    assert login(client, team[who]).get(f"/projects/{project.pk}/exports/").status_code == status


def test_an_export_started_from_the_page_without_javascript(client, setup):
    project, _, team = setup
    login(client, team.manager)
    response = client.post(
        f"/projects/{project.pk}/exports/",
        {"action": "export", "formats": ["jsonl", "csv"], "seed": "3", "ratios": "0.8,0.1,0.1"},
        follow=True,
    )
    job = Job.objects.get(kind=JobKind.EXPORT)
    assert job.status == JobStatus.DONE
    assert job.params["formats"] == ["jsonl", "csv"]
    assert f"/api/projects/{project.pk}/exports/{job.pk}/download/" in response.content.decode()
    bad = client.post(f"/projects/{project.pk}/exports/", {"action": "export", "ratios": "1,1,1"})
    assert "ratios: ratios must sum to 1" in bad.content.decode()
    assert Job.objects.filter(kind=JobKind.EXPORT).count() == 1


def test_a_token_is_shown_once_then_revoked(client, setup):
    project, _, team = setup
    login(client, team.manager)
    created = client.post(
        f"/projects/{project.pk}/exports/", {"action": "create-token", "name": "ci"}
    )
    match = re.search(r'<code id="new-token" dir="ltr">([^<]+)</code>', created.content.decode())
    key = match.group(1)
    assert ExportToken.objects.get().name == "ci"
    again = client.get(f"/projects/{project.pk}/exports/").content.decode()
    assert key not in again
    token = ExportToken.objects.get()
    client.post(f"/projects/{project.pk}/exports/", {"action": "revoke-token", "token": token.pk})
    assert ExportToken.objects.get().revoked
