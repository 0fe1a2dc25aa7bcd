"""Jobs that survive their worker: a running job whose heartbeat is older than the lease is
failed with the reason (on read, retry, or by a worker), its partial file removed, and its
starter can retry it; reads and retries re-check the starter's current role."""

from __future__ import annotations

import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from annotate.models import Job, JobKind, JobStatus, Membership, Role
from annotate.tasks import (
    _progress_updater,
    do_reap_stale_jobs,
    do_start_agreement,
    export_dataset,
    export_path,
)
from tests.export_files import names
from tests.test_tasks import DATABASE_TASKS, make_exportable_project, media  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def running_job(project, user, *, silent_for: float) -> Job:
    """An export job left `running` by a worker that last beat `silent_for` seconds ago."""
    beat = timezone.now() - timedelta(seconds=silent_for)
    return Job.objects.create(
        kind=JobKind.EXPORT,
        project=project,
        user=user,
        params={"formats": ["jsonl"], "seed": 0, "ratios": "0.8,0.1,0.1"},
        status=JobStatus.RUNNING,
        attempts=1,
        progress=1000,
        total=8000,
        started_at=beat - timedelta(seconds=30),
        heartbeat_at=beat,
    )


def partial_file(job: Job) -> Path:
    path = export_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.parent / f".{path.stem}-k1ll3d.part"
    part.write_bytes(b"PK\x03\x04 half a zip")
    return part


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_job_whose_worker_stopped_is_failed_when_read_and_its_starter_can_retry_it(settings):
    settings.JOB_LEASE_SECONDS = 60
    project, manager, _ = make_exportable_project()
    job = running_job(project, manager, silent_for=61)
    part = partial_file(job)
    neighbour = running_job(project, manager, silent_for=1)
    neighbours_part = partial_file(neighbour)

    body = api(manager).get(f"/api/jobs/{job.pk}/").json()
    assert body["status"] == JobStatus.FAILED
    assert body["error"].startswith("the worker stopped: no heartbeat for 61 s (lease 60 s)")
    assert body["retry"] == f"/api/jobs/{job.pk}/retry/"
    assert not part.exists()
    # A job that still beats is left alone, and so is its partial file.
    assert api(manager).get(f"/api/jobs/{neighbour.pk}/").json()["status"] == JobStatus.RUNNING
    assert neighbours_part.exists()

    retried = api(manager).post(f"/api/jobs/{job.pk}/retry/")
    assert retried.status_code == 202
    assert retried.json()["status"] == JobStatus.DONE  # the in-process backend ran it
    assert retried.json()["attempts"] == 2
    assert retried.json()["error"] == ""
    with zipfile.ZipFile(export_path(job)) as archive:
        assert archive.namelist() == names("jsonl")
    assert not list(export_path(job).parent.glob(f".{export_path(job).stem}-*.part"))


def test_retrying_a_job_whose_worker_stopped_needs_no_read_first(settings):
    settings.JOB_LEASE_SECONDS = 60
    project, manager, _ = make_exportable_project()
    job = running_job(project, manager, silent_for=600)
    retried = api(manager).post(f"/api/jobs/{job.pk}/retry/")
    assert retried.status_code == 202, retried.json()
    assert retried.json()["status"] == JobStatus.DONE


def test_a_running_job_within_its_lease_cannot_be_retried(settings):
    settings.JOB_LEASE_SECONDS = 60
    project, manager, _ = make_exportable_project()
    job = running_job(project, manager, silent_for=30)
    refused = api(manager).post(f"/api/jobs/{job.pk}/retry/")
    assert refused.status_code == 409
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING


def test_a_job_from_before_heartbeats_is_judged_by_its_start(settings):
    settings.JOB_LEASE_SECONDS = 60
    project, manager, _ = make_exportable_project()
    job = running_job(project, manager, silent_for=0)
    Job.objects.filter(pk=job.pk).update(
        heartbeat_at=None, started_at=timezone.now() - timedelta(hours=2)
    )
    assert do_reap_stale_jobs() == [job.pk]
    assert Job.objects.get(pk=job.pk).error.startswith("the worker stopped: no heartbeat for 7200")


def test_reaping_fails_the_task_backends_row_too(settings):
    settings.JOB_LEASE_SECONDS = 60
    settings.TASKS = DATABASE_TASKS
    project, manager, _ = make_exportable_project()
    job = running_job(project, manager, silent_for=90)
    result = export_dataset.enqueue(job.pk)
    DBTaskResult.objects.filter(id=result.id).update(status="RUNNING")
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))

    assert do_reap_stale_jobs() == [job.pk]
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == "FAILED"
    assert "the worker stopped" in row.traceback
    assert do_reap_stale_jobs() == []  # once


def test_a_reaped_attempt_that_was_only_slow_cannot_overwrite_the_job(settings):
    settings.JOB_LEASE_SECONDS = 60
    project, manager, _ = make_exportable_project()
    job = running_job(project, manager, silent_for=90)
    late_progress = _progress_updater(job.pk, 1)
    do_reap_stale_jobs()
    late_progress(5000, 8000)
    job.refresh_from_db()
    assert (job.status, job.progress) == (JobStatus.FAILED, 1000)


# ---- the current role is checked on every read and retry ----


def failed_export(project, user) -> Job:
    return Job.objects.create(
        kind=JobKind.EXPORT,
        project=project,
        user=user,
        params={"formats": ["jsonl"], "seed": 0, "ratios": "0.8,0.1,0.1"},
        status=JobStatus.FAILED,
        attempts=1,
        error="OSError: disk full",
    )


@pytest.mark.parametrize("change", ["demoted", "removed"])
def test_a_starter_who_is_no_longer_a_manager_can_neither_read_nor_retry_the_job(change):
    project, manager, _ = make_exportable_project()
    job = failed_export(project, manager)
    assert api(manager).get(f"/api/jobs/{job.pk}/").status_code == 200
    membership = Membership.objects.get(project=project, user=manager)
    if change == "demoted":
        membership.role = Role.ANNOTATOR
        membership.save()
    else:
        membership.delete()

    assert api(manager).get(f"/api/jobs/{job.pk}/").status_code == 404
    refused = api(manager).post(f"/api/jobs/{job.pk}/retry/")
    assert refused.status_code == 404
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.FAILED, 1)


def test_a_starter_made_manager_again_can_retry():
    project, manager, _ = make_exportable_project()
    job = failed_export(project, manager)
    Membership.objects.filter(project=project, user=manager).update(role=Role.REVIEWER)
    assert api(manager).post(f"/api/jobs/{job.pk}/retry/").status_code == 404
    Membership.objects.filter(project=project, user=manager).update(role=Role.MANAGER)
    retried = api(manager).post(f"/api/jobs/{job.pk}/retry/")
    assert retried.status_code == 202
    assert retried.json()["status"] == JobStatus.DONE


def test_a_reviewer_reads_their_agreement_job_only_while_a_reviewer():
    project, manager, annotator = make_exportable_project()
    reviewer = annotator
    Membership.objects.filter(project=project, user=reviewer).update(role=Role.REVIEWER)
    job = do_start_agreement(project, user=reviewer)
    assert api(reviewer).get(f"/api/jobs/{job.pk}/").status_code == 200
    assert api(manager).get(f"/api/jobs/{job.pk}/").status_code == 200  # managers see all
    Membership.objects.filter(project=project, user=reviewer).update(role=Role.ANNOTATOR)
    assert api(reviewer).get(f"/api/jobs/{job.pk}/").status_code == 404
