"""Faults of a real worker (`manage.py run_worker`) on PostgreSQL: SIGKILL mid-export, and
the database terminating the worker's connection. Jobs end failed-then-retried or done, never
stuck, and no partial file is left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from annotate.models import Gold, GoldSource, Job, JobStatus, ProjectArticle, Role
from annotate.tasks import do_start_export, export_path
from corpus.lib.text import content_hash
from corpus.models import Article
from tests.export_files import names
from tests.factories import make_corpus, make_project, make_user
from tests.test_tasks import DATABASE_TASKS, ON_POSTGRES, ROOT, media  # noqa: F401

LEASE = 2  # seconds: short, so the tests stay bounded

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not ON_POSTGRES, reason="needs PostgreSQL: run with DATABASE_URL=postgres://..."
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("media"),
]


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS
    settings.JOB_LEASE_SECONDS = LEASE
    settings.JOB_HEARTBEAT_SECONDS = LEASE / 4


def start_worker(settings) -> subprocess.Popen:
    """`manage.py run_worker` on the test database, its output captured."""
    db = connection.settings_dict
    login = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{login}@{host}/{quote(db['NAME'])}",
        "TASKS_BACKEND": "database",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "JOB_LEASE_SECONDS": str(LEASE),
        "DB_CONN_MAX_AGE": "60",  # a kept connection is what the database can cut
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "manage.py", "run_worker", "--no-reload", "--no-startup-delay"]
    return subprocess.Popen(
        [*command, "--interval", "0.1", "--max-backoff", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(worker: subprocess.Popen) -> str:
    if worker.poll() is None:
        worker.kill()
    output, _ = worker.communicate(timeout=20)
    return output


def wait_until(check, *, worker: subprocess.Popen, limit: float, what: str):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if value := check():
            return value
        if worker.poll() is not None:
            pytest.fail(f"the worker exited with {worker.returncode}:\n{stop(worker)}")
        time.sleep(0.05)
    output = stop(worker)
    pytest.fail(f"{what} did not happen within {limit} s; the worker said:\n{output}")


def big_project(articles: int):
    """A project with `articles` gold articles of ~120 words each, written in bulk."""
    manager = make_user()
    corpus = make_corpus()
    base = " ".join(["قالت وزارة الدفاع إن قوات سوريا الديمقراطية سيطرت على منبج"] * 12)
    texts = [f"{base} رقم {i}." for i in range(articles)]
    rows = Article.objects.bulk_create(
        Article(corpus=corpus, text=text, content_hash=content_hash(text), search_text=text)
        for text in texts
    )
    project = make_project(members={manager: Role.MANAGER})
    ProjectArticle.objects.bulk_create(
        ProjectArticle(project=project, article=row, position=i) for i, row in enumerate(rows)
    )
    start = base.index("منبج")
    Gold.objects.bulk_create(
        Gold(
            project=project,
            article=row,
            content={
                "spans": [
                    {"id": "s1", "start": start, "end": start + 4, "label": "LOC", "text": "منبج"}
                ],
                "relations": [],
                "document_labels": {},
            },
            source=GoldSource.ADJUDICATED,
        )
        for row in rows
    )
    return project, manager


def partial_files(job: Job) -> list[Path]:
    return list(export_path(job).parent.glob("*.part"))


def test_a_job_whose_worker_is_killed_mid_export_is_failed_then_retried(settings, database_tasks):
    project, manager = big_project(8000)
    first = start_worker(settings)
    second = None
    try:
        job = do_start_export(project, user=manager, options={"formats": ["jsonl", "conll"]})

        def mid_way():
            row = Job.objects.get(pk=job.pk)
            assert row.status != JobStatus.FAILED, row.error
            return row if row.status == JobStatus.RUNNING and 0 < row.progress < row.total else None

        running = wait_until(mid_way, worker=first, limit=60, what="the export running mid-way")
        assert partial_files(running), "the export writes a .part file while it runs"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = time.monotonic()
        assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING  # until someone reaps it

        second = start_worker(settings)

        def failed():
            row = Job.objects.get(pk=job.pk)
            return row if row.status == JobStatus.FAILED else None

        reaped = wait_until(failed, worker=second, limit=20, what="the new worker reaping")
        assert reaped.error.startswith("the worker stopped: no heartbeat for ")
        assert time.monotonic() - killed_at < LEASE + 10
        assert partial_files(reaped) == []
        assert DBTaskResult.objects.get(id=running.task_id).status == "FAILED"

        client = APIClient()
        client.force_authenticate(manager)
        retried = client.post(f"/api/jobs/{job.pk}/retry/")
        assert retried.status_code == 202, retried.json()
        assert retried.json()["status"] == JobStatus.QUEUED

        def finished():
            row = Job.objects.get(pk=job.pk)
            return row if row.status in {JobStatus.DONE, JobStatus.FAILED} else None

        done = wait_until(finished, worker=second, limit=60, what="the retried export finishing")
        assert done.status == JobStatus.DONE, done.error
        assert done.attempts == 2
        assert done.heartbeat_at and done.heartbeat_at <= timezone.now()
        assert partial_files(done) == []
        with zipfile.ZipFile(export_path(done)) as archive:
            assert archive.namelist() == names("jsonl", "conll")
            assert sum(1 for n in names("jsonl")[:3] for _ in archive.open(n)) == 8000
    finally:
        stop(first)
        if second is not None:
            stop(second)


def test_the_worker_reconnects_after_the_database_terminates_its_connection(
    settings, database_tasks
):
    project, manager = big_project(3)
    worker = start_worker(settings)
    try:

        def export_done():
            job = do_start_export(project, user=manager, options={"formats": ["jsonl"]})

            def finished():
                row = Job.objects.get(pk=job.pk)
                return row if row.status in {JobStatus.DONE, JobStatus.FAILED} else None

            done = wait_until(finished, worker=worker, limit=30, what="the export finishing")
            assert done.status == JobStatus.DONE, done.error
            return done

        export_done()  # the worker holds its connections now
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            assert cursor.fetchall(), "the worker had a connection to terminate"
        time.sleep(0.5)  # the worker's next poll meets the dead connection
        assert worker.poll() is None, stop(worker)
        export_done()
        assert worker.poll() is None
    finally:
        output = stop(worker)
    assert "reconnecting in" in output, output
