"""Import throughput: N generated Arabic news articles through parse_jsonl + do_import_articles.

    .venv/bin/python bench/import_articles.py                 # SQLite, 10,000 articles
    .venv/bin/python bench/import_articles.py -n 2000         # a quicker run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wb_bench \
        .venv/bin/python bench/import_articles.py                # PostgreSQL
    .venv/bin/python bench/import_articles.py --profile       # pyinstrument report of the import

It never touches real data: on SQLite it works in a fresh file in a temporary folder; on
PostgreSQL it creates a fresh database `test_<name>` beside the one DATABASE_URL names (which
need not exist) and drops it afterwards. Prints articles per second for parsing, for the import
into the database, end to end, and for a second import of the same file (all duplicates).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PLACES = [
    "الرقة",
    "دير الزور",
    "البوكمال",
    "الميادين",
    "تدمر",
    "حلب",
    "إدلب",
    "منبج",
    "الحسكة",
    "القامشلي",
    "حمص",
    "درعا",
    "الباب",
    "عفرين",
    "جرابلس",
    "السخنة",
    "الطبقة",
    "الباغوز",
]
ACTORS = [
    "قوات سوريا الديمقراطية",
    "الجيش السوري",
    "التحالف الدولي",
    "تنظيم داعش",
    "فصائل المعارضة",
    "وحدات حماية الشعب",
    "القوات الروسية",
    "الدفاع المدني",
    "المرصد السوري لحقوق الإنسان",
    "الأمم المتحدة",
    "وزارة الخارجية",
    "مجلس المدينة",
]
VERBS = [
    "أعلن",
    "أكد",
    "نفى",
    "قال",
    "أفاد",
    "ذكر",
    "أوضح",
    "حذّر",
    "اتهم",
    "رحّب",
]
SOURCES = ["وكالة محلية", "نشرة المساء", "موقع الشمال", "مراسلنا", "وكالة الشرق"]
TEMPLATES = [
    "{verb} المتحدث باسم {actor} أن الاشتباكات في محيط {place} أسفرت عن مقتل {n} عنصراً.",
    "وقال مصدر ميداني إن «{actor} تقدمت مسافة {n} كيلومترات باتجاه {place}».",
    "وأضاف أن “الوضع في {place} ما زال صعباً”، مشيراً إلى نزوح {big} شخص خلال {n} أيام.",
    "ونفّذ {actor} نحو {n} غارة على مواقع قرب {place} خلال الأسبوع الماضي.",
    "وبحسب {actor}، فإن الطريق بين {place} و{place2} أُعيد فتحه أمام المدنيين.",
    "ولم يتسنَّ التحقق من هذه المعلومات من مصدر مستقل، فيما رفض {actor} التعليق.",
    "وتقع {place} على بعد {n} كم من {place2}، وتعدّ من أهم المدن في المنطقة.",
    "وأشار تقرير صادر عن {actor} إلى أن {pct}% من السكان يحتاجون إلى مساعدات عاجلة.",
    "وفي سياق متصل، {verb} {actor} أن المفاوضات ستُستأنف في {month} المقبل.",
    "وكان {actor} قد سيطر على {place} في عام {year} قبل أن يخسرها بعد معارك عنيفة.",
    "ويُتوقع أن تصل قافلة تضم {n} شاحنة إلى {place} صباح الغد، وفق ما ذكر {actor}.",
    "وقال أحد السكان: «لم نعد نملك شيئاً، بيوتنا مهدّمة والأسعار ارتفعت {pct}%».",
]
MONTHS = ["كانون الثاني/يناير", "شباط/فبراير", "آذار/مارس", "نيسان/أبريل", "أيار/مايو"]


def generate(count: int, *, seed: int) -> list[dict]:
    """Varied news-like articles of about 300 words (150-450), all different."""
    rng = random.Random(seed)
    articles = []
    for i in range(count):
        place, place2 = rng.sample(PLACES, 2)
        words_wanted = rng.randint(150, 450)
        paragraphs, paragraph, words = [], [], 0
        while words < words_wanted:
            sentence = rng.choice(TEMPLATES).format(
                verb=rng.choice(VERBS),
                actor=rng.choice(ACTORS),
                place=rng.choice(PLACES),
                place2=rng.choice(PLACES),
                n=rng.randint(2, 300),
                big=f"{rng.randint(1, 90)},{rng.randint(0, 999):03d}",
                pct=rng.randint(5, 95),
                month=rng.choice(MONTHS),
                year=rng.randint(2012, 2019),
            )
            paragraph.append(sentence)
            words += sentence.count(" ") + 1
            if len(paragraph) >= rng.randint(2, 5):
                paragraphs.append(" ".join(paragraph))
                paragraph = []
        if paragraph:
            paragraphs.append(" ".join(paragraph))
        actor = rng.choice(ACTORS)
        articles.append(
            {
                "id": f"bench-{seed}-{i}",
                "title": f"{actor} و{place}: تطورات جديدة ({i})",
                "source": rng.choice(SOURCES),
                "published_on": f"{rng.randint(2017, 2019)}-{rng.randint(1, 12):02d}-"
                f"{rng.randint(1, 28):02d}",
                "text": f"{place} – {rng.choice(SOURCES)}\n" + "\n".join(paragraphs),
            }
        )
    return articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=10_000, help="articles (default 10,000)")
    parser.add_argument("--batch-size", type=int, default=None, help="bulk insert batch size")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="pyinstrument the import")
    args = parser.parse_args()

    tmpdir = None
    if not os.environ.get("DATABASE_URL"):
        tmpdir = Path(tempfile.mkdtemp(prefix="wb-bench-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{tmpdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")
    # Measure as deployed: DEBUG off (no query log); a throwaway key for this process only.
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from corpus.importing import DEFAULT_BATCH_SIZE, do_import_articles
    from corpus.parsers import parse_jsonl

    old_name = None
    try:
        if connection.vendor == "sqlite":
            call_command("migrate", verbosity=0)
        else:
            old_name = connection.settings_dict["NAME"]
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        database = f"{connection.vendor} ({connection.settings_dict['NAME']})"

        articles = generate(args.n, seed=args.seed)
        data = "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles).encode()
        words = sum(a["text"].count(" ") + 1 for a in articles) / len(articles)
        batch_size = args.batch_size or DEFAULT_BATCH_SIZE
        print(f"database: {database}")
        print(
            f"articles: {args.n:,} (mean {words:.0f} words, {len(data) / 1e6:.1f} MB of "
            f"JSONL), batch size {batch_size}"
        )

        started, cpu_started = time.perf_counter(), time.process_time()
        records = list(parse_jsonl(data, name="bench.jsonl"))
        parsed, cpu_parsed = time.perf_counter(), time.process_time()

        profiler = None
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler()
            profiler.start()
        report = do_import_articles("bench", records, batch_size=batch_size)
        imported, cpu_imported = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.stop()
        assert report.created == args.n, report.summary

        again = do_import_articles("bench", records, batch_size=batch_size)
        repeated = time.perf_counter()
        assert again.created == 0 and again.duplicates == args.n, again.summary

        def rate(seconds: float, cpu: float | None = None) -> str:
            line = f"{args.n / seconds:>10,.0f} articles/s  ({seconds:.2f} s"
            return line + (f", this process's CPU {cpu:.2f} s)" if cpu is not None else ")")

        print(f"parse JSONL:             {rate(parsed - started, cpu_parsed - cpu_started)}")
        print(f"import into database:    {rate(imported - parsed, cpu_imported - cpu_parsed)}")
        print(f"end to end:              {rate(imported - started, cpu_imported - cpu_started)}")
        print(f"re-import (duplicates):  {rate(repeated - imported)}")
        if profiler is not None:
            print(
                profiler.output_text(
                    unicode=True, color=False, show_all=os.environ.get("BENCH_PROFILE_ALL") == "1"
                )
            )
    finally:
        if old_name is not None:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        connection.close()
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)


if __name__ == "__main__":
    main()
