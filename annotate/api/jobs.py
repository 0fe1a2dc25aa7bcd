"""Background job status and retry (exports, imports)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from annotate.access import role_in
from annotate.api.base import ApiView, ConflictSerializer, ErrorSerializer
from annotate.models import Job, JobKind, JobStatus, Role
from annotate.tasks import do_retry_job, job_payload


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


def access_job(user, job_id: int) -> Job:
    """A job its starter, or a manager of its project, may see; 404 for anyone else."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        raise Http404("No such job.")
    if job.user_id == user.pk:
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
        return Response(job_payload(access_job(request.user, job_id), user=request.user))


class JobRetryView(ApiView):
    @extend_schema(
        summary="Run a failed job again (only the user who started it)",
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
