"""Agreement speed: 10,000 articles x 3 annotators x 30 spans (and stance) on PostgreSQL.

Creates a fresh database of its own on the server of BENCH_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432; never the database DATABASE_URL names), migrates it,
writes the project with bulk inserts, then times the full computation (query + every measure)
cold, and again from the cache, and drops the database (--keep leaves it). Prints seconds.

Then incremental agreement: the per-article contributions and totals rebuilt from scratch once
(what the background job does), the cost of summing every article's row instead of keeping a
totals row, and --submissions times an annotator resubmitting one annotation (reopened first,
not timed) through do_submit, which updates its article's row and the totals in its
transaction, then the report assembled from the totals and the dashboard page rendered
(Django's test client, in process): milliseconds, p50 and p95; then the full recomputation
again for comparison, and whether the two agree.

    .venv/bin/python bench/agreement.py [--articles 10000] [--submissions 20] [--keep]
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SERVER_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")

# Invented news vocabulary (not taken from any real article), with clitics and punctuation.
WORDS = [
    "قال",
    "أعلن",
    "المتحدث",
    "باسم",
    "وزارة",
    "الدفاع",
    "إن",
    "القوات",
    "الحكومية",
    "سيطرت",
    "على",
    "مدينة",
    "الرقة",
    "بعد",
    "معارك",
    "عنيفة",
    "مع",
    "تنظيم",
    "داعش",
    "وأضاف",
    "أن",
    "التحالف",
    "الدولي",
    "نفذ",
    "غارات",
    "جوية",
    "قرب",
    "دير",
    "الزور",
    "والجيش",
    "السوري",
    "والفصائل",
    "المسلحة",
    "في",
    "ريف",
    "حلب",
    "الشمالي",
    "يوم",
    "الأحد",
    "الماضي",
    "وفق",
    "مصادر",
    "محلية",
    "وذكرت",
    "وكالة",
    "الأنباء",
    "أن",
    "المدنيين",
    "نزحوا",
    "من",
    "القرى",
    "المجاورة",
    "،",
    "«",
    "بيان",
    "»",
    "2019",
    ".",
]
ENTITY_LABELS = ["PER", "ORG", "LOC", "GPE", "MILITARY_GROUP", "EVENT", "DATE"]
TARGETS = ["isis", "syrian_army", "us_coalition"]
STANCES = ["favor", "against", "neutral", "not_mentioned"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--annotators", type=int, default=3)
    parser.add_argument("--spans", type=int, default=30)
    parser.add_argument("--words", type=int, default=250, help="words per article")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument(
        "--no-phases",
        dest="phases",
        action="store_false",
        help="skip the timed phases of one more full computation (large projects)",
    )
    parser.add_argument(
        "--submissions", type=int, default=20, help="resubmissions timed (0: no incremental)"
    )
    return parser.parse_args()


def admin_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    return urlunsplit(parts._replace(path="/postgres")), name


def recreate_database(url: str) -> None:
    import psycopg

    admin, name = admin_url(url)
    with psycopg.connect(admin.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    admin, name = admin_url(url)
    with psycopg.connect(admin.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_article_text(rng: random.Random, n_words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n_words))


def word_starts(text: str) -> list[tuple[int, int]]:
    spans, start = [], None
    for i, ch in enumerate(text + " "):
        if ch != " " and start is None:
            start = i
        elif ch == " " and start is not None:
            spans.append((start, i))
            start = None
    return spans


def make_content(
    rng: random.Random, text: str, words: list[tuple[int, int]], base: list, stance: dict[str, str]
) -> dict:
    """One annotator's version of the shared base spans: some dropped, moved or relabelled."""
    spans, seen = [], set()
    for k, (w0, w1, label) in enumerate(base):
        roll = rng.random()
        if roll < 0.08:
            continue
        start, end = words[w0][0], words[w1][1]
        if roll < 0.2:  # boundary disagreement: one word more or less, or the clitic
            if w1 + 1 < len(words) and rng.random() < 0.5:
                end = words[w1 + 1][1]
            elif text[start] in "وبل" and end - start > 2:
                start += 1
        if rng.random() < 0.06:
            label = rng.choice(ENTITY_LABELS)
        if (start, end, label) in seen:
            continue
        seen.add((start, end, label))
        spans.append(
            {
                "id": f"s{k}",
                "start": start,
                "end": end,
                "label": label,
                "text": text[start:end],
                "attributes": {},
            }
        )
    c0 = words[2][0]
    c1 = words[min(len(words) - 1, 14)][1]
    spans.append(
        {
            "id": "c1",
            "start": c0,
            "end": c1,
            "label": "CLAIM",
            "text": text[c0:c1],
            "attributes": {
                "checkworthy": rng.random() < 0.5,
                "claimant": None,
                "stance": rng.choice(["supports", "refutes", "reports"]),
            },
        }
    )
    relations = (
        [{"type": "claimant", "from": "c1", "to": spans[0]["id"]}]
        if spans[0]["label"] != "CLAIM"
        else []
    )
    labels = {t: (v if rng.random() < 0.85 else rng.choice(STANCES)) for t, v in stance.items()}
    return {"spans": spans, "relations": relations, "document_labels": {"stance": labels}}


def build_project(args: argparse.Namespace):
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from annotate.lib.schema import default_schema
    from annotate.models import (
        Annotation,
        AnnotationStatus,
        Assignment,
        AssignmentStatus,
        Membership,
        Project,
        ProjectArticle,
        Role,
    )
    from corpus.lib.text import content_hash
    from corpus.models import Article, Corpus

    rng = random.Random(20260105)
    user_model = get_user_model()
    with transaction.atomic():
        users = [user_model.objects.create_user(f"bench{i}") for i in range(args.annotators)]
        lead = user_model.objects.create_user("bench_lead")
        corpus = Corpus.objects.create(name="bench")
        project = Project.objects.create(
            name="bench agreement", schema=default_schema(), overlap_k=args.annotators
        )
        Membership.objects.bulk_create(
            [Membership(project=project, user=u, role=Role.ANNOTATOR) for u in users]
            + [Membership(project=project, user=lead, role=Role.MANAGER)]
        )
        texts = [make_article_text(rng, args.words) + f" {i}" for i in range(args.articles)]
        articles = Article.objects.bulk_create(
            [
                Article(
                    corpus=corpus,
                    text=t,
                    title=f"bench {i}",
                    content_hash=content_hash(t),
                    search_text=t,
                )
                for i, t in enumerate(texts)
            ],
            batch_size=2000,
        )
        ProjectArticle.objects.bulk_create(
            [
                ProjectArticle(project=project, article=a, position=i)
                for i, a in enumerate(articles)
            ],
            batch_size=5000,
        )
        assignments = Assignment.objects.bulk_create(
            [
                Assignment(
                    project=project,
                    article=a,
                    annotator=u,
                    slot=s,
                    position=i,
                    status=AssignmentStatus.SUBMITTED,
                )
                for i, a in enumerate(articles)
                for s, u in enumerate(users)
            ],
            batch_size=5000,
        )
        start = datetime(2026, 1, 5, 9, tzinfo=UTC)
        rows = []
        by_article = iter(assignments)
        for i, article in enumerate(articles):
            words = word_starts(article.text)
            picks = sorted(rng.sample(range(len(words) - 3), args.spans))
            base = [
                (w, w + (1 if rng.random() < 0.3 else 0), rng.choice(ENTITY_LABELS)) for w in picks
            ]
            stance = {t: rng.choice(STANCES) for t in TARGETS}
            for user in users:
                assignment = next(by_article)
                when = start + timedelta(minutes=i * 7 + rng.randint(0, 600))
                rows.append(
                    Annotation(
                        assignment=assignment,
                        project=project,
                        article=article,
                        annotator=user,
                        content=make_content(rng, article.text, words, base, stance),
                        status=AnnotationStatus.SUBMITTED,
                        submitted_at=when,
                    )
                )
            if len(rows) >= 6000:
                Annotation.objects.bulk_create(rows)
                rows = []
        Annotation.objects.bulk_create(rows)
    return project


SUM_SAMPLE = 10_000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def incremental(project, submissions: int, *, full_summary: dict, full_seconds: float) -> None:
    """Rebuild the per-article contributions and totals once (as the background job does),
    then time resubmissions (reopened first, not timed) and the dashboard load after each."""
    import json
    import statistics

    from django.conf import settings
    from django.test import Client

    from annotate.agreement import assembled_report, do_rebuild_contributions
    from annotate.annotations import do_reopen, do_submit
    from annotate.lib.agreement.contributions import Totals, contribution_from_json
    from annotate.models import AgreementContribution, AgreementTotals, Annotation, Membership, Role

    t = time.perf_counter()
    do_rebuild_contributions(project)
    rebuild = time.perf_counter() - t
    row = AgreementTotals.objects.get(project=project)
    print(
        f"incremental: totals rebuilt from scratch (the background job) in {rebuild:.1f} s; "
        f"{len(row.counts)} total keys, {len(json.dumps(row.counts)) / 1e6:.2f} MB of JSON "
        f"(load average {os.getloadavg()[0]:.1f})"
    )
    # The other design: no totals row, SUM the per-article rows on every dashboard load. On
    # large projects a sample of SUM_SAMPLE rows is read and the time scaled (it reads every
    # row: linear by construction).
    rows = AgreementContribution.objects.filter(project=project).count()
    sample = min(rows, SUM_SAMPLE)
    t = time.perf_counter()
    summed = Totals()
    for counts in (
        AgreementContribution.objects.filter(project=project)
        .values_list("counts", flat=True)[:sample]
        .iterator(chunk_size=2000)
    ):
        summed.add(contribution_from_json(counts))
    per_load = (time.perf_counter() - t) * rows / max(sample, 1)
    scaled = f" ({sample} of {rows} rows read, scaled)" if sample < rows else ""
    print(
        f"incremental: summing every article's row instead of a totals row: "
        f"{per_load * 1000:.0f} ms per dashboard load{scaled}"
    )
    if sample == rows:
        assert summed == Totals.from_json(row.counts)
    lead = Membership.objects.get(project=project, role=Role.MANAGER).user
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(lead)
    page = f"/projects/{project.pk}/agreement/"
    assert client.get(page).status_code == 200  # warm the templates
    count = Annotation.objects.filter(project=project).count()
    annotations = list(
        Annotation.objects.filter(project=project)
        .select_related("assignment", "annotator")
        .order_by("id")[:: max(1, count // 97)]
    )[:submissions]
    submit_ms, data_ms, page_ms, cpu_ms = [], [], [], []
    for annotation in annotations:
        do_reopen(annotation.assignment, by=lead, reason="bench: measure the update")
        annotation.refresh_from_db()
        t, cpu = time.perf_counter(), time.process_time()
        do_submit(
            annotation.assignment,
            user=annotation.annotator,
            version=annotation.version,
            content=annotation.content,
        )
        submitted = time.perf_counter()
        cpu_ms.append((time.process_time() - cpu) * 1000)
        assembled = assembled_report(project)
        read = time.perf_counter()
        response = client.get(page)
        done = time.perf_counter()
        assert response.status_code == 200 and not assembled.pending
        submit_ms.append((submitted - t) * 1000)
        data_ms.append((read - submitted) * 1000)
        page_ms.append((done - read) * 1000)
    if not submit_ms:
        return
    both = [s + p for s, p in zip(submit_ms, page_ms, strict=True)]

    def p50_p95(values: list[float]) -> str:
        return f"p50 {statistics.median(values):.1f} ms, p95 {percentile(values, 0.95):.1f} ms"

    print(
        f"incremental: submit one annotation (its article's row and the totals updated, "
        f"{len(submit_ms)} submissions): {p50_p95(submit_ms)}; its CPU in this process "
        f"p50 {statistics.median(cpu_ms):.1f} ms"
    )
    print(f"incremental: report assembled from the totals: {p50_p95(data_ms)}")
    print(f"incremental: dashboard page (GET, rendered, in process): {p50_p95(page_ms)}")
    print(
        f"incremental: submit + next dashboard load: {p50_p95(both)}, max {max(both):.1f} ms "
        f"(load average {os.getloadavg()[0]:.1f})"
    )
    # The resubmissions resubmitted the same contents: the full report computed cold above
    # still holds (but for the weeks, which follow the new submission times).
    print(f"full recomputation for comparison: {full_seconds:.2f} s (cold, above)")
    got = {r.key: r.score.value for r in assembled_report(project).report.summary}
    ref = full_summary
    worst = max(
        (abs(got[k] - v) for k, v in ref.items() if v is not None and got[k] is not None),
        default=0.0,
    )
    same = all((got[k] is None) == (v is None) for k, v in ref.items())
    print(f"assembled summary equals the full one: {same}, largest difference {worst:.1e}")
    print(
        "incremental values: " + ", ".join(f"{k}={v:.3f}" for k, v in got.items() if v is not None)
    )


def main() -> None:
    args = parse_args()
    url = f"{SERVER_URL}/wb_bench_agreement_{os.getpid()}_{secrets.token_hex(3)}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")
    recreate_database(url)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        t0 = time.perf_counter()
        project = build_project(args)
        print(
            f"setup: {args.articles} articles x {args.annotators} annotators x "
            f"{args.spans} spans written in {time.perf_counter() - t0:.1f} s"
        )
        # Phases of a cold computation, for the profile.
        from annotate.agreement import (
            agreement_report,
            compared_texts,
            gc_paused,
            submitted_docs,
        )
        from annotate.lib.agreement.report import build_report

        if args.phases:
            with gc_paused():  # as compute_report does
                t = time.perf_counter()
                docs = submitted_docs(project)
                t_docs = time.perf_counter() - t
                t = time.perf_counter()
                texts = compared_texts(project)
                t_texts = time.perf_counter() - t
                t = time.perf_counter()
                build_report(docs, texts=texts, schema=project.schema)
                t_build = time.perf_counter() - t
                print(
                    f"phases: annotations query+decode {t_docs:.2f} s, texts {t_texts:.2f} s, "
                    f"every measure {t_build:.2f} s"
                )
            del docs, texts

        t, cpu = time.perf_counter(), time.process_time()
        report = agreement_report(project)
        cold, cold_cpu = time.perf_counter() - t, time.process_time() - cpu
        assert report["meta"]["cached"] is False
        t = time.perf_counter()
        cached = agreement_report(project)
        warm = time.perf_counter() - t
        assert cached["meta"]["cached"] is True
        summary = {row["key"]: row["value"] for row in report["summary"]}
        print(
            f"agreement cold (query + every measure + cache write): {cold:.2f} s "
            f"({cold_cpu:.2f} s CPU in this process; load average {os.getloadavg()[0]:.1f})"
        )
        print(f"agreement cached: {warm:.3f} s")
        print("values: " + ", ".join(f"{k}={v:.3f}" for k, v in summary.items() if v is not None))
        if args.submissions:
            incremental(project, args.submissions, full_summary=summary, full_seconds=cold)
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep:
            print(f"kept the database: {url}")
        else:
            drop_database(url)


if __name__ == "__main__":
    main()
