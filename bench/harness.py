"""Shared pieces of the benchmarks: a throwaway PostgreSQL database, a gunicorn server on
loopback, generated Arabic text, percentiles. Nothing here touches a real database."""

from __future__ import annotations

import contextlib
import http.client
import os
import random
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")

# A vocabulary for generated text, written for the benchmarks (not taken from any article).
VOCABULARY = (
    "قال المتحدث باسم وزارة الدفاع إن القوات تقدمت نحو المدينة وسيطرت على عدة قرى "
    "في الريف الشرقي بعد اشتباكات مع مسلحي التنظيم وأكد مصدر محلي أن المدنيين نزحوا "
    "من الأحياء الجنوبية بينما أعلن التحالف الدولي تنفيذ غارات جوية على مواقع قرب النهر "
    "وذكرت وكالة الأنباء أن المفاوضات في جنيف ستستأنف الأسبوع المقبل بحضور وفد المعارضة"
)
WORDS = VOCABULARY.split(" ")


def arabic_text(rng: random.Random, words: int) -> str:
    """Generated Arabic prose with sentence ends, a few diacritics, digits and a Latin name."""
    out = []
    for i in range(words):
        word = rng.choice(WORDS)
        if i % 37 == 0:
            word = "الرَّقَّة"
        elif i % 53 == 0:
            word = str(2017 + i % 3)
        elif i % 71 == 0:
            word = "Reuters"
        out.append(word)
        if i % 15 == 14:
            out[-1] += "."
    return " ".join(out)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True) as conn:
        conn.execute(statement)


@contextlib.contextmanager
def fresh_postgres(prefix: str = "wb_bench") -> Iterator[dict[str, str]]:
    """Create an empty database, point this process's Django at it, migrate; drop it after.

    Yields the environment for server subprocesses.
    """
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    env = dict(
        os.environ,
        DATABASE_URL=f"{POSTGRES_URL}/{name}",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
    )
    os.environ.update(
        {k: env[k] for k in ("DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "LOG_LEVEL")}
    )
    admin_sql(f'CREATE DATABASE "{name}"')
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        yield env
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")
    django.setup()


def wait_for(port: int, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not come up")


def http_call(
    port: int, method: str, path: str, body: bytes = b"", headers: str = "", timeout: float = 30
) -> tuple[int, bytes]:
    """One HTTP/1.1 request on a fresh loopback connection: (status, body).

    A few lines over a socket instead of http.client, so the load generator spends as little
    of the machine's CPU as it can (the server closes the connection after each answer).
    `headers` is extra header lines, each ending in CRLF.
    """
    answer = raw_http(port, method, path, body, headers, timeout)
    status_line, _, rest = answer.partition(b"\r\n")
    _, _, payload = rest.partition(b"\r\n\r\n")
    if not status_line.startswith(b"HTTP/1."):
        raise OSError(f"not an HTTP answer: {answer[:60]!r}")
    return int(status_line[9:12]), payload


def raw_http(
    port: int, method: str, path: str, body: bytes = b"", headers: str = "", timeout: float = 30
) -> bytes:
    """The bytes of the answer to one request, status line and headers included."""
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head.encode() + body)
        chunks = []
        while data := sock.recv(262144):
            chunks.append(data)
    return b"".join(chunks)


SERVERS: dict[int, int] = {}  # port -> gunicorn master pid, for CpuMeter


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 4) -> Iterator[int]:
    """gunicorn serving the app on a free loopback port; yields the port."""
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            "workbench/gunicorn.conf.py",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for(port, server)
        SERVERS[port] = server.pid
        yield port
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


def _proc_stat(pid: str) -> tuple[int, float, str] | None:
    """(parent pid, CPU seconds used, command line) of a live process, from /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks, cmdline


class CpuMeter:
    """CPU time used by a gunicorn server's workers and by the PostgreSQL backends serving
    one database, read from /proc: a figure that other load on the machine barely changes."""

    def __init__(self, server_pid: int, database: str) -> None:
        self.server_pid, self.database = server_pid, database

    def read(self) -> dict[str, float]:
        used = {"app": 0.0, "database": 0.0}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            found = _proc_stat(entry)
            if found is None:
                continue
            parent, seconds, cmdline = found
            if parent == self.server_pid or int(entry) == self.server_pid:
                used["app"] += seconds
            elif cmdline.startswith("postgres: ") and f" {self.database} " in cmdline:
                used["database"] += seconds
        return used


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of `values` (q in 0..1)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def machine_load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"
