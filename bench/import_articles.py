"""Import throughput: 10,000 generated Arabic news articles of about 3,100 characters (a news
article's usual size; --words changes it), from the bytes of a JSONL file to rows committed, by
three paths; articles/s and MB/s of JSONL, beside the rivals' figures of issue 19.

    .venv/bin/python bench/import_articles.py                      # all three, PostgreSQL
    .venv/bin/python bench/import_articles.py --path command       # manage.py import_articles
    .venv/bin/python bench/import_articles.py --path api           # REST uploads, gunicorn -w 4
    .venv/bin/python bench/import_articles.py -n 100000 --repeat 1 # 100,000 articles (600 MB)
    .venv/bin/python bench/import_articles.py --path in-process    # parse, then import, phases
    .venv/bin/python bench/import_articles.py --sqlite             # the same on SQLite
    .venv/bin/python bench/import_articles.py --repeat 1           # one timed import a path, not 5
    .venv/bin/python bench/import_articles.py --path in-process --profile   # pyinstrument

- command: `call_command("import_articles", FILE)` timed from the call to its return (the file
  read, parsed and committed); also the same command as a new process, which adds the
  interpreter's and Django's start-up.
- api: gunicorn with 4 workers serves the app; the file goes up with token auth, timed from
  the first byte sent to the response: as the request body to /api/corpora/{id}/import/stream/
  (parsed as it arrives), and as a multipart POST to /api/corpora/{id}/import/ (received
  whole, then parsed). The server's MAX_UPLOAD_BYTES is raised to fit the file.
- in-process: parse_jsonl, then do_import_articles, each timed with this process's CPU time.

Each path imports into an empty corpus of its own, five times (--repeat), each into a new one,
and prints the median, then imports the same file again (every article a duplicate). It never
touches real data: PostgreSQL figures use a fresh database on the server of BENCH_POSTGRES_URL
(default postgres://postgres@127.0.0.1:5432), dropped afterwards; SQLite figures a file in a
temporary folder, removed afterwards. Prints articles per second, seconds, CPU seconds of each
process involved, and the machine's load average (on a shared machine compare CPU times too).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import (  # noqa: E402
    POSTGRES_URL,
    fresh_postgres,
    gunicorn,
    machine_load,
    setup_django,
)

PATHS = ("command", "api", "in-process")
# Issue 19's side-by-side run: importing 10,000 of the same articles through each tool's API.
RIVALS = {"doccano 1.8": 2901, "Label Studio 1.23": 2510}

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


def generate(count: int, *, seed: int, words: int = 540) -> list[dict]:
    """Varied news-like articles of about `words` words (half to one and a half times that),
    all different. The default gives about 3,100 characters, a news article's usual size."""
    rng = random.Random(seed)
    articles = []
    for i in range(count):
        place, place2 = rng.sample(PLACES, 2)
        words_wanted = rng.randint(words // 2, words * 3 // 2)
        paragraphs, paragraph, written = [], [], 0
        while written < words_wanted:
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
            written += sentence.count(" ") + 1
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


def jsonl(articles: list[dict]) -> bytes:
    return "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles).encode()


@contextlib.contextmanager
def database(sqlite: bool) -> Iterator[tuple[dict[str, str], str]]:
    """A fresh, migrated database for this process's Django; yields the environment for
    subprocesses and a description."""
    if not sqlite:
        with fresh_postgres("wb_bench_import") as env:
            yield env, f"PostgreSQL ({env['DATABASE_URL'].rsplit('/', 1)[1]})"
        return
    folder = Path(tempfile.mkdtemp(prefix="wb-bench-"))
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{folder / 'bench.sqlite3'}",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
    )
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DEBUG", "SECRET_KEY", "LOG_LEVEL")})
    os.environ["ALLOWED_HOSTS"] = env["ALLOWED_HOSTS"]
    try:
        for command in (["migrate"], ["collectstatic", "--noinput"]):
            subprocess.run(
                [sys.executable, "manage.py", *command, "-v", "0"], cwd=ROOT, env=env, check=True
            )
        yield env, "SQLite"
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        shutil.rmtree(folder, ignore_errors=True)


# Bytes of JSONL per article of the generated file (set in main), for MB/s beside articles/s.
BYTES_PER_ARTICLE = [0.0]


def rate(count: int, seconds: float) -> str:
    megabytes = count * BYTES_PER_ARTICLE[0] / 1e6
    return f"{count / seconds:>8,.0f} articles/s {megabytes / seconds:6.1f} MB/s  {seconds:5.2f} s"


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process on this machine has used; 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds used by a changing set of processes (PostgreSQL backends of the bench
    database, gunicorn's workers) between two readings: on a shared machine wall time is
    noisy, CPU time much less."""

    def __init__(self, find: Callable[[], list[int]]) -> None:
        self.find = find
        self.start: dict[int, float] = {}

    def reading(self) -> dict[int, float]:
        return {pid: process_cpu(pid) for pid in self.find()}

    def begin(self) -> None:
        self.start = self.reading()

    def used(self) -> float:
        end = self.reading()
        return sum(cpu - self.start.get(pid, 0.0) for pid, cpu in end.items())


def postgres_backends() -> list[int]:
    """Server processes serving the bench database (PostgreSQL on this machine only)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    import psycopg

    with psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s",
            [connection.settings_dict["NAME"]],
        ).fetchall()
    return [pid for (pid,) in rows]


def processes_with(needle: str) -> list[int]:
    """Processes whose command line holds `needle` (gunicorn's master and workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if needle in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def report_line(label: str, count: int, seconds: float, **cpu: float | None) -> None:
    used = ", ".join(f"{name} {value:.2f} s" for name, value in cpu.items() if value is not None)
    print(f"  {label + ':':<30}{rate(count, seconds)}   CPU: {used}")


def report_median(count: int, seconds: list[float]) -> None:
    """With several timed runs, their median (wall time on this machine varies by a fifth
    from one minute to the next) and range."""
    if len(seconds) > 1:
        ordered = sorted(seconds)
        middle = statistics.median(ordered)
        print(
            f"  {f'median of {len(ordered)} runs:':<30}{rate(count, middle)}   "
            f"(runs {count / ordered[-1]:,.0f} to {count / ordered[0]:,.0f} articles/s)"
        )


def runs(repeat: int, again: str) -> list[tuple[str, int]]:
    """(label, corpus number) of each timed import: `repeat` into empty corpora, then the same
    file once more into the last of them."""
    labels = ["import" if repeat == 1 else f"import, run {run + 1}" for run in range(repeat)]
    return [*((label, run) for run, label in enumerate(labels)), (again, repeat - 1)]


def command_path(path: Path, count: int, env: dict[str, str], repeat: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    database_cpu = CpuMeter(postgres_backends)
    timed = []
    for label, run in runs(repeat, "re-import (duplicates)"):
        out = StringIO()
        connection.ensure_connection()
        database_cpu.begin()
        started, cpu = time.perf_counter(), time.process_time()
        corpus = f"bench-command-{run}"
        call_command("import_articles", str(path), corpus=corpus, verbosity=0, stdout=out)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        summary = out.getvalue().strip()
        expected = "imported 0" if label.startswith("re-") else f"imported {count}"
        assert summary.startswith(expected), summary
        used = database_cpu.used() if connection.vendor == "postgresql" else None
        report_line(label, count, seconds, command=cpu, PostgreSQL=used)
        if not label.startswith("re-"):
            timed.append(seconds)
    report_median(count, timed)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "import_articles", str(path), "--corpus", "bench-process"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    print(f"  {'as a new process:':<30}{rate(count, seconds)}   (with Python and Django start-up)")


def multipart(data: bytes, name: str) -> tuple[bytes, str]:
    boundary = f"bench-{secrets.token_hex(12)}"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/x-ndjson\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), boundary


def api_path(
    data: bytes, count: int, env: dict[str, str], workers: int, repeat: int, kinds: list[str]
) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection

    from annotate.tokens import do_create_api_token
    from corpus.models import Corpus

    lead = get_user_model().objects.create_user(
        "bench-lead", password=secrets.token_hex(8), is_staff=True
    )
    token = do_create_api_token(lead)[1]
    body, boundary = multipart(data, "bench.jsonl")
    # The server takes the whole file (the default limit is 50 MiB).
    limit = max(settings.MAX_UPLOAD_BYTES, len(body))
    env = {**env, "MAX_UPLOAD_BYTES": str(limit)}
    uploads = {
        "stream": (
            "/import/stream/?name=bench.jsonl",
            data,
            {"Content-Type": "application/x-ndjson"},
        ),
        "multipart": (
            "/import/",
            body,
            {"Content-Type": f"multipart/form-data; boundary={boundary}"},
        ),
    }
    with gunicorn(env, workers=workers) as port:
        # Every worker answers a few requests before the timed uploads.
        for _ in range(workers * 3):
            warm = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            warm.request("GET", "/api/corpora/", headers={"Authorization": f"Token {token}"})
            warm.getresponse().read()
            warm.close()
        server_cpu = CpuMeter(lambda: processes_with(f"127.0.0.1:{port}"))
        database_cpu = CpuMeter(postgres_backends)
        for kind in kinds:
            path, payload, content_type = uploads[kind]
            print(f"  {kind}: [{machine_load()}]")
            headers = {"Authorization": f"Token {token}", **content_type}
            corpora = [
                Corpus.objects.create(name=f"bench-{kind}-{run}", created_by=lead)
                for run in range(repeat)
            ]
            timed = []
            for label, run in runs(repeat, "re-upload (duplicates)"):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
                conn.connect()
                server_cpu.begin()
                database_cpu.begin()
                started, cpu = time.perf_counter(), time.process_time()
                url = f"/api/corpora/{corpora[run].pk}{path}"
                conn.request("POST", url, payload, headers)
                response = conn.getresponse()
                answer = response.read()
                seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
                conn.close()
                if response.status != 200:
                    raise SystemExit(f"{kind} {label} failed: {response.status} {answer[:500]!r}")
                report = json.loads(answer)
                assert report["read"] == count, report["summary"]
                if label.startswith("re-"):
                    assert report["duplicates_in_corpus"] == count, report["summary"]
                else:
                    assert report["created"] == count, report["summary"]
                    timed.append(seconds)
                label = label.replace("import", "upload")
                used = database_cpu.used() if connection.vendor == "postgresql" else None
                report_line(
                    label, count, seconds, gunicorn=server_cpu.used(), PostgreSQL=used, client=cpu
                )
            report_median(count, timed)
            print(f"  (one POST of {len(payload) / 1e6:.1f} MB, token auth, gunicorn -w {workers})")


def in_process_path(data: bytes, count: int, batch_size: int, profile: bool, repeat: int) -> None:
    timed = []
    for run in range(repeat):
        if repeat > 1:
            print(f"  run {run + 1}:")
        timed.append(
            in_process_run(data, count, batch_size, profile and run == repeat - 1, f"bench-{run}")
        )
    report_median(count, timed)


def in_process_run(data: bytes, count: int, batch_size: int, profile: bool, corpus: str) -> float:
    """One timed import (end to end: parse and import) and its phases; returns its seconds."""
    from django.db import connection

    from corpus.importing import do_import_articles
    from corpus.lib.parsers import parse_jsonl

    connection.ensure_connection()
    database_cpu = CpuMeter(postgres_backends)
    database_cpu.begin()
    started, cpu_started = time.perf_counter(), time.process_time()
    records = list(parse_jsonl(data, name="bench.jsonl"))
    parsed, cpu_parsed = time.perf_counter(), time.process_time()
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    report = do_import_articles(corpus, records, batch_size=batch_size)
    imported, cpu_imported = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.stop()
    used = database_cpu.used() if connection.vendor == "postgresql" else None
    assert report.created == count, report.summary
    again = do_import_articles(corpus, records, batch_size=batch_size)
    repeated, cpu_repeated = time.perf_counter(), time.process_time()
    assert again.created == 0 and again.duplicates == count, again.summary

    report_line("parse JSONL", count, parsed - started, Python=cpu_parsed - cpu_started)
    report_line(
        "import into database",
        count,
        imported - parsed,
        Python=cpu_imported - cpu_parsed,
        PostgreSQL=used,
    )
    report_line("end to end", count, imported - started, Python=cpu_imported - cpu_started)
    report_line(
        "re-import (duplicates)", count, repeated - imported, Python=cpu_repeated - cpu_imported
    )
    if profiler is not None:
        print(
            profiler.output_text(
                unicode=True, color=False, show_all=os.environ.get("BENCH_PROFILE_ALL") == "1"
            )
        )
    return imported - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=10_000, help="articles (default 10,000)")
    parser.add_argument(
        "--path", choices=(*PATHS, "all"), default="all", help="which path to time (default all)"
    )
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument(
        "--uploads",
        choices=("stream", "multipart", "both"),
        default="both",
        help="which REST uploads the api path times (default both)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=5,
        help="timed imports per path, each into an empty corpus (default 5; the median counts)",
    )
    parser.add_argument("--batch-size", type=int, default=None, help="in-process batch size")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--words", type=int, default=540, help="mean words an article (default 540: ~3,100 chars)"
    )
    parser.add_argument("--profile", action="store_true", help="pyinstrument the in-process import")
    args = parser.parse_args()
    paths = PATHS if args.path == "all" else (args.path,)

    articles = generate(args.n, seed=args.seed, words=args.words)
    data = jsonl(articles)
    BYTES_PER_ARTICLE[0] = len(data) / args.n
    words = sum(a["text"].count(" ") + 1 for a in articles) / len(articles)
    characters = sum(len(a["text"]) for a in articles) / len(articles)
    folder = Path(tempfile.mkdtemp(prefix="wb-bench-import-"))
    try:
        file = folder / "bench.jsonl"
        file.write_bytes(data)
        with database(args.sqlite) as (env, described):
            setup_django()
            from corpus.importing import DEFAULT_BATCH_SIZE

            print(f"database: {described}")
            print(
                f"articles: {args.n:,} (mean {words:.0f} words, {characters:,.0f} characters; "
                f"{len(data) / 1e6:.1f} MB of JSONL, {len(data) / args.n / 1000:.1f} KB each)"
            )
            for path in paths:
                print(f"{path}:  [{machine_load()}]")
                if path == "command":
                    command_path(file, args.n, env, args.repeat)
                elif path == "api":
                    kinds = ["stream", "multipart"] if args.uploads == "both" else [args.uploads]
                    api_path(data, args.n, env, args.workers, args.repeat, kinds)
                else:
                    batch_size = args.batch_size or DEFAULT_BATCH_SIZE
                    in_process_path(data, args.n, batch_size, args.profile, args.repeat)
            rivals = ", ".join(f"{name} {rate:,} articles/s" for name, rate in RIVALS.items())
            print(f"rivals (issue 19, through their APIs, 10,000 articles): {rivals}")
            print(f"after:  [{machine_load()}]")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
