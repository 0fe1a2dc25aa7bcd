"""Talking about items: comment threads and flags, skip reasons, reopen requests, guidelines
versions. The rules (who reads which comment, what a reason must be) are annotate.comments's
and annotate.guideline_versions's; every view starts with an access_* check."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from annotate import comments
from annotate import guideline_versions as versions
from annotate.access import LEADS, access_assignment, access_project, access_project_article
from annotate.api.base import ERRORS, ApiView, ConflictSerializer, ListView
from annotate.api.serializers import (
    AcknowledgeSerializer,
    AssignmentSerializer,
    CommentCreateSerializer,
    CommentSerializer,
    GuidelinesStateSerializer,
    GuidelinesVersionSerializer,
    OpenThreadSerializer,
    ReasonSerializer,
    ThreadCommentSerializer,
    UnreadRepliesSerializer,
)
from annotate.guidelines import guidelines_html
from annotate.models import Role


class ThreadView(ApiView):
    @extend_schema(
        summary="The article's comment thread, as you may read it",
        description=(
            "Managers and reviewers read every comment. Annotators read their own comments, "
            "the leads' replies to them and the leads' notes; other annotators' comments only "
            "once they have submitted the article themselves."
        ),
        responses={200: ThreadCommentSerializer(many=True), 404: ERRORS[404]},
    )
    def get(self, request: Request, pid: int, aid: int) -> Response:
        project, article = access_project_article(request.user, pid, aid)
        rows = comments.thread(project, article, request.user)
        return Response(ThreadCommentSerializer(rows, many=True).data)

    @extend_schema(
        summary="Comment on the article, flag it, or reply to a comment",
        request=CommentCreateSerializer,
        responses={201: CommentSerializer, **ERRORS},
    )
    def post(self, request: Request, pid: int, aid: int) -> Response:
        project, article = access_project_article(request.user, pid, aid)
        data = CommentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = comments.do_comment(
            project,
            article,
            user=request.user,
            body=data.validated_data["body"],
            flag=data.validated_data["flag"],
            parent_id=data.validated_data["parent"],
        )
        return Response(
            CommentSerializer(comments.comment_data(comment)).data,
            status=status.HTTP_201_CREATED,
        )


class ThreadReadView(ApiView):
    @extend_schema(
        summary="Mark the article's thread read (its replies leave your unread list)",
        request=None,
        responses={204: None, 404: ERRORS[404]},
    )
    def post(self, request: Request, pid: int, aid: int) -> Response:
        project, article = access_project_article(request.user, pid, aid)
        comments.do_mark_read(project, article, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UnreadRepliesView(ApiView):
    @extend_schema(
        summary="Articles with replies to your comments you have not read",
        responses={200: UnreadRepliesSerializer(many=True), 404: ERRORS[404]},
    )
    def get(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid)
        rows = comments.unread_replies(project, request.user)
        return Response(UnreadRepliesSerializer(rows, many=True).data)


class OpenThreadsView(ApiView):
    @extend_schema(
        summary="Annotators' comments and flags, newest first (managers and reviewers)",
        responses={200: OpenThreadSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=LEADS)
        return Response(OpenThreadSerializer(comments.open_threads(project), many=True).data)


class SkipReasonsView(ApiView):
    @extend_schema(
        summary="The reasons annotators pick from when skipping",
        description="Managers change them with PATCH /api/projects/{pid}/ (skip_reasons).",
        responses={200: {"type": "array", "items": {"type": "string"}}, 404: ERRORS[404]},
    )
    def get(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid)
        return Response(comments.skip_reasons(project))


class RequestReopenView(ApiView):
    @extend_schema(
        summary="Ask the leads to reopen your submitted assignment, with a reason",
        request=ReasonSerializer,
        responses={200: AssignmentSerializer, **ERRORS},
    )
    def post(self, request: Request, asid: int) -> Response:
        assignment = access_assignment(request.user, asid, for_write=True)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comments.do_request_reopen(
            assignment, user=request.user, reason=data.validated_data["reason"]
        )
        return Response(AssignmentSerializer(assignment).data)


class ReopenRequestsView(ListView):
    serializer_class = AssignmentSerializer

    @extend_schema(
        summary="Submitted assignments whose annotator asked for a reopen (leads)",
        responses=AssignmentSerializer(many=True),
    )
    def get(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=LEADS)
        return self.page_of(comments.reopen_requests(project))


class GuidelinesView(ApiView):
    @extend_schema(
        summary="The guidelines in force, the version you acknowledged, and what changed since",
        responses={200: GuidelinesStateSerializer, 404: ERRORS[404]},
    )
    def get(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid)
        state = versions.guidelines_state(project, request.user)
        state.update(text=project.guidelines, html=str(guidelines_html(project.guidelines)))
        return Response(GuidelinesStateSerializer(state).data)


class AcknowledgeGuidelinesView(ApiView):
    @extend_schema(
        summary="Acknowledge that you read the guidelines at this version",
        request=AcknowledgeSerializer,
        responses={
            200: AcknowledgeSerializer,
            **ERRORS,
            409: OpenApiResponse(
                ConflictSerializer,
                description="The guidelines changed since that version: read them again.",
            ),
        },
    )
    def post(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=(Role.ANNOTATOR, *LEADS))
        data = AcknowledgeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = versions.do_acknowledge(
            project, request.user, version=data.validated_data["version"]
        )
        return Response({"version": version})


class GuidelinesVersionListView(ListView):
    serializer_class = GuidelinesVersionSerializer

    @extend_schema(
        summary="Every version of the project's guidelines, with its summary",
        responses=GuidelinesVersionSerializer(many=True),
    )
    def get(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid)
        return self.page_of(versions.versions(project).order_by("-version"))
