"""The background task worker: django-tasks-db's `db_worker`, made to survive its database.

`db_worker` exits on the first database error outside a task (a restarted PostgreSQL, a
terminated backend, a failover), leaving later jobs queued. This command runs the same
worker loop, and when the loop dies of a connection error it closes the broken connections
and starts the loop again after a bounded back-off (0.5 s doubling to --max-backoff). A
thread reaps jobs whose worker stopped (annotate/tasks.py `do_reap_stale_jobs`): at start and
every half lease. Run it under a supervisor (see the Procfile and README "Running in
production") so that a crash or a kill is followed by a restart.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from typing import Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from annotate.tasks import do_reap_stale_jobs

logger = logging.getLogger("django_tasks_db")

FIRST_BACKOFF = 0.5
# A loop that ran this long before failing starts its back-off again from the first step.
HEALTHY_SECONDS = 60.0


def _close_connections() -> None:
    """Drop this thread's database connections, broken or not; the next query reconnects."""
    for connection in connections.all(initialized_only=True):
        with contextlib.suppress(DatabaseError):  # one that cannot even close is gone already
            connection.close()


class Reaper(threading.Thread):
    """Fails jobs whose worker stopped beating: at once, then every half lease."""

    def __init__(self) -> None:
        super().__init__(name="job-reaper", daemon=True)
        self.stopped = threading.Event()

    def run(self) -> None:
        interval = max(settings.JOB_LEASE_SECONDS / 2, 0.5)
        while True:
            try:
                reaped = do_reap_stale_jobs()
                if reaped:
                    logger.warning("Reaped jobs whose worker stopped: %s", reaped)
            except DatabaseError as exc:
                logger.warning("Could not check job leases: %s", exc)
                _close_connections()
            if self.stopped.wait(interval):
                break
        _close_connections()


class ReconnectingWorker(db_worker.Worker):
    def __init__(self, *, max_backoff: float, **options: Any) -> None:
        super().__init__(**options)
        self.max_backoff = max_backoff

    def run(self) -> None:
        reaper = Reaper()
        reaper.start()
        failures = 0
        try:
            while self.running:
                started = time.monotonic()
                try:
                    super().run()
                    return
                except (OperationalError, InterfaceError) as exc:
                    if time.monotonic() - started > HEALTHY_SECONDS:
                        failures = 0
                    failures += 1
                    delay = min(self.max_backoff, FIRST_BACKOFF * 2 ** (failures - 1))
                    logger.warning(
                        "Database error in worker_id=%s: %s; reconnecting in %.1f s",
                        self.worker_id,
                        str(exc).strip() or type(exc).__name__,
                        delay,
                    )
                    _close_connections()
                    self.startup_delay = False
                    time.sleep(delay)
        finally:
            reaper.stopped.set()


class Command(db_worker.Command):
    help = (
        "Run the background task worker (django-tasks-db's db_worker) that reconnects after "
        "database errors and fails jobs whose worker stopped"
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--max-backoff",
            type=float,
            default=30.0,
            help="Longest wait, in seconds, between reconnection attempts (default: 30)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        exclude = options["exclude_queues"]
        excluded = exclude.split(",") if exclude else []
        if excluded and "*" not in queue_names:
            raise db_worker.CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ReconnectingWorker(
            max_backoff=max(options["max_backoff"], FIRST_BACKOFF),
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        if options["reload"] and not options["batch"]:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
