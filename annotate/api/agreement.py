"""Agreement report endpoint (reviewers and managers)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from annotate.access import LEADS, access_project
from annotate.agreement import assembled_report, project_report
from annotate.api.base import ApiView, ErrorSerializer
from annotate.api.jobs import JobSerializer
from annotate.tasks import do_start_agreement, job_payload


class AgreementView(ApiView):
    @extend_schema(
        summary="Inter-annotator agreement over the project's submitted annotations",
        description=(
            "Every measure with its value (null when undefined, with the reason), the number "
            "of items and annotators behind it; per annotator pair and per label details, "
            "confusion matrices, the articles with the lowest agreement and agreement by ISO "
            "week. Spans also get Krippendorff's unitizing alpha (`spans.alpha_u`: over the "
            "entity labels and per label, with its observed and expected disagreement; "
            "`claims.alpha_u`). Assembled from per-article counts that every submission keeps "
            "up to date; while a rebuild of those counts is pending (after an import or a "
            "schema change) `meta.pending` is true and the figures are the last complete ones. "
            "`refresh=1` recomputes every measure from the annotations instead (slow on large "
            "projects)."
        ),
        parameters=[
            OpenApiParameter(
                "refresh", OpenApiTypes.BOOL, description="recompute in full now, not from totals"
            ),
        ],
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="The agreement report"),
            403: OpenApiResponse(ErrorSerializer, description="Reviewers and managers only."),
            404: OpenApiResponse(ErrorSerializer, description="No such project."),
        },
    )
    def get(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=LEADS)
        refresh = request.query_params.get("refresh", "").lower() in {"1", "true", "yes"}
        if refresh:
            return Response(project_report(project, refresh=True).as_dict())
        return Response(assembled_report(project).as_dict())

    @extend_schema(
        summary="Recompute the agreement report in the background",
        description=(
            "Starts a background job that recomputes every measure and refreshes the cache; "
            "202 with the job (poll /api/jobs/{id}/)."
        ),
        request=None,
        responses={
            202: JobSerializer,
            403: OpenApiResponse(ErrorSerializer, description="Reviewers and managers only."),
            404: OpenApiResponse(ErrorSerializer, description="No such project."),
        },
    )
    def post(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=LEADS)
        job = do_start_agreement(project, user=request.user)
        return Response(job_payload(job, user=request.user), status=202)
