"""Saving one span at a time: POST /api/assignments/{id}/annotation/spans/ adds a span and
DELETE .../spans/{span_id}/?version= removes one, each guarded by the draft's version."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from annotate import span_saves
from annotate.models import Annotation, AuditAction, AuditEvent
from tests.factories import make_api_token, span_of
from tests.test_annotations_api import (  # noqa: F401 - setup and shared_setup are fixtures
    STANCE,
    client_for,
    content_for,
    setup,
    shared_setup,
    start,
)

pytestmark = pytest.mark.django_db

# Words of the test article, each marked once by the read tests.
WORDS = ["قال", "المتحدث", "باسم", "الجيش", "السوري", "داعش", "انسحبت", "الرَّقَّة", "2017"]


def spans_url(asid: int) -> str:
    return f"/api/assignments/{asid}/annotation/spans/"


@pytest.fixture
def draft(setup):  # noqa: F811
    body = start(setup)
    return body["assignment"]["id"], body["article"]["text"], client_for(setup.team.annotator)


def test_an_annotator_adds_a_span_and_gets_the_new_version(draft):
    asid, text, client = draft
    span = span_of(text, "داعش", "MILITARY_GROUP", span_id="e1")
    response = client.post(spans_url(asid), {"version": 1, "span": span}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    annotation = Annotation.objects.get(assignment_id=asid)
    assert body == {"annotation": annotation.pk, "version": 2, "span": span}
    assert annotation.version == 2
    assert annotation.content["spans"] == [span]
    event = AuditEvent.objects.get(annotation=annotation, action=AuditAction.SAVE)
    assert event.version == 2
    assert event.changes == {"spans_added": [span]}


def test_spans_added_one_by_one_are_stored_in_canonical_order(draft):
    asid, text, client = draft
    version = 1
    for word, label, span_id in [
        ("الرَّقَّة", "LOC", "a"),
        ("داعش", "MILITARY_GROUP", "b"),
        ("الجيش السوري", "ORG", "c"),
    ]:
        response = client.post(
            spans_url(asid),
            {"version": version, "span": span_of(text, word, label, span_id=span_id)},
            format="json",
        )
        assert response.status_code == 201, response.content
        version = response.json()["version"]
    stored = client.get(f"/api/assignments/{asid}/annotation/").json()
    assert stored["version"] == 4
    assert [s["id"] for s in stored["content"]["spans"]] == ["c", "b", "a"]


def test_a_stale_version_is_a_conflict_and_changes_nothing(draft):
    asid, text, client = draft
    first = span_of(text, "داعش", "MILITARY_GROUP", span_id="e1")
    first_save = client.post(spans_url(asid), {"version": 1, "span": first}, format="json")
    assert first_save.status_code == 201
    other = span_of(text, "الرَّقَّة", "LOC", span_id="e2")
    response = client.post(spans_url(asid), {"version": 1, "span": other}, format="json")
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    assert [s["id"] for s in Annotation.objects.get(assignment_id=asid).content["spans"]] == ["e1"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"span": {}}, "version"),
        ({"version": 1}, "span"),
        ({"version": "one", "span": {}}, "version"),
        ({"version": 1, "span": "داعش"}, "span"),
        ({"version": 1, "span": {"id": "x", "start": 0, "end": 3, "label": "ORG"}}, "span.text"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(draft, body, field):
    asid, _, client = draft
    response = client.post(spans_url(asid), body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    annotation = Annotation.objects.get(assignment_id=asid)
    assert annotation.version == 1
    assert not AuditEvent.objects.filter(annotation=annotation, action=AuditAction.SAVE).exists()


def test_a_span_that_splits_a_letter_from_its_marks_is_refused(draft):
    asid, text, client = draft
    span = span_of(text, "الرَّقَّة", "LOC", span_id="e1")
    span["end"] -= 2  # between the letter قَ and its shadda
    span["text"] = text[span["start"] : span["end"]]
    response = client.post(spans_url(asid), {"version": 1, "span": span}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "span.end"
    assert "diacritics" in response.json()["detail"]


def test_only_the_assigned_annotator_adds_spans(setup, draft):  # noqa: F811
    asid, text, _ = draft
    span = span_of(text, "داعش", "MILITARY_GROUP", span_id="e1")
    body = {"version": 1, "span": span}
    url = spans_url(asid)
    assert client_for(setup.team.manager).post(url, body, format="json").status_code == 403
    assert client_for(setup.team.annotator2).post(url, body, format="json").status_code == 404
    assert APIClient().post(url, body, format="json").status_code == 401
    assert Annotation.objects.get(assignment_id=asid).version == 1


def test_a_submitted_annotation_takes_no_new_span(draft):
    asid, text, client = draft
    submitted = client.post(
        f"/api/assignments/{asid}/annotation/submit/",
        {"version": 1, "content": content_for(text, stance=STANCE)},
        format="json",
    )
    assert submitted.status_code == 200, submitted.content
    span = span_of(text, "الرَّقَّة", "LOC", span_id="e9")
    response = client.post(spans_url(asid), {"version": 2, "span": span}, format="json")
    assert response.status_code == 409
    assert "submitted" in response.json()["detail"]


def test_removing_a_span_drops_its_relations_and_bumps_the_version(draft):
    asid, text, client = draft
    saved = client.put(
        f"/api/assignments/{asid}/annotation/",
        {"version": 1, "content": content_for(text, claim=True)},
        format="json",
    )
    assert saved.status_code == 200, saved.content
    response = client.delete(f"{spans_url(asid)}e2/?version=2")
    assert response.status_code == 200, response.content
    annotation = Annotation.objects.get(assignment_id=asid)
    assert response.json() == {"annotation": annotation.pk, "version": 3}
    assert sorted(s["id"] for s in annotation.content["spans"]) == ["c1", "e1"]
    assert annotation.content["relations"] == []
    event = AuditEvent.objects.filter(annotation=annotation).latest("id")
    assert [s["id"] for s in event.changes["spans_removed"]] == ["e2"]
    assert event.changes["relations_removed"] == [["claimant", "c1", "e2"]]


def test_removing_needs_a_version_and_an_existing_span(draft):
    asid, text, client = draft
    response = client.delete(f"{spans_url(asid)}e1/")
    assert response.status_code == 400
    assert response.json()["field"] == "version"
    response = client.delete(f"{spans_url(asid)}nope/?version=1")
    assert response.status_code == 400
    assert response.json()["field"] == "span_id"
    assert Annotation.objects.get(assignment_id=asid).version == 1


def test_adding_a_span_with_a_token_takes_a_fixed_handful_of_queries(setup, draft):  # noqa: F811
    asid, text, _ = draft
    client = APIClient(HTTP_AUTHORIZATION=f"Token {make_api_token(setup.team.annotator)}")
    span_saves.forget_all()
    version = 1
    counts = []
    for i, word in enumerate(["داعش", "الرَّقَّة", "الجيش السوري"]):
        span = span_of(text, word, "ORG", span_id=f"s{i}")
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                spans_url(asid), {"version": version, "span": span}, format="json"
            )
        assert response.status_code == 201, response.content
        version = response.json()["version"]
        counts.append(len(queries))
    if connection.vendor == "postgresql":
        # The first save of the assignment in this process: token -> user, the assignment
        # with role, article and draft, then the update with its audit event. The next ones:
        # token -> user, then one statement (annotate.span_saves).
        assert counts == [3, 2, 2]
    else:
        # token, assignment bundle, update, audit event (plus the transaction's statements)
        assert counts[0] == counts[-1] <= 7


def test_a_span_saved_in_one_statement_is_audited_and_read_back(draft):
    asid, text, client = draft
    version = 1
    for i, word in enumerate(["داعش", "الرَّقَّة", "الجيش السوري", "المتحدث"]):
        span = span_of(text, word, "ORG", span_id=f"s{i}")
        response = client.post(spans_url(asid), {"version": version, "span": span}, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["span"] == span
        version = response.json()["version"]
    annotation = Annotation.objects.get(assignment_id=asid)
    assert annotation.version == version == 5
    starts = [s["start"] for s in annotation.content["spans"]]
    assert starts == sorted(starts)
    events = AuditEvent.objects.filter(annotation=annotation, action=AuditAction.SAVE)
    assert [e.version for e in events.order_by("id")] == [2, 3, 4, 5]
    assert all(e.user_id == annotation.annotator_id for e in events)
    stale = span_of(text, "باسم", "ORG", span_id="late")
    response = client.post(spans_url(asid), {"version": 2, "span": stale}, format="json")
    assert response.status_code == 409
    assert response.json()["current_version"] == 5


def test_the_annotation_page_reads_are_one_query_each_after_the_token(
    setup,  # noqa: F811
    draft,
    django_assert_num_queries,
):
    asid, text, client = draft
    content = {
        "spans": [span_of(text, word, "ORG", span_id=f"s{i}") for i, word in enumerate(WORDS)],
        "relations": [],
        "document_labels": {"stance": {}},
    }
    saved = client.put(
        f"/api/assignments/{asid}/annotation/", {"version": 1, "content": content}, format="json"
    )
    assert saved.status_code == 200, saved.content
    token = APIClient(HTTP_AUTHORIZATION=f"Token {make_api_token(setup.team.annotator)}")
    article_id = Annotation.objects.get(assignment_id=asid).article_id
    # token -> user, then the draft with its assignment and role (no decoding of the draft)
    with django_assert_num_queries(2):
        read = token.get(f"/api/assignments/{asid}/annotation/")
    assert read.json()["content"] == saved.json()["content"]
    # token -> user, then the project, role and article
    with django_assert_num_queries(2):
        article = token.get(f"/api/projects/{setup.project.pk}/articles/{article_id}/")
    assert article.json()["text"] == text
