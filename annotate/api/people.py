"""REST endpoints of the people page: the assignments table and its actions, the overlap
preview, per-annotator progress, pace and quality against gold, and active-time reports.

Leads (managers, reviewers) read; managers act on assignments; an annotator reports time on
their own assignment only. The rules live in annotate/people.py.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from annotate import people
from annotate.access import LEADS, access_assignment, access_project, access_project_article
from annotate.api.base import ERRORS, ApiView, ConflictSerializer
from annotate.errors import ActionError
from annotate.lib.overlap import MAX_K
from annotate.models import Role
from annotate.people import MAX_SEED
from annotate.queue import MODES
from workbench.api_fields import StrictCharField

MANAGERS = (Role.MANAGER,)
CONFLICT = {409: ConflictSerializer}


class AssignmentRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    article = serializers.IntegerField()
    article_title = StrictCharField()
    annotator = serializers.IntegerField(allow_null=True)
    annotator_username = StrictCharField(allow_null=True)
    slot = serializers.IntegerField()
    position = serializers.IntegerField()
    status = StrictCharField()
    skip_reason = StrictCharField()
    started_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    active_seconds = serializers.FloatField()


class AssignmentPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Rows matching the filters, on every page.")
    next = StrictCharField(allow_null=True, help_text="Pass as `after` for the next page.")
    results = AssignmentRowSerializer(many=True)


class BulkSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=people.BULK_ACTIONS)
    assignments = serializers.ListField(
        child=serializers.IntegerField(), min_length=1, max_length=people.MAX_BULK
    )
    annotator = serializers.IntegerField(required=False, help_text="For reassign: a user id.")


class BulkResultSerializer(serializers.Serializer):
    changed = serializers.IntegerField()


class ActiveTimeSerializer(serializers.Serializer):
    ms = serializers.IntegerField(
        min_value=1, max_value=people.MAX_REPORT_MS, help_text="Active milliseconds to add."
    )


class ActiveTimeResultSerializer(serializers.Serializer):
    active_ms = serializers.IntegerField(help_text="The assignment's total so far.")


class PreviewCountSerializer(serializers.Serializer):
    annotators = serializers.IntegerField()
    articles = serializers.IntegerField()


class PreviewSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    articles = serializers.IntegerField()
    by_count = PreviewCountSerializer(many=True)
    mode = StrictCharField()


TABLE_PARAMETERS = [
    OpenApiParameter(
        "annotator",
        str,
        pattern=r"^(pool|[0-9]+)?$",
        description="User id, or 'pool' for open slots.",
    ),
    OpenApiParameter("status", str, enum=["todo", "in_progress", "submitted", "skipped"]),
    OpenApiParameter("article", {"type": "integer", "minimum": 0}),
    OpenApiParameter(
        "q", {"type": "string", "maxLength": people.MAX_QUERY}, description="Text in the title."
    ),
    OpenApiParameter(
        "sort",
        str,
        enum=[f"{d}{k}" for k in people.SORTS for d in ("", "-")],
        description="Column, '-' first for descending.",
    ),
    OpenApiParameter("after", str, description="The `next` cursor of the previous page."),
    OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": people.MAX_PAGE_SIZE},
        description="Rows per page.",
    ),
]


class AssignmentTableView(ApiView):
    @extend_schema(
        summary="The project's assignments, filtered and sorted, by keyset pages (leads)",
        parameters=TABLE_PARAMETERS,
        responses={200: AssignmentPageSerializer, **ERRORS},
    )
    def get(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=LEADS)
        params = request.query_params
        filters = people.check_filters(params)
        raw_limit = params.get("limit", str(people.PAGE_SIZE))
        if not (raw_limit.isascii() and raw_limit.isdigit()):
            raise ActionError("limit", "must be a whole number")
        page = people.assignment_page(
            project, filters, after=params.get("after", ""), limit=int(raw_limit)
        )
        return Response(
            {
                "count": page.total,
                "next": page.next_cursor,
                "results": [people.assignment_row(a) for a in page.rows],
            }
        )


class BulkView(ApiView):
    @extend_schema(
        summary="Reassign or unassign many assignments at once: all or none (managers)",
        request=BulkSerializer,
        responses={200: BulkResultSerializer, **ERRORS, **CONFLICT},
    )
    def post(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=MANAGERS)
        # do_bulk checks every field strictly (ids must be numbers, not "1"); BulkSerializer
        # documents the body.
        data = request.data if isinstance(request.data, dict) else {}
        changed = people.do_bulk(
            project,
            by=request.user,
            action=data.get("action"),
            assignment_ids=data.get("assignments"),
            annotator_id=data.get("annotator"),
        )
        return Response({"changed": changed})


class UnassignView(ApiView):
    @extend_schema(
        summary="Turn an unstarted assignment into an open pool slot (managers)",
        request=None,
        responses={200: AssignmentRowSerializer, **ERRORS, **CONFLICT},
    )
    def post(self, request: Request, asid: int) -> Response:
        assignment = access_assignment(request.user, asid)
        if assignment.project.my_role not in MANAGERS:  # type: ignore[attr-defined]
            raise PermissionDenied("Only managers can unassign work.")
        people.do_unassign(assignment, by=request.user)
        return Response(people.assignment_row(assignment))


class PreviewView(ApiView):
    @extend_schema(
        summary="What generating assignments would create, with nothing created (managers)",
        parameters=[
            OpenApiParameter(
                "k",
                {"type": "integer", "minimum": 1, "maximum": MAX_K},
                description="Annotators per overlap article (the project's when left out).",
            ),
            OpenApiParameter(
                "fraction",
                {"type": "number", "minimum": 0, "maximum": 1},
                description="Share of articles that get k (the project's when left out).",
            ),
            OpenApiParameter(
                "seed", {"type": "integer", "minimum": -MAX_SEED, "maximum": MAX_SEED}
            ),
            OpenApiParameter("mode", str, enum=list(MODES)),
        ],
        responses={200: PreviewSerializer, **ERRORS},
    )
    def get(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=MANAGERS)
        params = people.check_generate_params(request.query_params, project)
        return Response(people.preview_generate(project, **params).as_dict())


class ActiveTimeView(ApiView):
    @extend_schema(
        summary="Report active time on your assignment (the annotation page does)",
        request=ActiveTimeSerializer,
        responses={200: ActiveTimeResultSerializer, **ERRORS},
    )
    def post(self, request: Request, asid: int) -> Response:
        assignment = access_assignment(request.user, asid, for_write=True, with_article=False)
        # Checked by do_add_active_time, strictly: a whole number, not "12", 1.5 or true.
        ms = request.data.get("ms") if isinstance(request.data, dict) else None
        total = people.do_add_active_time(assignment, user=request.user, ms=ms)
        return Response({"active_ms": total})


class PeopleView(ApiView):
    @extend_schema(
        summary="Each annotator's progress, active time, pace, skips, flags and quality (leads)",
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def get(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=LEADS)
        return Response(people.people_summary(project))


class AnnotatorGoldView(ApiView):
    @extend_schema(
        summary="The gold articles an annotator submitted, with their differences counted",
        operation_id="projects_people_gold_list",
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def get(self, request: Request, pid: int, uid: int) -> Response:
        project = access_project(request.user, pid, roles=LEADS)
        annotator = people.annotator_of(project, uid)
        return Response(
            {
                "annotator": annotator.pk,
                "username": annotator.get_username(),
                "articles": people.gold_articles_of(project, annotator),
            }
        )


class AnnotatorGoldArticleView(ApiView):
    @extend_schema(
        summary="An annotator's differences from the gold on one article (leads)",
        operation_id="projects_people_gold_article",
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def get(self, request: Request, pid: int, uid: int, aid: int) -> Response:
        project, article = access_project_article(request.user, pid, aid, roles=LEADS)
        annotator = people.annotator_of(project, uid)
        comparison = people.gold_comparison(project, annotator, article)
        return Response(
            {
                "annotator": annotator.pk,
                "username": annotator.get_username(),
                **comparison.as_dict(),
            }
        )
