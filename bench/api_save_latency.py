"""Latency of saving an annotation with 50 spans through the REST API, on PostgreSQL.

Creates a fresh PostgreSQL database, migrates it, builds a project with one long Arabic article
and an annotator, starts gunicorn on 127.0.0.1 (a free port), then PUTs the annotation N times
over one keep-alive connection with token auth, as the annotation page's autosave does: each
save is the full content document of 50 spans with the current version, one span changed since
the last save (with --rewrite, all of them). Prints p50 / p95 / mean in milliseconds. The server
and the database are removed afterwards.

    .venv/bin/python bench/api_save_latency.py [--saves 300] [--spans 50] [--workers 2]

PostgreSQL is reached through BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import secrets
import statistics
import time

from harness import arabic_text, fresh_postgres, gunicorn, machine_load, percentile, setup_django

LABELS = ["PER", "ORG", "LOC", "GPE", "MILITARY_GROUP", "EVENT", "DATE"]


def build_project() -> tuple[str, int, str]:
    """Users, article, project and one started assignment; returns (token, asid, text)."""
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connections

    from annotate.models import Membership, Role
    from annotate.projects import do_add_articles, do_create_project
    from annotate.queue import do_generate_assignments, do_next
    from annotate.tokens import do_create_api_token
    from corpus.lib.text import article_search_text, canonicalise, content_hash
    from corpus.models import Article, Corpus

    users = get_user_model().objects
    lead = users.create_user("bench-lead", password=secrets.token_hex(8), is_staff=True)
    annotator = users.create_user("bench-annotator", password=secrets.token_hex(8))
    corpus = Corpus.objects.create(name="bench")
    text = canonicalise(arabic_text(random.Random(1), 600))
    article = Article.objects.create(
        corpus=corpus,
        title="bench",
        text=text,
        content_hash=content_hash(text),
        search_text=article_search_text("", text),
    )
    project = do_create_project(user=lead, name="bench")
    do_add_articles(project, article_ids=[article.pk], by=lead)
    Membership.objects.create(project=project, user=annotator, role=Role.ANNOTATOR)
    do_generate_assignments(project, k=1, seed=0)
    assignment, _ = do_next(project, annotator)
    token = do_create_api_token(annotator)[1]
    connections.close_all()
    return token, assignment.pk, text


def document(text: str, n_spans: int, rng: random.Random) -> dict:
    """A content document of `n_spans` spans on token boundaries, with stance filled."""
    from corpus.lib.text import tokenize

    tokens = [t for t in tokenize(text) if t.kind == "word"]
    chosen = sorted(rng.sample(range(len(tokens) - 1), n_spans))
    spans = []
    for n, i in enumerate(chosen):
        end_token = tokens[i + 1] if n % 5 == 0 else tokens[i]
        start, end = tokens[i].start, end_token.end
        spans.append(
            {
                "id": f"s{n}",
                "start": start,
                "end": end,
                "label": LABELS[n % len(LABELS)],
                "text": text[start:end],
                "attributes": {},
            }
        )
    return {
        "spans": spans,
        "relations": [],
        "document_labels": {
            "stance": {"isis": "against", "syrian_army": "neutral", "us_coalition": "not_mentioned"}
        },
    }


def next_document(previous: dict, i: int, *, text: str, rewrite: bool) -> dict:
    """The document of save i: one span relabelled (autosave after an edit), or all new."""
    if rewrite:
        return document(text, len(previous["spans"]), random.Random(i))
    spans = [dict(span) for span in previous["spans"]]
    span = spans[i % len(spans)]
    span["label"] = LABELS[(LABELS.index(span["label"]) + 1) % len(LABELS)]
    return {**previous, "spans": spans}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--spans", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--rewrite",
        action="store_true",
        help="every save replaces all spans (worst case) instead of relabelling one",
    )
    args = parser.parse_args()

    with fresh_postgres("wb_bench_save") as env:
        token, asid, text = build_project()
        doc = document(text, args.spans, random.Random(2))
        with gunicorn(env, workers=args.workers) as port:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
            conn.request("GET", f"/api/assignments/{asid}/annotation/", headers=headers)
            version = json.loads(conn.getresponse().read())["version"]
            timings = []
            body_bytes = 0
            for i in range(args.warmup + args.saves):
                doc = next_document(doc, i, text=text, rewrite=args.rewrite)
                body = json.dumps({"version": version, "content": doc}).encode()
                body_bytes = len(body)
                started = time.perf_counter()
                conn.request("PUT", f"/api/assignments/{asid}/annotation/", body, headers)
                response = conn.getresponse()
                payload = response.read()
                elapsed = time.perf_counter() - started
                if response.status != 200:
                    raise SystemExit(f"save {i} failed: {response.status} {payload[:300]!r}")
                version = json.loads(payload)["version"]
                if i >= args.warmup:
                    timings.append(elapsed * 1000)
            conn.close()
    print(
        f"saves={len(timings)} spans={args.spans} body={body_bytes} bytes "
        f"article={len(text)} code points workers={args.workers} "
        f"edit={'all spans' if args.rewrite else 'one span'} (PostgreSQL, gunicorn)"
    )
    print(
        f"p50={statistics.median(timings):.1f} ms  p95={percentile(timings, 0.95):.1f} ms  "
        f"mean={statistics.fmean(timings):.1f} ms  max={max(timings):.1f} ms"
    )
    print(machine_load())


if __name__ == "__main__":
    main()
