"""The stored agreement totals under real concurrency on PostgreSQL: two submissions on
different articles at once both count (the totals row is locked while one article's
difference is applied), and a worker killed in the middle of a rebuild leaves totals that,
once the lease expires and another worker finishes the job, equal a full recomputation."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time

import pytest
from django.db import connection

import annotate.agreement as agreement_module
from annotate.agreement import (
    assembled_report,
    compute_report,
    do_rebuild_contributions,
    do_request_rebuild,
)
from annotate.annotations import do_submit
from annotate.lib.agreement.contributions import Totals, contribution_from_json
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
    ProjectArticle,
    Role,
)
from corpus.lib.text import content_hash
from corpus.models import Article
from tests.factories import make_annotation, make_article, make_corpus, make_project, make_user
from tests.test_agreement_assemble import assert_same
from tests.test_tasks import ON_POSTGRES
from tests.test_worker_faults import database_tasks, start_worker, stop, wait_until  # noqa: F401

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not ON_POSTGRES, reason="needs PostgreSQL: run with DATABASE_URL=postgres://..."
    ),
    pytest.mark.django_db(transaction=True),
]
TEXT = "قال المتحدث باسم الجيش السوري إن القوات سيطرت على الرقة بعد معارك مع داعش في الريف"
STANCE = {"isis": "against", "syrian_army": "favor", "us_coalition": "neutral"}


def span(text: str, word: str, label: str, n: int = 0) -> dict:
    start = text.index(word)
    return {
        "id": f"s{n}",
        "start": start,
        "end": start + len(word),
        "label": label,
        "text": word,
        "attributes": {},
    }


def summed_rows(project) -> Totals:
    totals = Totals()
    for counts in AgreementContribution.objects.filter(project=project).values_list(
        "counts", flat=True
    ):
        totals.add(contribution_from_json(counts))
    return totals


def assert_totals_are_a_full_recomputation(project) -> None:
    stored = Totals.from_json(AgreementTotals.objects.get(project=project).counts)
    assert stored == summed_rows(project)
    assembled = assembled_report(project)
    assert not assembled.pending
    assert_same(assembled.report.as_dict(), compute_report(project).as_dict())


def test_two_submissions_on_different_articles_at_once_both_count(monkeypatch):
    annotators = [make_user() for _ in range(3)]
    articles = [make_article(text=f"{TEXT} {i}") for i in range(2)]
    project = make_project(articles=articles, members=dict.fromkeys(annotators, Role.ANNOTATOR))
    for article in articles:
        make_annotation(
            project, article, annotators[0], spans=[span(TEXT, "الرقة", "GPE")], stance=STANCE
        )
    do_rebuild_contributions(project)
    drafts = [
        make_annotation(project, articles[k], annotators[k + 1], submitted=False) for k in range(2)
    ]
    # Each submission holds its work a while inside its transaction, so the two overlap.
    original = agreement_module._parts_of
    inside = threading.Barrier(2, timeout=1)

    def slow_parts(project, article_ids):
        parts = original(project, article_ids)
        with contextlib.suppress(threading.BrokenBarrierError):
            inside.wait()  # both inside at once: only possible without the row lock
        time.sleep(0.2)
        return parts

    monkeypatch.setattr(agreement_module, "_parts_of", slow_parts)
    errors: list[BaseException] = []

    def submit(draft: Annotation) -> None:
        try:
            assignment = Assignment.objects.get(pk=draft.assignment_id)
            do_submit(
                assignment,
                user=draft.annotator,
                version=draft.version,
                content={
                    "spans": [span(TEXT, "الجيش السوري", "ORG")],
                    "relations": [],
                    "document_labels": {"stance": STANCE},
                },
            )
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(d,)) for d in drafts]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not errors, errors
    assert inside.broken  # the second waited for the first's lock, not beside it
    assert time.monotonic() - started >= 0.4  # one after the other
    monkeypatch.undo()
    stored = Totals.from_json(AgreementTotals.objects.get(project=project).counts)
    assert stored.counts[("compared",)] == 2  # neither update was lost
    assert stored == do_rebuild_contributions(project)
    assert_totals_are_a_full_recomputation(project)


def bulk_project(n_articles: int):
    """`n_articles` articles each submitted by two annotators who partly disagree."""
    manager, first, second = make_user(), make_user(), make_user()
    corpus = make_corpus()
    texts = [f"{TEXT} رقم {i}" for i in range(n_articles)]
    articles = Article.objects.bulk_create(
        Article(corpus=corpus, text=t, title=f"t{i}", content_hash=content_hash(t), search_text=t)
        for i, t in enumerate(texts)
    )
    project = make_project(
        members={manager: Role.MANAGER, first: Role.ANNOTATOR, second: Role.ANNOTATOR}
    )
    ProjectArticle.objects.bulk_create(
        ProjectArticle(project=project, article=a, position=i) for i, a in enumerate(articles)
    )
    assignments = Assignment.objects.bulk_create(
        Assignment(
            project=project,
            article=a,
            annotator=u,
            slot=s,
            position=i,
            status=AssignmentStatus.SUBMITTED,
        )
        for i, a in enumerate(articles)
        for s, u in enumerate((first, second))
    )
    labels = ("GPE", "LOC", "ORG")
    Annotation.objects.bulk_create(
        Annotation(
            assignment=x,
            project=project,
            article_id=x.article_id,
            annotator_id=x.annotator_id,
            content={
                "spans": [
                    span(TEXT, "الرقة", labels[(k + x.slot * (k % 3 == 0)) % 3]),
                    span(TEXT, "الجيش السوري", "ORG", 1),
                ][: 1 + (k + x.slot) % 2],
                "relations": [],
                "document_labels": {
                    "stance": {"isis": ("against", "favor")[(k * x.slot) % 2 * (k % 4 == 0)]}
                },
            },
            status=AnnotationStatus.SUBMITTED,
            submitted_at=x.submitted_at,
            schema_version=project.schema_version,
        )
        for k, x in enumerate(assignments)
    )
    return project, manager


@pytest.mark.usefixtures("database_tasks")
def test_a_worker_killed_mid_rebuild_leaves_totals_another_worker_completes(settings):
    project, manager = bulk_project(3000)
    first = start_worker(settings)
    second = None
    try:
        do_request_rebuild(project, user=manager)
        job = Job.objects.get(project=project, kind=JobKind.AGREEMENT_TOTALS)

        def mid_way():
            row = Job.objects.get(pk=job.pk)
            assert row.status != JobStatus.FAILED, row.error
            return row if row.status == JobStatus.RUNNING and 0 < row.progress < row.total else None

        wait_until(mid_way, worker=first, limit=120, what="the rebuild running mid-way")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        written = AgreementContribution.objects.filter(project=project).count()
        assert 0 < written < 3000  # half done
        totals = AgreementTotals.objects.get(project=project)
        assert totals.pending and totals.counts == {}  # nothing complete yet: shown pending
        second = start_worker(settings)

        def finished():
            row = Job.objects.get(pk=job.pk)
            return row if row.status == JobStatus.DONE else None

        done = wait_until(finished, worker=second, limit=180, what="the rebuild finishing")
        assert done.attempts == 2  # reaped after the lease, queued again, finished
    finally:
        stop(first)
        if second is not None:
            stop(second)
    assert AgreementContribution.objects.filter(project=project).count() == 3000
    assert_totals_are_a_full_recomputation(project)
