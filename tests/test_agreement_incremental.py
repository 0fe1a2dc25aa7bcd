"""Incremental agreement through the database: a submission or a reopening updates its
article's stored counts and the project's totals, and the report assembled from them is the
full recomputation's (tests/test_agreement_assemble.py states the tolerance); imports and
schema changes queue a background rebuild, and the dashboard shows the last complete figures
while it is pending."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Max
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from annotate.agreement import (
    assembled_report,
    compute_report,
    do_rebuild_contributions,
    do_request_rebuild,
)
from annotate.annotations import do_reopen, do_submit
from annotate.lib.agreement.contributions import Totals
from annotate.models import (
    AgreementContribution,
    AgreementTotals,
    Annotation,
    AnnotationStatus,
    Assignment,
    AssignmentStatus,
    Job,
    JobKind,
    JobStatus,
)
from annotate.tasks import rebuild_agreement_totals
from tests.base import ProjectTeam, make_team
from tests.factories import make_annotation, make_article, span_of
from tests.test_agreement_assemble import assert_same
from tests.test_tasks import DATABASE_TASKS

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


def stored_totals(project) -> Totals:
    return Totals.from_json(AgreementTotals.objects.get(project=project).counts)


def assert_equals_full_recomputation(project) -> None:
    """The report assembled from the stored totals is the full report of the annotations."""
    assembled = assembled_report(project)
    assert not assembled.pending
    assert_same(assembled.report.as_dict(), compute_report(project).as_dict())


def submit(team, project, article, annotator, spans, stance):
    draft = make_annotation(project, article, annotator, submitted=False)
    response = client_for(annotator).post(
        f"/api/assignments/{draft.assignment_id}/annotation/submit/",
        {
            "version": draft.version,
            "content": {
                "spans": spans,
                "relations": [],
                "document_labels": {"stance": stance},
            },
        },
        format="json",
    )
    assert response.status_code == 200, response.content


def test_the_first_read_builds_the_totals_and_they_give_the_full_report(setup):
    project = setup.project
    assert not AgreementTotals.objects.filter(project=project).exists()
    first = assembled_report(project)  # immediate tasks: the queued rebuild ran at once
    job = Job.objects.get(project=project, kind=JobKind.AGREEMENT_TOTALS)
    assert job.status == JobStatus.DONE
    assert AgreementContribution.objects.filter(project=project).count() == 2
    assert not first.pending or AgreementTotals.objects.get(project=project).built == 1
    assert_equals_full_recomputation(project)
    lowest = assembled_report(project).report.lowest_articles
    assert [row.article for row in lowest] == [setup.articles[0].pk]  # a1 has one annotator
    assert lowest[0].title == setup.articles[0].title


def test_a_submission_updates_its_article_only_and_equals_the_full_report(setup):
    project, articles, team = setup
    assembled_report(project)
    before = {c.article_id: c.counts for c in AgreementContribution.objects.filter(project=project)}
    text = articles[1].text
    submit(
        team,
        project,
        articles[1],
        team.annotator2,
        [span_of(text, "دير الزور", "LOC"), span_of(text, "التحالف الدولي", "ORG")],
        {**STANCE, "us_coalition": "against"},
    )
    after = {c.article_id: c.counts for c in AgreementContribution.objects.filter(project=project)}
    assert after[articles[0].pk] == before[articles[0].pk]  # the other article untouched
    assert after[articles[1].pk] != before[articles[1].pk]
    assert Job.objects.filter(kind=JobKind.AGREEMENT_TOTALS).count() == 1  # no rebuild
    assert_equals_full_recomputation(project)
    report = assembled_report(project).report
    assert report.counts.compared_articles == 2
    assert [row.article for row in report.lowest_articles] == sorted(
        (articles[0].pk, articles[1].pk),
        key=lambda a: next(r.score for r in report.lowest_articles if r.article == a),
    )
    kept = stored_totals(project)
    assert do_rebuild_contributions(project) == kept


def test_reopening_takes_the_article_back_out(setup):
    project, articles, team = setup
    assembled_report(project)
    second = project.annotations.get(article=articles[0], annotator=team.annotator2)
    response = client_for(team.manager).post(
        f"/api/assignments/{second.assignment_id}/reopen/",
        {"reason": "the stance on the army is missing"},
        format="json",
    )
    assert response.status_code == 200, response.content
    report = assembled_report(project).report
    assert {r.key: r.score for r in report.summary}["stance.cohen_kappa"].reason == "one_rater"
    assert report.lowest_articles == []
    assert_equals_full_recomputation(project)
    assert do_rebuild_contributions(project) == stored_totals(project)


def test_a_schema_change_queues_a_rebuild(setup):
    project = setup.project
    assembled_report(project)
    project.schema_version += 1
    project.save(update_fields=["schema_version"])
    assembled_report(project)  # the read sees the old version and queues the rebuild
    assert Job.objects.filter(project=project, kind=JobKind.AGREEMENT_TOTALS).count() == 2
    assert AgreementTotals.objects.get(project=project).schema_version == project.schema_version
    assert_equals_full_recomputation(project)


def import_one(project, article, annotator, tmp_path):
    text = article.text
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
        f"--annotator={annotator.username}",
        stdout=io.StringIO(),
    )


def test_an_import_rebuilds_the_totals_in_a_job(setup, tmp_path):
    project, articles, team = setup
    assembled_report(project)
    import_one(project, articles[2], team.annotator3, tmp_path)
    jobs = Job.objects.filter(project=project, kind=JobKind.AGREEMENT_TOTALS)
    assert [j.status for j in jobs] == [JobStatus.DONE, JobStatus.DONE]
    assert AgreementContribution.objects.filter(project=project).count() == 3
    assert_equals_full_recomputation(project)


def test_while_a_rebuild_is_pending_the_dashboard_says_so_and_shows_the_last_figures(
    setup, tmp_path, settings
):
    project, articles, team = setup
    assembled_report(project)
    last = assembled_report(project).report
    settings.TASKS = DATABASE_TASKS  # jobs wait for a worker
    import_one(project, articles[2], team.annotator3, tmp_path)
    job = Job.objects.get(project=project, kind=JobKind.AGREEMENT_TOTALS, status=JobStatus.QUEUED)
    pending = assembled_report(project)
    assert pending.pending
    assert pending.report.counts == last.counts  # the last complete figures
    client = client_for(team.manager)
    client.force_login(team.manager)
    page = client.get(f"/projects/{project.pk}/agreement/")
    assert page.status_code == 200
    assert "being rebuilt" in page.content.decode()
    api = client.get(f"/api/projects/{project.pk}/agreement/").json()
    assert api["meta"]["pending"] is True
    assert api["counts"]["annotations"] == last.counts.annotations
    # A submission meanwhile keeps its article's row; the rebuild counts it too.
    text = articles[1].text
    submit(team, project, articles[1], team.annotator2, [span_of(text, "دير الزور", "GPE")], STANCE)
    assert AgreementTotals.objects.get(project=project).counts == stored_totals(project).as_json()
    rebuild_agreement_totals.call(job.pk)  # the worker runs it
    assert Job.objects.get(pk=job.pk).status == JobStatus.DONE
    page = client.get(f"/projects/{project.pk}/agreement/")
    assert "being rebuilt" not in page.content.decode()
    assert_equals_full_recomputation(project)


def test_a_second_bulk_change_during_a_rebuild_queues_another(setup):
    project = setup.project
    assembled_report(project)
    row = AgreementTotals.objects.get(project=project)
    assert (row.requested, row.built) == (1, 1)
    do_request_rebuild(project)
    row.refresh_from_db()
    assert (row.requested, row.built) == (2, 2)  # immediate tasks: built at once
    assert_equals_full_recomputation(project)


def test_the_command_prints_the_assembled_report_and_the_full_one(setup):
    out = io.StringIO()
    call_command("agreement", str(setup.project.pk), "--incremental", stdout=out)
    text = out.getvalue()
    assert "Entities: Krippendorff's unitizing alpha" in text
    assert "(from the stored totals in" in text
    out = io.StringIO()
    call_command("agreement", str(setup.project.pk), "--incremental", "--json", stdout=out)
    document = json.loads(out.getvalue())
    assert document["meta"]["source"] == "totals"
    assert document["meta"]["pending"] is False
    full = io.StringIO()
    call_command("agreement", str(setup.project.pk), "--json", stdout=full)
    reference = json.loads(full.getvalue())
    del document["meta"], reference["meta"]
    assert_same(document, reference)


# ---- random sequences through the database --------------------------------------------------

WORDS = ["الرقة", "الجيش السوري", "التحالف الدولي", "دير الزور", "داعش"]
SEQUENCE_TEXTS = [
    "قال الجيش السوري إن داعش انسحب من الرقة قرب دير الزور بعد غارات التحالف الدولي.",
    "أعلن التحالف الدولي أن الجيش السوري دخل الرقة ولم يبق لداعش أثر في دير الزور.",
]
LABELS = ["GPE", "LOC", "ORG", "MILITARY_GROUP"]
VALUES = ["favor", "against", "neutral"]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 1),  # article
            st.integers(0, 2),  # annotator
            st.sampled_from(["submit", "reopen", "resubmit", "delete"]),
            st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(LABELS)), max_size=4),
            st.sampled_from(VALUES),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_random_submissions_reopenings_and_deletions_keep_the_report_exact(steps):
    """Each step goes through the product's own paths (do_submit, do_reopen; a deletion is a
    bulk change that queues a rebuild); after each, the report assembled from the stored
    totals is the full recomputation's."""
    with transaction.atomic():  # each example from a clean database
        _replay(steps)
        transaction.set_rollback(True)


def _replay(steps) -> None:
    team = make_team()
    articles = [make_article(text=t) for t in SEQUENCE_TEXTS]
    project = ProjectTeam.create(team, articles=articles).project
    people = [team.annotator, team.annotator2, team.annotator3]
    assembled_report(project)  # totals built (empty)
    for article_k, person_k, action, spans, value in steps:
        article, person = articles[article_k], people[person_k]
        annotation = project.annotations.filter(article=article, annotator=person).first()
        if action in ("reopen", "resubmit", "delete") and annotation is None:
            action = "submit"
        if action == "delete":
            Annotation.objects.filter(pk=annotation.pk).delete()
            Assignment.objects.filter(pk=annotation.assignment_id).delete()
            do_request_rebuild(project)  # the bulk-change path
        elif action == "reopen" and annotation.status == AnnotationStatus.SUBMITTED:
            do_reopen(annotation.assignment, by=team.manager, reason="check again")
        elif action != "reopen":
            if annotation is None:
                # The slot after the highest (a deleted one leaves a hole).
                taken = Assignment.objects.filter(project=project, article=article)
                slot = (taken.aggregate(m=Max("slot"))["m"] or 0) + 1
                assignment = Assignment.objects.create(
                    project=project,
                    article=article,
                    annotator=person,
                    slot=slot,
                    status=AssignmentStatus.IN_PROGRESS,
                )
                annotation = Annotation.objects.create(
                    assignment=assignment,
                    project=project,
                    article=article,
                    annotator=person,
                    content={"spans": [], "relations": [], "document_labels": {}},
                    schema_version=project.schema_version,
                    status=AnnotationStatus.DRAFT,
                )
            elif annotation.status == AnnotationStatus.SUBMITTED:
                do_reopen(annotation.assignment, by=team.manager, reason="change it")
            annotation.refresh_from_db()
            content = {
                "spans": [
                    {**span_of(article.text, word, label), "id": f"s{k}"}
                    for k, (word, label) in enumerate(dict(spans).items())
                ],
                "relations": [],
                "document_labels": {"stance": {**STANCE, "isis": value}},
            }
            do_submit(
                Assignment.objects.get(pk=annotation.assignment_id),
                user=person,
                version=annotation.version,
                content=content,
            )
        assert_equals_full_recomputation(project)
