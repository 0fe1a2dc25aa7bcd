"""Queue, assignment and annotation endpoints.

Blind annotation: annotators reach only their own assignments and annotations (access_assignment
answers 404 for anyone else's); managers and reviewers read everything, but only the assigned
annotator writes.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import Http404, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from annotate import annotations as actions
from annotate import queue, span_saves
from annotate.access import LEADS, access_assignment, access_project
from annotate.api.base import ERRORS, ApiView, ConflictSerializer, ListView
from annotate.api.serializers import (
    AnnotationSerializer,
    AssignmentSerializer,
    AuditEventSerializer,
    NextSerializer,
    OptionalReasonSerializer,
    QueueSerializer,
    ReassignSerializer,
    SaveSerializer,
    SkipSerializer,
    SpanAddSerializer,
    SpanSavedSerializer,
    SubmitSerializer,
    annotation_data,
    article_text_data,
    assignment_data,
)
from annotate.comments import do_skip_with_reason
from annotate.errors import ActionError
from annotate.lib.span_input import SpanInputError, check_span_input
from annotate.models import Annotation, Assignment, AuditEvent, Role
from annotate.projects import find_user

CONFLICT = {
    409: OpenApiResponse(
        ConflictSerializer,
        description="Stale version (with current_version), or the state forbids the change.",
    )
}


def _require(project, roles: tuple[str, ...]) -> None:
    if project.my_role not in roles:
        raise PermissionDenied(f"This needs the role {' or '.join(roles)} in this project.")


def _int_param(request: Request, name: str) -> int | None:
    value = request.query_params.get(name, "")
    return int(value) if value.isdigit() else None


# ---- queue ----


class QueueView(ApiView):
    @extend_schema(
        summary="Your place in the project's queue",
        responses={200: QueueSerializer, 404: ERRORS[404]},
    )
    def get(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid)
        return Response(queue.queue_summary(project, request.user))


class NextView(ApiView):
    @extend_schema(
        summary="Start your next assignment (annotators)",
        description=(
            "Your assignment in progress, else your next todo by queue position, else an open "
            "pool slot of an article you have not had. 204 when nothing is left."
        ),
        request=None,
        responses={200: NextSerializer, 204: None, 403: ERRORS[403], 404: ERRORS[404]},
    )
    def post(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=(Role.ANNOTATOR,))
        found = queue.do_next(project, request.user)
        if found is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        assignment, annotation = found
        return Response(
            {
                "assignment": assignment_data(assignment, annotation_id=annotation.pk),
                "article": article_text_data(assignment.article),
                "annotation": annotation_data(annotation),
            }
        )


# ---- assignments ----


def assignments_with_annotation_id(assignments):
    return (
        assignments.select_related("article", "annotator")
        .defer("article__text", "article__search_text", "article__metadata")
        .annotate(annotation_id=F("annotation__id"))
    )


class AssignmentListView(ListView):
    serializer_class = AssignmentSerializer

    @extend_schema(
        summary="Assignments (leads: all; annotators: their own)",
        parameters=[
            OpenApiParameter("annotator", str, description="User id, or 'pool' for open slots."),
            OpenApiParameter("status", str, enum=["todo", "in_progress", "submitted", "skipped"]),
            OpenApiParameter("article", int),
        ],
        responses=AssignmentSerializer(many=True),
    )
    def get(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid)
        rows = Assignment.objects.filter(project=project)
        if project.my_role not in LEADS:
            rows = rows.filter(annotator=request.user)
        annotator = request.query_params.get("annotator", "")
        if annotator == "pool":
            rows = rows.filter(annotator__isnull=True)
        elif annotator.isdigit():
            rows = rows.filter(annotator_id=int(annotator))
        if status_filter := request.query_params.get("status"):
            rows = rows.filter(status=status_filter)
        if (article := _int_param(request, "article")) is not None:
            rows = rows.filter(article_id=article)
        rows = assignments_with_annotation_id(rows).order_by("position", "slot", "id")
        return self.page_of(rows)


class AssignmentDetailView(ApiView):
    @extend_schema(summary="One assignment", responses={200: AssignmentSerializer, **ERRORS})
    def get(self, request: Request, asid: int) -> Response:
        assignment = access_assignment(request.user, asid)
        return Response(AssignmentSerializer(assignment).data)


class ReassignView(ApiView):
    @extend_schema(
        summary="Give an unstarted or skipped assignment to another annotator (managers)",
        request=ReassignSerializer,
        responses={200: AssignmentSerializer, **ERRORS, **CONFLICT},
    )
    def post(self, request: Request, asid: int) -> Response:
        assignment = access_assignment(request.user, asid)
        _require(assignment.project, (Role.MANAGER,))
        data = ReassignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        annotator = find_user(user_id=data.validated_data["annotator"])
        actions.do_reassign(assignment, by=request.user, annotator=annotator)
        return Response(AssignmentSerializer(assignment).data)


class SkipView(ApiView):
    @extend_schema(
        summary="Skip your assignment, with a reason",
        request=SkipSerializer,
        responses={200: AssignmentSerializer, **ERRORS, **CONFLICT},
    )
    def post(self, request: Request, asid: int) -> Response:
        assignment = access_assignment(request.user, asid, for_write=True)
        data = SkipSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        do_skip_with_reason(
            assignment,
            user=request.user,
            choice=data.validated_data["choice"],
            note=data.validated_data["reason"],
        )
        return Response(AssignmentSerializer(assignment).data)


class ReopenView(ApiView):
    @extend_schema(
        summary="Reopen a submitted or skipped assignment for its annotator (leads)",
        description=(
            "Reopening submitted work needs a reason, shown to the annotator, whose queue "
            "starts with it. The annotation's version goes up, the agreement cache is dropped "
            "and gold saved since the submission is marked inputs_changed."
        ),
        request=OptionalReasonSerializer,
        responses={200: AssignmentSerializer, **ERRORS, **CONFLICT},
    )
    def post(self, request: Request, asid: int) -> Response:
        assignment = access_assignment(request.user, asid)
        _require(assignment.project, LEADS)
        data = OptionalReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actions.do_reopen(assignment, by=request.user, reason=data.validated_data["reason"])
        return Response(AssignmentSerializer(assignment).data)


# ---- annotations ----


def annotation_response(request: Request, annotation: Annotation) -> HttpResponseBase:
    """The annotation as the API answers it.

    A draft fetched as JSON text (access_assignment's `raw_content`) goes into a JSON answer
    as the database gave it: decoding and re-encoding a draft of a few hundred spans was 40% of
    this read's CPU. The text is the same document (PostgreSQL's jsonb or the stored text on
    SQLite), with U+2028 and U+2029 escaped as DRF's JSON renderer escapes them. Other
    renderers (the browsable API, an indented answer) get the decoded document.
    """
    raw = getattr(annotation, "content_json", None)
    if raw is None:
        return Response(annotation_data(annotation))
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is None or renderer.format != "json" or "indent" in request.accepted_media_type:
        annotation.content = json.loads(raw)
        return Response(annotation_data(annotation))
    head = json.dumps(
        annotation_data(annotation, with_content=False),
        ensure_ascii=False,
        separators=(",", ":"),
    )
    body = f'{head[:-1]},"content":{raw}}}'
    body = body.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return HttpResponse(body.encode(), content_type="application/json")


class AnnotationView(ApiView):
    @extend_schema(
        summary="The assignment's annotation (created when its annotator first fetches it)",
        responses={200: AnnotationSerializer, **ERRORS},
    )
    def get(self, request: Request, asid: int) -> Response:
        assignment = access_assignment(
            request.user, asid, with_article=False, with_annotation=True, raw_content=True
        )
        if assignment.annotator_id == request.user.pk:
            annotation = actions.do_start_assignment(assignment, user=request.user)
        else:
            annotation = actions.annotation_of(assignment)
            if annotation is None:
                raise Http404("The annotator has not started this assignment yet.")
        return annotation_response(request, annotation)

    @extend_schema(
        summary="Save the draft: the whole content document, with the version it was read at",
        request=SaveSerializer,
        responses={200: AnnotationSerializer, **ERRORS, **CONFLICT},
    )
    def put(self, request: Request, asid: int) -> Response:
        assignment = access_assignment(request.user, asid, for_write=True, with_annotation=True)
        data = SaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        annotation = actions.do_save_draft(
            assignment,
            user=request.user,
            version=data.validated_data["version"],
            content=data.validated_data["content"],
        )
        return Response(annotation_data(annotation))


class SpanListView(ApiView):
    @extend_schema(
        summary="Add one span to the draft (checks only that span; cheaper than a full save)",
        request=SpanAddSerializer,
        responses={201: SpanSavedSerializer, **ERRORS, **CONFLICT},
    )
    def post(self, request: Request, asid: int) -> Response:
        # A JSON body is checked by a plain function (the serializer's answers, without its
        # machinery), then tried in one statement (annotate.span_saves). Everything else, and
        # every refusal, goes the usual way below, in the usual order: access first (404/403),
        # then the body (400), then the workflow (409, 400).
        refused: Exception | None = None
        parsed: tuple[int, Any] | None = None
        try:
            body = request.data
            if not isinstance(body, QueryDict):  # form bodies: the serializer reads them
                parsed = check_span_input(body)
        except (SpanInputError, APIException) as exc:
            refused = exc
        if parsed is not None:
            saved = span_saves.try_add_span(request.user, asid, version=parsed[0], span=parsed[1])
            if saved is not None:
                annotation_id, version, span = saved
                return Response(
                    {"annotation": annotation_id, "version": version, "span": span},
                    status=status.HTTP_201_CREATED,
                )
        assignment = access_assignment(request.user, asid, for_write=True, with_annotation=True)
        if isinstance(refused, SpanInputError):
            raise ValidationError(refused.messages(gettext))
        if refused is not None:
            raise refused
        if parsed is None:
            data = SpanAddSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            parsed = data.validated_data["version"], data.validated_data["span"]
        annotation, span = actions.do_add_span(
            assignment, user=request.user, version=parsed[0], span=parsed[1]
        )
        span_saves.remember(assignment)
        return Response(
            {"annotation": annotation.pk, "version": annotation.version, "span": span},
            status=status.HTTP_201_CREATED,
        )


class SpanDetailView(ApiView):
    @extend_schema(
        summary="Remove one span (and the relations that use it) from the draft",
        parameters=[
            OpenApiParameter(
                "version", int, required=True, description="The version the draft was read at."
            )
        ],
        request=None,
        responses={200: SpanSavedSerializer, **ERRORS, **CONFLICT},
    )
    def delete(self, request: Request, asid: int, span_id: str) -> Response:
        version = _int_param(request, "version")
        if version is not None:  # one statement; every refusal goes the usual way below
            removed = span_saves.try_remove_span(
                request.user, asid, version=version, span_id=span_id
            )
            if removed is not None:
                return Response({"annotation": removed[0], "version": removed[1]})
        assignment = access_assignment(request.user, asid, for_write=True, with_annotation=True)
        if version is None:
            raise ActionError("version", "give ?version= (the version the draft was read at)")
        annotation = actions.do_remove_span(
            assignment, user=request.user, version=version, span_id=span_id
        )
        return Response({"annotation": annotation.pk, "version": annotation.version})


class SubmitView(ApiView):
    @extend_schema(
        summary="Submit the annotation (every required stance target needs a value)",
        request=SubmitSerializer,
        responses={200: AnnotationSerializer, **ERRORS, **CONFLICT},
    )
    def post(self, request: Request, asid: int) -> Response:
        assignment = access_assignment(request.user, asid, for_write=True)
        data = SubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        annotation = actions.do_submit(
            assignment,
            user=request.user,
            version=data.validated_data["version"],
            content=data.validated_data.get("content"),
        )
        return Response(AnnotationSerializer(annotation).data)


class ProjectAnnotationListView(ListView):
    serializer_class = AnnotationSerializer

    @extend_schema(
        summary="Annotations (leads: all; annotators: their own)",
        parameters=[
            OpenApiParameter("article", int),
            OpenApiParameter("annotator", int),
            OpenApiParameter("status", str, enum=["draft", "submitted"]),
        ],
        responses=AnnotationSerializer(many=True),
    )
    def get(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid)
        rows = Annotation.objects.filter(project=project).select_related("annotator")
        if project.my_role not in LEADS:
            rows = rows.filter(annotator=request.user)
        for name in ("article", "annotator"):
            if (value := _int_param(request, name)) is not None:
                rows = rows.filter(**{f"{name}_id": value})
        if status_filter := request.query_params.get("status"):
            rows = rows.filter(status=status_filter)
        return self.page_of(rows.order_by("article_id", "id"))


class HistoryView(ListView):
    serializer_class = AuditEventSerializer

    @extend_schema(
        summary="Every recorded change to an annotation (managers and reviewers)",
        responses=AuditEventSerializer(many=True),
    )
    def get(self, request: Request, anid: int) -> Response:
        project_id = Annotation.objects.filter(pk=anid).values_list("project_id", flat=True)
        if not project_id:
            raise Http404("No such annotation.")
        access_project(request.user, project_id[0], roles=LEADS)
        events = (
            AuditEvent.objects.filter(annotation_id=anid)
            .select_related("user")
            .order_by("at", "id")
        )
        return self.page_of(events)


class AssignmentHistoryView(ListView):
    serializer_class = AuditEventSerializer

    @extend_schema(
        summary="Every recorded change to an assignment and its annotation (managers and "
        "reviewers), including skips and reassignments",
        responses=AuditEventSerializer(many=True),
    )
    def get(self, request: Request, asid: int) -> Response:
        assignment = access_assignment(request.user, asid)
        _require(assignment.project, LEADS)
        events = (
            AuditEvent.objects.filter(
                Q(assignment_id=assignment.pk) | Q(annotation__assignment_id=assignment.pk)
            )
            .select_related("user")
            .order_by("at", "id")
        )
        return self.page_of(events)
