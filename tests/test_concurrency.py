"""Races on PostgreSQL: two annotators claiming one pool slot, two saves of one version, and a
save that fails halfway. Each thread has its own database connection and transactions are
real (transaction=True), so row locks and conditional updates behave as in production.

SQLite serialises all writers, so these races cannot happen there; the tests are skipped with
that reason.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from rest_framework.test import APIClient

import annotate.annotations as annotation_module
from annotate.annotations import _event, do_save_draft
from annotate.models import Annotation, Assignment, AuditAction, AuditEvent, Role
from annotate.queue import do_generate_assignments, do_next
from tests.factories import make_article, make_corpus, make_project, make_user, span_of

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not ON_POSTGRES,
        reason="needs PostgreSQL: row locks and concurrent transactions (SQLite serialises "
        "writers); run with DATABASE_URL=postgres://...",
    ),
    pytest.mark.django_db(transaction=True),
]
TIMEOUT = 20


def run_in_threads(*jobs: Callable[[], Any]) -> list[Any]:
    """Run each job in its own thread (own DB connection); results or exceptions, in order."""
    results: list[Any] = [None] * len(jobs)

    def runner(i: int, job: Callable[[], Any]) -> None:
        try:
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 - handed back to the test to assert on
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
        assert not thread.is_alive(), "a thread hung: a lock was waited on instead of skipped"
    return results


def pool_project(n_articles: int, n_annotators: int):
    corpus = make_corpus()
    articles = [make_article(corpus) for _ in range(n_articles)]
    annotators = [make_user() for _ in range(n_annotators)]
    project = make_project(articles=articles, members=dict.fromkeys(annotators, Role.ANNOTATOR))
    do_generate_assignments(project, k=1, fraction=1.0, seed=0, mode="pool")
    return project, annotators


def test_while_one_annotator_holds_the_only_slot_the_other_skips_it_instead_of_waiting():
    project, (ann1, ann2) = pool_project(1, 2)
    claimed = threading.Event()
    second_done = threading.Event()

    def first():
        with transaction.atomic():
            found = do_next(project, ann1)
            claimed.set()
            # Keep the transaction (and the row lock) open until the second request is done.
            assert second_done.wait(TIMEOUT)
        return found

    def second():
        assert claimed.wait(TIMEOUT)
        try:
            return do_next(project, ann2)
        finally:
            second_done.set()

    got1, got2 = run_in_threads(first, second)
    assert not isinstance(got1, Exception), got1
    assert not isinstance(got2, Exception), got2
    assert got1 is not None and got2 is None
    slot = Assignment.objects.get(project=project)
    assert slot.annotator == ann1
    assert slot.status == "in_progress"


@pytest.mark.parametrize("round_", range(3))
def test_two_annotators_asking_at_once_for_one_slot_through_the_api(round_):
    project, annotators = pool_project(1, 2)
    barrier = threading.Barrier(2)

    def ask(user):
        def job():
            client = APIClient()
            client.force_authenticate(user)
            barrier.wait(TIMEOUT)
            return client.post(f"/api/projects/{project.pk}/queue/next/")

        return job

    responses = run_in_threads(*(ask(user) for user in annotators))
    assert sorted(r.status_code for r in responses) == [200, 204]
    winner = next(r for r, u in zip(responses, annotators, strict=True) if r.status_code == 200)
    slot = Assignment.objects.get(project=project)
    assert winner.json()["assignment"]["id"] == slot.pk
    assert slot.annotator_id in {u.pk for u in annotators}
    assert Annotation.objects.filter(assignment=slot).count() == 1


def test_many_annotators_at_once_each_slot_goes_to_exactly_one():
    project, annotators = pool_project(3, 6)
    barrier = threading.Barrier(len(annotators))

    def ask(user):
        def job():
            barrier.wait(TIMEOUT)
            found = do_next(project, user)
            return None if found is None else found[0].pk

        return job

    results = run_in_threads(*(ask(user) for user in annotators))
    assert not [r for r in results if isinstance(r, Exception)]
    claimed = [r for r in results if r is not None]
    assert len(claimed) == 3
    assert len(set(claimed)) == 3
    owners = list(Assignment.objects.filter(project=project).values_list("annotator", flat=True))
    assert len(set(owners)) == 3 and None not in owners


@pytest.fixture
def started():
    corpus = make_corpus()
    article = make_article(corpus, text="قال المتحدث إن داعش انسحبت من الرقة والجيش تقدم.")
    ann = make_user()
    project = make_project(articles=[article], members={ann: Role.ANNOTATOR})
    do_generate_assignments(project, k=1, seed=0)
    assignment, annotation = do_next(project, ann)
    return assignment, annotation, ann, article.text


def content(text, word, label):
    return {"spans": [span_of(text, word, label, span_id="s1")]}


def test_two_saves_of_the_same_version_one_wins_one_gets_409(started, monkeypatch):
    assignment, annotation, ann, text = started
    # Both requests validate before either writes: the race the version guard exists for.
    barrier = threading.Barrier(2)
    real_check = annotation_module.check_content

    def check_then_wait(*args, **kwargs):
        result = real_check(*args, **kwargs)
        barrier.wait(TIMEOUT)
        return result

    monkeypatch.setattr(annotation_module, "check_content", check_then_wait)
    bodies = [content(text, "داعش", "MILITARY_GROUP"), content(text, "الرقة", "LOC")]

    def save(body):
        def job():
            client = APIClient()
            client.force_authenticate(ann)
            return client.put(
                f"/api/assignments/{assignment.pk}/annotation/",
                {"version": 1, "content": body},
                format="json",
            )

        return job

    responses = run_in_threads(*(save(body) for body in bodies))
    assert sorted(r.status_code for r in responses) == [200, 409]
    winner = next(r for r in responses if r.status_code == 200).json()
    loser = next(r for r in responses if r.status_code == 409).json()
    assert loser["current_version"] == 2
    stored = Annotation.objects.get(pk=annotation.pk)
    assert stored.version == 2
    assert stored.content == winner["content"]
    assert AuditEvent.objects.filter(action=AuditAction.SAVE).count() == 1


def event_without_time(*args, **kwargs):
    return {**_event(*args, **kwargs), "at": None}


@pytest.mark.django_db(transaction=True)
def test_a_save_that_fails_midway_leaves_the_previous_version(started, monkeypatch):
    assignment, annotation, ann, text = started
    first = content(text, "داعش", "MILITARY_GROUP")
    do_save_draft(assignment, user=ann, version=1, content=first)

    # The audit event is written after the draft row (on PostgreSQL by the same statement): a
    # database error there (a NOT NULL column left empty) must undo the update too.
    monkeypatch.setattr("annotate.annotations._event", event_without_time)
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(ann)
    response = client.put(
        f"/api/assignments/{assignment.pk}/annotation/",
        {"version": 2, "content": content(text, "الرقة", "LOC")},
        format="json",
    )
    assert response.status_code == 500
    stored = Annotation.objects.get(pk=annotation.pk)
    assert stored.version == 2
    assert [s["text"] for s in stored.content["spans"]] == ["داعش"]
    monkeypatch.undo()
    # The client can retry with the version it had: nothing was half-written.
    retry = client.put(
        f"/api/assignments/{assignment.pk}/annotation/",
        {"version": 2, "content": content(text, "الرقة", "LOC")},
        format="json",
    )
    assert retry.status_code == 200
    assert retry.json()["version"] == 3
