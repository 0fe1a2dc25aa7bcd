"""Background jobs: dataset exports, annotation imports and agreement recomputation through
Django's tasks framework.

A `Job` row is what users see: kind, status, progress, result or error. `do_start_job`
creates it and enqueues the task with the job's id; the task does the work and keeps the
row up to date. With the default backend (TASKS_BACKEND=immediate) the task runs at once in
the same process; with TASKS_BACKEND=database it waits in the database until a worker
(`python manage.py db_worker`) picks it up.

A task that fails marks its Job failed with the error message (and re-raises, so the tasks
backend records the traceback too). The user who started it may retry it: the same Job is
queued again with the same parameters (an import keeps its uploaded file until it succeeds).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from annotate.agreement import agreement_report
from annotate.errors import ActionError, ConflictError
from annotate.exports import check_export_options, write_export
from annotate.imports import do_import_annotations
from annotate.models import Job, JobKind, JobStatus, Project
from corpus.importing import ImportRejected

logger = logging.getLogger(__name__)


def export_path(job: Job) -> Path:
    return Path(settings.EXPORT_ROOT) / f"project-{job.project_id}" / f"export-{job.pk}.zip"


def import_upload_path(job: Job, name: str) -> Path:
    suffix = Path(name).suffix.lower()[:10] or ".dat"
    return Path(settings.MEDIA_ROOT) / "imports" / f"job-{job.pk}{suffix}"


def job_payload(job: Job, *, user=None) -> dict[str, Any]:
    """What users see of a job (pages and API): status, progress, result, and where to go next."""
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


def _progress_updater(job_id: int) -> Callable[[int, int], None]:
    def update(done: int, total: int) -> None:
        Job.objects.filter(pk=job_id).update(progress=done, total=total)

    return update


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, ActionError):
        return f"{exc.field}: {exc.message}"
    if isinstance(exc, ImportRejected | ValueError | OSError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _run(job_id: int, work: Callable[[Job], dict[str, Any]]) -> dict[str, Any]:
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
        finished_at=None,
        attempts=F("attempts") + 1,
        error="",
        progress=0,
    )
    job = Job.objects.select_related("project", "user").get(pk=job_id)
    try:
        result = work(job)
    except BaseException as exc:
        extra: dict[str, Any] = {}
        if isinstance(exc, ImportRejected):
            extra = {"errors": [error.as_dict() for error in exc.errors]}
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED,
            error=_error_text(exc)[:10_000],
            message="",
            result=extra,
            finished_at=timezone.now(),
        )
        logger.warning("job %s (%s) failed: %s", job_id, job.kind, exc)
        raise
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.DONE,
        result=result,
        progress=F("total"),
        finished_at=timezone.now(),
    )
    return result


def _export(job: Job) -> dict[str, Any]:
    options = check_export_options(**job.params)
    path = export_path(job)
    size = write_export(job.project, options, path, progress=_progress_updater(job.pk))
    return {"file": path.name, "bytes": size, "options": options.as_dict()}


def _import(job: Job) -> dict[str, Any]:
    params = job.params
    path = Path(params["path"])
    data = path.read_bytes()
    annotator = None
    if params.get("annotator_id"):
        annotator = job.project.members.filter(pk=params["annotator_id"]).first()
        if annotator is None:
            raise ActionError("annotator", "the chosen annotator is no longer a project member")
    report = do_import_annotations(
        job.project,
        data,
        name=params.get("filename", path.name),
        format=params["format"],
        user=job.user,
        offsets=params.get("offsets", "auto"),
        as_gold=bool(params.get("as_gold")),
        skip_bad=bool(params.get("skip_bad")),
        annotator=annotator,
        corpus_name=params.get("corpus") or None,
        progress=_progress_updater(job.pk),
    )
    path.unlink(missing_ok=True)
    return report.as_dict()


def _agreement(job: Job) -> dict[str, Any]:
    report = agreement_report(job.project, refresh=True)
    meta = report["meta"]
    return {"fingerprint": meta["fingerprint"], "seconds": meta["seconds"]}


@task()
def export_dataset(job_id: int) -> dict[str, Any]:
    """Write a project's export zip (see annotate/exports.py)."""
    return _run(job_id, _export)


@task()
def import_annotations(job_id: int) -> dict[str, Any]:
    """Import a stored upload of labelled data into its project."""
    return _run(job_id, _import)


@task()
def compute_agreement(job_id: int) -> dict[str, Any]:
    """Recompute a project's agreement report and store it in the cache."""
    return _run(job_id, _agreement)


TASKS = {
    JobKind.EXPORT: export_dataset,
    JobKind.IMPORT_ANNOTATIONS: import_annotations,
    JobKind.AGREEMENT: compute_agreement,
}


def _enqueue(job: Job) -> Job:
    result = TASKS[job.kind].enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.refresh_from_db()
    return job


def do_start_job(
    *,
    kind: str,
    project: Project,
    user,
    params: dict[str, Any],
    before: Callable[[Job], None] | None = None,
) -> Job:
    """Create the Job and enqueue its task. `before(job)` runs first (e.g. to store a file)."""
    if kind not in TASKS:
        raise ActionError("kind", f"no background task for {kind!r}")
    job = Job.objects.create(kind=kind, project=project, user=user, params=params)
    if before is not None:
        before(job)
    return _enqueue(job)


def do_start_export(project: Project, *, user, options: dict[str, Any]) -> Job:
    parsed = check_export_options(**options)
    params = {
        "formats": list(parsed.formats),
        "seed": parsed.seed,
        "ratios": parsed.ratios.as_text(),
    }
    return do_start_job(kind=JobKind.EXPORT, project=project, user=user, params=params)


def do_start_agreement(project: Project, *, user) -> Job:
    return do_start_job(kind=JobKind.AGREEMENT, project=project, user=user, params={})


def do_start_import(
    project: Project,
    *,
    user,
    data: bytes,
    filename: str,
    format: str,
    offsets: str = "auto",
    as_gold: bool = False,
    skip_bad: bool = False,
    annotator_id: int | None = None,
    corpus: str = "",
) -> Job:
    params: dict[str, Any] = {
        "filename": Path(filename).name[:200],
        "format": format,
        "offsets": offsets,
        "as_gold": as_gold,
        "skip_bad": skip_bad,
        "annotator_id": annotator_id,
        "corpus": corpus,
    }

    def store(job: Job) -> None:
        path = import_upload_path(job, filename)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        job.params = {**params, "path": str(path)}
        job.save(update_fields=["params"])

    return do_start_job(
        kind=JobKind.IMPORT_ANNOTATIONS, project=project, user=user, params=params, before=store
    )


def do_retry_job(job: Job, *, user) -> Job:
    """Queue a failed job again; only the user who started it may."""
    if job.user_id != user.pk:
        raise PermissionDenied("Only the user who started this job can retry it.")
    if job.status != JobStatus.FAILED:
        raise ConflictError(f"Only a failed job can be retried; this one is {job.status}.")
    updated = Job.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
        status=JobStatus.QUEUED, error="", progress=0, result={}, finished_at=None
    )
    if not updated:
        raise ConflictError("The job was retried already.")
    return _enqueue(job)
