"""Each hand-built API answer equals its serializer's output for the same object.

The hot answers (an annotation, an article's text, a job, an export token) are built as dicts
directly, skipping DRF's per-field machinery; their serializers document the shape in the
OpenAPI schema. Here both meet realistic objects, so neither can drift from the other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from annotate.api.jobs import JobSerializer
from annotate.api.serializers import (
    AnnotationSerializer,
    AssignmentSerializer,
    ExportTokenSerializer,
    ProjectArticleTextSerializer,
    annotation_data,
    article_text_data,
    assignment_data,
)
from annotate.exports import do_create_export_token, token_payload
from annotate.models import Assignment, ExportToken, Job, JobKind, JobStatus, Role
from annotate.tasks import job_payload
from tests.factories import make_annotation, make_article, make_project, make_user, span_of

pytestmark = pytest.mark.django_db

TEXT = "قالَ المتحدثُ 👍🏽 إن «داعش» انسحبت من الرقة\nوفي 2024 نُشر تقرير BBC."
AT = dt.datetime(2026, 3, 1, 9, 15, 30, 250000, tzinfo=dt.UTC)


def world() -> dict[str, Any]:
    manager, annotator = make_user("mona"), make_user("أمل")
    article = make_article(
        text=TEXT,
        title="انسحاب من الرقة",
        source="BBC Arabic",
        url="https://www.bbc.com/arabic/articles/1",
        published_on=dt.date(2024, 5, 17),
        external_id="bbc-1",
    )
    plain = make_article(text="نص قصير.")
    project = make_project(
        articles=[article, plain], members={manager: Role.MANAGER, annotator: Role.ANNOTATOR}
    )
    return {"manager": manager, "annotator": annotator, "article": article, "plain": plain,
            "project": project}  # fmt: skip


def submitted_annotation(w):
    return make_annotation(
        w["project"],
        w["article"],
        w["annotator"],
        spans=[span_of(TEXT, "داعش", "MILITARY_GROUP", span_id="e1")],
        stance={"isis": "against"},
        submitted_at=AT,
    )


def draft_annotation(w):
    return make_annotation(w["project"], w["plain"], w["annotator"], submitted=False)


def reopened_assignment(w):
    annotation = submitted_annotation(w)
    Assignment.objects.filter(pk=annotation.assignment_id).update(
        status="in_progress",
        started_at=AT,
        submitted_at=AT,
        skip_reason="مكرر",
        reopen_reason="راجع «داعش»",
        reopened_at=AT,
        reopen_request="أخطأت",
        reopen_requested_at=timezone.now(),
        slot=1,
        position=7,
    )
    return Assignment.objects.select_related("article", "annotator", "annotation").get(
        pk=annotation.assignment_id
    )


def pool_slot(w):
    made = Assignment.objects.create(project=w["project"], article=w["plain"], slot=2)
    return Assignment.objects.select_related("article").get(pk=made.pk)


def job(w, *, kind, status, by="manager", project=True, **fields):
    return Job.objects.create(
        kind=kind,
        status=status,
        project=w["project"] if project else None,
        user=w[by],
        params={"formats": ["jsonl"]},
        progress=3,
        total=7,
        **fields,
    )


def token(w, *, by_user=True, used=False, revoked=False) -> ExportToken:
    made, _ = do_create_export_token(w["project"], user=w["manager"], name="خط التدريب")
    ExportToken.objects.filter(pk=made.pk).update(
        created_by=w["manager"] if by_user else None,
        last_used_at=AT if used else None,
        revoked=revoked,
    )
    return ExportToken.objects.select_related("created_by").get(pk=made.pk)


Case = tuple[Callable[[dict], Any], Callable[[Any, dict], dict], Callable[[Any, dict], Any]]

CASES: dict[str, Case] = {
    "annotation, submitted": (
        submitted_annotation,
        lambda a, w: annotation_data(a),
        lambda a, w: AnnotationSerializer(a).data,
    ),
    "annotation, draft": (
        draft_annotation,
        lambda a, w: annotation_data(a),
        lambda a, w: AnnotationSerializer(a).data,
    ),
    "article text, all fields": (
        lambda w: w["article"],
        lambda a, w: article_text_data(a),
        lambda a, w: ProjectArticleTextSerializer(a).data,
    ),
    "article text, no date or url": (
        lambda w: w["plain"],
        lambda a, w: article_text_data(a),
        lambda a, w: ProjectArticleTextSerializer(a).data,
    ),
    "job, export done (download)": (
        lambda w: job(
            w,
            kind=JobKind.EXPORT,
            status=JobStatus.DONE,
            started_at=AT,
            finished_at=timezone.now(),
            result={"files": ["gold.jsonl"]},
            attempts=1,
        ),
        lambda j, w: job_payload(j, user=w["manager"]),
        lambda j, w: JobSerializer(j, context={"user": w["manager"]}).data,
    ),  # fmt: skip
    "job, failed, seen by its starter (retry)": (
        lambda w: job(
            w,
            kind=JobKind.EXPORT,
            status=JobStatus.FAILED,
            error="القرص ممتلئ",
            started_at=AT,
            finished_at=AT,
            attempts=2,
        ),
        lambda j, w: job_payload(j, user=w["manager"]),
        lambda j, w: JobSerializer(j, context={"user": w["manager"]}).data,
    ),  # fmt: skip
    "job, failed, seen by someone else": (
        lambda w: job(w, kind=JobKind.EXPORT, status=JobStatus.FAILED, by="annotator"),
        lambda j, w: job_payload(j, user=w["manager"]),
        lambda j, w: JobSerializer(j, context={"user": w["manager"]}).data,
    ),
    "job, queued, no user": (
        lambda w: job(w, kind=JobKind.EXPORT, status=JobStatus.QUEUED),
        lambda j, w: job_payload(j),
        lambda j, w: JobSerializer(j).data,
    ),
    "job, without a project": (
        lambda w: job(
            w, kind=JobKind.IMPORT_ARTICLES, status=JobStatus.RUNNING, project=False, started_at=AT
        ),
        lambda j, w: job_payload(j, user=w["manager"]),
        lambda j, w: JobSerializer(j, context={"user": w["manager"]}).data,
    ),  # fmt: skip
    "assignment, started, reopened and asked to reopen": (
        lambda w: reopened_assignment(w),
        lambda a, w: assignment_data(a, annotation_id=a.annotation.pk),
        lambda a, w: AssignmentSerializer(a).data,
    ),
    "assignment, open pool slot never started": (
        lambda w: pool_slot(w),
        lambda a, w: assignment_data(a, annotation_id=None),
        lambda a, w: AssignmentSerializer(a).data,
    ),
    "export token, fresh": (
        lambda w: token(w),
        lambda t, w: token_payload(t),
        lambda t, w: ExportTokenSerializer(t).data,
    ),
    "export token, used, revoked, creator deleted": (
        lambda w: token(w, by_user=False, used=True, revoked=True),
        lambda t, w: token_payload(t),
        lambda t, w: ExportTokenSerializer(t).data,
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_hand_built_answer_equals_the_serializers(name):
    make, hand_built, serialized = CASES[name]
    w = world()
    obj = make(w)
    expected = hand_built(obj, w)
    # Same keys, same values (key order is no part of a JSON object: annotation_data puts
    # the content last, where the raw-JSON read appends it as text).
    assert dict(serialized(obj, w)) == expected


def test_annotation_without_content_is_the_serializers_but_content():
    w = world()
    annotation = submitted_annotation(w)
    expected = dict(AnnotationSerializer(annotation).data)
    del expected["content"]
    assert annotation_data(annotation, with_content=False) == expected
