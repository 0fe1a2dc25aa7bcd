"""Background job status and retry (exports, imports)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from annotate.access import role_in
from annotate.api.base import ApiView, ConflictSerializer, ErrorSerializer
from annotate.models import Job, JobKind, JobStatus, Role
from annotate.tasks import check_job_lease, do_retry_job, starter_may_act


class JobSerializer(serializers.Serializer):
    """The shape of job_payload (documentation only)."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=JobKind.choices)
    project = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=JobStatus.choices)
    progress = serializers.IntegerField()
    total = serializers.IntegerField()
    error = serializers.CharField()
    result = serializers.DictField()
    attempts = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField()
    download = serializers.CharField(allow_null=True)
    retry = serializers.CharField(allow_null=True)


def job_payload(job: Job, *, user=None) -> dict[str, Any]:
    download = None
    if job.kind == JobKind.EXPORT and job.status == JobStatus.DONE:
        download = reverse("annotate:api-export-download", args=[job.project_id, job.pk])
    can_retry = job.status == JobStatus.FAILED and user is not None and job.user_id == user.pk
    return {
        "id": job.pk,
        "kind": job.kind,
        "project": job.project_id,
        "status": job.status,
        "progress": job.progress,
        "total": job.total,
        "error": job.error,
        "result": job.result,
        "attempts": job.attempts,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "url": reverse("annotate:api-job", args=[job.pk]),
        "download": download,
        "retry": reverse("annotate:api-job-retry", args=[job.pk]) if can_retry else None,
    }


def access_job(user, job_id: int) -> Job:
    """A job its starter (while still in a role that starts such jobs) or a manager of its
    project may see; 404 for anyone else."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        raise Http404("No such job.")
    if starter_may_act(job, user):
        return job
    if job.project_id is not None and role_in(user, job.project_id) == Role.MANAGER:
        return job
    raise Http404("No such job.")


class JobView(ApiView):
    @extend_schema(
        summary="A background job: status, progress, result or error",
        responses={200: JobSerializer, 404: OpenApiResponse(ErrorSerializer)},
    )
    def get(self, request: Request, job_id: int) -> Response:
        job = check_job_lease(access_job(request.user, job_id))
        return Response(job_payload(job, user=request.user))


class JobRetryView(ApiView):
    @extend_schema(
        summary="Run a failed job again (only the user who started it, while still in the role)",
        request=None,
        responses={
            202: JobSerializer,
            403: OpenApiResponse(ErrorSerializer),
            404: OpenApiResponse(ErrorSerializer),
            409: OpenApiResponse(ConflictSerializer, description="The job has not failed."),
        },
    )
    def post(self, request: Request, job_id: int) -> Response:
        job = do_retry_job(access_job(request.user, job_id), user=request.user)
        return Response(job_payload(job, user=request.user), status=202)
