"""Provenance of suggestion-born spans: in raw exports, and agreement on hand-drawn spans only."""

import json
import zipfile
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from annotate.lib.agreement.documents import Doc
from annotate.lib.agreement.spans import Span
from annotate.lib.recommend.provenance import hand_drawn_docs, suggested_in
from annotate.models import Gold, SuggestionAcceptance
from tests.base import ProjectTeam, make_team
from tests.factories import make_annotation, make_article, make_corpus, span_of

pytestmark = pytest.mark.django_db

TEXT = "قال مسؤول إن وداعش هاجم حلب، وإن الجيش السوري دخل دمشق."


# ---- pure -----------------------------------------------------------------------------------


def test_suggested_in_keeps_only_spans_still_as_accepted():
    content = {
        "spans": [
            {"id": "a", "start": 1, "end": 4, "label": "GPE"},
            {"id": "b", "start": 5, "end": 9, "label": "LOC"},  # relabelled since
            {"id": "c", "start": 10, "end": 12, "label": "GPE"},  # drawn by hand
        ]
    }
    accepted = {"a": (1, 4, "GPE", "crf@2"), "b": (5, 9, "GPE", "gazetteer@1")}
    assert suggested_in(content, accepted) == (("a", "crf@2"),)
    assert suggested_in(content, None) == ()


def test_hand_drawn_docs_leave_out_suggested_spans_and_count_them():
    docs = [
        Doc(1, 10, entities=(Span(0, 4, "GPE", "a"), Span(5, 9, "LOC", "b"))),
        Doc(1, 11, entities=(Span(0, 4, "GPE", "x"),)),
    ]
    kept, share = hand_drawn_docs(docs, {(1, 10): {("a", 0, 4, "GPE"), ("z", 0, 1, "PER")}})
    assert [d.entities for d in kept] == [(Span(5, 9, "LOC", "b"),), (Span(0, 4, "GPE", "x"),)]
    assert share.as_dict() == {
        "spans": 3,
        "from_suggestions": 1,
        "hand_drawn": 2,
        "annotations_with_suggestions": 1,
    }


# ---- through the database ---------------------------------------------------------------------


@pytest.fixture
def world():
    team = make_team()
    article = make_article(make_corpus(), TEXT)
    project, _, _ = ProjectTeam.create(team, articles=[article])
    spans = [span_of(TEXT, "داعش", "MILITARY_GROUP"), span_of(TEXT, "حلب", "GPE")]
    spans[0]["id"], spans[1]["id"] = "s-daesh", "s-aleppo"
    amal = make_annotation(project, article, team.annotator, spans=spans)
    badr = make_annotation(project, article, team.annotator2, spans=[dict(s) for s in spans])
    # amal accepted داعش from a suggestion; badr drew both by hand.
    SuggestionAcceptance.objects.create(
        project=project,
        assignment=amal.assignment,
        user=team.annotator,
        span_id="s-daesh",
        start=spans[0]["start"],
        end=spans[0]["end"],
        label="MILITARY_GROUP",
        recommender="gazetteer@3",
    )
    return {"project": project, "team": team, "amal": amal, "badr": badr}


def test_the_raw_export_says_which_spans_came_from_suggestions(world, tmp_path):
    # Exports cover the articles with gold.
    amal = world["amal"]
    Gold.objects.create(
        project=world["project"], article=amal.article, content=amal.content, source="imported"
    )
    path = tmp_path / "export.zip"
    call_command(
        "export_dataset",
        str(world["project"].pk),
        "--out",
        str(path),
        "--format",
        "raw",
        "--ratios",
        "1,0,0",
        stdout=StringIO(),
    )
    with zipfile.ZipFile(path) as archive:
        lines = [json.loads(line) for line in archive.read("raw/train.jsonl").splitlines()]
    by_annotator = {line["annotator"]: line for line in lines}
    assert by_annotator["amal"]["suggested_spans"] == [
        {"id": "s-daesh", "recommender": "gazetteer@3"}
    ]
    assert by_annotator["badr"]["suggested_spans"] == []
    assert list(by_annotator["amal"])[-2:] == ["split", "suggested_spans"]


def summary(report, key):
    (row,) = [row for row in report["summary"] if row["key"] == key]
    return row["value"]


def test_agreement_with_and_without_suggestion_born_spans(world):
    client = APIClient()
    client.force_authenticate(world["team"].reviewer)
    pid = world["project"].pk
    full = client.get(f"/api/projects/{pid}/agreement/").json()
    hand = client.get(f"/api/projects/{pid}/agreement/hand-drawn/").json()
    assert summary(full, "spans.f1_exact") == 1.0
    # Without amal's accepted داعش: 1 shared span of amal's 1 and badr's 2 -> F1 = 2/3.
    assert summary(hand, "spans.f1_exact") == pytest.approx(2 / 3)
    assert hand["suggestions"] == {
        "spans": 4,
        "from_suggestions": 1,
        "hand_drawn": 3,
        "annotations_with_suggestions": 1,
    }

    # Moved after acceptance, the span is amal's own again.
    annotation = world["amal"]
    content = annotation.content
    content["spans"][0] = span_of(TEXT, "وداعش", "MILITARY_GROUP") | {"id": "s-daesh"}
    annotation.content = content
    annotation.save()
    hand = client.get(f"/api/projects/{pid}/agreement/hand-drawn/").json()
    assert hand["suggestions"]["from_suggestions"] == 0


def test_the_agreement_command_leaves_out_suggested_spans_on_request(world):
    out = StringIO()
    call_command("agreement", str(world["project"].pk), "--hand-drawn", stdout=out)
    assert "1 of 4 submitted spans came from suggestions" in out.getvalue()
    out = StringIO()
    call_command("agreement", str(world["project"].pk), "--hand-drawn", "--json", stdout=out)
    assert json.loads(out.getvalue())["suggestions"]["from_suggestions"] == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("manager", 200),
        ("reviewer", 200),
        ("annotator", 403),
        ("outsider", 404),
        ("anonymous", 401),
    ],
)
def test_hand_drawn_agreement_is_for_leads(world, who, status):
    client = APIClient()
    if who != "anonymous":
        client.force_authenticate(world["team"][who])
    response = client.get(f"/api/projects/{world['project'].pk}/agreement/hand-drawn/")
    assert response.status_code == status
