"""A draft save is all or nothing: when the database fails halfway (the audit event after
the draft row), the previous version stays, through the API. It needs real transactions
(transaction=True), so it lives apart from tests/test_annotations_api.py, whose data is
shared in one transaction per module; the races are in tests/test_concurrency.py."""

from __future__ import annotations

import pytest

from annotate.annotations import _event
from annotate.models import Annotation
from annotate.queue import do_generate_assignments
from tests.base import ProjectTeam, make_team
from tests.factories import make_article
from tests.test_annotations_api import TEXT, client_for, content_for, start


@pytest.fixture
def setup():
    # Two annotators, k=2: the article is in both queues.
    article = make_article(text=TEXT)
    crew = ProjectTeam.create(make_team(), articles=[article], without=("annotator3",))
    do_generate_assignments(crew.project, k=2, fraction=1.0, seed=1, mode="preassign")
    return crew


def event_without_time(*args, **kwargs):
    return {**_event(*args, **kwargs), "at": None}


@pytest.mark.django_db(transaction=True)
def test_a_save_that_fails_midway_leaves_the_previous_version(setup, monkeypatch):
    body = start(setup)
    asid, text = body["assignment"]["id"], body["article"]["text"]
    client = client_for(setup.team.annotator)
    client.put(
        f"/api/assignments/{asid}/annotation/",
        {"version": 1, "content": content_for(text)},
        format="json",
    )

    # The audit event is written after the draft row (on PostgreSQL by the same statement): a
    # database error there (a NOT NULL column left empty) must undo the update too.
    monkeypatch.setattr("annotate.annotations._event", event_without_time)
    client.raise_request_exception = False
    response = client.put(
        f"/api/assignments/{asid}/annotation/",
        {"version": 2, "content": {"spans": [], "relations": [], "document_labels": {}}},
        format="json",
    )
    assert response.status_code == 500
    annotation = Annotation.objects.get(assignment_id=asid)
    assert annotation.version == 2
    assert len(annotation.content["spans"]) == 2
