"""The lead's People page for 10,000 articles x 3 annotators on PostgreSQL: queries and p50.

Creates a fresh database of its own (bench/harness.py), writes the project of
bench/agreement.py (every article submitted by every annotator, 30 spans each), gives every
assignment a measured active time and a tenth of the articles gold, then requests the page
through Django's test client in this process (no network, so the figure is the server's
work): once cold (quality against gold computed and cached), then --requests times warm.
Also times the assignments table API and the per-annotator summary API. Prints query counts,
p50 and p95.

    .venv/bin/python bench/people_page.py [--articles 10000] [--gold-share 0.1] [--requests 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import fresh_postgres, setup_django  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--annotators", type=int, default=3)
    parser.add_argument("--spans", type=int, default=30)
    parser.add_argument("--words", type=int, default=250, help="words per article")
    parser.add_argument("--gold-share", type=float, default=0.1, help="articles with gold")
    parser.add_argument("--requests", type=int, default=20, help="warm requests per figure")
    return parser.parse_args()


def add_time_and_gold(project, share: float) -> int:
    """Active time on every assignment (1 to 16 minutes) and gold on `share` of the articles
    (the first annotator's annotation as adjudicated gold). Returns the gold count."""
    from django.db import connection

    from annotate.models import Annotation, Assignment, Gold, GoldSource

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Assignment._meta.db_table} "  # noqa: S608 - a table name
            "SET active_ms = 60000 + (id * 7919) %% 900000 WHERE project_id = %s",
            [project.pk],
        )
    first = Annotation.objects.filter(project=project).order_by("annotator_id")[:1]
    annotator = first.values_list("annotator_id", flat=True).get()
    rows = Annotation.objects.filter(project=project, annotator_id=annotator).order_by("article_id")
    every = max(1, round(1 / share)) if share > 0 else 0
    golds = [
        Gold(project=project, article_id=article, content=content, source=GoldSource.ADJUDICATED)
        for k, (article, content) in enumerate(rows.values_list("article_id", "content"))
        if every and k % every == 0
    ]
    Gold.objects.bulk_create(golds, batch_size=500)
    return len(golds)


def timed(client, url: str, runs: int) -> tuple[list[float], int, int]:
    """Seconds of each request and the query count of the last; asserts 200."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seconds = []
    queries = 0
    size = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            t = time.perf_counter()
            response = client.get(url, HTTP_HOST="127.0.0.1")
            seconds.append(time.perf_counter() - t)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
        size = len(response.content)
    return seconds, queries, size


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    args = parse_args()
    with fresh_postgres("wb_bench_people"):
        setup_django()
        from agreement import build_project
        from django.core.cache import cache
        from django.test import Client

        t0 = time.perf_counter()
        project = build_project(args)
        gold = add_time_and_gold(project, args.gold_share)
        print(
            f"setup: {args.articles} articles x {args.annotators} annotators x {args.spans} "
            f"spans, {gold} with gold, written in {time.perf_counter() - t0:.1f} s"
        )
        from django.contrib.auth import get_user_model

        lead = get_user_model().objects.get(username="bench_lead")
        annotator = get_user_model().objects.get(username="bench0").pk
        client = Client()
        client.force_login(lead)
        page = f"/projects/{project.pk}/people/"
        cache.clear()
        cold, cold_queries, size = timed(client, page, 1)
        print(
            f"people page cold (quality against gold computed): {cold[0]:.2f} s, "
            f"{cold_queries} queries, {size // 1024} KiB"
        )
        warm, warm_queries, _ = timed(client, page, args.requests)
        print(
            f"people page warm: p50={statistics.median(warm) * 1000:.0f} ms "
            f"p95={p(warm, 0.95) * 1000:.0f} ms, {warm_queries} queries "
            f"({args.requests} requests)"
        )
        for name, url in (
            ("people API", f"/api/projects/{project.pk}/people/"),
            ("assignments table, first page", f"/api/projects/{project.pk}/people/assignments/"),
            (
                "assignments table, one annotator's submitted work by active time",
                f"/api/projects/{project.pk}/people/assignments/?status=submitted&annotator="
                f"{annotator}&sort=-active",
            ),
        ):
            seconds, queries, _ = timed(client, url, args.requests)
            print(
                f"{name}: p50={statistics.median(seconds) * 1000:.0f} ms "
                f"p95={p(seconds, 0.95) * 1000:.0f} ms, {queries} queries"
            )
        # The last page, by cursor: keyset pages cost the same wherever they are.
        url = f"/api/projects/{project.pk}/people/assignments/?sort=-position&limit=50"
        last = client.get(url, HTTP_HOST="127.0.0.1").json()
        deep = f"/api/projects/{project.pk}/people/assignments/?limit=50&after={last['next']}"
        seconds, queries, _ = timed(client, deep, args.requests)
        print(
            f"assignments table, the last page by cursor: "
            f"p50={statistics.median(seconds) * 1000:.0f} ms, {queries} queries"
        )
        from django.db import connections

        connections.close_all()


if __name__ == "__main__":
    main()
