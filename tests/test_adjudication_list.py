"""The review list (issue 15): each article's agreement score and open decisions, sorted and
filtered; *Accept unanimous* says why each refused article is not unanimous; every
disagreement, a two-to-one claimant included, is an open decision in adjudication."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotate.models import Gold
from tests.base import ProjectTeam, login, make_team
from tests.factories import make_annotation, make_article, span_of

pytestmark = pytest.mark.django_db

TEXT = "قال المتحدث باسم الجيش السوري إن وحدات الجيش استعادت السيطرة على المدينة من داعش."
CLAIM_TEXT = "وحدات الجيش استعادت السيطرة على المدينة"


def claim(claimant):
    return span_of(TEXT, CLAIM_TEXT, "CLAIM", claimant=claimant, checkworthy=True, stance=None)


@pytest.fixture
def world():
    """Four articles: `agreed` (three annotators, all the same), `claimant` (the same but for
    a claimant given two to one), `spans` (داعش marked MILITARY_GROUP, ORG and not at all),
    `single` (one annotator)."""
    team = make_team()
    articles = [make_article(text=TEXT, title=f"خبر {k}") for k in range(4)]
    project = ProjectTeam.create(team, articles=articles).project
    agreed, claimant, spans, single = articles
    army = span_of(TEXT, "الجيش السوري", "MILITARY_GROUP")
    isis = span_of(TEXT, "داعش", "MILITARY_GROUP")
    people = (team.annotator, team.annotator2, team.annotator3)
    for who in people:
        make_annotation(project, agreed, who, spans=[army], stance={"isis": "against"})
    for who, name in zip(people, ("author", "author", "unattributed"), strict=True):
        make_annotation(
            project, claimant, who, spans=[army, claim(name)], stance={"isis": "against"}
        )
    make_annotation(project, spans, team.annotator, spans=[army, isis], stance={"isis": "favor"})
    make_annotation(project, spans, team.annotator2, spans=[army], stance={"isis": "favor"})
    org = span_of(TEXT, "داعش", "ORG")
    make_annotation(project, spans, team.annotator3, spans=[army, org], stance={"isis": "favor"})
    make_annotation(project, single, team.annotator, spans=[army])
    return project, articles, team


def list_url(project, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("annotate:adjudication-list", args=[project.pk]) + (f"?{query}" if query else "")


def rows(html: str) -> list[tuple[int, str, str]]:
    """(article id, score cell text, open cell text) of each row of the review list."""
    found = []
    for article, body in re.findall(r'<tr data-article="(\d+)">(.*?)</tr>', html, re.S):
        score = re.search(r'class="num score">(.*?)</td>', body, re.S).group(1)
        open_ = re.search(r'class="num open">(.*?)</td>', body, re.S).group(1)
        strip = lambda s: unescape(re.sub(r"<[^>]+>", " ", s)).split()  # noqa: E731
        found.append((int(article), " ".join(strip(score)), " ".join(strip(open_))))
    return found


def test_the_list_shows_score_and_open_decisions_of_each_article(world):
    project, (agreed, claimant, spans, single), team = world
    response = login(Client(), team.reviewer).get(list_url(project))
    assert response.status_code == 200
    got = {article: (score, open_) for article, score, open_ in rows(response.content.decode())}
    assert got[agreed.pk] == ("1.000", "0")
    # Same spans and stance: the two-to-one claimant costs agreement and is one decision.
    claim_score, claim_open = got[claimant.pk]
    assert float(claim_score) < 1
    assert claim_open == "1 1 different claimant"
    # داعش: MILITARY_GROUP by one, ORG by another, nothing by the third: two label decisions.
    assert got[spans.pk][1] == "2 2 different labels"
    assert got[single.pk] == ("–", "0")


def test_the_list_sorts_by_score_and_by_open_decisions(world):
    project, (agreed, claimant, spans, single), team = world
    client = login(Client(), team.reviewer)
    by_score = [r[0] for r in rows(client.get(list_url(project, sort="score")).content.decode())]
    assert by_score == [spans.pk, claimant.pk, agreed.pk, single.pk]
    by_open = [r[0] for r in rows(client.get(list_url(project, sort="open")).content.decode())]
    assert by_open[0] == spans.pk and by_open[1] == claimant.pk


def test_the_list_filters_by_kind_and_open_decisions(world):
    project, (agreed, claimant, spans, single), team = world
    client = login(Client(), team.reviewer)
    claimants = rows(client.get(list_url(project, kind="claimant")).content.decode())
    assert [r[0] for r in claimants] == [claimant.pk]
    labels = rows(client.get(list_url(project, kind="label")).content.decode())
    assert [r[0] for r in labels] == [spans.pk]
    with_open = rows(client.get(list_url(project, open="1")).content.decode())
    assert sorted(r[0] for r in with_open) == sorted([claimant.pk, spans.pk])
    # An unknown kind or sort is ignored, not an error.
    assert client.get(list_url(project, kind="nope", sort="sideways")).status_code == 200


def test_accept_unanimous_says_why_each_article_is_refused(world):
    project, (agreed, claimant, spans, single), team = world
    client = login(Client(), team.reviewer)
    response = client.post(list_url(project), follow=True)
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert Gold.objects.filter(project=project).count() == 1  # `agreed`
    refused = dict(re.findall(r'<tr data-article="(\d+)" data-reason="(\w+)">', html))
    assert refused == {
        str(claimant.pk): "disagreement",
        str(spans.pk): "disagreement",
        str(single.pk): "single_annotator",
    }
    section = html[html.index('id="refusals"') :]
    assert "1 different claimant" in section
    assert "2 different labels" in section
    assert "Only one annotator submitted it" in section
    # Shown once: the next visit has no stale list.
    assert 'id="refusals"' not in client.get(list_url(project)).content.decode()


def test_the_list_takes_the_same_queries_however_many_articles(world):
    project, articles, team = world
    client = login(Client(), team.reviewer)
    with CaptureQueriesContext(connection) as before:
        assert client.get(list_url(project, sort="score")).status_code == 200
    from annotate.models import ProjectArticle

    for k in range(4):
        article = make_article(text=TEXT, title=f"more {k}")
        ProjectArticle.objects.create(project=project, article=article, position=20 + k)
        for who in (team.annotator, team.annotator2):
            make_annotation(project, article, who, spans=[span_of(TEXT, "داعش", "ORG")])
    with CaptureQueriesContext(connection) as after:
        response = client.get(list_url(project, sort="score"))
    assert len(rows(response.content.decode())) == 8
    assert len(after) == len(before)


def test_a_two_to_one_claimant_is_an_open_decision_in_adjudication(world):
    project, (agreed, claimant, spans, single), team = world
    url = reverse("annotate:adjudicate-article", args=[project.pk, claimant.pk])
    html = login(Client(), team.reviewer).get(url).content.decode()
    data = json.loads(
        unescape(re.search(r'id="page-data" type="application/json">(.*?)</script>', html).group(1))
    )
    (decision,) = data["decisions"]
    assert decision["id"].endswith(":claimant")
    assert (decision["reason"], decision["suggestion"], decision["difference"]) == (
        "majority",
        "author",
        "claimant",
    )
    assert [o["annotators"] for o in decision["options"]] == [["amal", "badr"], ["chadi"]]


@pytest.mark.parametrize(
    ("who", "status"),
    [("manager", 200), ("reviewer", 200), ("annotator", 403), ("outsider", 404)],
)
def test_who_sees_the_sorted_list(world, who, status):
    project, articles, team = world
    assert login(Client(), team[who]).get(list_url(project, sort="score")).status_code == status


def test_queue_order_takes_the_same_queries_however_many_articles(world):
    project, articles, team = world
    client = login(Client(), team.reviewer)
    with CaptureQueriesContext(connection) as before:
        assert client.get(list_url(project)).status_code == 200
    from annotate.models import ProjectArticle

    for k in range(4):
        article = make_article(text=TEXT, title=f"more {k}")
        ProjectArticle.objects.create(project=project, article=article, position=20 + k)
        make_annotation(project, article, team.annotator, spans=[span_of(TEXT, "داعش", "ORG")])
    with CaptureQueriesContext(connection) as after:
        response = client.get(list_url(project))
    assert len(rows(response.content.decode())) == 8
    assert len(after) == len(before)
