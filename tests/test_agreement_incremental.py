"""Incremental agreement through the database: a submission or a reopening updates its
article's stored counts and the project's totals, and the summary read from them is exactly
the one rebuilt from scratch; imports and schema changes make the next read rebuild."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from annotate.agreement import (
    do_rebuild_contributions,
    incremental_summary,
    project_report,
)
from annotate.lib.agreement.contributions import INCREMENTAL_KEYS, Totals
from annotate.models import AgreementContribution, AgreementTotals
from tests.base import ProjectTeam, make_team
from tests.factories import make_annotation, make_article, span_of

pytestmark = pytest.mark.django_db

TEXTS = [
    "قال المتحدث إن وداعش انسحب من الرقة. وأكد الجيش السوري ذلك؟",
    "أعلن التحالف الدولي عن غارات جديدة قرب دير الزور.",
    "نفى مسؤول في قسد الأنباء وقال لا صحة لذلك.",
]
STANCE = {"isis": "against", "syrian_army": "neutral", "us_coalition": "favor"}


@pytest.fixture
def setup():
    team = make_team()
    articles = [make_article(text=t) for t in TEXTS]
    setup = ProjectTeam.create(team, articles=articles)
    a0, a1, _ = articles
    make_annotation(
        setup.project,
        a0,
        team.annotator,
        spans=[span_of(a0.text, "الرقة", "GPE"), span_of(a0.text, "الجيش السوري", "ORG")],
        stance=STANCE,
    )
    make_annotation(
        setup.project,
        a0,
        team.annotator2,
        spans=[
            span_of(a0.text, "الرقة", "GPE"),
            span_of(a0.text, "الجيش السوري", "MILITARY_GROUP"),
        ],
        stance={**STANCE, "isis": "favor"},
    )
    make_annotation(
        setup.project,
        a1,
        team.annotator,
        spans=[span_of(a1.text, "دير الزور", "GPE")],
        stance=STANCE,
    )
    return setup


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def values(summary):
    return {row.key: row.score for row in summary.rows}


def stored_totals(project) -> Totals:
    return Totals.from_json(AgreementTotals.objects.get(project=project).counts)


def test_the_first_read_builds_the_counts_and_agrees_with_the_full_report(setup):
    project = setup.project
    first = incremental_summary(project)
    assert first.rebuilt
    assert AgreementContribution.objects.filter(project=project).count() == 2
    report = {row.key: row.score for row in project_report(project).report.summary}
    for key, score in values(first).items():
        assert key in INCREMENTAL_KEYS
        if score.value is not None and key.endswith(("alpha", "fleiss_kappa")):
            assert score.value == pytest.approx(report[key].value, abs=1e-12)
        else:
            assert score == report[key], key
    again = incremental_summary(project)
    assert not again.rebuilt
    assert values(again) == values(first)


def test_a_submission_updates_its_article_only_and_equals_a_rebuild(setup):
    project, articles, team = setup
    incremental_summary(project)
    before = {c.article_id: c.counts for c in AgreementContribution.objects.filter(project=project)}
    draft = make_annotation(project, articles[1], team.annotator2, submitted=False)
    text = articles[1].text
    response = client_for(team.annotator2).post(
        f"/api/assignments/{draft.assignment_id}/annotation/submit/",
        {
            "version": draft.version,
            "content": {
                "spans": [
                    span_of(text, "دير الزور", "LOC"),
                    span_of(text, "التحالف الدولي", "ORG"),
                ],
                "relations": [],
                "document_labels": {"stance": {**STANCE, "us_coalition": "against"}},
            },
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    after = {c.article_id: c.counts for c in AgreementContribution.objects.filter(project=project)}
    assert after[articles[0].pk] == before[articles[0].pk]  # the other article untouched
    assert after[articles[1].pk] != before[articles[1].pk]
    updated = incremental_summary(project)
    assert not updated.rebuilt  # the submission kept the totals current
    kept = stored_totals(project)
    assert do_rebuild_contributions(project) == kept
    assert values(incremental_summary(project)) == values(updated)
    assert values(updated)["spans.f1_exact"].items == 7  # 2+2 on a0, 1+2 on a1


def test_reopening_takes_the_article_back_out(setup):
    project, articles, team = setup
    incremental_summary(project)
    second = project.annotations.get(article=articles[0], annotator=team.annotator2)
    response = client_for(team.manager).post(
        f"/api/assignments/{second.assignment_id}/reopen/",
        {"reason": "the stance on the army is missing"},
        format="json",
    )
    assert response.status_code == 200, response.content
    summary = incremental_summary(project)
    assert not summary.rebuilt
    assert values(summary)["stance.cohen_kappa"].reason == "one_rater"
    assert do_rebuild_contributions(project) == stored_totals(project)


def test_a_change_the_counts_did_not_see_makes_the_next_read_rebuild(setup):
    project, articles, team = setup
    incremental_summary(project)
    make_annotation(project, articles[2], team.annotator3, stance=STANCE)  # not through a do_*
    assert incremental_summary(project).rebuilt
    project.schema_version += 1
    project.save(update_fields=["schema_version"])
    assert incremental_summary(project).rebuilt
    assert not incremental_summary(project).rebuilt


def test_an_import_drops_the_totals_and_the_next_read_rebuilds_them(setup, tmp_path):
    import io
    import json

    from django.core.management import call_command

    project, articles, team = setup
    incremental_summary(project)
    text = articles[2].text
    line = {
        "text": text,
        "label": [[text.index("قسد"), text.index("قسد") + 3, "MILITARY_GROUP"]],
    }
    path = tmp_path / "more.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    call_command(
        "import_annotations",
        str(project.pk),
        str(path),
        "--format=doccano",
        f"--annotator={team.annotator3.username}",
        stdout=io.StringIO(),
    )
    assert not AgreementTotals.objects.filter(project=project).exists()
    rebuilt = incremental_summary(project)
    assert rebuilt.rebuilt
    assert AgreementContribution.objects.filter(project=project).count() == 3


def test_the_command_prints_the_incremental_summary(setup):
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("agreement", str(setup.project.pk), "--incremental", stdout=out)
    text = out.getvalue()
    assert "Stance: Krippendorff's alpha:" in text
    assert "(rebuilt in full in" in text
    out = io.StringIO()
    call_command("agreement", str(setup.project.pk), "--incremental", "--json", stdout=out)
    document = json.loads(out.getvalue())
    assert document["meta"]["rebuilt"] is False
    assert [row["key"] for row in document["summary"]] == list(INCREMENTAL_KEYS)
