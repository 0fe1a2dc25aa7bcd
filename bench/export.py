"""Export speed and memory on PostgreSQL: a generated project of 10,000 and 30,000 articles
(and 100,000).

    .venv/bin/python bench/export.py                  # 10,000 then 30,000 articles
    .venv/bin/python bench/export.py --large          # then grows the project to 100,000
    .venv/bin/python bench/export.py --profile        # pyinstrument of one 10,000 JSONL export
    .venv/bin/python bench/export.py --sizes 2000,20000 --runs 1   # a quick look

Creates a fresh PostgreSQL database beside BENCH_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432), migrates it, generates Arabic articles with gold (about
250 words and 8 spans each; two raw annotations on every fifth article), and for each size:

- gold JSONL, then CoNLL, then every format ("all": jsonl, conll, tokens, csv, provenance,
  raw), then every format with the split stratified by span label and the stance CSV's title
  ("strat"), exported in this
  process (`write_export` to a file, as the export job does): wall seconds of the first
  (cold) run and the median of --runs more; CPU seconds of the whole process (the export
  compresses and fetches on two helper threads), of the main thread alone, and of the
  PostgreSQL backend serving it; then the peak of Python
  allocations during one more export (tracemalloc, all threads);
- every format with `manage.py export_dataset` in a child process: seconds and that
  process's peak resident memory (wait4 rusage).

The project grows from one size to the next, so equal memory peaks mean memory stays flat
as the project grows. On a shared machine compare CPU seconds; the machine's load is printed
before and after. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

from harness import ROOT, fresh_postgres, machine_load, setup_django

# Written for this benchmark (not taken from any article).
WORDS = " ".join(
    [
        "قال المتحدث باسم وزارة الدفاع إن القوات تقدمت نحو المدينة وسيطرت على عدة قرى في",
        "الريف الشرقي بعد اشتباكات مع مسلحي التنظيم وأكد مصدر محلي أن المدنيين نزحوا من",
        "الأحياء الجنوبية بينما أعلن التحالف تنفيذ غارات جوية على مواقع قرب النهر وذكرت",
        "الوكالة أن المفاوضات ستستأنف الأسبوع المقبل بحضور وفد المعارضة",
    ]
).split(" ")
NAMES = [
    ("الجيش السوري", "MILITARY_GROUP"),
    ("تنظيم داعش", "MILITARY_GROUP"),
    ("قوات سوريا الديمقراطية", "MILITARY_GROUP"),
    ("الرقة", "GPE"),
    ("دير الزور", "GPE"),
    ("الميادين", "LOC"),
    ("وزارة الخارجية", "ORG"),
    ("الأمم المتحدة", "ORG"),
    ("أبو محمد", "PER"),
    ("آذار/مارس ٢٠١٨", "DATE"),
]
STANCE = ["favor", "against", "neutral", "not_mentioned"]
BATCH = 2000


def article(rng: random.Random, words: int = 250) -> tuple[str, list[dict]]:
    """Generated text and the entity spans placed in it (offsets are code points)."""
    parts: list[str] = []
    spans: list[dict] = []
    position = 0
    for i in range(words):
        if i % 31 == 7:
            name, label = rng.choice(NAMES)
            spans.append(
                {
                    "id": f"s{len(spans) + 1}",
                    "start": position,
                    "end": position + len(name),
                    "label": label,
                    "text": name,
                    "attributes": {},
                }
            )
            piece = name
        else:
            piece = rng.choice(WORDS)
        if i % 17 == 16:
            piece += "."
        parts.append(piece)
        position += len(piece) + 1
    return " ".join(parts), spans


def grow(project, corpus, *, start: int, count: int, annotators, rng: random.Random) -> None:
    """Add articles start..start+count with gold, and raw annotations on every fifth."""
    from django.db import transaction
    from django.utils import timezone

    from annotate.models import (
        Annotation,
        AnnotationStatus,
        Assignment,
        AssignmentStatus,
        Gold,
        GoldSource,
        ProjectArticle,
    )
    from corpus.lib.text import content_hash
    from corpus.models import Article

    now = timezone.now()
    for offset in range(start, start + count, BATCH):
        size = min(BATCH, start + count - offset)
        generated = [article(rng) for _ in range(size)]
        with transaction.atomic():
            rows = Article.objects.bulk_create(
                Article(
                    corpus=corpus,
                    title=f"خبر رقم {offset + i}",
                    text=f"{text} ({offset + i})",
                    external_id=f"bench-{offset + i}",
                    content_hash=content_hash(f"{text} ({offset + i})"),
                )
                for i, (text, _spans) in enumerate(generated)
            )
            ProjectArticle.objects.bulk_create(
                ProjectArticle(project=project, article=row, position=offset + i)
                for i, row in enumerate(rows)
            )
            contents = [
                {
                    "spans": spans,
                    "relations": [],
                    "document_labels": {
                        "stance": {
                            "isis": rng.choice(STANCE),
                            "syrian_army": rng.choice(STANCE),
                        }
                    },
                }
                for _text, spans in generated
            ]
            Gold.objects.bulk_create(
                Gold(project=project, article=row, content=content, source=GoldSource.ADJUDICATED)
                for row, content in zip(rows, contents, strict=True)
            )
            picked = [
                (row, content)
                for i, (row, content) in enumerate(zip(rows, contents, strict=True))
                if i % 5 == 0
            ]
            assignments = Assignment.objects.bulk_create(
                Assignment(
                    project=project,
                    article=row,
                    annotator=user,
                    slot=slot,
                    status=AssignmentStatus.SUBMITTED,
                    submitted_at=now,
                )
                for row, _ in picked
                for slot, user in enumerate(annotators)
            )
            Annotation.objects.bulk_create(
                Annotation(
                    assignment=assignment,
                    project=project,
                    article=assignment.article,
                    annotator=assignment.annotator,
                    content=content,
                    status=AnnotationStatus.SUBMITTED,
                    submitted_at=now,
                )
                for assignment, content in zip(
                    assignments,
                    [content for _, content in picked for _ in annotators],
                    strict=True,
                )
            )


def backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process on this machine; NaN where /proc is missing."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Timing:
    first: float  # wall seconds of the first export at this size
    wall: float  # median wall seconds of the runs after it
    cpu: float  # median CPU seconds of this process (all threads)
    main: float  # median CPU seconds of the exporting thread
    backend: float  # median CPU seconds of the PostgreSQL backend
    peak_mb: float  # peak of traced Python allocations, MB
    zip_mb: float


def export_in_process(project, out: Path, formats: str, runs: int, **extra) -> Timing:
    """`write_export` of `formats` (as the export job runs it): timings and memory peak."""
    from annotate.exports import check_export_options, write_export

    options = check_export_options(formats=formats, seed=1, **extra)
    pid = backend_pid()
    samples = []
    for _ in range(runs + 1):
        started, cpu, main, backend = (
            time.perf_counter(),
            time.process_time(),
            time.thread_time(),
            process_cpu(pid),
        )
        write_export(project, options, out)
        samples.append(
            (
                time.perf_counter() - started,
                time.process_time() - cpu,
                time.thread_time() - main,
                process_cpu(pid) - backend,
            )
        )
    tracemalloc.start()
    tracemalloc.reset_peak()
    write_export(project, options, out)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    warm = samples[1:] or samples
    return Timing(
        first=samples[0][0],
        wall=statistics.median(s[0] for s in warm),
        cpu=statistics.median(s[1] for s in warm),
        main=statistics.median(s[2] for s in warm),
        backend=statistics.median(s[3] for s in warm),
        peak_mb=peak / 1e6,
        zip_mb=out.stat().st_size / 1e6,
    )


def profile_export(project, out: Path, formats: str) -> None:
    from pyinstrument import Profiler

    from annotate.exports import check_export_options, write_export

    options = check_export_options(formats=formats, seed=1)
    write_export(project, options, out)
    profiler = Profiler(interval=0.001)
    profiler.start()
    write_export(project, options, out)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))


def export_in_child(
    env: dict[str, str], project_id: int, out: Path, formats: str
) -> tuple[float, float]:
    """(seconds, peak RSS MB) of `manage.py export_dataset --format FORMATS`."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "export_dataset",
            str(project_id),
            "--out",
            str(out),
            "--format",
            formats,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"export_dataset failed with {child.returncode}")
    return seconds, usage.ru_maxrss / 1024


HEADER = (
    f"{'articles':>9}  {'format':<6} {'first s':>7}  {'wall s':>6}  {'CPU s':>5}  "
    f"{'main CPU':>8}  {'PG CPU':>6}  {'py peak MB':>10}  {'zip MB':>6}"
)


def row(size: int, name: str, timing: Timing) -> str:
    return (
        f"{size:>9,}  {name:<6} {timing.first:>7.2f}  {timing.wall:>6.2f}  {timing.cpu:>5.2f}  "
        f"{timing.main:>8.2f}  {timing.backend:>6.2f}  {timing.peak_mb:>10.1f}  "
        f"{timing.zip_mb:>6.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,30000", help="project sizes, growing")
    parser.add_argument("--large", action="store_true", help="add 100,000 articles to the sizes")
    parser.add_argument("--runs", type=int, default=3, help="timed runs after the first")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-conll", dest="conll", action="store_false", help="skip CoNLL")
    parser.add_argument(
        "--profile", action="store_true", help="pyinstrument one JSONL export at the first size"
    )
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",")} | ({100_000} if args.large else set()))

    with fresh_postgres("wb_bench_export") as env, tempfile.TemporaryDirectory() as tmp:
        setup_django()
        from django.contrib.auth import get_user_model
        from django.db import connection

        from annotate.lib.exports import FORMATS
        from annotate.lib.schema import default_schema
        from annotate.models import Membership, Project, Role
        from corpus.models import Corpus

        rng = random.Random(args.seed)
        corpus = Corpus.objects.create(name="bench export")
        project = Project.objects.create(name="bench export", schema=default_schema())
        annotators = [
            get_user_model().objects.create_user(username=f"bench-annotator-{i}") for i in range(2)
        ]
        for user in annotators:
            Membership.objects.create(project=project, user=user, role=Role.ANNOTATOR)

        print(f"PostgreSQL, export in this process; before: {machine_load()}", flush=True)
        have = 0
        results: list[str] = []
        for size in sizes:
            started = time.perf_counter()
            grow(project, corpus, start=have, count=size - have, annotators=annotators, rng=rng)
            have = size
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would give
            generated = time.perf_counter() - started
            print(f"{size:,} articles generated in {generated:.1f} s", flush=True)
            if args.profile and size == sizes[0]:
                profile_export(project, Path(tmp) / "profile.zip", "jsonl")
            every = ",".join(FORMATS)
            for name in ("jsonl", "conll", "all", "strat") if args.conll else ("jsonl",):
                formats = every if name in ("all", "strat") else name
                extra = {"stratify_by": "spans", "stance_title": True} if name == "strat" else {}
                timing = export_in_process(
                    project, Path(tmp) / f"{name}.zip", formats, args.runs, **extra
                )
                results.append(row(size, name, timing))
                print(results[-1], flush=True)
            all_zip = Path(tmp) / "all.zip"
            seconds, rss_mb = export_in_child(env, project.pk, all_zip, every)
            zip_mb = all_zip.stat().st_size / 1e6
            results.append(
                f"{size:>9,}  all formats in a child process (manage.py export_dataset): "
                f"{seconds:.2f} s, zip {zip_mb:.1f} MB, peak RSS {rss_mb:.0f} MB"
            )
            print(results[-1], flush=True)
        print()
        print(HEADER)
        print("\n".join(results))
        print(
            "first s: the first export at that size (cold); wall, CPU: medians of the runs "
            f"after it ({args.runs}); CPU s: this process, all threads; main CPU: the "
            "exporting thread; PG CPU: the PostgreSQL backend; py peak MB: tracemalloc."
        )
        print(f"after: {machine_load()}")


if __name__ == "__main__":
    main()
