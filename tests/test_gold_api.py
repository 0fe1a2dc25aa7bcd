"""Adjudication and gold through the REST API: permissions, merge, versioned saves, audit,
auto-accept of unanimous articles, progress."""

from __future__ import annotations

import copy

import pytest
from rest_framework.test import APIClient

from annotate.models import AuditAction, AuditEvent, Gold, GoldSource
from tests.base import ProjectTeam
from tests.factories import make_annotation, make_article, span_of

TEXT = "أعلن الجيش السوري أن داعش انسحب من مدينة الميادين بعد معارك عنيفة."

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def shared_setup(module_team):
    """The team's project over two articles about the army and a third; built once."""
    articles = [make_article(text=TEXT), make_article(text=TEXT + " ٢"), make_article()]
    return ProjectTeam.create(module_team, articles=articles)


@pytest.fixture
def setup(shared_setup, db):
    return copy.deepcopy(shared_setup)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


ARMY = span_of(TEXT, "الجيش السوري", "MILITARY_GROUP")
ISIS = span_of(TEXT, "داعش", "MILITARY_GROUP")
CITY = span_of(TEXT, "الميادين", "LOC")


def url(project, article, what="adjudication"):
    return f"/api/projects/{project.pk}/articles/{article.pk}/{what}/"


def test_adjudication_shows_submissions_proposal_and_open_decisions(setup):
    project, (article, *_), team = setup
    make_annotation(
        project, article, team.annotator, spans=[ARMY, CITY], stance={"isis": "against"}
    )
    make_annotation(project, article, team.annotator2, spans=[ARMY], stance={"isis": "against"})
    make_annotation(
        project, article, team.annotator3, spans=[ARMY, ISIS], stance={"isis": "neutral"}
    )
    response = client_for(team.reviewer).get(url(project, article))
    assert response.status_code == 200
    body = response.json()
    assert [a["annotator"]["username"] for a in body["annotations"]] == ["amal", "badr", "chadi"]
    assert body["article"]["text"] == TEXT
    assert [s["text"] for s in body["proposal"]["spans"]] == ["الجيش السوري"]
    assert body["proposal"]["document_labels"]["stance"] == {"isis": "against"}
    open_texts = sorted(d["span"]["text"] for d in body["decisions"] if d["kind"] == "span")
    assert open_texts == sorted(["الميادين", "داعش"])
    assert body["gold"] is None
    assert body["unanimous"] is False


def test_adjudication_never_shows_drafts(setup):
    project, (article, *_), team = setup
    make_annotation(project, article, team.annotator, spans=[ARMY])
    make_annotation(project, article, team.annotator2, spans=[CITY], submitted=False)
    body = client_for(team.manager).get(url(project, article)).json()
    assert [a["annotator"]["username"] for a in body["annotations"]] == ["amal"]
    assert all(d.get("span", {}).get("text") != "الميادين" for d in body["decisions"])


@pytest.mark.parametrize(
    ("who", "status"), [("annotator", 403), ("outsider", 404), ("reviewer", 200), ("manager", 200)]
)
def test_who_may_adjudicate(setup, who, status):
    project, (article, *_), team = setup
    client = client_for(team[who])
    assert client.get(url(project, article)).status_code == status
    assert client.get(f"/api/projects/{project.pk}/gold/progress/").status_code == status
    put = client.put(
        url(project, article, "gold"),
        {"version": 0, "content": {"spans": [ARMY]}},
        format="json",
    )
    assert put.status_code == status
    auto = client.post(f"/api/projects/{project.pk}/gold/auto-accept/")
    assert auto.status_code == status


def test_anonymous_gets_401(setup):
    project, (article, *_), _ = setup
    assert APIClient().get(url(project, article)).status_code == 401


def test_an_article_outside_the_project_is_404(setup):
    project, _, team = setup
    stranger = make_article(text="نص خارج المشروع.")
    response = client_for(team.reviewer).get(url(project, stranger))
    assert response.status_code == 404


def test_saving_gold_is_versioned_validated_and_audited(setup):
    project, (article, *_), team = setup
    client = client_for(team.reviewer)
    first = client.put(
        url(project, article, "gold"),
        {
            "version": 0,
            "content": {"spans": [ARMY], "document_labels": {"stance": {"isis": "against"}}},
        },
        format="json",
    )
    assert first.status_code == 200, first.json()
    assert first.json()["version"] == 1
    assert first.json()["source"] == GoldSource.ADJUDICATED
    assert first.json()["updated_by"] == "rami"

    second = client.put(
        url(project, article, "gold"),
        {"version": 1, "content": {"spans": [ARMY, CITY]}},
        format="json",
    )
    assert second.status_code == 200
    assert second.json()["version"] == 2

    stale = client_for(team.manager).put(
        url(project, article, "gold"),
        {"version": 1, "content": {"spans": []}},
        format="json",
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    gold = Gold.objects.get(project=project, article=article)
    assert gold.version == 2
    assert [s["text"] for s in gold.content["spans"]] == ["الجيش السوري", "الميادين"]

    events = list(AuditEvent.objects.filter(gold=gold).order_by("id"))
    assert [e.action for e in events] == [AuditAction.GOLD_SAVE] * 2
    assert [e.version for e in events] == [1, 2]
    assert [s["text"] for s in events[1].changes["spans_added"]] == ["الميادين"]
    assert events[1].changes["stance"] == {"isis": ["against", None]}
    assert events[0].user == team.reviewer


def test_creating_gold_that_exists_is_a_conflict(setup):
    project, (article, *_), team = setup
    client = client_for(team.reviewer)
    assert (
        client.put(
            url(project, article, "gold"), {"version": 0, "content": {}}, format="json"
        ).status_code
        == 200
    )
    again = client.put(url(project, article, "gold"), {"version": 0, "content": {}}, format="json")
    assert again.status_code == 409
    assert again.json()["current_version"] == 1


@pytest.mark.parametrize(
    ("content", "field", "message"),
    [
        ({"spans": [dict(ARMY, end=ARMY["end"] + 1)]}, "spans[0].text", "does not match"),
        ({"spans": [dict(ARMY, label="ALIEN")]}, "spans[0].label", "unknown label"),
        ({"spans": [dict(ARMY, end=10_000)]}, "spans[0].end", "article's length"),
        ({"document_labels": {"stance": {"isis": "maybe"}}}, "document_labels.stance.isis", ""),
        ({"spans": "nope"}, "spans", "must be a list"),
    ],
)
def test_invalid_gold_is_refused_naming_the_field(setup, content, field, message):
    project, (article, *_), team = setup
    response = client_for(team.reviewer).put(
        url(project, article, "gold"), {"version": 0, "content": content}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert message in response.json()["detail"]
    assert not Gold.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_missing_version_is_refused(setup):
    project, (article, *_), team = setup
    response = client_for(team.reviewer).put(
        url(project, article, "gold"), {"content": {}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "version"


def test_auto_accept_takes_unanimous_articles_and_lists_the_rest(setup):
    project, (agreed, disputed, single), team = setup
    for name in ("annotator", "annotator2"):
        make_annotation(project, agreed, team[name], spans=[ARMY], stance={"isis": "against"})
    make_annotation(
        project, disputed, team.annotator, spans=[span_of(disputed.text, "داعش", "ORG")]
    )
    make_annotation(project, disputed, team.annotator2, spans=[])
    make_annotation(project, single, team.annotator, spans=[])
    response = client_for(team.reviewer).post(f"/api/projects/{project.pk}/gold/auto-accept/")
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] == [agreed.pk]
    assert sorted(body["needs_review"], key=lambda r: r["article"]) == sorted(
        [
            {
                "article": disputed.pk,
                "reason": "disagreement",
                "differences": {"missing_span": 1},
            },
            {"article": single.pk, "reason": "single_annotator"},
        ],
        key=lambda r: r["article"],
    )
    gold = Gold.objects.get(project=project, article=agreed)
    assert gold.source == GoldSource.UNANIMOUS
    assert [s["text"] for s in gold.content["spans"]] == ["الجيش السوري"]
    assert gold.content["document_labels"]["stance"] == {"isis": "against"}
    assert AuditEvent.objects.get(gold=gold).action == AuditAction.GOLD_SAVE

    # Running it again changes nothing: gold is never overwritten.
    again = client_for(team.reviewer).post(f"/api/projects/{project.pk}/gold/auto-accept/")
    assert again.json()["accepted"] == []
    assert Gold.objects.get(pk=gold.pk).version == 1


def test_auto_accept_waits_for_open_assignments(setup):
    project, (article, *_), team = setup
    for name in ("annotator", "annotator2"):
        make_annotation(project, article, team[name], spans=[ARMY])
    make_annotation(project, article, team.annotator3, spans=[], submitted=False)
    body = client_for(team.manager).post(f"/api/projects/{project.pk}/gold/auto-accept/").json()
    assert body == {
        "accepted": [],
        "needs_review": [{"article": article.pk, "reason": "incomplete"}],
    }


def test_progress_counts_articles_with_gold(setup):
    project, (first, second, third), team = setup
    for article in (first, second):
        make_annotation(project, article, team.annotator, spans=[])
    client = client_for(team.reviewer)
    client.put(url(project, first, "gold"), {"version": 0, "content": {}}, format="json")
    progress = client.get(f"/api/projects/{project.pk}/gold/progress/").json()
    assert progress == {"total": 3, "with_gold": 1, "with_submissions": 2, "awaiting_gold": 1}
