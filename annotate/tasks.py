"""Background jobs: dataset exports, annotation imports and agreement recomputation through
Django's tasks framework.

A `Job` row is what users see: kind, status, progress, result or error. `do_start_job`
creates it and enqueues the task with the job's id; the task does the work and keeps the
row up to date. With the default backend (TASKS_BACKEND=immediate) the task runs at once in
the same process; with TASKS_BACKEND=database it waits in the database until a worker
(`python manage.py run_worker`, our `db_worker` that survives database errors) picks it up.

A task that fails marks its Job failed with the error message (and re-raises, so the tasks
backend records the traceback too). The user who started it may retry it while they still hold
the role that starts such a job: the same Job is queued again with the same parameters (an
import keeps its uploaded file until it succeeds).

Lease: a running attempt beats `Job.heartbeat_at` with every progress update and from a timer
thread every JOB_HEARTBEAT_SECONDS (a quarter of JOB_LEASE_SECONDS). A job still `running`
whose beat is older than the lease lost its worker (SIGKILL, crash, a cut-off database
connection) and is failed with "the worker stopped: ..." — not requeued by itself: a job that
killed its worker (out of memory, say) would kill the next one, so its starter decides and
retries it. `do_reap_stale_jobs` does this when a worker starts and periodically while it runs
(`manage.py run_worker`), and whenever someone reads or retries the job; it marks the tasks
backend's row failed too and deletes the attempt's partial export file. Every write of an
attempt names its attempt number, so a worker that was only slow cannot overwrite the job
once it has been reaped or retried. The one exception: a job safe to run again from the start
(the agreement totals rebuild) is queued again by itself when reaped, up to a few attempts in
all (REQUEUED_WHEN_REAPED), so the next worker finishes it.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connections
from django.db.models import F, Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from annotate.access import starter_may_act
from annotate.agreement import agreement_report, do_rebuild_contributions
from annotate.errors import ActionError, ConflictError
from annotate.exports import check_export_options, write_export
from annotate.imports import do_import_annotations
from annotate.models import Job, JobKind, JobStatus, Project
from annotate.recommend import do_train_recommenders
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


def export_partial_files(job: Job) -> list[Path]:
    """Partial files an attempt of this export left behind (write_export names them so)."""
    path = export_path(job)
    if not path.parent.is_dir():
        return []
    return sorted(path.parent.glob(f".{path.stem}-*.part"))


def _progress_updater(job_id: int, attempt: int) -> Callable[[int, int], None]:
    def update(done: int, total: int) -> None:
        _attempt(job_id, attempt).update(progress=done, total=total, heartbeat_at=timezone.now())

    return update


def _attempt(job_id: int, attempt: int):
    """The job's row while this attempt still owns it (not reaped, not retried since)."""
    return Job.objects.filter(pk=job_id, attempts=attempt, status=JobStatus.RUNNING)


class _Heartbeat:
    """Beats a running attempt's heartbeat from a thread, so slow work between progress
    updates (one long query, a big agreement computation) does not look like a dead worker."""

    def __init__(self, job_id: int, attempt: int) -> None:
        self.job_id, self.attempt = job_id, attempt
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name=f"job-heartbeat-{job_id}", daemon=True
        )

    def __enter__(self) -> _Heartbeat:
        # Inside a transaction (an in-process job run from an atomic block) the row is locked
        # by this thread and nobody sees it running: a beat would only wait for the lock.
        if not connections["default"].in_atomic_block:
            self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _beat(self) -> None:
        try:
            while not self._stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    _attempt(self.job_id, self.attempt).update(heartbeat_at=timezone.now())
                except DatabaseError as exc:
                    logger.warning("job %s: heartbeat failed: %s", self.job_id, exc)
                    connections.close_all()  # this thread's own; the next beat reconnects
        finally:
            connections.close_all()


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, ActionError):
        return f"{exc.field}: {exc.message}"
    if isinstance(exc, ImportRejected | ValueError | OSError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _run(job_id: int, work: Callable[[Job], dict[str, Any]]) -> dict[str, Any]:
    now = timezone.now()
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        attempts=F("attempts") + 1,
        error="",
        progress=0,
    )
    job = Job.objects.select_related("project", "user").get(pk=job_id)
    try:
        with _Heartbeat(job_id, job.attempts):
            result = work(job)
    except BaseException as exc:
        extra: dict[str, Any] = {}
        if isinstance(exc, ImportRejected):
            extra = {"errors": [error.as_dict() for error in exc.errors]}
        _attempt(job_id, job.attempts).update(
            status=JobStatus.FAILED,
            error=_error_text(exc)[:10_000],
            message="",
            result=extra,
            finished_at=timezone.now(),
        )
        logger.warning("job %s (%s) failed: %s", job_id, job.kind, exc)
        raise
    finished = _attempt(job_id, job.attempts).update(
        status=JobStatus.DONE,
        result=result,
        progress=F("total"),
        finished_at=timezone.now(),
    )
    if not finished:
        logger.warning("job %s: attempt %s finished after it was reaped", job_id, job.attempts)
    return result


def _stale_running_jobs(now: datetime):
    cutoff = now - timedelta(seconds=settings.JOB_LEASE_SECONDS)
    return Job.objects.filter(status=JobStatus.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )


def _fail_task_result(task_id: str, reason: str, now: datetime) -> None:
    """Mark the database backend's row of a lost attempt failed (it would stay RUNNING)."""
    try:
        uuid.UUID(task_id)
    except ValueError:
        return  # not the database backend's id (or none)
    DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path="annotate.tasks.WorkerStopped",
        traceback=reason,
    )


def do_reap_stale_jobs(*, job_ids: Iterable[int] | None = None) -> list[int]:
    """Fail running jobs whose heartbeat is older than the lease; return their ids."""
    now = timezone.now()
    stale = _stale_running_jobs(now)
    if job_ids is not None:
        stale = stale.filter(pk__in=list(job_ids))
    reaped = []
    for job in stale.only(
        "kind", "project_id", "attempts", "heartbeat_at", "started_at", "task_id"
    ):
        last = job.heartbeat_at or job.started_at
        silent = int((now - last).total_seconds()) if last else 0
        reason = (
            f"the worker stopped: no heartbeat for {silent} s (lease "
            f"{settings.JOB_LEASE_SECONDS} s); it was killed, crashed or lost the database. "
            "Retry to run the job again."
        )
        won = Job.objects.filter(
            pk=job.pk,
            status=JobStatus.RUNNING,
            attempts=job.attempts,
            heartbeat_at=job.heartbeat_at,
        ).update(status=JobStatus.FAILED, error=reason, message="", finished_at=now)
        if not won:
            continue  # it beat, finished or was reaped by someone else meanwhile
        _fail_task_result(job.task_id, reason, now)
        if job.kind == JobKind.EXPORT:
            for part in export_partial_files(job):
                part.unlink(missing_ok=True)
        logger.warning("job %s (%s) reaped: %s", job.pk, job.kind, reason)
        reaped.append(job.pk)
        if job.attempts < REQUEUED_WHEN_REAPED.get(JobKind(job.kind), 0):
            requeued = Job.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
                status=JobStatus.QUEUED, error="", progress=0, result={}, finished_at=None
            )
            if requeued:
                _enqueue(job)
    return reaped


def check_job_lease(job: Job) -> Job:
    """The job as it stands once a lost worker's attempt is failed (for reads and retries)."""
    if job.status == JobStatus.RUNNING and do_reap_stale_jobs(job_ids=[job.pk]):
        job.refresh_from_db()
    return job


def _project_of(job: Job) -> Project:
    """The project of a project job (exports, imports, agreement all have one)."""
    if job.project is None:
        raise ActionError("project", "this job belongs to no project")
    return job.project


def _export(job: Job) -> dict[str, Any]:
    options = check_export_options(**job.params)
    path = export_path(job)
    size = write_export(
        _project_of(job), options, path, progress=_progress_updater(job.pk, job.attempts)
    )
    return {"file": path.name, "bytes": size, "options": options.as_dict()}


def _import(job: Job) -> dict[str, Any]:
    params = job.params
    path = Path(params["path"])
    data = path.read_bytes()
    annotator = None
    if params.get("annotator_id"):
        annotator = _project_of(job).members.filter(pk=params["annotator_id"]).first()
        if annotator is None:
            raise ActionError("annotator", "the chosen annotator is no longer a project member")
    members = {user.pk: user for user in _project_of(job).members.all()}
    annotator_map = {}
    for name, user_id in (params.get("annotator_map") or {}).items():
        if user_id not in members:
            raise ActionError("map_annotator", f"the member {name!r} maps to is no longer one")
        annotator_map[name] = members[user_id]
    report = do_import_annotations(
        _project_of(job),
        data,
        name=params.get("filename", path.name),
        format=params["format"],
        user=job.user,
        offsets=params.get("offsets", "auto"),
        as_gold=bool(params.get("as_gold")),
        skip_bad=bool(params.get("skip_bad")),
        annotator=annotator,
        annotator_map=annotator_map,
        corpus_name=params.get("corpus") or None,
        progress=_progress_updater(job.pk, job.attempts),
    )
    path.unlink(missing_ok=True)
    return report.as_dict()


def _agreement(job: Job) -> dict[str, Any]:
    report = agreement_report(_project_of(job), refresh=True)
    meta = report["meta"]
    return {"fingerprint": meta["fingerprint"], "seconds": meta["seconds"]}


def _agreement_totals(job: Job) -> dict[str, Any]:
    totals = do_rebuild_contributions(
        _project_of(job), progress=_progress_updater(job.pk, job.attempts)
    )
    return {"articles": totals.counts.get(("article",), 0)}


def _train_recommenders(job: Job) -> dict[str, Any]:
    trained = do_train_recommenders(
        _project_of(job), user=job.user, progress=_progress_updater(job.pk, job.attempts)
    )
    return {
        "recommenders": [
            {"kind": r.kind, "version": r.version, "active_labels": r.active_labels}
            for r in trained
        ]
    }


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


@task()
def rebuild_agreement_totals(job_id: int) -> dict[str, Any]:
    """Rebuild a project's per-article agreement contributions and their totals."""
    return _run(job_id, _agreement_totals)


@task()
def train_recommenders(job_id: int) -> dict[str, Any]:
    """Train, score and store a project's recommenders (see annotate/recommend.py)."""
    return _run(job_id, _train_recommenders)


TASKS = {
    JobKind.TRAIN_RECOMMENDERS: train_recommenders,
    JobKind.EXPORT: export_dataset,
    JobKind.IMPORT_ANNOTATIONS: import_annotations,
    JobKind.AGREEMENT: compute_agreement,
    JobKind.AGREEMENT_TOTALS: rebuild_agreement_totals,
}
# Jobs that may run again from the start without harm: one reaped after its worker stopped is
# queued again by itself, at most this many attempts in all (a job that kills its worker, out
# of memory say, would otherwise kill worker after worker).
REQUEUED_WHEN_REAPED = {JobKind.AGREEMENT_TOTALS: 3}


def _enqueue(job: Job) -> Job:
    result = TASKS[JobKind(job.kind)].enqueue(job.pk)
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
        "group_by": parsed.group_by,
        "stratify_by": parsed.stratify_by,
        "stance_title": parsed.stance_title,
    }
    return do_start_job(kind=JobKind.EXPORT, project=project, user=user, params=params)


def do_start_agreement(project: Project, *, user) -> Job:
    return do_start_job(kind=JobKind.AGREEMENT, project=project, user=user, params={})


def do_start_training(project: Project, *, user) -> Job:
    return do_start_job(kind=JobKind.TRAIN_RECOMMENDERS, project=project, user=user, params={})


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
    annotator_map: dict[str, int] | None = None,
    corpus: str = "",
) -> Job:
    params: dict[str, Any] = {
        "filename": Path(filename).name[:200],
        "format": format,
        "offsets": offsets,
        "as_gold": as_gold,
        "skip_bad": skip_bad,
        "annotator_id": annotator_id,
        "annotator_map": annotator_map or {},
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


# The roles that may start (and so read and retry) each kind of job; managers see every job.
def do_retry_job(job: Job, *, user) -> Job:
    """Queue a failed job again; only the user who started it may, while still in the role."""
    if not starter_may_act(job, user):
        raise PermissionDenied("Only the user who started this job can retry it.")
    job = check_job_lease(job)
    if job.status != JobStatus.FAILED:
        raise ConflictError(f"Only a failed job can be retried; this one is {job.status}.")
    updated = Job.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
        status=JobStatus.QUEUED, error="", progress=0, result={}, finished_at=None
    )
    if not updated:
        raise ConflictError("The job was retried already.")
    return _enqueue(job)
