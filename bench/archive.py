"""A newsroom archive on one box: 1,000,000 articles and a 100,000-article project.

Creates a fresh PostgreSQL database (bench/harness.py) and writes, with COPY and bulk SQL:
--articles generated Arabic articles of about 3,100 characters in one corpus (the harness's
vocabulary with tashkeel, digits and a Latin name, plus 40 words drawn by Zipf's law from
20,000 generated words, plus one word unique to the article), and a project of the first
--project of them with --annotators annotators (every article assigned to each; the first
--submitted share submitted, about 25 entity spans each) and --clients further annotators
with a short queue each. The word index is filled by the product's indexer
(corpus.search.do_index_articles), its GIN index built after it as a restore would.

Then prints, with the machine's load:
- import at that size: the product's import (corpus.importing.do_import_articles) of --import
  more articles into the big corpus, articles/s and MB/s, and the indexer's lag after it;
- search through the REST API (`GET /api/corpora/{id}/articles/?q=`), p50/p95 over a query
  mix (rare, unique, common, two words, clitics and tashkeel), the first page and a later
  keyset page;
- `POST /api/projects/{id}/queue/next/` p50/p95 with --clients annotators at once over HTTP
  against gunicorn (4 workers): each round every annotator finishes their work in progress
  (in SQL) and asks for the next;
- the people page and the project page (per-annotator progress) for the project, cold and
  warm; the progress API;
- the project's export (`manage.py export_dataset` in a child process, gold JSONL, then with
  the raw annotations, then every format: seconds, CPU and peak RSS), after the agreement
  totals the manifest reads are built;
- database size per 1,000 articles.

    .venv/bin/python bench/archive.py [--articles 1000000] [--project 100000] [--import 10000]

The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import (  # noqa: E402
    SERVERS,
    WORDS,
    CpuMeter,
    fresh_postgres,
    gunicorn,
    http_call,
    machine_load,
    percentile,
    setup_django,
)

LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
NAMES = [
    ("الرقة", "LOC"),
    ("دير الزور", "LOC"),
    ("وزارة الخارجية", "ORG"),
    ("الأمم المتحدة", "ORG"),
    ("أبو محمد", "PER"),
    ("قوات سوريا الديمقراطية", "MILITARY_GROUP"),
    ("حلب", "GPE"),
]
STANCE = ["favor", "against", "neutral", "not_mentioned"]
POOL = 256  # distinct base texts; each article adds words of its own
VOCABULARY = 20_000
EXTRA_WORDS = 40
COPY_ROWS = 20_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--project", type=int, default=100_000, help="articles in the project")
    parser.add_argument("--annotators", type=int, default=3)
    parser.add_argument("--submitted", type=float, default=0.2, help="share submitted")
    parser.add_argument("--import", dest="more", type=int, default=10_000)
    parser.add_argument("--searches", type=int, default=15, help="runs per query and page")
    parser.add_argument("--clients", type=int, default=50, help="concurrent annotators")
    parser.add_argument("--rounds", type=int, default=6, help="`next` calls per annotator")
    parser.add_argument("--requests", type=int, default=5, help="warm page loads")
    parser.add_argument(
        "--parts",
        default="import,search,pages,export,next",
        help="which figures to measure after building (comma-separated)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one export (every format) and a tenth of the pause between `next` calls: the "
        "test suite's smoke run",
    )
    return parser.parse_args()


# --- generated text ----------------------------------------------------------------------


def base_text(rng: random.Random, words: int = 450) -> tuple[str, list[dict]]:
    """Prose of the harness's vocabulary with an entity name every 20 words: text, spans."""
    parts: list[str] = []
    spans: list[dict] = []
    position = 0
    for i in range(words):
        if i % 20 == 7:
            name, label = rng.choice(NAMES)
            spans.append(
                {"start": position, "end": position + len(name), "label": label, "text": name}
            )
            piece = name
        elif i % 37 == 0:
            piece = "الرَّقَّة"
        elif i % 53 == 0:
            piece = str(2017 + i % 3)
        elif i % 71 == 0:
            piece = "Reuters"
        else:
            piece = rng.choice(WORDS)
        if i % 15 == 14:
            piece += "."
        parts.append(piece)
        position += len(piece) + 1
    return " ".join(parts), spans


def coined(rng: random.Random) -> str:
    return "".join(rng.choice(LETTERS) for _ in range(rng.randint(4, 7)))


def marker(number: int) -> str:
    """A word unique to article `number`: رمز and the number in letters."""
    digits = []
    while True:
        number, rest = divmod(number, len(LETTERS))
        digits.append(LETTERS[rest])
        if not number:
            break
    return "رمز" + "".join(reversed(digits))


class Generator:
    """Article `i` is base text i % POOL, 40 Zipf-drawn words and its marker: deterministic,
    so the spans of a project article are known without storing them."""

    def __init__(self) -> None:
        rng = random.Random(20261206)
        self.pool = [base_text(rng) for _ in range(POOL)]
        vocabulary: dict[str, None] = {}
        while len(vocabulary) < VOCABULARY:
            vocabulary.setdefault(coined(rng), None)
        self.vocabulary = list(vocabulary)
        total = 0.0
        self.cumulative = []
        for rank in range(VOCABULARY):
            total += 1 / (rank + 1)
            self.cumulative.append(total)

    def text(self, i: int) -> str:
        rng = random.Random(i)
        extra = rng.choices(self.vocabulary, cum_weights=self.cumulative, k=EXTRA_WORDS)
        return f"{self.pool[i % POOL][0]} {' '.join(extra)} {marker(i)}."

    def spans(self, i: int) -> list[dict]:
        return self.pool[i % POOL][1]


# --- building ----------------------------------------------------------------------------


def raw_connection():
    from django.db import connection

    connection.ensure_connection()
    return connection.connection


def build_articles(corpus_id: int, count: int, generator: Generator) -> tuple[float, int]:
    """COPY `count` articles with ids 1..count; (seconds, bytes of text)."""
    from corpus.lib.text import article_search_text
    from corpus.models import Article

    columns = [f.column for f in Article._meta.concrete_fields]
    now = datetime.now(UTC)
    started = time.perf_counter()
    size = chars = 0
    conn = raw_connection()
    with conn.cursor() as cursor:
        for start in range(1, count + 1, COPY_ROWS):
            sql = f"COPY corpus_article ({', '.join(columns)}) FROM STDIN"
            with conn.transaction(), cursor.copy(sql) as copy:
                for i in range(start, min(start + COPY_ROWS, count + 1)):
                    text = generator.text(i)
                    title = f"خبر رقم {i}"
                    encoded = text.encode()
                    size += len(encoded)
                    chars += len(text)
                    values = {
                        "id": i,
                        "corpus_id": corpus_id,
                        "title": title,
                        "text": text,
                        "source": "bench",
                        "url": "",
                        "published_on": None,
                        "external_id": f"a{i}",
                        "content_hash": sha256(encoded).hexdigest(),
                        "search_text": article_search_text(title, text),
                        "metadata": "{}",
                        "created_at": now,
                    }
                    copy.write_row([values[c] for c in columns])
        cursor.execute("SELECT setval('corpus_article_id_seq', %s)", [count])
    return time.perf_counter() - started, size, chars


def build_project(args, corpus, generator: Generator):
    """The project: its articles, members, assignments and submitted annotations in SQL."""
    from django.contrib.auth import get_user_model

    from annotate.lib.schema import default_schema
    from annotate.models import Membership, Project, Role
    from annotate.tokens import do_create_api_token

    users = get_user_model().objects
    lead = users.create_user("archive-lead", is_staff=False)
    corpus.owners.add(lead)
    main = [users.create_user(f"archive-{k}") for k in range(args.annotators)]
    extra = [users.create_user(f"archive-queue-{k}") for k in range(args.clients)]
    project = Project.objects.create(
        name="archive", schema=default_schema(), overlap_k=args.annotators, created_by=lead
    )
    Membership.objects.bulk_create(
        [Membership(project=project, user=lead, role=Role.MANAGER)]
        + [Membership(project=project, user=u, role=Role.ANNOTATOR) for u in main + extra]
    )
    size, pid = args.project, project.pk
    done = int(size * args.submitted)
    conn = raw_connection()
    with conn.transaction(), conn.cursor() as cursor:
        cursor.execute(
            "INSERT INTO annotate_projectarticle (project_id, article_id, position, added_at) "
            "SELECT %s, g, g, now() FROM generate_series(1, %s) g",
            [pid, size],
        )
        # Assignment ids: (article - 1) * annotators + slot + 1 for the main annotators.
        cursor.execute(
            "INSERT INTO annotate_assignment (id, project_id, article_id, annotator_id, slot, "
            "position, status, skip_reason, reopen_reason, reopen_request, created_at, "
            "started_at, submitted_at, active_ms) "
            "SELECT (g - 1) * %(k)s + s + 1, %(pid)s, g, (%(users)s::bigint[])[s + 1], s, g, "
            "CASE WHEN g <= %(done)s THEN 'submitted' ELSE 'todo' END, '', '', '', now(), "
            "CASE WHEN g <= %(done)s THEN now() END, "
            "CASE WHEN g <= %(done)s THEN now() - (g || ' seconds')::interval END, "
            "CASE WHEN g <= %(done)s THEN 60000 + (g * 7919 + s * 104729) %% 600000 ELSE 0 END "
            "FROM generate_series(1, %(size)s) g, generate_series(0, %(k)s - 1) s",
            {
                "k": args.annotators,
                "pid": pid,
                "users": [u.pk for u in main],
                "done": done,
                "size": size,
            },
        )
        # The queue annotators: a few todo articles each from the unsubmitted part, slot k.
        per = max(1, min(args.rounds + 2, (size - done) // max(1, args.clients)))
        cursor.execute(
            "INSERT INTO annotate_assignment (id, project_id, article_id, annotator_id, slot, "
            "position, status, skip_reason, reopen_reason, reopen_request, created_at, "
            "active_ms) "
            "SELECT %(base)s + c * %(per)s + j + 1, %(pid)s, %(done)s + c * %(per)s + j + 1, "
            "(%(users)s::bigint[])[c + 1], %(k)s, %(done)s + c * %(per)s + j + 1, 'todo', "
            "'', '', '', now(), 0 "
            "FROM generate_series(0, %(clients)s - 1) c, generate_series(0, %(per)s - 1) j "
            "WHERE %(done)s + c * %(per)s + j + 1 <= %(size)s",
            {
                "base": size * args.annotators,
                "per": per,
                "pid": pid,
                "done": done,
                "users": [u.pk for u in extra],
                "k": args.annotators,
                "clients": args.clients,
                "size": size,
            },
        )
        cursor.execute(
            "SELECT setval('annotate_assignment_id_seq', (SELECT max(id) FROM annotate_assignment))"
        )
        now = datetime.now(UTC)
        sql = (
            "COPY annotate_annotation (assignment_id, project_id, article_id, annotator_id, "
            "content, schema_version, version, status, created_at, updated_at, submitted_at) "
            "FROM STDIN"
        )
        with cursor.copy(sql) as copy:
            for article in range(1, done + 1):
                rng = random.Random(article)
                spans = generator.spans(article)
                stance = {t: rng.choice(STANCE) for t in ("isis", "syrian_army", "us_coalition")}
                for slot, user in enumerate(main):
                    kept = [
                        {
                            "id": f"s{n}",
                            "start": span["start"],
                            "end": span["end"],
                            "label": span["label"],
                            "text": span["text"],
                            "attributes": {},
                        }
                        for n, span in enumerate(spans)
                        if (n + slot) % 9  # each annotator misses a different ninth
                    ]
                    content = {
                        "spans": kept,
                        "relations": [],
                        "document_labels": {"stance": stance},
                    }
                    copy.write_row(
                        (
                            (article - 1) * args.annotators + slot + 1,
                            pid,
                            article,
                            user.pk,
                            json.dumps(content, ensure_ascii=False),
                            1,
                            2,
                            "submitted",
                            now,
                            now,
                            now,
                        )
                    )
        # Adjudicated gold for the submitted articles: the first annotator's content.
        cursor.execute(
            "INSERT INTO annotate_gold (project_id, article_id, content, schema_version, "
            "version, source, inputs_changed, created_at, updated_at) "
            "SELECT project_id, article_id, content, 1, 1, 'adjudicated', false, now(), now() "
            "FROM annotate_annotation WHERE project_id = %s AND annotator_id = %s",
            [pid, main[0].pk],
        )
    tokens = [do_create_api_token(user)[1] for user in extra]
    return project, lead, tokens


def build_word_index() -> tuple[float, float, int]:
    """The product's indexer over every article, the GIN index built after it (as a
    restore would); (indexer seconds, GIN build seconds, articles indexed)."""
    from django.db import connection

    from corpus.search import do_index_articles

    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX corpus_articlewords_words_gin")
    started = time.perf_counter()
    count = do_index_articles(batch_size=5000)
    indexing = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute(
            "CREATE INDEX corpus_articlewords_words_gin ON corpus_articlewords "
            "USING gin (words) WITH (fastupdate = on)"
        )
    return indexing, time.perf_counter() - started, count


# --- measuring ---------------------------------------------------------------------------


def measure_import(corpus, count: int, start: int, generator: Generator) -> None:
    from corpus.importing import do_import_articles
    from corpus.lib.parsers import Origin, ParsedArticle
    from corpus.search import do_index_articles

    records = [
        ParsedArticle(text=generator.text(i), title=f"خبر رقم {i}", origin=Origin("more", i))
        for i in range(start, start + count)
    ]
    size = sum(len(r.text.encode()) for r in records)
    started = time.perf_counter()
    report = do_import_articles(corpus, records)
    seconds = time.perf_counter() - started
    assert report.created == count, report.summary
    print(
        f"import {count:,} more articles into the {start - 1:,}-article corpus "
        f"(do_import_articles, in process): {seconds:.2f} s, {count / seconds:,.0f} articles/s, "
        f"{size / seconds / 1e6:.1f} MB/s of text  [{machine_load()}]"
    )
    started = time.perf_counter()
    indexed = do_index_articles()
    lag = time.perf_counter() - started
    print(
        f"search lag: the indexer indexed those {indexed:,} in {lag:.2f} s "
        f"({indexed / lag:,.0f} articles/s); until then they are found by the scan"
    )


def measure_search(corpus, lead, generator: Generator, args) -> None:
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(lead)
    url = f"/api/corpora/{corpus.pk}/articles/"
    unique = max(1, args.articles * 7 // 9)
    queries = [
        ("rare word", generator.vocabulary[12_000]),
        ("rarer word", generator.vocabulary[19_000]),
        ("unique word", marker(unique)),
        ("common word", "القوات"),
        ("medium word", generator.vocabulary[40]),
        ("two common words", "التحالف الدولي"),
        ("common + rare", f"القوات {generator.vocabulary[12_000]}"),
        ("clitics وبالرقة", "وبالرقة"),
        ("clitics للتحالف", "للتحالف"),
        ("tashkeel الرَّقَّة", "الرَّقَّة"),
    ]
    client.get(url, {"q": "خبر"}, HTTP_HOST="127.0.0.1")  # this process's first request
    first_all: list[float] = []
    later_all: list[float] = []
    print(f"search over {args.articles + args.more:,} articles, API, 50 a page:")
    for name, query in queries:
        first: list[float] = []
        body = {}
        for _ in range(args.searches):
            started = time.perf_counter()
            response = client.get(url, {"q": query}, HTTP_HOST="127.0.0.1")
            first.append(time.perf_counter() - started)
            assert response.status_code == 200, response.content[:300]
            body = response.json()
        hits = len(body["results"])
        later: list[float] = []
        cursor = body["next"]
        pages = 1
        while cursor and pages < 4:  # walk to the fourth page
            body = client.get(url, {"q": query, "after": cursor}, HTTP_HOST="127.0.0.1").json()
            cursor = body["next"]
            pages += 1
        if cursor:
            for _ in range(args.searches):
                started = time.perf_counter()
                response = client.get(url, {"q": query, "after": cursor}, HTTP_HOST="127.0.0.1")
                later.append(time.perf_counter() - started)
        first_all += first
        later_all += later
        later_text = (
            f"page 5: p50={statistics.median(later) * 1000:.1f} ms" if later else "no page 5"
        )
        print(
            f"  {name:<20} {query!r:<24} first page ({hits} hits): "
            f"p50={statistics.median(first) * 1000:.1f} ms "
            f"p95={percentile(first, 0.95) * 1000:.1f} ms; {later_text}"
        )
    print(
        f"search, all queries: first page p50={statistics.median(first_all) * 1000:.1f} ms "
        f"p95={percentile(first_all, 0.95) * 1000:.1f} ms"
        + (
            f"; later page p50={statistics.median(later_all) * 1000:.1f} ms "
            f"p95={percentile(later_all, 0.95) * 1000:.1f} ms"
            if later_all
            else ""
        )
        + f"  [{machine_load()}]"
    )


def timed_page(client, url: str, runs: int) -> tuple[float, list[float]]:
    from django.core.cache import cache

    cache.clear()
    started = time.perf_counter()
    response = client.get(url, HTTP_HOST="127.0.0.1")
    cold = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    warm = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url, HTTP_HOST="127.0.0.1")
        warm.append(time.perf_counter() - started)
    return cold, warm


def measure_pages(project, lead, args) -> None:
    from django.test import Client

    client = Client()
    client.force_login(lead)
    for name, url in (
        ("people page", f"/projects/{project.pk}/people/"),
        ("project page (progress per annotator)", f"/projects/{project.pk}/"),
        ("progress API", f"/api/projects/{project.pk}/progress/"),
    ):
        cold, warm = timed_page(client, url, args.requests)
        print(
            f"{name}, {args.project:,} articles: cold {cold * 1000:,.0f} ms, warm "
            f"p50={statistics.median(warm) * 1000:,.0f} ms  [{machine_load()}]"
        )


TIME = Path("/usr/bin/time")


def measure_export(env, project, args) -> None:
    """Each export in a child process: wall and CPU seconds, and its peak RSS. The peak is
    read by /usr/bin/time when there is one: Linux carries a process's peak RSS across exec,
    so wait4 would report this (large) bench process's own peak for its child."""
    # The manifest's agreement summary comes from the stored totals; the bench writes the
    # annotations in SQL, so build the totals first, as the job an import queues would.
    from annotate.agreement import do_request_rebuild

    started = time.perf_counter()
    do_request_rebuild(project)  # the immediate task backend runs the rebuild here
    print(
        f"agreement totals rebuilt (the job, in this process) in "
        f"{time.perf_counter() - started:.1f} s  [{machine_load()}]"
    )
    every = "jsonl,conll,tokens,csv,provenance,raw"
    for formats in (every,) if args.quick else ("jsonl", "jsonl", "jsonl,raw", every):
        with tempfile.TemporaryDirectory() as tmp:
            out, peak_file = Path(tmp) / "export.zip", Path(tmp) / "peak"
            command = [
                sys.executable,
                "manage.py",
                "export_dataset",
                str(project.pk),
                "--out",
                str(out),
                "--format",
                formats,
            ]
            if TIME.exists():
                command = [str(TIME), "-f", "%M", "-o", str(peak_file), *command]
            started = time.perf_counter()
            child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
            _, status, usage = os.wait4(child.pid, 0)
            seconds = time.perf_counter() - started
            if os.waitstatus_to_exitcode(status):
                raise SystemExit("export_dataset failed")
            peak = (
                f"peak RSS {int(peak_file.read_text().split()[-1]) / 1024:.0f} MB"
                if TIME.exists()
                else f"peak RSS at most {usage.ru_maxrss / 1024:.0f} MB"
            )
            print(
                f"export of the {args.project:,}-article project ({formats}; gold on "
                f"{args.submitted:.0%}, {args.annotators} raw annotations each), child "
                f"process: {seconds:.2f} s, CPU {usage.ru_utime + usage.ru_stime:.2f} s, "
                f"{peak}, zip {out.stat().st_size / 1e6:.1f} MB  [{machine_load()}]"
            )


def ask_next(port: int, token: str, pid: int, rounds: int, pace: float, gate) -> list[float]:
    """`rounds` calls of `next`; with `pace` 0 all clients call at once each round (the bench
    finishing everyone's work in between), else each waits 0.5-1.5 × pace seconds between
    calls, as annotators do (a little)."""
    headers = f"Authorization: Token {token}\r\n"
    rng = random.Random(token)
    gate.wait(timeout=120)
    timings = []
    for _ in range(rounds):
        if pace:
            time.sleep(rng.uniform(0.5, 1.5) * pace)
        started = time.perf_counter()
        status, _ = http_call(port, "POST", f"/api/projects/{pid}/queue/next/", b"", headers)
        timings.append(time.perf_counter() - started)
        assert status in (200, 204), status
        if not pace:
            gate.wait(timeout=300)  # everyone has their answer
            gate.wait(timeout=300)  # the bench finished everyone's work in progress
    return timings


def finish_work_in_progress(project) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE annotate_assignment SET status = 'submitted', submitted_at = now() "
            "WHERE project_id = %s AND status = 'in_progress'",
            [project.pk],
        )


def next_round(port: int, project, tokens: list[str], rounds: int, pace: float) -> list[float]:
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    gate = context.Barrier(len(tokens) + 1)
    results = context.Queue()

    def child(token: str) -> None:
        results.put(ask_next(port, token, project.pk, rounds, pace, gate))

    processes = [context.Process(target=child, args=(t,)) for t in tokens]
    for process in processes:
        process.start()
    gate.wait(timeout=120)
    if not pace:
        for _ in range(rounds):
            gate.wait(timeout=300)
            finish_work_in_progress(project)
            gate.wait(timeout=300)
    timings = [t for _ in processes for t in results.get(timeout=900)]
    for process in processes:
        process.join()
    finish_work_in_progress(project)
    return timings


def measure_next(env, project, tokens: list[str], rounds: int, *, quick: bool) -> None:
    with gunicorn(env, workers=4) as port:
        # Warm every worker (its first request imports and compiles what it needs).
        for token in tokens[:8]:
            http_call(
                port,
                "GET",
                f"/api/projects/{project.pk}/",
                b"",
                f"Authorization: Token {token}\r\n",
            )
        # App CPU only: each request opens a PostgreSQL backend of its own, which is gone (and
        # its CPU time with it) before the meter reads it again.
        meter = CpuMeter(SERVERS[port], env["DATABASE_URL"].rsplit("/", 1)[1])
        for title, pace in (
            ("each asks again 0.5-1.5 s after their answer", 0.1 if quick else 1.0),
            ("all at the same instant, each round", 0.0),
        ):
            before = meter.read()["app"]
            timings = next_round(port, project, tokens, rounds, pace)
            app = (meter.read()["app"] - before) / len(timings) * 1000
            print(
                f"queue next, {len(tokens)} annotators over HTTP (gunicorn, 4 workers), {title}: "
                f"{len(timings)} calls, p50={statistics.median(timings) * 1000:.1f} ms "
                f"p95={percentile(timings, 0.95) * 1000:.1f} ms; app CPU {app:.1f} ms a call  "
                f"[{machine_load()}]"
            )


def measure_size(articles: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_database_size(current_database()), "
            "pg_total_relation_size('corpus_article'), "
            "pg_total_relation_size('corpus_articlewords')"
        )
        database, table, words = cursor.fetchone()
    per = 1000 / articles
    print(
        f"database size: {database / 1e9:.2f} GB in all, {database * per / 1e6:.1f} MB per "
        f"1,000 articles; articles {table * per / 1e6:.1f} MB and word index "
        f"{words * per / 1e6:.1f} MB per 1,000"
    )


def main() -> None:
    args = parse_args()
    print(f"archive bench: {args.articles:,} articles, project {args.project:,}; {machine_load()}")
    with fresh_postgres("wb_bench_archive") as env:
        setup_django()
        from django.db import connection

        from corpus.models import Corpus

        generator = Generator()
        corpus = Corpus.objects.create(name="archive")
        seconds, size, chars = build_articles(corpus.pk, args.articles, generator)
        print(
            f"built {args.articles:,} articles with COPY in {seconds:.0f} s "
            f"({args.articles / seconds:,.0f}/s; {chars / args.articles:,.0f} characters, "
            f"{size / args.articles:,.0f} bytes of text each)"
        )
        started = time.perf_counter()
        project, lead, tokens = build_project(args, corpus, generator)
        print(f"built the project in {time.perf_counter() - started:.0f} s")
        indexing, gin, count = build_word_index()
        print(
            f"word index: the indexer took {indexing:.0f} s for {count:,} articles "
            f"({count / indexing:,.0f}/s), the GIN index {gin:.0f} s  [{machine_load()}]"
        )
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        parts = set(args.parts.split(","))
        if "import" in parts:
            measure_import(corpus, args.more, args.articles + 1, generator)
        else:
            args.more = 0
        if "search" in parts:
            measure_search(corpus, lead, generator, args)
        if "pages" in parts:
            measure_pages(project, lead, args)
        if "export" in parts:
            measure_export(env, project, args)
        if "next" in parts:
            measure_next(env, project, tokens, args.rounds, quick=args.quick)
        measure_size(args.articles + args.more)


if __name__ == "__main__":
    main()
