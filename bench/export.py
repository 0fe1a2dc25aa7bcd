"""Export speed and memory: a generated project of 10,000 and then 100,000 articles on PostgreSQL.

    .venv/bin/python bench/export.py                     # 10,000 then 100,000 articles
    .venv/bin/python bench/export.py --sizes 2000,20000  # a quicker run

Creates a fresh PostgreSQL database beside BENCH_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432), migrates it, generates Arabic articles with gold (about
250 words and 8 spans each; two raw annotations on every fifth article), and for each size:

- exports gold JSONL in this process: seconds, and the peak of Python allocations during the
  export (tracemalloc, a second run);
- exports JSONL, CSV and raw JSONL with `manage.py export_dataset` in a child process:
  seconds and that process's peak resident memory (wait4 rusage);
- at the first size, CoNLL alone in a child process (it tokenizes every article, so it is
  slower than the others: most of its time is corpus.text.token_bounds).

The project grows from one size to the next, so equal memory figures mean memory stays flat
as the project grows. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
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
    from corpus.models import Article
    from corpus.text import content_hash

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


def export_in_process(project, out: Path) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, peak MB of Python allocations, bytes): gold JSONL export."""
    from annotate.export_queries import check_export_options, write_export

    options = check_export_options(formats="jsonl", seed=1)
    started, cpu_started = time.perf_counter(), time.process_time()
    size = write_export(project, options, out)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    tracemalloc.start()
    tracemalloc.reset_peak()
    write_export(project, options, out)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, cpu, peak / 1e6, size


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="project sizes, growing")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--no-conll", dest="conll", action="store_false", help="skip the CoNLL timing"
    )
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))

    with fresh_postgres("wb_bench_export") as env, tempfile.TemporaryDirectory() as tmp:
        setup_django()
        from django.contrib.auth import get_user_model

        from annotate.models import Membership, Project, Role
        from annotate.schema import default_schema
        from corpus.models import Corpus

        rng = random.Random(args.seed)
        corpus = Corpus.objects.create(name="bench export")
        project = Project.objects.create(name="bench export", schema=default_schema())
        annotators = [
            get_user_model().objects.create_user(username=f"bench-annotator-{i}") for i in range(2)
        ]
        for user in annotators:
            Membership.objects.create(project=project, user=user, role=Role.ANNOTATOR)

        print(f"PostgreSQL, {machine_load()}")
        print(
            f"{'articles':>9}  {'generate s':>10}  {'JSONL s':>8}  {'JSONL CPU s':>11}  "
            f"{'py peak MB':>10}  {'jsonl+csv+raw s':>15}  {'zip MB':>7}  {'child RSS MB':>12}"
        )
        have = 0
        for size in sizes:
            started = time.perf_counter()
            grow(project, corpus, start=have, count=size - have, annotators=annotators, rng=rng)
            generated = time.perf_counter() - started
            have = size
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would give
            seconds, cpu, peak_mb, _ = export_in_process(project, Path(tmp) / "gold.zip")
            all_seconds, rss_mb = export_in_child(
                env, project.pk, Path(tmp) / "all.zip", "jsonl,csv,raw"
            )
            zip_mb = (Path(tmp) / "all.zip").stat().st_size / 1e6
            print(
                f"{size:>9,}  {generated:>10.1f}  {seconds:>8.2f}  {cpu:>11.2f}  "
                f"{peak_mb:>10.1f}  {all_seconds:>15.2f}  {zip_mb:>7.1f}  {rss_mb:>12.0f}",
                flush=True,
            )
            if size == sizes[0] and args.conll:
                conll_seconds, conll_rss = export_in_child(
                    env, project.pk, Path(tmp) / "conll.zip", "conll"
                )
                print(
                    f"{'':>9}  CoNLL alone at {size:,} articles: {conll_seconds:.1f} s, "
                    f"child RSS {conll_rss:.0f} MB (mostly tokenizing)",
                    flush=True,
                )
        print(f"after: {machine_load()}")


if __name__ == "__main__":
    main()
