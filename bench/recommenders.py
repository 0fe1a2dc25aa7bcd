"""Recommenders: training time, held-out F1 per label, prediction time, and page ready time.

Generates gold articles (about 300 words each; written here from templates, names with
random proclitics, diacritics and tatweel, gold offsets on the bare word; a third of the
person names are made for one article only, so some held-out names were never seen),
splits them by article as training does (annotate/lib/recommend/evaluate.py), trains the
gazetteer and the CRF on the training part and prints, for each: training seconds, held-out
precision / recall / F1 per label (exact match, the agreement code), and prediction
milliseconds per article (median and p95; the target is under 30 ms).

With --page it then opens the annotation page of a long article with 500 saved spans
(bench/annotation_page_ready.py's data, SQLite, gunicorn, Chromium) without and with a
trained recommender that suggests --suggestions spans there, and prints the median time to
`annotation-page-ready` for both and to `suggestions-ready`.

    .venv/bin/python bench/recommenders.py [--articles 1000] [--words 300] [--page]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from annotate.lib.agreement.spans import Span  # noqa: E402
from annotate.lib.recommend import crf  # noqa: E402
from annotate.lib.recommend.evaluate import score_labels, split_articles  # noqa: E402
from annotate.lib.recommend.gazetteer import Gazetteer, build_entries  # noqa: E402
from corpus.lib.text import canonicalise  # noqa: E402

LABELS = ["PER", "ORG", "GPE", "MILITARY_GROUP", "DATE"]
PLACES = ["حلب", "دمشق", "الرقة", "إدلب", "منبج", "حمص", "درعا", "اللاذقية", "دير الزور"]
GROUPS = ["داعش", "الجيش السوري", "قوات سوريا الديمقراطية", "هيئة تحرير الشام"]
ORGS = ["الأمم المتحدة", "الهلال الأحمر", "وزارة الدفاع", "المرصد السوري"]
FIRST = ["محمد", "أحمد", "خالد", "سامر", "علي", "يوسف", "عمر", "حسن", "سليم", "كريم", "مازن"]
LAST = ["العلي", "الأحمد", "الحسن", "الخطيب", "النجار", "السعدي", "الحلبي", "المصري", "الشامي"]
DATES = ["صباح الأحد", "مساء الإثنين", "يوم الثلاثاء", "فجر الأربعاء", "ليل الخميس"]
FILLER = str.split(
    "المتحدث باسم القوات تقدمت نحو المدينة وسيطرت على عدة قرى في الريف الشرقي بعد اشتباكات "
    "مع مسلحي التنظيم وأكد مصدر محلي أن المدنيين نزحوا من الأحياء الجنوبية بينما تنفيذ "
    "غارات جوية على مواقع قرب النهر وذكرت وكالة الأنباء أن المفاوضات ستستأنف الأسبوع المقبل"
)
TEMPLATES = [
    "قال {PER} إن {MILITARY_GROUP} هاجم {GPE} {DATE}.",
    "وأعلنت {ORG} أن {MILITARY_GROUP} انسحب من {GPE}.",
    "وأكد {PER} في تصريح ل{ORG} أن الوضع في {GPE} صعب.",
    "ونقلت مصادر عن {PER} أن {MILITARY_GROUP} دخل {GPE} {DATE}.",
]
CLITIC_OK = {"GPE", "MILITARY_GROUP", "ORG"}
MARKS = ["\u064e", "\u064f", "\u0650", "\u0651"]


def decorate(name: str, rng: random.Random) -> str:
    """A name as scraped text writes it: sometimes a diacritic or a tatweel inside."""
    if rng.random() < 0.15 and len(name) > 2:
        k = rng.randrange(1, len(name) - 1)
        if name[k] != " " and name[k - 1] != " ":
            name = name[:k] + rng.choice(MARKS) + name[k:]
    elif rng.random() < 0.05 and len(name) > 3:
        k = rng.randrange(1, len(name) - 1)
        if name[k] != " " and name[k - 1] != " ":
            name = name[:k] + "\u0640" + name[k:]
    return name


NAME_LETTERS = "بتثجحخدذرزسشصضطظعغفقمنهي"


def person(rng: random.Random, article: int) -> str:
    if rng.random() < 0.33:  # a family name made up for this one mention
        made_up = "".join(rng.choice(NAME_LETTERS) for _ in range(rng.randrange(3, 6)))
        return f"{rng.choice(FIRST)} ال{made_up}"
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def generate(article: int, words: int, rng: random.Random) -> crf.Document:
    """One article and its gold spans (start, end, label), built together."""
    text = ""
    spans: list[tuple[int, int, str]] = []
    while len(text.split()) < words:
        for _ in range(rng.randrange(3, 9)):
            text += rng.choice(FILLER) + " "
        template = rng.choice(TEMPLATES)
        pieces = template.replace("}", "{").split("{")
        for k, piece in enumerate(pieces):
            if k % 2 == 0:
                text += piece
                continue
            label = piece
            name = {
                "PER": lambda: person(rng, article),
                "ORG": lambda: rng.choice(ORGS),
                "GPE": lambda: rng.choice(PLACES),
                "MILITARY_GROUP": lambda: rng.choice(GROUPS),
                "DATE": lambda: rng.choice(DATES),
            }[label]()
            if label in CLITIC_OK and text.endswith(" ") and rng.random() < 0.3:
                text += rng.choice(["و", "ب", "ل", "وب"])
            start = len(text)
            text += decorate(name, rng)
            spans.append((start, len(text), label))
        text += " "
    assert canonicalise(text) == text
    return crf.Document(text, spans)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def evaluate(name: str, suggest, documents: dict[int, crf.Document], held: list[int]) -> None:
    timings = []
    pairs = []
    for article_id in held:
        document = documents[article_id]
        started = time.perf_counter()
        found = suggest(document.text)
        timings.append((time.perf_counter() - started) * 1000)
        pairs.append(
            (
                [Span(*span) for span in document.spans],
                [Span(s.start, s.end, s.label) for s in found],
            )
        )
    print(
        f"  {name}: prediction per article median {statistics.median(timings):.1f} ms, "
        f"p95 {percentile(timings, 0.95):.1f} ms (target < 30 ms)"
    )
    for score in score_labels(pairs, labels=LABELS):
        f1 = "—" if score.f1 is None else f"{score.f1:.3f}"
        precision = "—" if score.precision is None else f"{score.precision:.3f}"
        recall = "—" if score.recall is None else f"{score.recall:.3f}"
        print(
            f"    {score.label:<15} F1 {f1}  P {precision}  R {recall}  "
            f"(gold {score.gold}, suggested {score.suggested}, {score.articles} articles)"
        )


def recommender_figures(articles: int, words: int, seed: int) -> None:
    rng = random.Random(seed)
    documents = {i: generate(i, words, rng) for i in range(articles)}
    total_words = sum(len(d.text.split()) for d in documents.values())
    train_ids, held = split_articles(documents, seed=seed)
    print(
        f"{articles} generated gold articles, {total_words / articles:.0f} words each on "
        f"average; {len(train_ids)} for training, {len(held)} held out (split by article)"
    )
    training = [documents[i] for i in train_ids]

    started = time.perf_counter()
    marked = [(d.text[s:e], label) for d in training for s, e, label in d.spans]
    gazetteer = Gazetteer(build_entries(marked, labels=LABELS))
    print(f"gazetteer: trained in {time.perf_counter() - started:.2f} s")
    evaluate("gazetteer", gazetteer.suggest, documents, held)

    started = time.perf_counter()
    model = crf.Model(crf.train(training))
    print(f"crf: trained in {time.perf_counter() - started:.1f} s")
    evaluate("crf", model.suggest, documents, held)


# ---- page ready with suggestions ------------------------------------------------------------


def page_figures(runs: int, words: int, spans: int, suggestions: int) -> None:
    from bench import annotation_page_ready as page_bench

    workdir = Path(tempfile.mkdtemp(prefix="wb-bench-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "workbench.settings",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    server = None
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        text = page_bench.arabic_article(words)
        data = page_bench.build_data(text, spans)
        port = page_bench.free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "workbench.wsgi", "-b", f"127.0.0.1:{port}"]
            + ["-w", "2", "--log-level", "warning"],
            cwd=ROOT,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        page_bench.wait_for(f"{base}/health/")
        print(f"page: {data['words']} words, {data['spans']} saved spans")
        without = measure(base, data, runs, with_suggestions=False)
        count = add_recommender(data["assignment"], suggestions)
        with_them = measure(base, data, runs, with_suggestions=True)
        ready = [r["ready"] for r in with_them]
        shown = [r["suggestions"] for r in with_them]
        base_ready = statistics.median([r["ready"] for r in without])
        print(f"  page ready without suggestions: median {base_ready:.0f} ms")
        print(
            f"  page ready with {count} suggestions: median {statistics.median(ready):.0f} ms "
            f"({statistics.median(ready) - base_ready:+.0f} ms); suggestions drawn at "
            f"median {statistics.median(shown):.0f} ms"
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def add_recommender(assignment_id: int, wanted: int) -> int:
    """A stored gazetteer whose names give about `wanted` suggestions on the article."""
    from annotate.models import Assignment, Recommender
    from annotate.recommend import assignment_suggestions

    assignment = Assignment.objects.select_related("project", "article").get(pk=assignment_id)
    text = assignment.article.text
    names = [("الرقة", "GPE"), ("داعش", "MILITARY_GROUP"), ("حلب", "GPE"), ("دير الزور", "GPE")]
    names += [(word, "ORG") for word in text.split()[:400] if len(word) > 3]
    chosen: list[tuple[str, str]] = []
    count = 0
    for name in names:
        chosen.append(name)
        gazetteer = Gazetteer(build_entries(chosen, labels=LABELS))
        count = len(gazetteer.suggest(text))
        if count >= wanted:
            break
    Recommender.objects.create(
        project=assignment.project,
        kind="gazetteer",
        version=1,
        schema_version=assignment.project.schema_version,
        data_hash="bench",
        model=json.dumps(gazetteer.to_json(), ensure_ascii=False).encode(),
        scores=[],
        active_labels=LABELS,
    )
    return len(assignment_suggestions(assignment, user=assignment.annotator))


def measure(base: str, data: dict, runs: int, *, with_suggestions: bool) -> list[dict]:
    from playwright.sync_api import sync_playwright

    from bench.annotation_page_ready import CHROMIUM

    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ar")
        context.add_cookies([{"name": "sessionid", "value": data["session"], "url": base}])
        page = context.new_page()
        for run in range(runs + 1):
            page.goto(f"{base}/assignments/{data['assignment']}/annotate/")
            page.wait_for_selector('#annotate[data-ready="true"]', state="attached")
            if with_suggestions:
                page.wait_for_selector('#suggestion-panel[data-ready="true"]', state="attached")
            timing = page.evaluate(
                """() => {
                  const mark = (name) => (performance.getEntriesByName(name)[0] || {}).startTime;
                  return {ready: mark("annotation-page-ready"),
                          suggestions: mark("suggestions-ready") || null};
                }"""
            )
            if run:  # the first load warms caches
                results.append(timing)
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--words", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--page", action="store_true", help="also measure page ready time")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--page-words", type=int, default=5000)
    parser.add_argument("--page-spans", type=int, default=500)
    parser.add_argument("--suggestions", type=int, default=500)
    args = parser.parse_args()
    recommender_figures(args.articles, args.words, args.seed)
    if args.page:
        page_figures(args.runs, args.page_words, args.page_spans, args.suggestions)


if __name__ == "__main__":
    main()
