"""`next` on its hot path: how many statements it costs, and what each choice reads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase
from rest_framework.test import APIClient

from annotate import sql
from annotate.annotations import _create_annotation, do_skip
from annotate.models import Annotation, Assignment, AssignmentStatus, Role, SuggestionSettings
from annotate.queue import do_generate_assignments, do_next
from tests.factories import make_article, make_corpus, make_project, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue():
    corpus = make_corpus()
    articles = [make_article(corpus, title=f"خبر {n}") for n in range(4)]
    annotator = make_user()
    project = make_project(articles=articles, members={annotator: Role.ANNOTATOR})
    do_generate_assignments(project, k=1, seed=0)
    client = APIClient()
    client.force_authenticate(annotator)
    return project, annotator, client


def statements(client, project) -> tuple[dict, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.post(f"/api/projects/{project.pk}/queue/next/")
    assert response.status_code == 200, response.content
    sqls = [q["sql"] for q in captured.captured_queries]
    # The test's own transaction turns the view's atomic block into a savepoint.
    return response.json(), [s for s in sqls if "SAVEPOINT" not in s]


def test_starting_the_next_todo_costs_four_statements(queue):
    project, annotator, client = queue
    body, sqls = statements(client, project)
    # Access (project and role), the pick (assignment, article, annotation and whether the
    # project orders by uncertainty), the annotation's insert, the assignment's start.
    assert len(sqls) == 4, sqls
    assert [s.split()[0] for s in sqls] == ["SELECT", "SELECT", "INSERT", "UPDATE"]
    assert not any("auth_user" in s for s in sqls)
    assert '"search_text"' not in sqls[1]
    assert body["assignment"]["status"] == "in_progress"
    assert body["assignment"]["annotator_username"] == annotator.username
    assert body["assignment"]["annotation"] == body["annotation"]["id"]
    assert body["article"]["title"] == "خبر 0"
    assert body["annotation"]["version"] == 1
    assert body["annotation"]["content"]["spans"] == []


def test_asking_again_for_work_in_progress_costs_two_statements(queue):
    project, _, client = queue
    first, _ = statements(client, project)
    again, sqls = statements(client, project)
    assert len(sqls) == 2, sqls
    assert again == first


def test_reopened_work_comes_before_work_in_progress_and_todo(queue):
    project, annotator, _ = queue
    first, _ = do_next(project, annotator)
    do_skip(first, user=annotator, reason="r")
    second, _ = do_next(project, annotator)
    # A lead reopened the third article's work (made in SQL: in progress, reopened now).
    third = Assignment.objects.filter(project=project, status=AssignmentStatus.TODO).first()
    Assignment.objects.filter(pk=third.pk).update(
        status=AssignmentStatus.IN_PROGRESS, reopened_at=timezone.now(), reopen_reason="راجع"
    )
    assert do_next(project, annotator)[0].pk == third.pk
    Assignment.objects.filter(pk=third.pk).update(reopened_at=None)
    # Without a reopening, the work in progress goes by queue position.
    assert do_next(project, annotator)[0].pk == second.pk


def test_a_second_tab_starting_the_same_assignment_gets_the_same_annotation(queue):
    project, annotator, _ = queue
    assignment = Assignment.objects.select_related("project").filter(project=project).first()
    made = _create_annotation(assignment, user=annotator)
    again = _create_annotation(assignment, user=annotator)
    assert again.pk == made.pk
    assert Annotation.objects.filter(assignment=assignment).count() == 1
    stored = Annotation.objects.get(pk=made.pk)
    assert (stored.version, stored.status, stored.annotator_id) == (1, "draft", annotator.pk)
    assert stored.content == made.content
    assert stored.created_at == made.created_at


STATUSES = ["todo", "todo", "in_progress", "submitted", "skipped"]
STAMPS = [
    None,
    None,
    dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
]


def compared(found):
    if found is None:
        return None
    assignment, active = found
    annotation = Assignment.annotation.related.get_cached_value(assignment)
    article = assignment.article
    return (
        active,
        {f.attname: getattr(assignment, f.attname) for f in Assignment._meta.concrete_fields},
        {name: getattr(article, name) for name in sql.ARTICLE_FIELDS},
        None if annotation is None else (annotation.pk, annotation.content, annotation.version),
    )


class NextOwnAssignmentMatchesItsReference(HypothesisTestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        rows=st.lists(
            st.tuples(
                st.booleans(),  # the user's own (else another annotator's)
                st.sampled_from(STATUSES),
                st.integers(0, 3),  # position
                st.sampled_from(STAMPS),  # reopened_at
                st.booleans(),  # has an annotation
            ),
            max_size=8,
        ),
        active_learning=st.sampled_from([None, False, True]),
    )
    def test_same_assignment_article_and_annotation(self, rows, active_learning):
        corpus = make_corpus()
        me, other = make_user(), make_user()
        articles = [make_article(corpus) for _ in rows]
        project = make_project(articles=articles)
        if active_learning is not None:
            SuggestionSettings.objects.create(project=project, active_learning=active_learning)
        for n, (mine, status, position, reopened_at, annotated) in enumerate(rows):
            user = me if mine else other
            made = Assignment.objects.create(
                project=project,
                article=articles[n],
                annotator=user,
                status=status,
                position=position,
                reopened_at=reopened_at,
            )
            if annotated:
                Annotation.objects.create(
                    assignment=made,
                    project=project,
                    article=articles[n],
                    annotator=user,
                    content={"spans": [], "relations": [], "document_labels": {"n": n}},
                )
        for user_id, project_id in ((me.pk, project.pk), (other.pk, project.pk), (me.pk, 10**9)):
            fast = compared(sql.next_own_assignment(user_id, project_id))
            assert fast == compared(sql.next_own_assignment_orm(user_id, project_id))
