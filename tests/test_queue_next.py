"""`next` on its hot path: how many statements it costs, and what each choice reads."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from annotate.annotations import _create_annotation, do_skip
from annotate.models import Annotation, Assignment, AssignmentStatus, Role
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
