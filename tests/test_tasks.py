"""Background jobs through Django's tasks framework: in-process by default, and a real
`manage.py db_worker` process against PostgreSQL. Failures reach the Job; retries work."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection
from rest_framework.test import APIClient

from annotate.models import Annotation, Gold, GoldSource, Job, JobKind, JobStatus, Role
from annotate.tasks import do_start_export, do_start_import, do_start_job, export_path
from tests.export_files import names
from tests.factories import make_article, make_project, make_user, span_of

ROOT = Path(__file__).resolve().parents[1]
DOCCANO = (ROOT / "tests" / "fixtures" / "doccano_export.jsonl").read_bytes()
ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def make_exportable_project():
    manager, annotator = make_user(), make_user()
    article = make_article(text="أعلنت قسد السيطرة على منبج.")
    project = make_project(
        articles=[article], members={manager: Role.MANAGER, annotator: Role.ANNOTATOR}
    )
    Gold.objects.create(
        project=project,
        article=article,
        content={
            "spans": [span_of(article.text, "منبج", "LOC")],
            "relations": [],
            "document_labels": {},
        },
        source=GoldSource.ADJUDICATED,
    )
    return project, manager, annotator


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXPORT_ROOT = tmp_path / "media" / "exports"
    return tmp_path


# ---- the default, in-process backend ----


@pytest.mark.django_db
def test_an_export_job_runs_in_process_by_default(media):
    project, manager, _ = make_exportable_project()
    job = do_start_export(project, user=manager, options={"formats": ["jsonl"]})
    assert job.status == JobStatus.DONE
    assert job.task_id
    assert job.attempts == 1
    assert job.started_at and job.finished_at
    with zipfile.ZipFile(export_path(job)) as archive:
        assert archive.namelist() == names("jsonl")


@pytest.mark.django_db
def test_a_failed_job_reports_its_error_and_only_its_starter_can_retry_it(media):
    project, manager, annotator = make_exportable_project()
    job = do_start_import(
        project,
        user=manager,
        data=DOCCANO,
        filename="doccano.jsonl",
        format="doccano",
        annotator_id=annotator.pk,
    )
    assert job.status == JobStatus.DONE
    # Now make the stored upload disappear before a second import runs.
    other = do_start_import(
        project,
        user=manager,
        data=DOCCANO,
        filename="again.jsonl",
        format="doccano",
        annotator_id=annotator.pk,
    )
    assert other.status == JobStatus.FAILED
    assert "already has an assignment" in other.error
    assert other.result["errors"]

    client = APIClient()
    client.force_authenticate(annotator)
    assert client.post(f"/api/jobs/{other.pk}/retry/").status_code == 404
    second_manager = make_user()
    project.memberships.create(user=second_manager, role=Role.MANAGER)
    client.force_authenticate(second_manager)
    refused = client.post(f"/api/jobs/{other.pk}/retry/")
    assert refused.status_code == 403
    assert "started this job" in refused.json()["detail"]

    # The cause goes away (the first import's annotations are removed); a retry succeeds.
    Annotation.objects.filter(project=project).delete()
    project.assignments.all().delete()
    client.force_authenticate(manager)
    retried = client.post(f"/api/jobs/{other.pk}/retry/")
    assert retried.status_code == 202
    assert retried.json()["status"] == JobStatus.DONE
    assert retried.json()["attempts"] == 2
    assert retried.json()["error"] == ""
    assert Annotation.objects.filter(project=project).count() == 2
    again = client.post(f"/api/jobs/{other.pk}/retry/")
    assert again.status_code == 409


@pytest.mark.django_db
def test_a_job_whose_file_is_gone_fails_with_the_reason(media):
    project, manager, annotator = make_exportable_project()
    job = do_start_import(
        project,
        user=manager,
        data=b"",
        filename="x.jsonl",
        format="ours",
        annotator_id=annotator.pk,
    )
    Path(job.params["path"]).unlink(missing_ok=True)
    job.status = JobStatus.FAILED
    job.save()
    client = APIClient()
    client.force_authenticate(manager)
    body = client.post(f"/api/jobs/{job.pk}/retry/").json()
    assert body["status"] == JobStatus.FAILED
    assert "No such file" in body["error"]


# ---- a real worker process on PostgreSQL ----

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def wait_for(
    job_id: int, *, statuses: set[str], worker: subprocess.Popen, limit: float = 90
) -> Job:
    """Poll the Job row until it reaches one of `statuses` (bounded; fails if the worker dies)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.status in statuses:
            return job
        if worker.poll() is not None:
            output = worker.stdout.read() if worker.stdout else ""
            pytest.fail(f"the worker exited with {worker.returncode}:\n{output}")
        time.sleep(0.1)
    pytest.fail(f"job {job_id} did not reach {statuses} within {limit} s (now {job.status})")


@pytest.mark.postgres_only
@pytest.mark.skipif(
    not ON_POSTGRES, reason="needs PostgreSQL: run with DATABASE_URL=postgres://..."
)
@pytest.mark.django_db(transaction=True)
def test_a_real_db_worker_runs_exports_and_reports_failures(settings, media):
    settings.TASKS = DATABASE_TASKS
    project, manager, annotator = make_exportable_project()
    db = connection.settings_dict
    login = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    env = {
        **os.environ,
        # The worker must use the test database, not the one DATABASE_URL named.
        "DATABASE_URL": f"postgres://{login}@{host}/{quote(db['NAME'])}",
        "TASKS_BACKEND": "database",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        job = do_start_export(project, user=manager, options={"formats": ["jsonl", "conll"]})
        assert job.status == JobStatus.QUEUED  # nothing ran in this process
        done = wait_for(job.pk, statuses={JobStatus.DONE, JobStatus.FAILED}, worker=worker)
        assert done.status == JobStatus.DONE, done.error
        assert done.total == done.progress == 2
        with zipfile.ZipFile(export_path(done)) as archive:
            assert archive.namelist() == names("jsonl", "conll")
            assert "منبج" in "".join(archive.read(n).decode() for n in names("jsonl")[:3])

        # A task that fails is reported on its Job, with the error, and a retry works.
        # The upload is not there (yet): the import task fails.
        upload = Path(settings.MEDIA_ROOT) / "imports" / "late.jsonl"
        failing = do_start_job(
            kind=JobKind.IMPORT_ANNOTATIONS,
            project=project,
            user=manager,
            params={"path": str(upload), "format": "doccano", "annotator_id": annotator.pk},
        )
        failed = wait_for(failing.pk, statuses={JobStatus.FAILED, JobStatus.DONE}, worker=worker)
        assert failed.status == JobStatus.FAILED
        assert "No such file" in failed.error
        from django_tasks_db.models import DBTaskResult

        deadline = time.monotonic() + 30
        while DBTaskResult.objects.get(id=failed.task_id).status != "FAILED":
            assert time.monotonic() < deadline, "the task result was never marked failed"
            time.sleep(0.05)

        upload.parent.mkdir(parents=True, exist_ok=True)
        upload.write_bytes(DOCCANO)
        client = APIClient()
        client.force_authenticate(manager)
        assert client.post(f"/api/jobs/{failed.pk}/retry/").json()["status"] == JobStatus.QUEUED
        retried = wait_for(failed.pk, statuses={JobStatus.DONE, JobStatus.FAILED}, worker=worker)
        assert retried.status == JobStatus.DONE, retried.error
        assert retried.attempts == 2
        assert Annotation.objects.filter(project=project).count() == 2
        assert Job.objects.filter(kind=JobKind.IMPORT_ANNOTATIONS).count() == 1
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
