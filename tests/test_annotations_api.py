"""The annotation workflow through the REST API: next, fetch, save draft, submit, skip,
reassign, reopen, history. Each test asserts the response and the database afterwards."""

from __future__ import annotations

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from annotate.lib.schema import default_schema
from annotate.models import (
    Annotation,
    AnnotationStatus,
    Assignment,
    AssignmentStatus,
    AuditAction,
    AuditEvent,
    Role,
)
from annotate.projects import do_update_schema
from annotate.queue import do_generate_assignments
from tests.base import ProjectTeam
from tests.factories import make_article, make_corpus, make_project, make_user, span_of

pytestmark = pytest.mark.django_db

TEXT = "قال المتحدث باسم الجيش السوري إن وداعش انسحبت من الرَّقَّة يوم ٣ أيار 2017."
STANCE = {"isis": "against", "syrian_army": "neutral", "us_coalition": "not_mentioned"}


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture(scope="module")
def shared_setup(module_team):
    """Three articles, each preassigned to both annotators (k=2); built once per module.
    The third annotator is not a member: tests that hand work over add him."""
    corpus = make_corpus()
    articles = [make_article(corpus, text=TEXT, title="one")] + [
        make_article(corpus, text=f"{TEXT} ({i})", title=f"a{i}") for i in range(2)
    ]
    crew = ProjectTeam.create(module_team, articles=articles, without=("annotator3",))
    do_generate_assignments(crew.project, k=2, fraction=1.0, seed=1, mode="preassign")
    return crew


@pytest.fixture
def setup(shared_setup, db) -> ProjectTeam:
    return copy.deepcopy(shared_setup)


def start(setup, who="annotator"):
    response = client_for(setup.team[who]).post(f"/api/projects/{setup.project.pk}/queue/next/")
    assert response.status_code == 200, response.content
    return response.json()


def content_for(text: str, *, stance=None, claim=False):
    spans = [span_of(text, "داعش", "MILITARY_GROUP", span_id="e1")]
    spans.append(span_of(text, "الجيش السوري", "ORG", span_id="e2"))
    relations = []
    if claim:
        claim_span = span_of(text, "انسحبت من الرَّقَّة", "CLAIM", span_id="c1")
        claim_span["attributes"] = {"checkworthy": True, "claimant": None, "stance": "reports"}
        spans.append(claim_span)
        relations.append({"type": "claimant", "from": "c1", "to": "e2"})
    return {
        "spans": spans,
        "relations": relations,
        "document_labels": {"stance": dict(stance or {})},
    }


def test_next_starts_the_first_assignment_and_returns_article_and_empty_annotation(setup):
    body = start(setup)
    assignment = Assignment.objects.get(pk=body["assignment"]["id"])
    assert assignment.annotator == setup.team.annotator
    assert assignment.status == AssignmentStatus.IN_PROGRESS
    assert body["assignment"]["status"] == "in_progress"
    assert body["article"]["text"] == assignment.article.text
    assert body["article"]["length"] == len(assignment.article.text)
    assert body["annotation"]["version"] == 1
    assert body["annotation"]["content"] == {
        "spans": [],
        "relations": [],
        "document_labels": {"stance": {}},
    }
    assert body["assignment"]["annotation"] == body["annotation"]["id"]
    # Asking again returns the same work in progress, not a new one.
    assert start(setup)["assignment"]["id"] == assignment.pk


def test_save_draft_bumps_version_and_offsets_slice_the_stored_text(setup):
    body = start(setup)
    asid, text = body["assignment"]["id"], body["article"]["text"]
    client = client_for(setup.team.annotator)
    response = client.put(
        f"/api/assignments/{asid}/annotation/",
        {"version": 1, "content": content_for(text, claim=True)},
        format="json",
    )
    assert response.status_code == 200, response.content
    saved = response.json()
    assert saved["version"] == 2
    assert saved["status"] == "draft"
    for item in saved["content"]["spans"]:
        assert text[item["start"] : item["end"]] == item["text"]
    starts = [item["start"] for item in saved["content"]["spans"]]
    assert starts == sorted(starts)
    read = client.get(f"/api/assignments/{asid}/annotation/").json()
    assert read["content"] == saved["content"]
    assert read["version"] == 2
    event = AuditEvent.objects.get(action=AuditAction.SAVE)
    assert event.user == setup.team.annotator
    assert event.version == 2
    assert {s["id"] for s in event.changes["spans_added"]} == {"e1", "e2", "c1"}
    assert event.changes["relations_added"] == [["claimant", "c1", "e2"]]


def test_read_sends_the_stored_draft_as_it_is_with_line_separators_escaped(setup):
    """The draft goes from the database into the answer without being decoded (one query for
    authentication, one for the assignment with its draft); U+2028/U+2029, which JavaScript
    once refused inside strings, come escaped as DRF's renderer escapes them."""
    body = start(setup)
    asid = body["assignment"]["id"]
    article = Assignment.objects.get(pk=asid).article
    article.text = "قال المتحدث\u2028إن داعش انسحبت\u2029من الرقة."
    article.save()
    content = {
        "spans": [span_of(article.text, "المتحدث\u2028إن داعش", "PER", span_id="p1")],
        "relations": [],
        "document_labels": {"stance": {"isis": "against"}},
    }
    client = client_for(setup.team.annotator)
    saved = client.put(
        f"/api/assignments/{asid}/annotation/", {"version": 1, "content": content}, format="json"
    )
    assert saved.status_code == 200, saved.content
    with CaptureQueriesContext(connection) as queries:
        read = client.get(f"/api/assignments/{asid}/annotation/")
    assert read.status_code == 200
    assert len(queries) == 1  # force_authenticate: no token query; the draft was not reloaded
    assert read["Content-Type"] == "application/json"
    assert "\u2028".encode() not in read.content and "\u2029".encode() not in read.content
    assert b"\\u2028" in read.content
    answer = read.json()
    assert answer["content"] == saved.json()["content"] == content
    assert answer["version"] == 2 and answer["annotator_username"] == "amal"
    assert set(answer) == set(saved.json())


@pytest.mark.parametrize("accept", ["text/html", "application/json; indent=2"])
def test_read_in_the_browsable_api_or_indented_has_the_decoded_draft(setup, accept):
    body = start(setup)
    asid, text = body["assignment"]["id"], body["article"]["text"]
    client = client_for(setup.team.annotator)
    saved = client.put(
        f"/api/assignments/{asid}/annotation/",
        {"version": 1, "content": content_for(text)},
        format="json",
    ).json()
    read = client.get(f"/api/assignments/{asid}/annotation/", HTTP_ACCEPT=accept)
    assert read.status_code == 200
    assert read["Content-Type"].startswith(accept.split(";")[0])
    if accept.startswith("application/json"):
        assert read.content.startswith(b'{\n  "')
        assert read.json() == saved
    else:
        assert "الجيش السوري".encode() in read.content


def test_stale_version_gets_409_with_current_version_and_changes_nothing(setup):
    body = start(setup)
    asid, text = body["assignment"]["id"], body["article"]["text"]
    client = client_for(setup.team.annotator)
    first = content_for(text)
    assert (
        client.put(
            f"/api/assignments/{asid}/annotation/", {"version": 1, "content": first}, format="json"
        ).status_code
        == 200
    )
    response = client.put(
        f"/api/assignments/{asid}/annotation/",
        {"version": 1, "content": {"spans": [], "relations": [], "document_labels": {}}},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    assert "reload" in response.json()["detail"]
    annotation = Annotation.objects.get(assignment_id=asid)
    assert annotation.version == 2
    assert len(annotation.content["spans"]) == 2
    assert AuditEvent.objects.filter(action=AuditAction.SAVE).count() == 1


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (lambda c, t: c["spans"][0].update(end=len(t) + 5), "spans[0].end", "article's length"),
        (lambda c, t: c["spans"][0].update(text="غلط"), "spans[0].text", "does not match"),
        (lambda c, t: c["spans"][0].update(label="NOPE"), "spans[0].label", "unknown label"),
        (
            lambda c, t: c["relations"].append({"type": "claimant", "from": "zz", "to": "e1"}),
            "relations[0].from",
            "no span with id",
        ),
        (
            lambda c, t: c["document_labels"]["stance"].update(isis="maybe"),
            "document_labels.stance.isis",
            "must be one of",
        ),
    ],
)
def test_invalid_content_gets_400_naming_the_field(setup, mutate, field, words):
    body = start(setup)
    asid, text = body["assignment"]["id"], body["article"]["text"]
    content = content_for(text)
    mutate(content, text)
    response = client_for(setup.team.annotator).put(
        f"/api/assignments/{asid}/annotation/", {"version": 1, "content": content}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert words in response.json()["detail"]
    assert Annotation.objects.get(assignment_id=asid).version == 1


def test_a_span_splitting_a_diacritic_is_refused_with_the_place(setup):
    body = start(setup)
    asid, text = body["assignment"]["id"], body["article"]["text"]
    at = text.index("الرَّقَّة") + 3  # between ر and its shadda
    bad = {
        "spans": [
            {"id": "x", "start": at - 3, "end": at, "label": "LOC", "text": text[at - 3 : at]}
        ]
    }
    response = client_for(setup.team.annotator).put(
        f"/api/assignments/{asid}/annotation/", {"version": 1, "content": bad}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "spans[0].end"
    assert f"offset {at}" in response.json()["detail"]


def test_missing_version_is_a_400_naming_version(setup):
    asid = start(setup)["assignment"]["id"]
    response = client_for(setup.team.annotator).put(
        f"/api/assignments/{asid}/annotation/", {"content": {}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "version"


def test_submit_needs_every_required_stance_then_freezes_the_annotation(setup):
    body = start(setup)
    asid, text = body["assignment"]["id"], body["article"]["text"]
    client = client_for(setup.team.annotator)
    partial = content_for(text, stance={"isis": "against"})
    response = client.post(
        f"/api/assignments/{asid}/annotation/submit/",
        {"version": 1, "content": partial},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "document_labels.stance.syrian_army"
    assert "The Syrian army" in response.json()["detail"]
    assert Annotation.objects.get(assignment_id=asid).status == AnnotationStatus.DRAFT

    response = client.post(
        f"/api/assignments/{asid}/annotation/submit/",
        {"version": 1, "content": content_for(text, stance=STANCE)},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    assert response.json()["version"] == 2
    assignment = Assignment.objects.get(pk=asid)
    assert assignment.status == AssignmentStatus.SUBMITTED
    assert assignment.submitted_at is not None

    again = client.put(
        f"/api/assignments/{asid}/annotation/",
        {"version": 2, "content": content_for(text)},
        format="json",
    )
    assert again.status_code == 409
    assert "submitted" in again.json()["detail"]
    assert Annotation.objects.get(assignment_id=asid).version == 2
    # The next article is a different one.
    assert start(setup)["assignment"]["id"] != asid


def test_submit_without_content_submits_the_saved_draft(setup):
    body = start(setup)
    asid, text = body["assignment"]["id"], body["article"]["text"]
    client = client_for(setup.team.annotator)
    client.put(
        f"/api/assignments/{asid}/annotation/",
        {"version": 1, "content": content_for(text, stance=STANCE)},
        format="json",
    )
    response = client.post(
        f"/api/assignments/{asid}/annotation/submit/", {"version": 2}, format="json"
    )
    assert response.status_code == 200
    assert len(response.json()["content"]["spans"]) == 2


def test_manager_reopens_a_submitted_annotation_and_it_is_audited(setup):
    body = start(setup)
    asid, text = body["assignment"]["id"], body["article"]["text"]
    annotator = client_for(setup.team.annotator)
    annotator.post(
        f"/api/assignments/{asid}/annotation/submit/",
        {"version": 1, "content": content_for(text, stance=STANCE)},
        format="json",
    )
    assert (
        client_for(setup.team.annotator2).post(f"/api/assignments/{asid}/reopen/").status_code
        == 404
    )
    refused = client_for(setup.team.manager).post(f"/api/assignments/{asid}/reopen/")
    assert refused.status_code == 400
    assert refused.json()["field"] == "reason"
    response = client_for(setup.team.manager).post(
        f"/api/assignments/{asid}/reopen/", {"reason": "Mark the date too"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"
    annotation = Annotation.objects.get(assignment_id=asid)
    assert (annotation.status, annotation.version) == (AnnotationStatus.DRAFT, 3)
    saved = annotator.put(
        f"/api/assignments/{asid}/annotation/",
        {"version": 3, "content": content_for(text)},
        format="json",
    )
    assert saved.status_code == 200
    reopen = AuditEvent.objects.get(action=AuditAction.REOPEN)
    assert reopen.user == setup.team.manager
    assert reopen.changes == {"status": ["submitted", "in_progress"], "reason": "Mark the date too"}


def test_skip_needs_a_reason_and_next_moves_on(setup):
    body = start(setup)
    asid = body["assignment"]["id"]
    client = client_for(setup.team.annotator)
    response = client.post(f"/api/assignments/{asid}/skip/", {"reason": "  "}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "reason"
    assert Assignment.objects.get(pk=asid).status == AssignmentStatus.IN_PROGRESS
    response = client.post(
        f"/api/assignments/{asid}/skip/", {"reason": "not a news article"}, format="json"
    )
    assert response.status_code == 200
    assignment = Assignment.objects.get(pk=asid)
    assert (assignment.status, assignment.skip_reason) == ("skipped", "not a news article")
    assert start(setup)["assignment"]["id"] != asid
    event = AuditEvent.objects.get(action=AuditAction.SKIP)
    assert event.changes["reason"] == "not a news article"
    assert event.assignment_id == asid
    # A skipped assignment can no longer be saved.
    response = client.put(
        f"/api/assignments/{asid}/annotation/",
        {"version": 1, "content": {"spans": []}},
        format="json",
    )
    assert response.status_code == 409


def test_reassign_moves_unstarted_work_to_another_annotator(setup):
    project = setup.project
    newcomer = setup.team.annotator3
    project.memberships.create(user=newcomer, role=Role.ANNOTATOR)
    todo = Assignment.objects.filter(project=project, annotator=setup.team.annotator).last()
    manager = client_for(setup.team.manager)
    # annotator2 already has this article (k=2 with two annotators): refused, naming the field.
    response = manager.post(
        f"/api/assignments/{todo.pk}/reassign/",
        {"annotator": setup.team.annotator2.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "annotator"
    assert "already has this article" in response.json()["detail"]
    response = manager.post(
        f"/api/assignments/{todo.pk}/reassign/",
        {"annotator": setup.team.reviewer.pk},
        format="json",
    )
    assert response.status_code == 400
    response = manager.post(
        f"/api/assignments/{todo.pk}/reassign/", {"annotator": newcomer.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    assert Assignment.objects.get(pk=todo.pk).annotator == newcomer
    event = AuditEvent.objects.get(action=AuditAction.REASSIGN)
    assert event.changes["annotator"] == [setup.team.annotator.pk, newcomer.pk]
    history = manager.get(f"/api/assignments/{todo.pk}/history/").json()["results"]
    assert [(e["action"], e["username"]) for e in history] == [("reassign", "mona")]


def test_started_work_cannot_be_reassigned(setup):
    asid = start(setup)["assignment"]["id"]
    newcomer = setup.team.annotator3
    setup.project.memberships.create(user=newcomer, role=Role.ANNOTATOR)
    response = client_for(setup.team.manager).post(
        f"/api/assignments/{asid}/reassign/", {"annotator": newcomer.pk}, format="json"
    )
    assert response.status_code == 409
    assert Assignment.objects.get(pk=asid).annotator == setup.team.annotator


def test_reassigning_a_skipped_draft_hands_over_an_empty_document(setup):
    body = start(setup)
    asid, text = body["assignment"]["id"], body["article"]["text"]
    client = client_for(setup.team.annotator)
    client.put(
        f"/api/assignments/{asid}/annotation/",
        {"version": 1, "content": content_for(text)},
        format="json",
    )
    client.post(f"/api/assignments/{asid}/skip/", {"reason": "unclear"}, format="json")
    newcomer = setup.team.annotator3
    setup.project.memberships.create(user=newcomer, role=Role.ANNOTATOR)
    response = client_for(setup.team.manager).post(
        f"/api/assignments/{asid}/reassign/", {"annotator": newcomer.pk}, format="json"
    )
    assert response.status_code == 200
    annotation = Annotation.objects.get(assignment_id=asid)
    assert annotation.annotator == newcomer
    assert annotation.content["spans"] == []
    assert annotation.version == 3
    # The previous annotator lost access; the new one sees the empty draft.
    assert client.get(f"/api/assignments/{asid}/annotation/").status_code == 404
    read = client_for(newcomer).get(f"/api/assignments/{asid}/annotation/")
    assert read.status_code == 200
    assert read.json()["version"] == 3


def test_history_lists_every_change_for_managers(setup):
    body = start(setup)
    asid, text = body["assignment"]["id"], body["article"]["text"]
    client = client_for(setup.team.annotator)
    client.put(
        f"/api/assignments/{asid}/annotation/",
        {"version": 1, "content": content_for(text)},
        format="json",
    )
    client.post(
        f"/api/assignments/{asid}/annotation/submit/",
        {"version": 2, "content": content_for(text, stance=STANCE)},
        format="json",
    )
    anid = body["annotation"]["id"]
    response = client_for(setup.team.manager).get(f"/api/annotations/{anid}/history/")
    assert response.status_code == 200
    events = response.json()["results"]
    assert [e["action"] for e in events] == ["save", "submit"]
    assert [e["version"] for e in events] == [2, 3]
    assert events[0]["username"] == "amal"
    assert events[1]["changes"]["stance"]["isis"] == [None, "against"]
    assert events[1]["changes"]["status"] == ["draft", "submitted"]
    assert client.get(f"/api/annotations/{anid}/history/").status_code == 403


def test_leads_read_drafts_but_cannot_write_them(setup):
    body = start(setup)
    asid = body["assignment"]["id"]
    reviewer = client_for(setup.team.reviewer)
    assert reviewer.get(f"/api/assignments/{asid}/annotation/").status_code == 200
    response = reviewer.put(
        f"/api/assignments/{asid}/annotation/", {"version": 1, "content": {}}, format="json"
    )
    assert response.status_code == 403
    unstarted = Assignment.objects.filter(annotator=setup.team.annotator2).first()
    assert reviewer.get(f"/api/assignments/{unstarted.pk}/annotation/").status_code == 404
    assert not Annotation.objects.filter(assignment=unstarted).exists()


def test_retired_label_stays_allowed_where_already_used_but_not_for_new_spans(setup):
    body = start(setup)
    asid, text = body["assignment"]["id"], body["article"]["text"]
    client = client_for(setup.team.annotator)
    client.put(
        f"/api/assignments/{asid}/annotation/",
        {"version": 1, "content": content_for(text)},
        format="json",
    )
    schema = default_schema()
    for label in schema["entity_labels"]:
        if label["key"] in ("ORG", "PER"):
            label["retired"] = True
    do_update_schema(setup.project, by=setup.team.manager, schema=schema, note="retire")
    kept = content_for(text)
    response = client.put(
        f"/api/assignments/{asid}/annotation/", {"version": 2, "content": kept}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["schema_version"] == 2
    kept["spans"].append(span_of(text, "المتحدث", "PER", span_id="p1"))
    response = client.put(
        f"/api/assignments/{asid}/annotation/", {"version": 3, "content": kept}, format="json"
    )
    assert response.status_code == 400
    assert "retired" in response.json()["detail"]


def test_queue_summary_counts_own_work(setup):
    pid = setup.project.pk
    client = client_for(setup.team.annotator)
    assert client.get(f"/api/projects/{pid}/queue/").json()["current"] is None
    body = start(setup)
    summary = client.get(f"/api/projects/{pid}/queue/").json()
    assert summary["current"] == body["assignment"]["id"]
    assert (summary["done"], summary["total"]) == (0, 3)
    client.post(f"/api/assignments/{summary['current']}/skip/", {"reason": "dup"}, format="json")
    summary = client.get(f"/api/projects/{pid}/queue/").json()
    assert (summary["done"], summary["total"], summary["current"]) == (1, 3, None)


def test_next_returns_204_when_nothing_is_left(setup):
    client = client_for(setup.team.annotator)
    pid = setup.project.pk
    for _ in range(3):
        asid = client.post(f"/api/projects/{pid}/queue/next/").json()["assignment"]["id"]
        client.post(f"/api/assignments/{asid}/skip/", {"reason": "r"}, format="json")
    assert client.post(f"/api/projects/{pid}/queue/next/").status_code == 204


def test_annotation_list_is_own_only_for_annotators_and_filters(setup):
    pid = setup.project.pk
    start(setup, "annotator")
    start(setup, "annotator2")
    mine = client_for(setup.team.annotator).get(f"/api/projects/{pid}/annotations/").json()
    assert [a["annotator"] for a in mine["results"]] == [setup.team.annotator.pk]
    everything = client_for(setup.team.reviewer).get(f"/api/projects/{pid}/annotations/").json()
    assert everything["count"] == 2
    filtered = client_for(setup.team.reviewer).get(
        f"/api/projects/{pid}/annotations/", {"annotator": setup.team.annotator2.pk}
    )
    assert [a["annotator"] for a in filtered.json()["results"]] == [setup.team.annotator2.pk]


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_list_endpoints_do_not_grow_queries_with_rows(setup):
    """No N+1: the query count stays the same when the lists grow."""
    project, reviewer = setup.project, client_for(setup.team.reviewer)
    urls = [
        f"/api/projects/{project.pk}/annotations/",
        f"/api/projects/{project.pk}/assignments/",
        f"/api/projects/{project.pk}/articles/",
        f"/api/projects/{project.pk}/members/",
        f"/api/projects/{project.pk}/progress/",
        "/api/projects/",
    ]
    start(setup, "annotator")
    before = {url: _count_queries(reviewer, url) for url in urls}
    corpus = make_corpus()
    more = [make_article(corpus, text=f"{TEXT} [{i}]") for i in range(4)]
    project.project_articles.bulk_create(
        project.project_articles.model(project=project, article=a, position=10 + i)
        for i, a in enumerate(more)
    )
    for i in range(3):
        extra = make_user(f"extra{i}")
        project.memberships.create(user=extra, role=Role.ANNOTATOR)
    make_project(members={setup.team.reviewer: Role.ANNOTATOR})
    do_generate_assignments(project, k=2, fraction=1.0, seed=1)
    start(setup, "annotator2")
    for name in ("annotator", "annotator2"):
        client_for(setup.team[name]).post(f"/api/projects/{project.pk}/queue/next/")
    after = {url: _count_queries(reviewer, url) for url in urls}
    assert after == before
    # Authentication, access check, count and page, plus a few fixed lookups at most.
    assert max(after.values()) <= 6, after


def test_annotation_list_query_count(setup, django_assert_num_queries):
    for name in ("annotator", "annotator2"):
        start(setup, name)
    client = client_for(setup.team.reviewer)
    # access (project + role), count, page with annotators joined
    with django_assert_num_queries(3):
        response = client.get(f"/api/projects/{setup.project.pk}/annotations/")
    assert response.json()["count"] == 2
