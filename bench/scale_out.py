"""Scale-out tried on one machine: two app servers behind HAProxy, sharing PostgreSQL, the
session and throttling store (the database cache) and the media folder.

Starts two gunicorn servers on their own ports (the stand-ins for two machines), HAProxy
(Debian's package) in front of them with health checks, and shows:

1. a span saved on server A reads back, same version, on server B; a browser session logged
   in on A is logged in on B; wrong passwords spread over A and B lock the username on both
   (the counts live in the shared cache); an export started through A downloads through B;
2. span saves from C clients through the balancer, beside the same clients on one server with
   as many workers in all (req/s, p50, p95, CPU per request), and the integrity check of
   bench/server_load.py (every acknowledged save stored, no draft corrupted);
3. failover: server B is killed mid-load; the balancer stops sending to it and the saves that
   fail in the switch are counted (clients retry nothing).

    .venv/bin/python bench/scale_out.py [--clients 8] [--saves 100] [--workers 2]

Needs haproxy (`apt-get install haproxy`). Bounded: a fixed number of requests, each with a
30 s timeout.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from harness import (
    ROOT,
    SERVERS,
    CpuMeter,
    free_port,
    fresh_postgres,
    gunicorn,
    http_call,
    machine_load,
    raw_http,
    wait_for,
)
from server_load import build, report_saves, run_saves, verify, word_spans

# A busy annotator's requests: one span save every 3 s while marking (page autosave included).
SECONDS_PER_SAVE = 3.0


class Meters:
    """CPU of several servers' workers, and of the database's backends counted once."""

    def __init__(self, pids: list[int], database: str) -> None:
        self.meters = [CpuMeter(pid, database) for pid in pids]

    def read(self) -> dict[str, float]:
        readings = [meter.read() for meter in self.meters]
        return {"app": sum(r["app"] for r in readings), "database": readings[0]["database"]}


HAPROXY_CONFIG = """
global
    maxconn 2000
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    # A request a dead server refused or dropped unanswered goes to the other one (saves are
    # safe to resend: each carries the version it builds on, so a repeat is a 409, not a copy).
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response
frontend workbench
    bind 127.0.0.1:{port}
    default_backend apps
backend apps
    balance roundrobin
    option httpchk
    http-check send meth GET uri /health/ hdr Host 127.0.0.1
    http-check expect status 200
    default-server inter 300ms fall 2 rise 2
    server a 127.0.0.1:{a} check
    server b 127.0.0.1:{b} check
"""


@contextlib.contextmanager
def haproxy(a: int, b: int, folder: Path) -> Iterator[int]:
    binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(binary).exists():
        raise SystemExit("haproxy is missing: apt-get install haproxy")
    port = free_port()
    config = folder / "haproxy.cfg"
    config.write_text(HAPROXY_CONFIG.format(port=port, a=a, b=b))
    proxy = subprocess.Popen([binary, "-f", str(config), "-db"], stdout=subprocess.DEVNULL)
    try:
        wait_for(port, proxy)
        yield port
    finally:
        proxy.terminate()
        proxy.wait(10)


def api(port: int, method: str, path: str, token: str, body: dict | None = None):
    headers = f"Authorization: Token {token}\r\nContent-Type: application/json\r\n"
    data = json.dumps(body).encode() if body is not None else b""
    status, payload = http_call(port, method, path, data, headers)
    return status, (json.loads(payload) if payload.strip() else None)


def form_login(port: int, username: str, password: str) -> str:
    """Log in through the login form; returns the session cookie ('' when refused)."""
    raw = raw_http(port, "GET", "/accounts/login/")
    csrf = re.search(rb"csrftoken=([^;]+)", raw).group(1).decode()
    middleware = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', raw).group(1).decode()
    body = f"csrfmiddlewaretoken={middleware}&username={username}&password={password}".encode()
    answer = raw_http(
        port,
        "POST",
        "/accounts/login/",
        body,
        f"Cookie: csrftoken={csrf}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        "Referer: http://127.0.0.1/accounts/login/\r\n",
    )
    found = re.search(rb"sessionid=([^;]+)", answer)
    return found.group(1).decode() if found else ""


def check_shared_state(
    a: int, b: int, token: str, asid: int, text: str, pid: int, lead: str
) -> list[str]:
    """What one server does, the other sees. Returns the failures (empty: all held)."""
    failures = []
    url = f"/api/assignments/{asid}/annotation/"
    _, draft = api(a, "GET", url, token)
    start, end = word_spans(text)[-1]
    span = {"id": "shared-1", "start": start, "end": end, "label": "PER"}
    span |= {"text": text[start:end], "attributes": {}}
    body = {"version": draft["version"], "span": span}
    status, saved = api(a, "POST", f"{url}spans/", token, body)
    _, seen = api(b, "GET", url, token)
    if status not in (200, 201) or seen["version"] != saved["version"]:
        failures.append(f"save on A ({status}) not read back on B: {seen.get('version')}")
    print(
        f"  span saved on A (version {saved.get('version')}) read on B: version {seen['version']}"
    )

    session = form_login(a, "bench-lead", lead)
    page, _ = http_call(b, "GET", f"/projects/{pid}/", headers=f"Cookie: sessionid={session}\r\n")
    print(f"  session from a login on A opens the project page on B: HTTP {page}")
    if not session or page != 200:
        failures.append(f"session not shared: login cookie {bool(session)}, page on B {page}")

    for i in range(10):
        form_login(a if i % 2 else b, "bench-lead", "wrong-password")
    locked = http_call(
        a,
        "POST",
        "/api/auth/token/",
        json.dumps({"username": "bench-lead", "password": lead}).encode(),
        "Content-Type: application/json\r\n",
    )[0]
    print(f"  10 wrong passwords split over A and B, then the right one on A: HTTP {locked}")
    if locked != 429:
        failures.append(f"login counts not shared: right password after lockout gave {locked}")

    lead_token = lead_token_for()
    status, job = api(
        a, "POST", f"/api/projects/{pid}/exports/", lead_token, {"formats": ["jsonl"]}
    )
    job_url = job["url"] if job else ""
    for _ in range(100):
        _, job = api(b, "GET", job_url, lead_token)
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    auth = f"Authorization: Token {lead_token}\r\n"
    download = http_call(b, "GET", job.get("download") or "/", headers=auth)
    print(
        f"  export started on A ({status}), {job['status']}, downloaded on B: "
        f"HTTP {download[0]}, {len(download[1])} bytes"
    )
    if job["status"] != "done" or download[0] != 200 or not download[1].startswith(b"PK"):
        failures.append(f"export not shared: {job['status']}, download {download[0]}")
    return failures


def lead_token_for() -> str:
    from django.contrib.auth import get_user_model

    from annotate.tokens import do_create_api_token

    return do_create_api_token(get_user_model().objects.get(username="bench-lead"))[1]


def read_through(port: int, url: str, token: str, reads: int, results: list) -> None:
    headers = f"Authorization: Token {token}\r\n"
    for _ in range(reads):
        try:
            status, _ = http_call(port, "GET", url, headers=headers, timeout=10)
        except OSError:
            status = 0
        results.append(status)


def failover(lb: int, token: str, asid: int, kill_b, reads: int) -> tuple[int, int, float]:
    """Reads through the balancer from 4 threads while server B is killed a third of the way
    in: (reads, failed reads, seconds)."""
    results: list[int] = []
    url = f"/api/assignments/{asid}/annotation/"
    threads = [
        threading.Thread(target=read_through, args=(lb, url, token, reads // 4, results))
        for _ in range(4)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    while len(results) < reads // 3:
        time.sleep(0.005)
    kill_b()
    for thread in threads:
        thread.join()
    return (
        len(results),
        sum(1 for status in results if status != 200),
        time.perf_counter() - started,
    )


def kill_server(master: int) -> None:
    """SIGKILL a gunicorn master and its workers at once, as a machine that dies would."""
    workers = [
        int(entry) for entry in os.listdir("/proc") if entry.isdigit() and _parent(entry) == master
    ]
    for pid in [master, *workers]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _parent(pid: str) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return -1
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--saves", type=int, default=100, help="saves per client, per phase")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="wb-scale-"))
    with fresh_postgres("wb_bench_scale") as env:
        env = {**env, "CACHE_BACKEND": "database", "MEDIA_ROOT": str(folder / "media")}
        os.environ.update({k: env[k] for k in ("CACHE_BACKEND", "MEDIA_ROOT")})
        subprocess.run(
            [sys.executable, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True
        )
        clients_data, pid, _, _ = build(args.clients)
        from django.contrib.auth import get_user_model

        lead_password = "bench-lead-password-2026"
        lead = get_user_model().objects.get(username="bench-lead")
        lead.set_password(lead_password)
        lead.save()
        from annotate.models import Assignment

        text_by_asid = dict(
            Assignment.objects.filter(pk__in=[a for _, a in clients_data]).values_list(
                "pk", "article__text"
            )
        )
        database = env["DATABASE_URL"].rsplit("/", 1)[1]
        load_before = machine_load()
        failures: list[str] = []
        with (
            gunicorn(env, workers=args.workers) as a,
            gunicorn(env, workers=args.workers) as b,
            haproxy(a, b, folder) as lb,
        ):
            print(f"two servers (A :{a}, B :{b}, {args.workers} workers each) behind HAProxy :{lb}")
            print("1. shared state")
            token, asid = clients_data[0]
            failures += check_shared_state(
                a, b, token, asid, text_by_asid[asid], pid, lead_password
            )

            print("2. saves")
            meters = Meters([SERVERS[a], SERVERS[b]], database)
            both = run_saves(lb, clients_data, text_by_asid, args.saves, "span", meters)
            report_saves(f"  through HAProxy to A and B ({args.clients} clients):", both)

            print("3. failover")
            reads, failed, seconds = failover(
                lb, token, asid, lambda: kill_server(SERVERS[b]), args.saves * 4
            )
            print(
                f"  server B killed a third of the way into {reads} reads through HAProxy "
                f"({seconds:.1f} s): {failed} failed"
            )
            if failed > reads // 10:
                failures.append(f"failover: {failed} of {reads} reads failed")
        with gunicorn(env, workers=args.workers * 2) as single:
            meter = Meters([SERVERS[single]], database)
            one = run_saves(single, clients_data, text_by_asid, args.saves, "span", meter)
            report_saves(f"  for comparison, one server with {args.workers * 2} workers:", one)
        load_after = machine_load()

        from django.db import connections

        connections.close_all()
        # Each draft holds what its client was told was saved, at the version it was told
        # (the first draft also holds the shared-state check's span, saved before phase 2).
        expected = {}
        for asid, client in both["clients"].items():
            after = one["clients"][asid]
            spans = client["acknowledged"] + after["acknowledged"]
            spans += 1 if asid == clients_data[0][1] else 0
            version = client["base_version"] + client["acknowledged"] + after["acknowledged"]
            expected[asid] = (spans, version)
        problems = verify(expected, text_by_asid)
        print(
            "integrity: "
            + ("OK, every acknowledged save is stored" if not problems else "; ".join(problems[:5]))
        )
        rate = len(both["timings"]) / both["wall"]
        print(
            f"throughput: {rate:.0f} saves/s through the pair on this machine "
            f"(= {rate * SECONDS_PER_SAVE:.0f} annotators saving every {SECONDS_PER_SAVE:.0f} s)"
        )
        # Sizing from CPU time per save, which other load on the machine barely changes.
        saves = max(1, len(both["timings"]))
        app_ms = both["cpu"]["app"] * 1000 / saves
        db_ms = both["cpu"]["database"] * 1000 / saves
        print(f"capacity: CPU per save: app {app_ms:.2f} ms, PostgreSQL {db_ms:.2f} ms")
        for annotators in (10, 100, 1000):
            per_second = annotators / SECONDS_PER_SAVE
            app_cores, db_cores = per_second * app_ms / 1000, per_second * db_ms / 1000
            print(
                f"  {annotators} annotators ({per_second:.0f} saves/s): app {app_cores:.2f} "
                f"cores, PostgreSQL {db_cores:.2f} cores"
            )
        print(f"machine: before {load_before}; after {load_after}")
        if failures or problems or both["errors"] or one["errors"]:
            for failure in failures:
                print(f"FAILED: {failure}")
            raise SystemExit(1)
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
