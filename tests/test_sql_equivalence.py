"""annotate.sql: each hand-written query gives the same answer as its ORM reference.

Hypothesis draws small worlds (users, some superusers; projects; articles in some of them;
memberships with every role or none; assignments, some in the pool, some with a draft or a
submitted annotation) and asks for real and missing ids as members, outsiders, superusers and
anonymous users. Both the query functions and the access_* rules built on them are compared:
the rules once on the fast queries, once on the references. CI runs this file on SQLite and
on PostgreSQL; on PostgreSQL the draft save's one-statement form (a data-modifying CTE, which
SQLite lacks) and its two-statement form are both checked against the reference.
"""

from __future__ import annotations

import datetime as dt
import json
import types
from typing import Any
from unittest import mock

import hypothesis
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from rest_framework.exceptions import NotAuthenticated

from annotate import access, sql
from annotate.models import (
    Annotation,
    AnnotationStatus,
    Assignment,
    AssignmentStatus,
    AuditAction,
    AuditEvent,
    Role,
)
from tests.factories import make_article, make_corpus, make_project, make_user

EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
MOSTLY_TRUE = [True, True, False]
MISSING = 10**9  # an id no row has
ROLES = [None, Role.MANAGER, Role.REVIEWER, Role.ANNOTATOR, Role.ANNOTATOR]
ROLE_SETS = [access.EVERYONE, access.LEADS, (Role.MANAGER,), (Role.ANNOTATOR,)]
REFERENCE = types.SimpleNamespace(
    project_with_role=sql.project_with_role_orm,
    project_article_with_role=sql.project_article_with_role_orm,
    assignment_bundle=sql.assignment_bundle_orm,
)


@st.composite
def worlds(draw) -> dict[str, Any]:
    """The shape of a world: who is superuser, which articles are in which project, roles,
    assignments and their annotations."""
    users = draw(st.lists(st.sampled_from([False, False, False, True]), min_size=1, max_size=4))
    # (is_superuser)
    n_projects = draw(st.integers(1, 3))
    n_articles = draw(st.integers(1, 3))
    in_project = [
        draw(
            st.lists(st.sampled_from([True, True, False]), min_size=n_articles, max_size=n_articles)
        )
        for _ in range(n_projects)
    ]
    roles = draw(
        st.lists(
            st.sampled_from(ROLES),
            min_size=len(users) * n_projects,
            max_size=len(users) * n_projects,
        )
    )
    assignments = draw(
        st.lists(
            st.tuples(
                st.integers(0, n_projects - 1),
                st.integers(0, n_articles - 1),
                st.one_of(st.none(), st.integers(0, len(users) - 1)),
                st.sampled_from([None, AnnotationStatus.DRAFT, AnnotationStatus.SUBMITTED]),
            ),
            min_size=1,
            max_size=5,
            unique_by=lambda a: (a[0], a[1], a[2]),
        )
    )
    return {
        "users": users,
        "in_project": in_project,
        "roles": roles,
        "assignments": assignments,
    }


def build(shape: dict[str, Any]) -> dict[str, list[Any]]:
    users = [make_user(is_superuser=superuser) for superuser in shape["users"]]
    corpus = make_corpus()
    articles = [make_article(corpus) for _ in shape["in_project"][0]]
    projects = []
    for p, flags in enumerate(shape["in_project"]):
        members = {
            user: role
            for u, user in enumerate(users)
            if (role := shape["roles"][p * len(users) + u]) is not None
        }
        chosen = [article for article, flag in zip(articles, flags, strict=True) if flag]
        projects.append(make_project(articles=chosen, members=members))
    assignments = []
    slots: dict[tuple[int, int], int] = {}
    for p, a, u, annotation_status in shape["assignments"]:
        slot = slots[p, a] = slots.get((p, a), -1) + 1
        annotator = users[u] if u is not None else None
        assignment = Assignment.objects.create(
            project=projects[p],
            article=articles[a],
            annotator=annotator,
            slot=slot,
            status=AssignmentStatus.IN_PROGRESS if annotation_status else AssignmentStatus.TODO,
        )
        if annotator is not None and annotation_status is not None:
            Annotation.objects.create(
                assignment=assignment,
                project=projects[p],
                article=articles[a],
                annotator=annotator,
                content={"spans": [], "relations": [], "document_labels": {"stance": {}}},
                status=annotation_status,
                version=1 + slot,
            )
        assignments.append(assignment)
    return {"users": users, "projects": projects, "articles": articles, "assignments": assignments}


def ids(objects: list[Any]) -> st.SearchStrategy[int]:
    """Mostly real ids, sometimes one no row has."""
    return st.sampled_from([obj.pk for obj in objects] * 3 + [MISSING])


def callers(users: list[Any]) -> st.SearchStrategy[Any]:
    return st.sampled_from([*users, *users, AnonymousUser()])


def describe(value: Any) -> Any:
    """Plain data for a result: model instances by their loaded fields (without loading any
    deferred one), cached relations included."""
    if isinstance(value, tuple | list):
        return [describe(item) for item in value]
    if not hasattr(value, "_meta"):
        return value
    attnames = {field.attname for field in value._meta.concrete_fields}
    out: dict[str, Any] = {
        "model": value._meta.label,
        "fields": {k: v for k, v in value.__dict__.items() if k in attnames},
        "deferred": sorted(value.get_deferred_fields()),
        "my_role": getattr(value, "my_role", None),
    }
    if hasattr(value, "content_json"):
        out["content_json"] = json.loads(value.content_json)
    if isinstance(value, Assignment):
        for name in ("project", "article"):
            field = Assignment._meta.get_field(name)
            if field.is_cached(value):
                out[name] = describe(getattr(value, name))
        if Assignment.annotation.related.is_cached(value):
            out["annotation"] = describe(Assignment.annotation.related.get_cached_value(value))
    return out


def outcome(call) -> Any:
    """What a call answers: its described result, or the error it raises."""
    try:
        return describe(call())
    except (Http404, PermissionDenied, NotAuthenticated) as exc:
        return (type(exc).__name__, str(exc))


def fast_and_reference(call) -> tuple[Any, Any]:
    """`call()` through access.py on the hand-written queries, then on the references."""
    fast = outcome(call)
    with mock.patch.object(access, "sql", REFERENCE):
        reference = outcome(call)
    hypothesis.event(fast[0] if isinstance(fast, tuple) else "passes")
    return fast, reference


class ProjectQueries(TestCase):
    @EXAMPLES
    @given(st.data(), worlds())
    def test_project_with_role_matches_the_orm(self, data, shape):
        world = build(shape)
        user = data.draw(callers(world["users"]))
        pid = data.draw(ids(world["projects"]))
        roles = data.draw(st.sampled_from(ROLE_SETS))
        uid = user.pk if user.pk is not None else MISSING
        assert describe(sql.project_with_role(uid, pid)) == describe(
            sql.project_with_role_orm(uid, pid)
        )
        fast, reference = fast_and_reference(lambda: access.access_project(user, pid, roles=roles))
        assert fast == reference

    @EXAMPLES
    @given(st.data(), worlds())
    def test_project_article_with_role_matches_the_orm(self, data, shape):
        world = build(shape)
        user = data.draw(callers(world["users"]))
        pid = data.draw(ids(world["projects"]))
        aid = data.draw(ids(world["articles"]))
        roles = data.draw(st.sampled_from(ROLE_SETS))
        uid = user.pk if user.pk is not None else MISSING
        assert describe(sql.project_article_with_role(uid, pid, aid)) == describe(
            sql.project_article_with_role_orm(uid, pid, aid)
        )
        fast, reference = fast_and_reference(
            lambda: access.access_project_article(user, pid, aid, roles=roles)
        )
        assert fast == reference


class AssignmentBundle(TestCase):
    @EXAMPLES
    @given(st.data(), worlds())
    def test_assignment_bundle_matches_the_orm(self, data, shape):
        world = build(shape)
        user = data.draw(callers(world["users"]))
        asid = data.draw(ids(world["assignments"]))
        options = {
            "with_article": data.draw(st.booleans()),
            "with_annotation": data.draw(st.booleans()),
            "raw_content": data.draw(st.booleans()),
        }
        for_write = data.draw(st.booleans())
        uid = user.pk if user.pk is not None else MISSING
        assert describe(sql.assignment_bundle(uid, asid, **options)) == describe(
            sql.assignment_bundle_orm(uid, asid, **options)
        )
        fast, reference = fast_and_reference(
            lambda: access.access_assignment(user, asid, for_write=for_write, **options)
        )
        assert fast == reference


class Rollback(Exception):
    pass


def _effect(save, annotation: Annotation, **arguments: Any) -> tuple[Any, ...]:
    """What `save` answers and leaves in the database; rolled back afterwards."""
    found: tuple[Any, ...] = ()
    try:
        with transaction.atomic():
            saved = save(annotation.pk, **arguments)
            row = Annotation.objects.filter(pk=annotation.pk).values().get()
            events = list(
                AuditEvent.objects.filter(annotation_id=annotation.pk).values(
                    *[f.attname for f in AuditEvent._meta.concrete_fields if f.attname != "id"]
                )
            )
            found = (saved, row, events)
            raise Rollback
    except Rollback:
        pass
    return found


class DraftSave(TestCase):
    @EXAMPLES
    @given(
        status=st.sampled_from([AnnotationStatus.DRAFT] * 2 + [AnnotationStatus.SUBMITTED]),
        stored_version=st.integers(1, 3),
        version_offset=st.sampled_from([0, 0, 0, -1, 1]),
        submit=st.booleans(),
        labels=st.dictionaries(
            st.sampled_from(["isis", "us_coalition"]), st.sampled_from(["favor", "against", "نعم"])
        ),
    )
    def test_save_draft_row_matches_the_orm(
        self, status, stored_version, version_offset, submit, labels
    ):
        user = make_user()
        article = make_article()
        project = make_project(articles=[article], members={user: Role.ANNOTATOR})
        assignment = Assignment.objects.create(project=project, article=article, annotator=user)
        annotation = Annotation.objects.create(
            assignment=assignment,
            project=project,
            article=article,
            annotator=user,
            content={},
            status=status,
            version=stored_version,
        )
        version = stored_version + version_offset
        now = dt.datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=dt.UTC)
        content = {"spans": [], "relations": [], "document_labels": {"stance": labels}}
        fields: dict[str, Any] = {"content": content, "schema_version": 2, "updated_at": now}
        if submit:
            fields.update(status=AnnotationStatus.SUBMITTED, submitted_at=now)
        event = {
            "project_id": project.pk,
            "article_id": article.pk,
            "assignment_id": assignment.pk,
            "annotation_id": annotation.pk,
            "gold_id": None,
            "user_id": user.pk,
            "action": AuditAction.SUBMIT if submit else AuditAction.SAVE,
            "version": version + 1,
            "changes": {"document_labels": labels},
            "at": now,
        }
        arguments = {"version": version, "fields": fields, "event": event}
        reference = _effect(sql.save_draft_row_orm, annotation, **arguments)
        hypothesis.event("saved" if reference[0] else "refused")
        assert reference[0] == (status == AnnotationStatus.DRAFT and version == stored_version)
        assert _effect(sql.save_draft_row, annotation, **arguments) == reference
        assert _effect(sql.save_draft_row_in_two_statements, annotation, **arguments) == reference
        if connection.vendor == "postgresql":
            one = _effect(sql.save_draft_row_in_one_statement, annotation, **arguments)
            assert one == reference
