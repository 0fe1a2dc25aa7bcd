"""annotate.span_saves: a span added in one statement gives exactly what the usual way gives.

Hypothesis draws a draft (spans over a real sentence, in canonical order), a new span (often
clashing with one of them by id or by place and label, sometimes not matching the text), a
caller (the assignee, another annotator, a manager, a superuser from outside, an annotator no
longer a member) and the assignment's state, and a current or stale version. The usual way
(access_assignment, then do_add_span) runs in a rolled-back savepoint; then the one-statement
way. When the statement saves, the usual way saved the same: the same document, version and
audit event. When it declines, the usual way refused too (or it would start a todo
assignment, which the usual way does): the view then answers through the usual way.
On SQLite the statement never runs.
"""

from __future__ import annotations

import types
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.http import Http404
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from annotate import span_saves
from annotate.access import access_assignment
from annotate.annotations import do_add_span, do_remove_span
from annotate.errors import ActionError, ConflictError
from annotate.lib.content import ContentError, check_content
from annotate.lib.schema import default_schema
from annotate.models import (
    Annotation,
    AnnotationStatus,
    Assignment,
    AssignmentStatus,
    AuditEvent,
    Membership,
    Role,
)
from corpus.lib.text import canonicalise, tokenize
from tests.factories import make_article, make_project, make_user

TEXT = canonicalise(
    "قال المتحدث باسم الجيش السوري إن وداعش انسحبت من الرَّقَّة يوم ٣ أيار 2017 وفق Reuters."
)
WORDS = [(t.start, t.end) for t in tokenize(TEXT) if t.kind == "word"]
PLACES = WORDS + [(WORDS[0][0], WORDS[2][1]), (WORDS[3][0], WORDS[4][1])]
LABELS = ["PER", "ORG", "LOC", "MILITARY_GROUP", "DATE"]
IDS = ["a", "b", "B", "s1", "s10", "s2", "_x", "a.b", "z-9"]
CALLERS = ["assignee"] * 8 + ["annotator", "manager", "superuser", "former"]
STATES = ["in_progress"] * 8 + ["submitted", "skipped", "todo"]
VERSION = 3


class Rollback(Exception):
    pass


def span_at(place: tuple[int, int], label: str, span_id: str, *, bad_text: bool = False):
    start, end = place
    return {
        "id": span_id,
        "start": start,
        "end": end,
        "label": label,
        "text": "x" if bad_text else TEXT[start:end],
        "attributes": {},
    }


SPANS = st.builds(span_at, st.sampled_from(PLACES), st.sampled_from(LABELS), st.sampled_from(IDS))
DRAFTS = st.lists(
    SPANS,
    max_size=7,
    unique_by=(lambda s: s["id"], lambda s: (s["start"], s["end"], s["label"])),
)
NEW_SPANS = st.builds(
    span_at,
    st.sampled_from(PLACES),
    st.sampled_from(LABELS),
    st.sampled_from(IDS),
    bad_text=st.sampled_from([False] * 9 + [True]),
)


def world(
    spans: list[dict[str, Any]], state: str, relations: list[dict[str, Any]] = ()
) -> dict[str, Any]:
    schema = default_schema()
    article = make_article(text=TEXT)
    people = {
        "assignee": make_user(),
        "annotator": make_user(),
        "manager": make_user(),
        "superuser": make_user(is_superuser=True),
    }
    members = {
        people["assignee"]: Role.ANNOTATOR,
        people["annotator"]: Role.ANNOTATOR,
        people["manager"]: Role.MANAGER,
    }
    project = make_project(articles=[article], members=members, schema=schema)
    assignment = Assignment.objects.create(
        project=project,
        article=article,
        annotator=people["assignee"],
        status=AssignmentStatus.TODO if state == "todo" else state,
    )
    if state != "todo":
        Annotation.objects.create(
            assignment=assignment,
            project=project,
            article=article,
            annotator=people["assignee"],
            content=check_content(
                {"spans": spans, "relations": list(relations), "document_labels": {"stance": {}}},
                text=TEXT,
                schema=schema,
            ),
            version=VERSION,
            status=AnnotationStatus.SUBMITTED if state == "submitted" else AnnotationStatus.DRAFT,
        )
    span_saves.remember(
        Assignment.objects.select_related("project", "article").get(pk=assignment.pk)
    )
    return {"assignment": assignment, "people": people, "project": project}


def caller(w: dict[str, Any], who: str):
    if who == "former":
        user = w["people"]["assignee"]
        Membership.objects.filter(project=w["project"], user=user).delete()
        return user
    return w["people"][who]


def outcome(assignment_id: int) -> tuple[Any, ...]:
    annotation = Annotation.objects.filter(assignment_id=assignment_id).first()
    event = AuditEvent.objects.filter(assignment_id=assignment_id).order_by("id").last()
    return (
        annotation.content if annotation else None,
        annotation.version if annotation else None,
        annotation.schema_version if annotation else None,
        None
        if event is None
        else (
            event.action,
            event.version,
            event.changes,
            event.user_id,
            event.annotation_id,
            event.project_id,
            event.article_id,
        ),
    )


def the_usual_way(
    user,
    assignment_id: int,
    version: int,
    span: dict[str, Any] | None = None,
    *,
    remove: str | None = None,
):
    """(refused error name or None, what the database holds afterwards), rolled back."""
    found: dict[str, Any] = {}
    try:
        with transaction.atomic():
            try:
                assignment = access_assignment(
                    user, assignment_id, for_write=True, with_annotation=True
                )
                if remove is None:
                    do_add_span(assignment, user=user, version=version, span=span)
                else:
                    do_remove_span(assignment, user=user, version=version, span_id=remove)
                found["refused"] = None
            except (Http404, PermissionDenied, ContentError, ConflictError, ActionError) as exc:
                found["refused"] = type(exc).__name__
            found["after"] = outcome(assignment_id)
            raise Rollback
    except Rollback:
        pass
    return found["refused"], found["after"]


class OneStatementSpanSaves(TestCase):
    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        draft=DRAFTS,
        new=NEW_SPANS,
        who=st.sampled_from(CALLERS),
        state=st.sampled_from(STATES),
        stale=st.sampled_from([False] * 7 + [True]),
    )
    def test_it_saves_what_the_usual_way_saves_or_declines(self, draft, new, who, state, stale):
        w = world(draft, state)
        user = caller(w, who)
        asid = w["assignment"].pk
        version = VERSION - 1 if stale else VERSION
        refused, usual = the_usual_way(user, asid, version, new)
        before = outcome(asid)
        saved = span_saves.try_add_span(user, asid, version=version, span=new)
        if connection.vendor != "postgresql":
            assert saved is None
            return
        event(f"one statement {'declined' if saved is None else 'saved'}; usual: {refused}")
        if saved is None:
            assert refused is not None or state == "todo", (refused, state)
            assert outcome(asid) == before  # nothing written
            return
        assert refused is None
        annotation_id, new_version, span = saved
        assert outcome(asid) == usual
        assert (annotation_id, new_version) == (usual[3][4], usual[1])
        assert span == new


@st.composite
def drafts_with_claims(draw) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Entity spans, up to two claims, each with or without a claimant relation."""
    spans = draw(DRAFTS)
    claims = []
    relations = []
    for claim_id, place in zip(["c1", "c2"], [(WORDS[5][0], WORDS[7][1]), PLACES[-1]], strict=True):
        if draw(st.booleans()):
            claim = span_at(place, "CLAIM", claim_id)
            claim["attributes"] = {"checkworthy": None, "claimant": None, "stance": None}
            claims.append(claim)
            if spans and draw(st.booleans()):
                target = draw(st.sampled_from(spans))["id"]
                relations.append({"type": "claimant", "from": claim_id, "to": target})
    return spans + claims, relations


class OneStatementSpanRemovals(TestCase):
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        draft=drafts_with_claims(),
        target=st.sampled_from([*IDS, "c1", "c2", "nope"]),
        pick=st.one_of(st.none(), st.integers(0, 20), st.integers(0, 20), st.integers(0, 20)),
        who=st.sampled_from(CALLERS),
        state=st.sampled_from(STATES),
        stale=st.sampled_from([False] * 7 + [True]),
    )
    def test_it_removes_what_the_usual_way_removes_or_declines(
        self, draft, target, pick, who, state, stale
    ):
        spans, relations = draft
        if pick is not None and spans:  # mostly a span the draft has, a claim's relation's too
            target = spans[pick % len(spans)]["id"]
        w = world(spans, state, relations)
        user = caller(w, who)
        asid = w["assignment"].pk
        version = VERSION - 1 if stale else VERSION
        refused, usual = the_usual_way(user, asid, version, remove=target)
        before = outcome(asid)
        removed = span_saves.try_remove_span(user, asid, version=version, span_id=target)
        if connection.vendor != "postgresql":
            assert removed is None
            return
        event(f"one statement {'declined' if removed is None else 'removed'}; usual: {refused}")
        if removed is None:
            assert refused is not None or state == "todo", (refused, state)
            assert outcome(asid) == before
            return
        assert refused is None
        assert outcome(asid) == usual
        assert removed == (usual[3][4], usual[1])


def test_a_worker_keeps_a_bounded_number_of_assignments():
    article = types.SimpleNamespace(pk=1, text="نص", content_hash="h")
    project = types.SimpleNamespace(
        pk=1, schema=default_schema(), schema_version=1, created_at=None
    )
    span_saves.forget_all()
    for pk in range(span_saves.MAX_REMEMBERED + 10):
        span_saves.remember(types.SimpleNamespace(pk=pk, project=project, article=article))
    kept = span_saves._remembered
    assert len(kept) == span_saves.MAX_REMEMBERED
    assert min(kept) == 10  # the oldest went first
    span_saves.forget_all()
