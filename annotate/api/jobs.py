"""Background job status and retry (exports, imports)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from annotate.access import access_job
from annotate.api.base import ApiView, ConflictSerializer, ErrorSerializer
from annotate.api.serializers import IsoDateTimeField
from annotate.models import Job, JobKind, JobStatus
from annotate.tasks import check_job_lease, do_retry_job, job_payload
from workbench.api_fields import StrictCharField


class JobSerializer(serializers.Serializer):
    """The shape of job_payload (documentation only)."""

    # Given the job (and the caller as context["user"]) it writes job_payload's answer:
    # tests/test_api_answers_match_serializers.py keeps the two equal.

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=JobKind.choices)
    project = serializers.IntegerField(source="project_id", allow_null=True)
    status = serializers.ChoiceField(choices=JobStatus.choices)
    progress = serializers.IntegerField()
    total = serializers.IntegerField()
    error = StrictCharField()
    result = serializers.DictField()
    attempts = serializers.IntegerField()
    created_at = IsoDateTimeField()
    started_at = IsoDateTimeField(allow_null=True)
    finished_at = IsoDateTimeField(allow_null=True)
    url = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField()
    retry = serializers.SerializerMethodField()

    def get_url(self, job: Job) -> str:
        return reverse("annotate:api-job", args=[job.pk])

    def get_download(self, job: Job) -> str | None:
        if job.kind == JobKind.EXPORT and job.status == JobStatus.DONE:
            return reverse("annotate:api-export-download", args=[job.project_id, job.pk])
        return None

    def get_retry(self, job: Job) -> str | None:
        user = self.context.get("user")
        if job.status == JobStatus.FAILED and user is not None and job.user_id == user.pk:
            return reverse("annotate:api-job-retry", args=[job.pk])
        return None


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
