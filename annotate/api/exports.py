"""Dataset exports: start, list, download; project export tokens for ML pipelines.

Managers start and download exports. A project export token (created by a manager, shown
once, stored as a SHA-256 hash) authenticates the download endpoints only, as
`Authorization: Bearer <token>` (never in the URL, where proxies log it); it is worth nothing
anywhere else and nothing in any other project.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import exceptions, serializers
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    get_authorization_header,
)
from rest_framework.request import Request
from rest_framework.response import Response

from annotate.access import access_project
from annotate.api.authentication import LeanTokenAuthentication
from annotate.api.base import ApiView, ErrorSerializer
from annotate.api.jobs import JobSerializer, job_payload
from annotate.exports import check_export_options, export_stream
from annotate.lib.exports import FORMATS
from annotate.models import ExportToken, Job, JobKind, JobStatus, Project, Role
from annotate.tasks import do_start_export, export_path

MANAGERS = (Role.MANAGER,)
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input; `field` names it."),
    403: OpenApiResponse(ErrorSerializer, description="Managers (or the project's token) only."),
    404: OpenApiResponse(ErrorSerializer, description="No such project or export."),
}
TOKEN_PREFIX = "wbx_"  # noqa: S105 - a public prefix that marks export tokens, not a secret


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ExportTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>`: a project export token. Not `?token=`: URLs end up in
    proxy and server logs, so a token there is refused with a message saying where it goes."""

    def authenticate(self, request: Request):
        header = get_authorization_header(request).split()
        key = None
        if header and header[0].lower() == b"bearer":
            if len(header) != 2:
                raise exceptions.AuthenticationFailed("Give exactly one token after Bearer.")
            key = header[1].decode("latin-1")
        elif "token" in request.query_params:
            raise exceptions.AuthenticationFailed(
                "Export tokens are no longer accepted in the URL (?token=): send the header "
                "`Authorization: Bearer <token>` instead."
            )
        if key is None:
            return None
        token = (
            ExportToken.objects.select_related("project")
            .filter(key_hash=hash_key(key), revoked=False)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked export token.")
        ExportToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return (AnonymousUser(), token)

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="exports"'


class ExportTokenScheme(OpenApiAuthenticationExtension):
    target_class = "annotate.api.exports.ExportTokenAuthentication"
    name = "exportToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A project export token (download endpoints only), "
            "in the Authorization header; ?token= is refused.",
        }


def access_export_project(request: Request, pid: int) -> Project:
    """The project, for its managers or a token of this very project."""
    if isinstance(request.auth, ExportToken):
        if request.auth.project_id != int(pid):
            raise PermissionDenied("This export token belongs to another project.")
        return request.auth.project
    if not request.user or not request.user.is_authenticated:
        raise exceptions.NotAuthenticated()
    return access_project(request.user, pid, roles=MANAGERS)


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


class ExportStartSerializer(serializers.Serializer):
    formats = serializers.ListField(
        child=serializers.ChoiceField(choices=FORMATS), required=False, allow_empty=False
    )
    seed = serializers.IntegerField(required=False, default=0, min_value=0)
    ratios = serializers.CharField(
        required=False, default="0.8,0.1,0.1", help_text="train,dev,test, summing to 1"
    )


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
            "Formats: jsonl (gold, one article a line), conll (BIO), csv (stance), raw "
            "(per-annotator JSONL). The split is deterministic: the same seed and ratios put "
            "each article in the same split. Runs in the background; 202 with the job."
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


def _zip_response(path, *, filename: str) -> FileResponse:
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=filename)  # noqa: SIM115 - FileResponse closes it
    response["Content-Type"] = "application/zip"
    return response


class ExportDownloadView(DownloadView):
    @extend_schema(
        summary="Download a finished export (managers, or the project's export token)",
        responses={
            (200, "application/zip"): OpenApiResponse(description="The export zip"),
            **ERRORS,
        },
    )
    def get(self, request: Request, pid: int, job_id: int):
        project = access_export_project(request, pid)
        job = Job.objects.filter(
            pk=job_id, project=project, kind=JobKind.EXPORT, status=JobStatus.DONE
        ).first()
        if job is None or not export_path(job).exists():
            raise Http404("No such finished export.")
        return _zip_response(export_path(job), filename=_file_name(project, f"export-{job.pk}"))


class LatestExportDownloadView(DownloadView):
    @extend_schema(
        summary="Download the project's latest finished export",
        responses={
            (200, "application/zip"): OpenApiResponse(description="The export zip"),
            **ERRORS,
        },
    )
    def get(self, request: Request, pid: int):
        project = access_export_project(request, pid)
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
            OpenApiParameter("formats", str, description="e.g. jsonl,conll,csv,raw"),
            OpenApiParameter("seed", int),
            OpenApiParameter("ratios", str, description="train,dev,test e.g. 0.8,0.1,0.1"),
        ],
        responses={
            (200, "application/zip"): OpenApiResponse(description="The export zip"),
            **ERRORS,
        },
    )
    def get(self, request: Request, pid: int):
        project = access_export_project(request, pid)
        options = check_export_options(
            formats=request.query_params.get("formats"),
            seed=request.query_params.get("seed", 0),
            ratios=request.query_params.get("ratios"),
        )
        response = StreamingHttpResponse(
            export_stream(project, options), content_type="application/zip"
        )
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = (
            f'attachment; filename="{_file_name(project, f"export-{stamp}")}"'
        )
        return response


# ---- export tokens ----


class TokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)


def token_payload(token: ExportToken) -> dict:
    return {
        "id": token.pk,
        "name": token.name,
        "created_at": token.created_at.isoformat(),
        "created_by": token.created_by.get_username() if token.created_by else None,
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
        "revoked": token.revoked,
    }


def do_create_export_token(project: Project, *, user, name: str) -> tuple[ExportToken, str]:
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ExportToken.objects.create(
        project=project, name=name, key_hash=hash_key(key), created_by=user
    )
    return token, key


class ExportTokenSerializer(serializers.Serializer):
    """The shape of token_payload (documentation only)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked = serializers.BooleanField()


class ExportTokenListView(ApiView):
    @extend_schema(
        summary="The project's export tokens (managers; keys are never shown again)",
        responses={200: ExportTokenSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, pid: int) -> Response:
        project = access_project(request.user, pid, roles=MANAGERS)
        tokens = ExportToken.objects.filter(project=project).select_related("created_by")
        return Response([token_payload(t) for t in tokens.order_by("-id")])

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
        if not ExportToken.objects.filter(project=project, pk=token_id).update(revoked=True):
            raise Http404("No such token.")
        return Response(status=204)
