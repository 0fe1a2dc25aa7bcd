"""Dataset exports: start, list, download; project export tokens for ML pipelines.

Managers start and download exports. A project export token (annotate/exports.py: created by a
manager, shown once, stored as a SHA-256 hash) authenticates the download endpoints only, as
`Authorization: Bearer <token>` (never in the URL, where proxies log it); it is worth nothing
anywhere else and nothing in any other project.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response

from annotate.access import access_export_project, access_project
from annotate.api.authentication import ExportTokenAuthentication, LeanTokenAuthentication
from annotate.api.base import ERRORS, ApiView
from annotate.api.jobs import JobSerializer
from annotate.api.serializers import (
    ExportStartSerializer,
    ExportTokenSerializer,
    TokenCreateSerializer,
)
from annotate.exports import (
    check_export_options,
    do_create_export_token,
    do_revoke_export_token,
    export_stream,
    export_tokens,
    token_payload,
)
from annotate.models import Job, JobKind, JobStatus, Project, Role
from annotate.tasks import do_start_export, export_path, job_payload

MANAGERS = (Role.MANAGER,)
ZIP_RESPONSE = {(200, "application/zip"): OpenApiResponse(description="The export zip")}


class DownloadView(ApiView):
    authentication_classes = [
        ExportTokenAuthentication,
        LeanTokenAuthentication,
        SessionAuthentication,
    ]
    permission_classes: list = []


def _file_name(project: Project, suffix: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", project.name).strip("-").lower() or "project"
    return f"{slug}-{suffix}.zip"


def _zip_response(path: Path, *, filename: str) -> FileResponse:
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=filename)  # noqa: SIM115 - FileResponse closes it
    response["Content-Type"] = "application/zip"
    return response


class ExportListView(ApiView):
    @extend_schema(
        summary="Recent exports of the project (managers)",
        responses={200: JobSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=MANAGERS)
        jobs = Job.objects.filter(project=project, kind=JobKind.EXPORT).order_by("-id")[:50]
        return Response([job_payload(job, user=request.user) for job in jobs])

    @extend_schema(
        summary="Start an export (managers); poll the job, then download",
        description=(
            "Formats: jsonl (gold, one article a line), conll (BIO), tokens (token "
            "classification: tokens, ner_tags, token_offsets), csv (stance), raw "
            "(per-annotator JSONL), each one file per split, with a dataset card (README.md) and "
            "manifest.json. The split is keyed on each article's content hash (or its group_by "
            "metadata value), optionally stratified by label (stratify_by); the same seed and "
            "ratios put each article in the same split on any instance. Runs in the "
            "background; 202 with the job."
        ),
        request=ExportStartSerializer,
        responses={202: JobSerializer, **ERRORS},
    )
    def post(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=MANAGERS)
        data = ExportStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = do_start_export(project, user=request.user, options=dict(data.validated_data))
        return Response(job_payload(job, user=request.user), status=202)


class ExportDownloadView(DownloadView):
    @extend_schema(
        summary="Download a finished export (managers, or the project's export token)",
        responses={**ZIP_RESPONSE, **ERRORS},
    )
    def get(self, request: Request, pid: int, job_id: int) -> FileResponse:
        project = access_export_project(request.user, pid, auth=request.auth)
        job = Job.objects.filter(
            pk=job_id, project=project, kind=JobKind.EXPORT, status=JobStatus.DONE
        ).first()
        if job is None or not export_path(job).exists():
            raise Http404("No such finished export.")
        return _zip_response(export_path(job), filename=_file_name(project, f"export-{job.pk}"))


class LatestExportDownloadView(DownloadView):
    @extend_schema(
        summary="Download the project's latest finished export",
        responses={**ZIP_RESPONSE, **ERRORS},
    )
    def get(self, request: Request, pid: int) -> FileResponse:
        project = access_export_project(request.user, pid, auth=request.auth)
        for job in Job.objects.filter(
            project=project, kind=JobKind.EXPORT, status=JobStatus.DONE
        ).order_by("-finished_at", "-id")[:20]:
            if export_path(job).exists():
                return _zip_response(
                    export_path(job), filename=_file_name(project, f"export-{job.pk}")
                )
        raise Http404("This project has no finished export yet.")


class ExportStreamView(DownloadView):
    @extend_schema(
        summary="Export now, streamed (managers, or the project's export token)",
        description=(
            "Builds the zip while sending it: no job, no file kept. Same options as starting "
            "an export, as query parameters (formats comma-separated)."
        ),
        parameters=[
            OpenApiParameter("formats", str, description="e.g. jsonl,conll,tokens,csv,raw"),
            OpenApiParameter("seed", int),
            OpenApiParameter("ratios", str, description="train,dev,test e.g. 0.8,0.1,0.1"),
            OpenApiParameter(
                "group_by", str, description="article metadata key whose articles share a split"
            ),
            OpenApiParameter(
                "stratify_by",
                str,
                description='stratify the split by label: "spans" or "stance:<target key>"',
            ),
            OpenApiParameter("stance_title", bool, description="a title column in the stance CSV"),
        ],
        responses={**ZIP_RESPONSE, **ERRORS},
    )
    def get(self, request: Request, pid: int) -> StreamingHttpResponse:
        project = access_export_project(request.user, pid, auth=request.auth)
        options = check_export_options(
            formats=request.query_params.get("formats"),
            seed=request.query_params.get("seed", 0),
            ratios=request.query_params.get("ratios"),
            group_by=request.query_params.get("group_by"),
            stratify_by=request.query_params.get("stratify_by"),
            stance_title=request.query_params.get("stance_title", False),
        )
        response = StreamingHttpResponse(
            export_stream(project, options), content_type="application/zip"
        )
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = (
            f'attachment; filename="{_file_name(project, f"export-{stamp}")}"'
        )
        return response


class ExportTokenListView(ApiView):
    @extend_schema(
        summary="The project's export tokens (managers; keys are never shown again)",
        responses={200: ExportTokenSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=MANAGERS)
        return Response([token_payload(token) for token in export_tokens(project)])

    @extend_schema(
        summary="Create an export token (managers): the key is in this response only",
        request=TokenCreateSerializer,
        responses={201: OpenApiResponse(description="The token with its `key`"), **ERRORS},
    )
    def post(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=MANAGERS)
        data = TokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = do_create_export_token(
            project, user=request.user, name=data.validated_data["name"]
        )
        return Response({**token_payload(token), "key": key}, status=201)


class ExportTokenDetailView(ApiView):
    @extend_schema(summary="Revoke an export token (managers)", responses={204: None, **ERRORS})
    def delete(self, request: Request, pid: int, token_id: int) -> Response:
        project = access_project(request.user, pid, roles=MANAGERS)
        if not do_revoke_export_token(project, token_id=token_id):
            raise Http404("No such token.")
        return Response(status=204)
