"""Span saves and reads under concurrent load: gunicorn (4 workers) on PostgreSQL.

Each of C clients (default 8) is an annotator with a draft of its own, on an article of
about 3,100 characters (--words 520, the size of the issue's side-by-side figures). A client
saves S times
(default 100), each save one more span, sending the version it was last given: first one span
per request (POST .../annotation/spans/), then the whole draft per request (PUT, as the
annotation page's autosave does). Afterwards every draft is read back from the database and
checked: the number of spans and the version equal what its client was told was saved, span
ids are unique and every span slices the article text. Then R reads (default 400) of a draft
(2 x S spans: 200 by default), of an article, and of both one after the other (what the
annotation page asks for) are timed, from one client and from C clients.

Printed: requests/s, p50 and p95; the server's CPU per request split into the app (the
gunicorn workers' CPU time) and PostgreSQL (the backends' CPU time), both read from /proc;
and doccano 1.8's figures, measured side by side in issue 19 with the same article size and
the same 8-client load, beside ours with the ratio.

    .venv/bin/python bench/server_load.py [--clients 8] [--saves 100] [--reads 400] [--words 520]

Bounded: a fixed number of requests, and every request has a 30 s timeout.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import secrets
import statistics
import time

from harness import (
    SERVERS,
    CpuMeter,
    arabic_text,
    fresh_postgres,
    gunicorn,
    http_call,
    machine_load,
    percentile,
    setup_django,
)

LABELS = ["PER", "ORG", "LOC", "GPE", "MILITARY_GROUP", "EVENT", "DATE"]
# doccano 1.8, measured side by side with us in issue 19 (3 rounds interleaved, the same
# generated ~3,100-character articles and the same 8-client load, 2 cores).
DOCCANO = {
    "save req/s": 196.0,
    "save p50": 35.0,
    "save p95": 80.0,
    "read article + annotation p50": 7.9,
}
# Issue 19's targets.
TARGET_SAVE_RATIO = 3.0
TARGET_SAVE_P95 = 25.0
TARGET_READ_P50 = 3.0


def build(clients: int, words: int = 520) -> tuple[list[tuple[str, int]], int, int, str]:
    """A project with one article of about `words` words per client; returns
    [(token, asid)], pid, aid, text."""
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connections

    from annotate.models import Membership, Role
    from annotate.projects import do_add_articles, do_create_project
    from annotate.queue import do_generate_assignments, do_next
    from annotate.tokens import do_create_api_token
    from corpus.importing import do_import_articles
    from corpus.lib.parsers import Origin, ParsedArticle
    from corpus.models import Corpus

    users = get_user_model().objects
    lead = users.create_user("bench-lead", password=secrets.token_hex(8), is_staff=True)
    corpus = Corpus.objects.create(name="bench")
    rng = random.Random(7)
    texts = [arabic_text(rng, words) for _ in range(clients)]
    do_import_articles(
        corpus,
        [
            ParsedArticle(text=t, title=f"bench {i}", origin=Origin(f"bench-{i}"))
            for i, t in enumerate(texts)
        ],
    )
    project = do_create_project(user=lead, name="bench")
    do_add_articles(
        project, article_ids=list(corpus.articles.values_list("pk", flat=True)), by=lead
    )
    annotators = []
    for i in range(clients):
        user = users.create_user(f"bench-annotator-{i}", password=secrets.token_hex(8))
        Membership.objects.create(project=project, user=user, role=Role.ANNOTATOR)
        annotators.append(user)
    do_generate_assignments(project, k=1, seed=0)
    out = []
    for user in annotators:
        assignment, _ = do_next(project, user)
        out.append((do_create_api_token(user)[1], assignment.pk))
    article = corpus.articles.first()
    connections.close_all()
    return out, project.pk, article.pk, article.text


def word_spans(text: str) -> list[tuple[int, int]]:
    from corpus.lib.text import tokenize

    return [(t.start, t.end) for t in tokenize(text) if t.kind == "word"]


def save_spans(port: int, token: str, asid: int, saves: int, text: str, mode: str, gate) -> dict:
    """One annotator marking words: each request saves one more span into its draft.

    mode "span" POSTs the new span alone (.../annotation/spans/); mode "document" PUTs the
    whole draft with the new span, as the annotation page's autosave does. Runs in a process
    of its own (see in_processes); waits at `gate` so that all clients start together.
    """
    headers = f"Authorization: Token {token}\r\nContent-Type: application/json\r\n"
    url = f"/api/assignments/{asid}/annotation/"
    draft = json.loads(http_call(port, "GET", url, headers=headers)[1])
    version = base_version = draft["version"]
    spans = draft["content"]["spans"]
    words = word_spans(text)
    first = len(spans)
    timings: list[float] = []
    errors: list[str] = []
    acknowledged = 0
    gate.wait()
    cpu_started = time.process_time()
    for i in range(first, first + saves):
        # Every word in turn, with another label each time round: no span repeats.
        start, end = words[i % len(words)]
        span = {
            "id": f"s{i}",
            "start": start,
            "end": end,
            "label": LABELS[(i + i // len(words)) % len(LABELS)],
            "text": text[start:end],
            "attributes": {},
        }
        if mode == "span":
            method, path = "POST", f"{url}spans/"
            body = json.dumps({"version": version, "span": span})
        else:
            spans.append(span)
            method, path = "PUT", url
            content = {"spans": spans, "relations": [], "document_labels": {"stance": {}}}
            body = json.dumps({"version": version, "content": content})
        started = time.perf_counter()
        try:
            status, payload = http_call(port, method, path, body.encode(), headers)
        except OSError as exc:
            errors.append(f"network: {exc}")
            if mode == "document":
                spans.pop()
            continue
        timings.append((time.perf_counter() - started) * 1000)
        if status in (200, 201):
            version = json.loads(payload)["version"]
            acknowledged += 1
        else:
            errors.append(f"{status}: {payload[:200]!r}")
            if mode == "document":
                spans.pop()
    return {
        "asid": asid,
        "timings": timings,
        "errors": errors,
        "acknowledged": acknowledged,
        "base_version": base_version,
        "cpu": time.process_time() - cpu_started,
    }


def in_processes(calls: list[tuple]) -> tuple[list[dict], float]:
    """Run each (function, *args) in a forked process of its own, all released together
    through a barrier (passed as the last argument); returns their results and the wall time
    from release to the last result. Processes, not threads: clients do not queue for one
    interpreter lock, as browsers would not."""
    from django.db import connections

    connections.close_all()  # no database connection is shared with the children
    context = multiprocessing.get_context("fork")
    gate = context.Barrier(len(calls) + 1)
    results = context.Queue()

    def child(function, args) -> None:
        results.put(function(*args, gate))

    processes = [context.Process(target=child, args=(c[0], c[1:])) for c in calls]
    for process in processes:
        process.start()
    gate.wait(timeout=60)
    started = time.perf_counter()
    out = [results.get(timeout=600) for _ in processes]
    wall = time.perf_counter() - started
    for process in processes:
        process.join()
    return out, wall


def run_saves(port: int, clients_data, text_by_asid, saves: int, mode: str, meter) -> dict:
    """All clients save concurrently; returns timings, errors, wall and CPU time, clients."""
    cpu_before = meter.read()
    calls = [
        (save_spans, port, token, asid, saves, text_by_asid[asid], mode)
        for token, asid in clients_data
    ]
    clients, wall = in_processes(calls)
    cpu = {k: v - cpu_before[k] for k, v in meter.read().items()}
    cpu["clients"] = sum(c["cpu"] for c in clients)
    return {
        "cpu": cpu,
        "timings": [t for c in clients for t in c["timings"]],
        "errors": [e for c in clients for e in c["errors"]],
        "wall": wall,
        "clients": {c["asid"]: c for c in clients},
    }


def read_many(port: int, token: str, urls: tuple[str, ...], count: int, gate) -> list[float]:
    """`count` times: GET each of `urls` in turn; the time of each turn."""
    headers = f"Authorization: Token {token}\r\n"
    timings = []
    gate.wait()
    for _ in range(count):
        started = time.perf_counter()
        for url in urls:
            status, _ = http_call(port, "GET", url, headers=headers)
            if status != 200:
                raise SystemExit(f"read failed: {status}")
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def timed_reads(
    port: int, token: str, urls: tuple[str, ...], count: int, clients: int, meter
) -> tuple[list[float], dict[str, float]]:
    """`count` turns of reads of `urls`, shared among `clients` concurrent clients; their
    timings and the server's CPU per request."""
    cpu_before = meter.read()
    results, _ = in_processes([(read_many, port, token, urls, count // clients)] * clients)
    timings = [t for turns in results for t in turns]
    requests = max(1, len(timings) * len(urls))
    cpu = {k: (v - cpu_before[k]) * 1000 / requests for k, v in meter.read().items()}
    return timings, cpu


def verify(expected: dict[int, tuple[int, int]], text_by_asid: dict[int, str]) -> list[str]:
    """Every acknowledged save is in the database; no draft is corrupted.

    `expected` maps assignment -> (spans the client was told are saved, version it was told).
    """
    from annotate.models import Annotation

    problems = []
    for annotation in Annotation.objects.filter(assignment_id__in=expected):
        spans = annotation.content["spans"]
        spans_expected, version_expected = expected[annotation.assignment_id]
        if len(spans) != spans_expected:
            problems.append(
                f"assignment {annotation.assignment_id}: {len(spans)} spans stored, "
                f"{spans_expected} acknowledged"
            )
        if annotation.version != version_expected:
            problems.append(
                f"assignment {annotation.assignment_id}: version {annotation.version}"
                f", expected {version_expected}"
            )
        if len({span["id"] for span in spans}) != len(spans):
            problems.append(f"assignment {annotation.assignment_id}: a span id repeats")
        text = text_by_asid[annotation.assignment_id]
        for span in spans:
            if text[span["start"] : span["end"]] != span["text"]:
                problems.append(
                    f"assignment {annotation.assignment_id}: span {span['id']} "
                    "does not slice the text"
                )
    return problems


def report_saves(title: str, result: dict) -> None:
    timings, errors = result["timings"], result["errors"]
    print(title)
    print(
        f"  {len(timings) / result['wall']:.0f} req/s  p50={statistics.median(timings):.1f} ms  "
        f"p95={percentile(timings, 0.95):.1f} ms  errors={len(errors)}"
    )
    per_request = {k: v * 1000 / max(1, len(timings)) for k, v in result["cpu"].items()}
    print(
        f"  CPU per request: app {per_request['app']:.2f} ms + PostgreSQL "
        f"{per_request['database']:.2f} ms + clients {per_request['clients']:.2f} ms"
    )
    cores = os.cpu_count() or 1
    print(
        f"  CPU-bound ceiling on {cores} cores: {cores * 1000 / sum(per_request.values()):.0f} "
        "req/s (the cores divided by the CPU per request: what this machine would serve if it "
        "ran nothing else)"
    )
    for error in errors[:5]:
        print(f"  error: {error}")


def report_reads(title: str, timings: list[float], cpu: dict[str, float]) -> None:
    print(
        f"{title}: p50={statistics.median(timings):.2f} ms  "
        f"p95={percentile(timings, 0.95):.2f} ms  ({len(timings)} reads; CPU per request: "
        f"app {cpu['app']:.2f} ms + PostgreSQL {cpu['database']:.2f} ms)"
    )


def report_against_doccano(spans: dict, reads: dict[str, list[float]], clients: int) -> None:
    """Our figures beside doccano's (issue 19's table) and the issue's targets."""
    timings = spans["timings"]
    rate = len(timings) / spans["wall"]
    p50, p95 = statistics.median(timings), percentile(timings, 0.95)
    ratio = rate / DOCCANO["save req/s"]
    print(f"beside doccano 1.8 (issue 19's side-by-side figures, {clients} clients):")
    print(
        f"  span save: ours {rate:.0f} req/s, p50 {p50:.1f} ms, p95 {p95:.1f} ms; doccano "
        f"{DOCCANO['save req/s']:.0f} req/s, p50 {DOCCANO['save p50']:.0f} ms, p95 "
        f"{DOCCANO['save p95']:.0f} ms; ours/doccano {ratio:.2f}x (target >= "
        f"{TARGET_SAVE_RATIO:.0f}x = {TARGET_SAVE_RATIO * DOCCANO['save req/s']:.0f} req/s: "
        f"{'met' if ratio >= TARGET_SAVE_RATIO else 'NOT met'}; p95 < {TARGET_SAVE_P95:.0f} ms: "
        f"{'met' if p95 < TARGET_SAVE_P95 else 'NOT met'})"
    )
    pair = statistics.median(reads["read article + annotation, one client"])
    draft = statistics.median(reads["read annotation, one client"])
    print(
        f"  read one article + annotation p50: ours {pair:.2f} ms; doccano "
        f"{DOCCANO['read article + annotation p50']:.1f} ms; ours/doccano "
        f"{pair / DOCCANO['read article + annotation p50']:.2f}"
    )
    print(
        f"  read the draft p50: {draft:.2f} ms (target < {TARGET_READ_P50:.0f} ms: "
        f"{'met' if draft < TARGET_READ_P50 else 'NOT met'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--saves", type=int, default=100, help="saves per client")
    parser.add_argument("--reads", type=int, default=400)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--words", type=int, default=520, help="words per article")
    args = parser.parse_args()

    with fresh_postgres("wb_bench_load") as env:
        clients_data, pid, aid, _ = build(args.clients, args.words)
        from annotate.models import Assignment

        text_by_asid = dict(
            Assignment.objects.filter(pk__in=[a for _, a in clients_data]).values_list(
                "pk", "article__text"
            )
        )
        with gunicorn(env, workers=args.workers) as port:
            load_before = machine_load()
            meter = CpuMeter(SERVERS[port], env["DATABASE_URL"].rsplit("/", 1)[1])
            spans = run_saves(port, clients_data, text_by_asid, args.saves, "span", meter)
            document = run_saves(port, clients_data, text_by_asid, args.saves, "document", meter)
            token, asid = clients_data[0]
            article_of_first = Assignment.objects.get(pk=asid).article_id
            annotation_url = f"/api/assignments/{asid}/annotation/"
            article_url = f"/api/projects/{pid}/articles/{article_of_first}/"
            reads, read_cpu = {}, {}
            for clients in (1, args.clients):
                who = "one client" if clients == 1 else f"{clients} clients"
                for name, urls in (
                    ("annotation", (annotation_url,)),
                    ("article", (article_url,)),
                    ("article + annotation", (article_url, annotation_url)),
                ):
                    title = f"read {name}, {who}"
                    reads[title], read_cpu[title] = timed_reads(
                        port, token, urls, args.reads, clients, meter
                    )
            load_after = machine_load()
        from django.db import connections

        connections.close_all()
        expected = {
            asid: (
                spans["clients"][asid]["acknowledged"] + d["acknowledged"],
                d["base_version"] + d["acknowledged"],
            )
            for asid, d in document["clients"].items()
        }
        problems = verify(expected, text_by_asid)
        mean_length = statistics.mean(len(text) for text in text_by_asid.values())
        print(
            f"gunicorn {args.workers} workers, PostgreSQL, {args.clients} clients x "
            f"{args.saves} saves each, articles of {mean_length:,.0f} characters; "
            f"before: {load_before}; after: {load_after}"
        )
        report_saves("save one span (POST .../annotation/spans/):", spans)
        report_saves("save the whole draft with one more span (PUT .../annotation/):", document)
        print(
            f"integrity: {'OK, every acknowledged save is stored' if not problems else ''}"
            f"{'; '.join(problems[:5])}"
        )
        spans_read = 2 * args.saves
        print(f"reads (the draft has {spans_read} spans):")
        for title, timings in reads.items():
            report_reads(f"  {title}", timings, read_cpu[title])
        report_against_doccano(spans, reads, args.clients)
        if problems or spans["errors"] or document["errors"]:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
