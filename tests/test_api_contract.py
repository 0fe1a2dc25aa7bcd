"""The API keeps its OpenAPI contract: schemathesis, bounded, against a live server.

The demo data (a project with members, articles, submitted annotations) is built in the test
database, the production server (gunicorn) serves it, and a manager's token drives every
operation of /api/schema/ with all checks on: no 5xx, every status code, content type and body
as documented, invalid input refused (a number where a string belongs included), valid input
accepted (tests/schemathesis.toml names the operations whose data rules a schema cannot state).
Two operations are left out because they revoke the token the run uses (logging out, and
deleting one's own token by id). The run is bounded by what it does, not by a clock: the
coverage and fuzzing phases, five examples an operation, a fixed seed (about 3,200 cases in
under a minute). It prints its counts: operations, test cases, failures.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from annotate.management.commands.demo import build_demo
from annotate.tokens import do_create_api_token

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # About a minute: CI runs it once, in its PostgreSQL pass, not again on SQLite.
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the contract run is once per CI, in the PostgreSQL pass: "
        "run with DATABASE_URL=postgres://...",
    ),
]

ROOT = Path(__file__).resolve().parent.parent
CONFIG = Path(__file__).with_name("schemathesis.toml")
# Revoking the run's own token would turn every later request into a 401.
TOKEN_REVOKERS = ["auth_tokens_current_destroy", "auth_tokens_destroy"]
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def api_server(tmp_path):
    """The production web server (gunicorn, workbench/gunicorn.conf.py) on the test database.

    Not Django's test server: that one is http.server, which answers some malformed requests
    with its own HTML page and a dropped connection, and stalls each response on Nagle's
    algorithm (48 ms a request); what users reach is gunicorn."""
    db = connection.settings_dict
    login = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{login}@{host}/{quote(db['NAME'])}",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "DEBUG": "0",  # as served: no debug pages
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": "contract-run-" + "x" * 50,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "LOG_LEVEL": "CRITICAL",
        "REQUEST_LOG_LEVEL": "CRITICAL",
    }
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        [str(Path(sys.executable).with_name("gunicorn")), "-c", "workbench/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    output = (tmp_path / "gunicorn.log").read_text()
                    raise RuntimeError(f"gunicorn did not start:\n{output}") from None
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_the_api_keeps_its_openapi_contract(api_server, tmp_path):
    _, users, _, _ = build_demo()
    _, key = do_create_api_token(users["mona"], name="schemathesis")
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(CONFIG),
        "run",
        f"{api_server}/api/schema/",
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
        "--phases",
        "examples,coverage,fuzzing",
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
        # A safety net only: the run is bounded by its phases and --max-examples.
        timeout=900,
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
