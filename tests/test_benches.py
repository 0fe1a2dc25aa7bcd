"""Every benchmark in bench/ runs with one command and prints its figures.

At a tiny size, so this proves only that each script still works end to end (its own
database, gunicorn where it needs one, its checks); the figures come from full-size runs.
They need PostgreSQL: CI's PostgreSQL pass runs them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

needs_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="benchmarks need PostgreSQL: run with DATABASE_URL=postgres://...",
)

CASES = {
    "archive.py": (
        [
            *("--articles", "400", "--project", "60", "--import", "40", "--clients", "3"),
            *("--rounds", "2", "--searches", "2", "--requests", "1", "--quick"),
        ],
        [
            "built 400 articles with COPY",
            "search lag: the indexer indexed those 40",
            "search, all queries: first page p50=",
            "people page, 60 articles: cold",
            "agreement totals rebuilt (the job, in this process) in",
            "export of the 60-article project (jsonl,conll,tokens,csv,",
            "CPU",
            "queue next, 3 annotators over HTTP",
            "all at the same instant",
            "per 1,000 articles",
        ],
    ),
    "server_load.py": (
        ["--clients", "2", "--saves", "3", "--reads", "4"],
        [
            "save one span",
            "errors=0",
            "integrity: OK",
            "CPU per request: app",
            "read annotation, one client: p50=",
            "read article + annotation, one client: p50=",
            "beside doccano 1.8",
            "ours/doccano",
        ],
    ),
    "import_articles.py": (
        ["-n", "40", "--repeat", "2"],
        [
            "command:",
            "stream:",
            "multipart:",
            "upload, run 2:",
            "median of 2 runs:",
            "in-process:",
            "re-import",
            "rivals (issue 19",
        ],
    ),
    "export.py": (
        ["--sizes", "30", "--runs", "1"],
        ["jsonl", "conll", "all", "strat", "all formats in a child process", "peak"],
    ),
    "agreement.py": (
        ["--articles", "20", "--annotators", "2", "--spans", "3", "--words", "40"],
        [
            "agreement cold",
            "agreement cached",
            "spans.f1_exact=",
            "incremental: submit one",
            "submit + next dashboard load: p50",
            "assembled summary equals the full one: True",
        ],
    ),
    "scale_out.py": (
        ["--clients", "2", "--saves", "5", "--workers", "1"],
        [
            "read on B: version",
            "opens the project page on B: HTTP 200",
            "then the right one on A: HTTP 429",
            "downloaded on B: HTTP 200",
            "integrity: OK",
            "capacity:",
        ],
    ),
    "people_page.py": (
        ["--articles", "30", "--spans", "3", "--words", "40", "--requests", "3"],
        ["people page cold", "people page warm: p50=", "queries", "the last page by cursor"],
    ),
    "api_save_latency.py": (
        ["--saves", "5", "--warmup", "1", "--spans", "5", "--workers", "1"],
        ["p50=", "p95="],
    ),
}


def run_bench(script: str, args: list[str]) -> str:
    # The benches make databases of their own on the bench server; the test database's name
    # must not reach them.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run(
        [sys.executable, f"bench/{script}", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{script} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@needs_postgres
@pytest.mark.parametrize("script", sorted(CASES))
def test_bench_runs_and_prints_its_figures(script):
    if script == "scale_out.py" and not Path("/usr/sbin/haproxy").exists():
        pytest.skip("the scale-out bench needs HAProxy (apt-get install haproxy; CI installs it)")
    args, expected = CASES[script]
    output = run_bench(script, args)
    for text in expected:
        assert text in output, f"{script} did not print {text!r}:\n{output}"


def test_every_bench_script_is_covered():
    scripts = {path.name for path in (ROOT / "bench").glob("*.py")} - {"harness.py"}
    # These two open pages in Chromium: tests/browser/ runs them.
    assert scripts == set(CASES) | {"annotation_page_ready.py", "recommenders.py"}
