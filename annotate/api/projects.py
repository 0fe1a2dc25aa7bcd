"""Project endpoints: projects, schema, articles, members, assignment generation, progress.

Thin views: each fetches through annotate.access and calls one check_/do_ function.
"""

from __future__ import annotations

from django.db.models.functions import Length
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from annotate import projects as project_actions
from annotate import queue
from annotate.access import EVERYONE, LEADS, access_project, access_project_article
from annotate.api.base import ERRORS, ApiView, ConflictSerializer, ListView
from annotate.api.serializers import (
    AddArticlesResultSerializer,
    AddArticlesSerializer,
    GenerateResultSerializer,
    GenerateSerializer,
    MemberCreateSerializer,
    MemberSerializer,
    MemberUpdateSerializer,
    ProgressSerializer,
    ProjectArticleSerializer,
    ProjectArticleTextSerializer,
    ProjectCreateSerializer,
    ProjectSerializer,
    ProjectUpdateSerializer,
    SchemaDocumentSerializer,
    SchemaUpdateSerializer,
    SchemaVersionSerializer,
    article_text_data,
)
from annotate.models import Membership, ProjectArticle, Role, SchemaVersion
from annotate.projects import projects_for
from corpus.lib.text import normalise_for_search

MANAGERS = (Role.MANAGER,)


class ProjectListView(ListView):
    serializer_class = ProjectSerializer

    def get_queryset(self):
        return projects_for(self.request.user)

    @extend_schema(summary="Projects you are a member of", responses=ProjectSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.page_of(self.get_queryset())

    @extend_schema(
        summary="Create a project (staff); you become its manager",
        request=ProjectCreateSerializer,
        responses={201: ProjectSerializer, 400: ERRORS[400], 403: ERRORS[403]},
    )
    def post(self, request: Request) -> Response:
        project_actions.check_can_create_project(request.user)
        data = ProjectCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = project_actions.do_create_project(user=request.user, **data.validated_data)
        project = projects_for(request.user).get(pk=project.pk)
        return Response(ProjectSerializer(project).data, status=status.HTTP_201_CREATED)


class ProjectDetailView(ApiView):
    @extend_schema(summary="A project", responses={200: ProjectSerializer, 404: ERRORS[404]})
    def get(self, request: Request, pid: int) -> Response:
        access_project(request.user, pid)
        return Response(ProjectSerializer(projects_for(request.user).get(pk=pid)).data)

    @extend_schema(
        summary="Change name, description, guidelines or overlap defaults (managers)",
        request=ProjectUpdateSerializer,
        responses={200: ProjectSerializer, **ERRORS},
    )
    def patch(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=MANAGERS)
        data = ProjectUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        project_actions.do_update_project(project, by=request.user, changes=data.validated_data)
        return Response(ProjectSerializer(projects_for(request.user).get(pk=pid)).data)

    @extend_schema(
        summary="Delete a project without annotation work (managers)",
        responses={
            204: None,
            409: OpenApiResponse(ConflictSerializer, description="The project holds work."),
            403: ERRORS[403],
            404: ERRORS[404],
        },
    )
    def delete(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=MANAGERS)
        project_actions.do_delete_project(project, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SchemaView(ApiView):
    @extend_schema(
        summary="The project's current label schema",
        responses={200: SchemaDocumentSerializer, 404: ERRORS[404]},
    )
    def get(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid)
        return Response({"schema": project.schema, "version": project.schema_version})

    @extend_schema(
        summary="Replace the schema (managers); labels in use can be retired, not removed",
        request=SchemaUpdateSerializer,
        responses={200: SchemaDocumentSerializer, **ERRORS},
    )
    def put(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=MANAGERS)
        data = SchemaUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = project_actions.do_update_schema(
            project,
            by=request.user,
            schema=data.validated_data["schema"],
            note=data.validated_data["note"],
        )
        return Response({"schema": project.schema, "version": project.schema_version})


class SchemaVersionListView(ListView):
    serializer_class = SchemaVersionSerializer

    @extend_schema(
        summary="Every version of the project's schema, oldest first",
        responses=SchemaVersionSerializer(many=True),
    )
    def get(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid)
        versions = SchemaVersion.objects.filter(project=project).select_related("created_by")
        return self.page_of(versions.order_by("version"))


class ArticleListView(ListView):
    serializer_class = ProjectArticleSerializer

    @extend_schema(
        summary="Articles in the project, in queue order (without text)",
        parameters=[
            OpenApiParameter("q", str, description="Search title and text (normalised Arabic)."),
            OpenApiParameter("corpus", int, description="Only articles of this corpus."),
        ],
        responses=ProjectArticleSerializer(many=True),
    )
    def get(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid)
        rows = (
            ProjectArticle.objects.filter(project=project)
            .select_related("article")
            .defer("article__text", "article__search_text", "article__metadata")
            .annotate(length=Length("article__text"))
            .order_by("position", "id")
        )
        q = request.query_params.get("q", "").strip()
        if q:
            rows = rows.filter(article__search_text__contains=normalise_for_search(q))
        corpus = request.query_params.get("corpus", "")
        if corpus.isdigit():
            rows = rows.filter(article__corpus_id=int(corpus))
        return self.page_of(rows)

    @extend_schema(
        summary="Add articles (managers): by ids, by a search in a corpus, or a whole corpus",
        request=AddArticlesSerializer,
        responses={200: AddArticlesResultSerializer, **ERRORS},
    )
    def post(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=MANAGERS)
        data = AddArticlesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        result = project_actions.do_add_articles(
            project,
            by=request.user,
            article_ids=given.get("article_ids"),
            corpus=given.get("corpus"),
            q=given.get("q"),
            all_of_corpus=given.get("all", False),
        )
        return Response({"added": result.added, "already": result.already})


class ArticleDetailView(ApiView):
    @extend_schema(
        summary="One article of the project, with its text",
        responses={200: ProjectArticleTextSerializer, 404: ERRORS[404]},
    )
    def get(self, request: Request, pid: int, aid: int) -> Response:
        _, article = access_project_article(request.user, pid, aid)
        return Response(article_text_data(article))


class MemberListView(ListView):
    serializer_class = MemberSerializer

    @extend_schema(
        summary="Members and their roles (managers and reviewers)",
        responses=MemberSerializer(many=True),
    )
    def get(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=LEADS)
        members = Membership.objects.filter(project=project).select_related("user")
        return self.page_of(members.order_by("user__username"))

    @extend_schema(
        summary="Add a member (201) or change an existing member's role (200) (managers)",
        request=MemberCreateSerializer,
        responses={201: MemberSerializer, 200: MemberSerializer, **ERRORS},
    )
    def post(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=MANAGERS)
        data = MemberCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = project_actions.find_user(
            user_id=data.validated_data.get("user"),
            username=data.validated_data.get("username"),
        )
        existed = Membership.objects.filter(project=project, user=user).exists()
        membership = project_actions.do_set_member(
            project, by=request.user, user=user, role=data.validated_data["role"]
        )
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(MemberSerializer(membership).data, status=code)


class MemberDetailView(ApiView):
    @extend_schema(
        summary="Change a member's role (managers)",
        request=MemberUpdateSerializer,
        responses={200: MemberSerializer, **ERRORS},
    )
    def patch(self, request: Request, pid: int, uid: int) -> Response:
        project = access_project(request.user, pid, roles=MANAGERS)
        membership = get_object_or_404(Membership, project=project, user_id=uid)
        data = MemberUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "role" in data.validated_data:  # a PATCH without the role changes nothing
            membership = project_actions.do_set_member(
                project, by=request.user, user=membership.user, role=data.validated_data["role"]
            )
        return Response(MemberSerializer(membership).data)

    @extend_schema(
        summary="Remove a member (managers); unstarted assignments return to the pool",
        responses={204: None, **ERRORS},
    )
    def delete(self, request: Request, pid: int, uid: int) -> Response:
        project = access_project(request.user, pid, roles=MANAGERS)
        membership = get_object_or_404(Membership, project=project, user_id=uid)
        project_actions.do_remove_member(project, by=request.user, user=membership.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GenerateView(ApiView):
    @extend_schema(
        summary="Generate the missing assignments under an overlap policy (managers)",
        description=(
            "Deterministic: the same articles, annotators, k, fraction and seed give the same "
            "assignments. Existing assignments are never changed. `preassign` gives each slot "
            "to an annotator (balanced); `pool` leaves slots open for queue/next."
        ),
        request=GenerateSerializer,
        responses={200: GenerateResultSerializer, **ERRORS},
    )
    def post(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=MANAGERS)
        data = GenerateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = queue.do_generate_assignments(project, **data.validated_data)
        return Response(GenerateResultSerializer(result).data)


class ProgressView(ApiView):
    @extend_schema(
        summary="Progress per annotator (leads see everyone, annotators themselves)",
        responses={200: ProgressSerializer(many=True), 404: ERRORS[404]},
    )
    def get(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=EVERYONE)
        only = None if project.my_role in LEADS else request.user
        return Response(queue.progress_by_annotator(project, only_user=only))
