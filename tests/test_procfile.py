"""The Procfile that README "Running in production" runs with honcho: the web app and a task
worker that is restarted whenever it exits."""

from pathlib import Path

from honcho.environ import parse_procfile

ROOT = Path(__file__).resolve().parents[1]


def test_the_procfile_runs_gunicorn_and_a_restarted_run_worker():
    processes = parse_procfile((ROOT / "Procfile").read_text()).processes
    assert set(processes) == {"web", "worker"}
    assert processes["web"].startswith(".venv/bin/gunicorn -c workbench/gunicorn.conf.py")
    worker = processes["worker"]
    assert worker.startswith("while true; do .venv/bin/python manage.py run_worker --no-reload;")
    assert "db_worker" not in worker  # the plain worker exits when the database drops it
    assert worker.endswith("sleep 1; done")
