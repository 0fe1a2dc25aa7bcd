"""Time from navigation start to the annotation page being ready to mark.

A 5,000-word Arabic article (diacritics, tatweel, emoji, digits, Latin names) with 500 saved
spans, some nested and overlapping, in a fresh database this script creates and deletes
(SQLite by default, PostgreSQL with --postgres). It starts gunicorn, opens the page in
Chromium several times and prints the median of `performance.mark("annotation-page-ready")`,
which the page sets once the article, its spans and the panels are drawn and it listens for
keys. The first load warms caches and is reported but not counted.

    .venv/bin/python bench/annotation_page_ready.py [--runs 7] [--postgres]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
POSTGRES = "postgres://postgres@127.0.0.1:5432"

WORDS = str.split(
    "قال أعلن المتحدث باسم وزارة الدفاع إن القوات الحكومية دخلت مدينة الرقة صباح الأحد "
    "بعد معارك عنيفة مع تنظيم داعش الذي انسحب نحو دير الزور وأضاف أن التحالف الدولي "
    "بقيادة الولايات المتحدة شن غارات على مواقع التنظيم في ريف حلب الشرقي ونفى الجيش "
    "السوري وجود مدنيين في المنطقة بينما أكد المرصد مقتل عشرة أشخاص وإصابة آخرين "
    "الرَّقَّة مُحافظة القُوّات الحكومـــية السُّوري"
)
EXTRAS = ["😀", "👍🏽", "CNN", "BBC", "2017", "١٢", "3.5", "«", "»", "،", ".", "؟"]


def arabic_article(words: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    out: list[str] = []
    for i in range(words):
        word = rng.choice(WORDS) if rng.random() > 0.04 else rng.choice(EXTRAS)
        out.append(word)
        if i % 70 == 69:
            out.append(".\n")
    return " ".join(out).replace(" .\n ", ".\n")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_data(text: str, n_spans: int) -> dict:
    """Project, annotator, assignment and a saved draft with `n_spans` spans."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from annotate.annotations import do_save_draft, do_start_assignment
    from annotate.lib.schema import default_schema
    from annotate.models import Assignment, Membership, Project, ProjectArticle, Role
    from annotate.queue import do_generate_assignments
    from corpus.lib.text import article_search_text, canonicalise, content_hash, tokenize
    from corpus.models import Article, Corpus

    text = canonicalise(text)
    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    corpus = Corpus.objects.create(name="bench")
    article = Article.objects.create(
        corpus=corpus,
        text=text,
        title="مقال طويل للقياس",
        content_hash=content_hash(text),
        search_text=article_search_text("", text),
    )
    schema = default_schema()
    project = Project.objects.create(name="bench", schema=schema)
    ProjectArticle.objects.create(project=project, article=article, position=0)
    Membership.objects.create(project=project, user=user, role=Role.ANNOTATOR)
    do_generate_assignments(project, k=1, fraction=1.0, seed=1)
    assignment = Assignment.objects.get(project=project, annotator=user)
    annotation = do_start_assignment(assignment, user=user)

    words = [t for t in tokenize(text) if t.kind == "word"]
    labels = [label["key"] for label in schema["entity_labels"]]
    rng = random.Random(11)
    spans = []
    step = max(1, len(words) // n_spans)
    for k in range(n_spans):
        first = words[min(k * step, len(words) - 1)]
        # Every fifth span reaches over the next span's word, so that one nests inside it.
        last = words[min(k * step + (step if k % 5 == 0 else 0), len(words) - 1)]
        label = "CLAIM" if k % 25 == 0 else rng.choice(labels)
        spans.append(
            {
                "id": f"s{k}",
                "start": first.start,
                "end": last.end,
                "label": label,
                "text": text[first.start : last.end],
                "attributes": (
                    {"checkworthy": True, "claimant": "author", "stance": "reports"}
                    if label == "CLAIM"
                    else {}
                ),
            }
        )
    content = {"spans": spans, "relations": [], "document_labels": {"stance": {}}}
    do_save_draft(assignment, user=user, version=annotation.version, content=content)
    client = Client()
    client.force_login(user)
    return {
        "assignment": assignment.pk,
        "session": client.cookies["sessionid"].value,
        "spans": len(spans),
        "words": len(text.split()),
    }


def wait_for(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - localhost
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not answer at {url}")


def measure(base: str, session: str, assignment: int, runs: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ar")
        context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
        page = context.new_page()
        for _ in range(runs + 1):
            page.goto(f"{base}/assignments/{assignment}/annotate/")
            page.wait_for_selector('#annotate[data-ready="true"]', state="attached")
            timing = page.evaluate(
                """() => {
                  const nav = performance.getEntriesByType("navigation")[0];
                  const mark = (name) => performance.getEntriesByName(name)[0].startTime;
                  return {ready: mark("annotation-page-ready"),
                          start: mark("annotation-page-start"),
                          first: nav.responseStart, response: nav.responseEnd,
                          html: nav.domInteractive,
                          segments: document.querySelectorAll("#article-text .seg").length};
                }"""
            )
            times.append(timing["ready"])
            print(
                f"  ready after {timing['ready']:6.1f} ms: first byte {timing['first']:6.1f},"
                f" HTML received {timing['response']:6.1f}, parsed {timing['html']:6.1f},"
                f" script started {timing['start']:6.1f} and ran"
                f" {timing['ready'] - timing['start']:5.1f} ms ({timing['segments']} segments)"
            )
        browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--spans", type=int, default=500)
    parser.add_argument("--postgres", action="store_true", help="use a fresh PostgreSQL db")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="wb-bench-"))
    db_name = f"wb_bench_{os.getpid()}"
    if args.postgres:
        database_url = f"{POSTGRES}/{db_name}"
        subprocess.run(
            ["psql", POSTGRES + "/postgres", "-qc", f"CREATE DATABASE {db_name}"], check=True
        )
    else:
        database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "workbench.settings",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    server = None
    try:
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        text = arabic_article(args.words)
        data = build_data(text, args.spans)
        print(
            f"article: {data['words']} words, {len(text)} characters; {data['spans']} spans "
            f"({'PostgreSQL' if args.postgres else 'SQLite'})"
        )
        port = free_port()
        server = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "workbench.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "2",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/health/")
        times = measure(base, data["session"], data["assignment"], args.runs)
        counted = times[1:]
        print(
            f"median time to ready over {len(counted)} loads (first load not counted): "
            f"{statistics.median(counted):.0f} ms (min {min(counted):.0f}, "
            f"max {max(counted):.0f})"
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        from django.db import connections

        connections.close_all()
        if args.postgres:
            subprocess.run(
                ["psql", POSTGRES + "/postgres", "-qc", f"DROP DATABASE IF EXISTS {db_name}"],
                check=False,
            )
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
