"""Span saves and reads under concurrent load: gunicorn (4 workers) on PostgreSQL.

Each of C clients (default 8) is an annotator with a draft of its own. A client saves its draft
S times (default 100), each time with one more span (autosave after marking a word), sending
the version it was last given. Afterwards every draft is read back from the database and
checked: the number of spans equals the number of saves its client was told succeeded, and
every span slices the article text. Then R reads (default 400) of an annotation and of an
article are timed from C clients.

    .venv/bin/python bench/server_load.py [--clients 8] [--saves 100] [--reads 400]

Bounded: a fixed number of requests, and every request has a 30 s timeout.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import secrets
import statistics
import threading
import time

from harness import arabic_text, fresh_postgres, gunicorn, machine_load, percentile, setup_django

LABELS = ["PER", "ORG", "LOC", "GPE", "MILITARY_GROUP", "EVENT", "DATE"]


def build(clients: int) -> tuple[list[tuple[str, int]], int, int, str]:
    """A project with one article per client; returns [(token, asid)], pid, aid, text."""
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connections
    from rest_framework.authtoken.models import Token

    from annotate.models import Membership, Role
    from annotate.projects import do_add_articles, do_create_project
    from annotate.queue import do_generate_assignments, do_next
    from corpus.importing import do_import_articles
    from corpus.models import Corpus
    from corpus.parsers import Origin, ParsedArticle

    users = get_user_model().objects
    lead = users.create_user("bench-lead", password=secrets.token_hex(8), is_staff=True)
    corpus = Corpus.objects.create(name="bench")
    rng = random.Random(7)
    texts = [arabic_text(rng, 800) for _ in range(clients)]
    do_import_articles(
        corpus,
        [
            ParsedArticle(text=t, title=f"bench {i}", origin=Origin(f"bench-{i}"))
            for i, t in enumerate(texts)
        ],
    )
    project = do_create_project(user=lead, name="bench")
    do_add_articles(project, article_ids=list(corpus.articles.values_list("pk", flat=True)))
    annotators = []
    for i in range(clients):
        user = users.create_user(f"bench-annotator-{i}", password=secrets.token_hex(8))
        Membership.objects.create(project=project, user=user, role=Role.ANNOTATOR)
        annotators.append(user)
    do_generate_assignments(project, k=1, seed=0)
    out = []
    for user in annotators:
        assignment, _ = do_next(project, user)
        out.append((Token.objects.create(user=user).key, assignment.pk))
    article = corpus.articles.first()
    connections.close_all()
    return out, project.pk, article.pk, article.text


def word_spans(text: str) -> list[tuple[int, int]]:
    from corpus.text import tokenize

    return [(t.start, t.end) for t in tokenize(text) if t.kind == "word"]


class Client(threading.Thread):
    def __init__(self, port: int, token: str, asid: int, saves: int, text: str) -> None:
        super().__init__(daemon=True)
        self.port, self.token, self.asid, self.saves, self.text = port, token, asid, saves, text
        self.timings: list[float] = []
        self.errors: list[str] = []
        self.acknowledged = 0

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Authorization": f"Token {self.token}", "Content-Type": "application/json"}
        url = f"/api/assignments/{self.asid}/annotation/"
        conn.request("GET", url, headers=headers)
        version = json.loads(conn.getresponse().read())["version"]
        words = word_spans(self.text)
        spans = []
        for i in range(self.saves):
            start, end = words[i * 3 % len(words)]
            spans.append(
                {
                    "id": f"s{i}",
                    "start": start,
                    "end": end,
                    "label": LABELS[i % len(LABELS)],
                    "text": self.text[start:end],
                    "attributes": {},
                }
            )
            body = json.dumps(
                {
                    "version": version,
                    "content": {"spans": spans, "relations": [], "document_labels": {"stance": {}}},
                }
            )
            started = time.perf_counter()
            try:
                conn.request("PUT", url, body.encode(), headers)
                response = conn.getresponse()
                payload = response.read()
            except OSError as exc:
                self.errors.append(f"network: {exc}")
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                spans.pop()
                continue
            self.timings.append((time.perf_counter() - started) * 1000)
            if response.status == 200:
                version = json.loads(payload)["version"]
                self.acknowledged += 1
            else:
                self.errors.append(f"{response.status}: {payload[:200]!r}")
                spans.pop()
        conn.close()


def timed_reads(port: int, token: str, urls: list[str], count: int, clients: int) -> list[float]:
    timings: list[float] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": f"Token {token}"}
        mine = []
        for i in range(n):
            started = time.perf_counter()
            conn.request("GET", urls[i % len(urls)], headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"read failed: {response.status}")
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            timings.extend(mine)

    threads = [threading.Thread(target=worker, args=(count // clients,)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings


def verify(acknowledged: dict[int, int], text_by_asid: dict[int, str]) -> list[str]:
    """Every acknowledged save is in the database; no draft is corrupted."""
    from annotate.models import Annotation

    problems = []
    for annotation in Annotation.objects.filter(assignment_id__in=acknowledged):
        spans = annotation.content["spans"]
        expected = acknowledged[annotation.assignment_id]
        if len(spans) != expected:
            problems.append(
                f"assignment {annotation.assignment_id}: {len(spans)} spans stored, "
                f"{expected} acknowledged"
            )
        if annotation.version != expected + 1:
            problems.append(
                f"assignment {annotation.assignment_id}: version {annotation.version}"
                f", expected {expected + 1}"
            )
        text = text_by_asid[annotation.assignment_id]
        for span in spans:
            if text[span["start"] : span["end"]] != span["text"]:
                problems.append(
                    f"assignment {annotation.assignment_id}: span {span['id']} "
                    "does not slice the text"
                )
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--saves", type=int, default=100, help="saves per client")
    parser.add_argument("--reads", type=int, default=400)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    with fresh_postgres("wb_bench_load") as env:
        clients_data, pid, aid, _ = build(args.clients)
        from annotate.models import Assignment

        text_by_asid = dict(
            Assignment.objects.filter(pk__in=[a for _, a in clients_data]).values_list(
                "pk", "article__text"
            )
        )
        with gunicorn(env, workers=args.workers) as port:
            clients = [
                Client(port, token, asid, args.saves, text_by_asid[asid])
                for token, asid in clients_data
            ]
            started = time.perf_counter()
            for client in clients:
                client.start()
            for client in clients:
                client.join()
            wall = time.perf_counter() - started
            timings = [t for c in clients for t in c.timings]
            errors = [e for c in clients for e in c.errors]
            token, asid = clients_data[0]
            annotation_reads = timed_reads(
                port, token, [f"/api/assignments/{asid}/annotation/"], args.reads, args.clients
            )
            article_of_first = Assignment.objects.get(pk=asid).article_id
            article_reads = timed_reads(
                port,
                token,
                [f"/api/projects/{pid}/articles/{article_of_first}/"],
                args.reads,
                args.clients,
            )
        from django.db import connections

        connections.close_all()
        problems = verify({c.asid: c.acknowledged for c in clients}, text_by_asid)
        print(
            f"span save: {args.clients} clients x {args.saves} saves, gunicorn "
            f"{args.workers} workers, PostgreSQL; {machine_load()}"
        )
        print(
            f"  {len(timings) / wall:.0f} req/s  p50={statistics.median(timings):.1f} ms  "
            f"p95={percentile(timings, 0.95):.1f} ms  errors={len(errors)}"
        )
        for error in errors[:5]:
            print(f"  error: {error}")
        print(
            f"  integrity: {'OK, every acknowledged save is stored' if not problems else ''}"
            f"{'; '.join(problems[:5])}"
        )
        print(
            f"read annotation: p50={statistics.median(annotation_reads):.2f} ms  "
            f"p95={percentile(annotation_reads, 0.95):.2f} ms  ({len(annotation_reads)} reads)"
        )
        print(
            f"read article: p50={statistics.median(article_reads):.2f} ms  "
            f"p95={percentile(article_reads, 0.95):.2f} ms  ({len(article_reads)} reads)"
        )


if __name__ == "__main__":
    main()
