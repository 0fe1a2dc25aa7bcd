"""The API keeps its OpenAPI contract: schemathesis, bounded, against a live server.

The demo data (a project with members, articles, submitted annotations) is built in the test
database and a manager's token drives every operation of /api/schema/ with all checks on: no
5xx, every status code and body as documented, invalid input refused, valid input accepted
(tests/schemathesis.toml names the operations whose data rules a schema cannot state). Two
operations are left out because they revoke the token the run uses (logging out, and deleting
one's own token by id). The run prints its counts: operations, test cases, failures.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from annotate.management.commands.demo import build_demo
from annotate.tokens import do_create_api_token

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # About 100 s: CI runs it once, in its PostgreSQL pass, not again on SQLite.
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the contract run is once per CI, in the PostgreSQL pass: "
        "run with DATABASE_URL=postgres://...",
    ),
]

CONFIG = Path(__file__).with_name("schemathesis.toml")
# Revoking the run's own token would turn every later request into a 401.
TOKEN_REVOKERS = ["auth_tokens_current_destroy", "auth_tokens_destroy"]
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.mark.xfail(
    strict=True,
    reason="issue 13 left open: one schema-valid request still rejected (ST202) and one "
    "errored case remain, and the run reaches --max-time; fix them, then drop this mark",
)
def test_the_api_keeps_its_openapi_contract(live_server, tmp_path):
    _, users, _, _ = build_demo()
    _, key = do_create_api_token(users["mona"], name="schemathesis")
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(CONFIG),
        "run",
        f"{live_server.url}/api/schema/",
        "--checks",
        "all",
        "--max-examples",
        "5",
        "--seed",
        "20261206",
        "--generation-database",
        "none",
        "--workers",
        "1",
        "--request-timeout",
        "20",
        "--max-time",
        "60",
        "--no-color",
        "-H",
        f"Authorization: Token {key}",
    ]
    for operation in TOKEN_REVOKERS:
        command += ["--exclude-operation-id", operation]
    started = time.monotonic()
    run = subprocess.run(  # noqa: S603
        command,
        capture_output=True,
        text=True,
        timeout=150,
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
    )
    seconds = time.monotonic() - started
    output = run.stdout + run.stderr
    summary = output[output.rfind("SUMMARY") :]
    print(summary, f"\nschemathesis ran {seconds:.0f} s")
    assert run.returncode == 0, output[-20000:]
    assert re.search(r"Tested: (\d+)", summary), summary
    assert int(re.search(r"Tested: (\d+)", summary).group(1)) >= 55
