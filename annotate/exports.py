"""Exports, the edge module: options, the rows read out of the database, the zip, and the
project export tokens that download it.

Gold rows are read in chunks of CHUNK_SIZE through a server-side cursor on PostgreSQL (the
compiled `values_list` query, without Django's per-row converters), raw annotations with
`values_list(...).iterator(chunk_size=...)`; rows become plain records handed to the pure
writers in annotate/lib/exports/, and the zip is produced as a stream of chunks that goes to
a file or to an HTTP response. Nothing holds the project in memory: memory stays flat however
many articles the project has (bench/export.py shows it).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import tempfile
import tomllib
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import F, QuerySet, TextField, Value
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from annotate.errors import ActionError
from annotate.lib.exports import CARD_NAME, FORMATS, MANIFEST_NAME, file_name
from annotate.lib.exports.archive import FileInfo, zip_stream
from annotate.lib.exports.card import Feature, dataset_card, gold_features, token_features
from annotate.lib.exports.conll import articles_lines, conll_articles, tag_names
from annotate.lib.exports.jsonl import gold_jsonl_utf8_lines, raw_jsonl_utf8_lines
from annotate.lib.exports.manifest import build_manifest
from annotate.lib.exports.provenance import ProvenanceRecord, provenance_lines
from annotate.lib.exports.records import (
    ExportStats,
    GoldRecord,
    RawRecord,
    counting_gold,
    counting_raw,
)
from annotate.lib.exports.split import (
    DEFAULT_RATIOS,
    SPLITS,
    STRATIFY_SPANS,
    Ratios,
    SplitError,
    SplitPlan,
    article_stratum,
    check_seed,
    check_stratify_by,
    parse_ratios,
    plan_split,
    plan_stratified_split,
    unit_key,
)
from annotate.lib.exports.stance_csv import stance_csv_lines
from annotate.lib.exports.tokens import token_lines
from annotate.lib.recommend.provenance import suggested_in
from annotate.lib.schema import claim_key, span_labels
from annotate.models import (
    Annotation,
    AnnotationStatus,
    ExportToken,
    Gold,
    Project,
    ProjectArticle,
)
from annotate.recommend import accepted_suggestions
from corpus.models import Article

# Rows per fetch from the server-side cursor, the only rows held in memory at a time: 250 rows
# of news articles keep the export's Python peak near 4 MB, and larger fetches were no faster.
CHUNK_SIZE = 250
PROGRESS_EVERY = 1000
GOLD_FORMATS = ("jsonl", "conll", "tokens", "csv")

Progress = Callable[[int, int], None]


# ---- options ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExportOptions:
    formats: tuple[str, ...]
    seed: int
    ratios: Ratios
    # A key of the articles' metadata: articles with the same value share a split.
    group_by: str | None = None
    # "spans" or "stance:<target>": each label spread over the splits in the ratios (split.py).
    stratify_by: str | None = None
    # The stance CSV gets a title column.
    stance_title: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "formats": list(self.formats),
            "seed": self.seed,
            "ratios": self.ratios.as_dict(),
            "group_by": self.group_by,
            "stratify_by": self.stratify_by,
            "stance_title": self.stance_title,
        }


GROUP_BY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def check_export_options(
    *,
    formats: Any = None,
    seed: Any = 0,
    ratios: Any = None,
    group_by: Any = None,
    stratify_by: Any = None,
    stance_title: Any = False,
) -> ExportOptions:
    """Validate export options; ActionError names the bad field.

    `formats`: a list or comma-separated text of the FORMATS (default: all).
    `group_by`: a top-level key of the articles' metadata (e.g. "story"), or none.
    `stratify_by`: "spans" or "stance:<target key>", or none.
    `stance_title`: a boolean (or "true"/"false", "1"/"0", "on"/"off" from a form or query).
    """
    if group_by in (None, ""):
        group_by = None
    elif not isinstance(group_by, str) or not GROUP_BY_RE.match(group_by):
        raise ActionError(
            "group_by", "must be a metadata key: letters, digits and _, not starting with a digit"
        )
    if formats is None or formats == "" or formats == []:
        chosen = list(FORMATS)
    else:
        items = formats.split(",") if isinstance(formats, str) else formats
        if not isinstance(items, list | tuple) or not all(isinstance(f, str) for f in items):
            raise ActionError("formats", "must be a list of format names")
        chosen = [f.strip() for f in items if f.strip()]
        for name in chosen:
            if name not in FORMATS:
                raise ActionError(
                    "formats", f"unknown format {name!r}; choose from {', '.join(FORMATS)}"
                )
    try:
        parsed_seed = check_seed(seed if seed is not None else 0)
        parsed_ratios = parse_ratios(ratios if ratios not in (None, "") else DEFAULT_RATIOS)
        parsed_stratify = check_stratify_by(stratify_by)
    except SplitError as exc:
        raise ActionError(exc.field, exc.message) from None
    # Fixed order, whatever order the user listed them in: same options, same zip.
    ordered = tuple(name for name in FORMATS if name in chosen)
    return ExportOptions(
        formats=ordered,
        seed=parsed_seed,
        ratios=parsed_ratios,
        group_by=group_by,
        stratify_by=parsed_stratify,
        stance_title=check_flag(stance_title, field="stance_title"),
    )


FLAG_WORDS = {"true": True, "1": True, "on": True, "false": False, "0": False, "off": False}


def check_flag(value: Any, *, field: str) -> bool:
    """A boolean option given as a bool or as text from a form or a query string."""
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        return False
    if isinstance(value, str) and value.lower() in FLAG_WORDS:
        return FLAG_WORDS[value.lower()]
    raise ActionError(field, f"must be true or false, got {value!r}")


# ---- rows out of the database, as plain records -------------------------------------------


def gold_count(project: Project) -> int:
    return Gold.objects.filter(project=project).count()


def raw_count(project: Project) -> int:
    return Annotation.objects.filter(project=project, status=AnnotationStatus.SUBMITTED).count()


def _utf8_text_loader() -> type:
    """A psycopg loader that hands PostgreSQL `text` values over as their UTF-8 bytes."""
    from psycopg.adapt import Loader

    class Utf8TextLoader(Loader):
        def load(self, data: Any) -> bytes:
            return bytes(data)

    return Utf8TextLoader


def _driver_rows(
    queryset: QuerySet, *, text_as_utf8: bool = False, bounded: bool = False
) -> Iterator[tuple]:
    """The rows of a `values_list` query as the database driver returns them.

    A server-side cursor on PostgreSQL, like `.iterator()`, but without Django's per-row
    converters: a JSONField comes back as its JSON text, to decode with `json.loads`.
    Use it for columns whose driver value is already the Python value (ints, text).
    With `text_as_utf8`, PostgreSQL `text` columns come as UTF-8 bytes (SQLite: str still).

    A `bounded` query (at most CHUNK_SIZE articles' rows) goes through a plain cursor
    instead: one round trip rather than a server-side cursor's four (declare, fetch, fetch,
    close), which took most of the gold export's time at 100,000 articles.

    Fetched on the calling thread: a thread fetching ahead made the export slower, not faster
    (0.98 s instead of 0.80 s for 10,000 articles here), as it and the compressing thread
    waited for the interpreter lock the encoding thread holds.
    """
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    connection = connections[queryset.db]
    with connection.cursor() if bounded else connection.chunked_cursor() as cursor:
        adapters = getattr(cursor.cursor, "adapters", None)  # psycopg 3 (not psycopg2)
        if text_as_utf8 and connection.vendor == "postgresql" and adapters is not None:
            adapters.register_loader("text", _utf8_text_loader())
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK_SIZE):
            yield from rows
            del rows


def split_keys(project: Project, options: ExportOptions) -> Iterator[tuple[int, str]]:
    """(article id, unit key) of every gold article, by article id: the key is the content
    hash, or the `group_by` metadata value where the article has one (split.py)."""
    for article_id, key, _ in split_units(project, options, with_strata=False):
        yield article_id, key


def split_units(
    project: Project, options: ExportOptions, *, with_strata: bool
) -> Iterator[tuple[int, str, str]]:
    """(article id, unit key, stratum) of every gold article, by article id; the stratum is ""
    unless `with_strata` and the export is stratified (then the gold content is read, never
    the text)."""
    queryset = Gold.objects.filter(project=project).order_by("article_id")
    group: Any = Value(None, output_field=TextField())
    if options.group_by:
        group = KeyTextTransform(options.group_by, "article__metadata")
    stratify = options.stratify_by if with_strata else None
    content: Any = F("content") if stratify else Value("", output_field=TextField())
    queryset = queryset.annotate(group=group, strata_content=content)
    rows = _driver_rows(
        queryset.values_list("article_id", "article__content_hash", "group", "strata_content")
    )
    loads = json.loads
    for article_id, digest, value, gold in rows:
        key = unit_key(digest, None if value is None else str(value))
        stratum = article_stratum(loads(gold), stratify) if stratify else ""
        yield article_id, key, stratum


@dataclass(frozen=True, slots=True)
class ProjectSplit:
    """The split plan and, per split, the ids of its gold articles in ascending order (an
    array of 8-byte ints: 0.8 MB for 100,000 gold articles, the one thing an export holds
    that grows with the project)."""

    plan: SplitPlan
    article_ids: dict[str, array]


def project_split(project: Project, options: ExportOptions) -> ProjectSplit:
    """Two passes over the gold's ids and content hashes (no text): the plan, then the ids.
    A stratified plan reads the gold content too, in the first pass."""
    if options.stratify_by:
        plan = plan_stratified_split(
            ((key, stratum) for _, key, stratum in split_units(project, options, with_strata=True)),
            seed=options.seed,
            ratios=options.ratios,
        )
    else:
        plan = plan_split(
            (key for _, key in split_keys(project, options)),
            seed=options.seed,
            ratios=options.ratios,
        )
    ids = {split: array("q") for split in SPLITS}
    for article_id, key in split_keys(project, options):
        ids[plan.split_of(key)].append(article_id)
    return ProjectSplit(plan, ids)


def _in_chunks(ids: array) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK_SIZE):
        yield ids[start : start + CHUNK_SIZE].tolist()


def gold_records(
    project: Project, split: str, article_ids: array, *, with_text: bool = True
) -> Iterator[GoldRecord]:
    """The gold articles `article_ids` (ascending) of the project, by article id, all in
    `split`; CHUNK_SIZE articles a query.

    `with_text=False` leaves the article text out (records carry ""): for the stance CSV and
    the counts, which never read it, the database then neither decompresses nor sends it.
    """
    text_column = "article__text" if with_text else Value("", output_field=TextField())
    queryset = (
        Gold.objects.filter(project=project)
        .order_by("article_id")
        .values_list("article_id", "article__external_id", "article__title", text_column, "content")
    )
    loads = json.loads
    for chunk in _in_chunks(article_ids):
        rows = _driver_rows(
            queryset.filter(article_id__in=chunk), text_as_utf8=with_text, bounded=True
        )
        for article_id, external_id, title, text, content in rows:
            utf8 = None
            if type(text) is bytes:
                utf8, text = text, text.decode("utf-8")
            yield GoldRecord(article_id, external_id, title, text, loads(content), split, utf8)


def raw_records(project: Project, split: str, article_ids: array) -> Iterator[RawRecord]:
    """Every submitted annotation of the articles `article_ids` (ascending), all in `split`,
    by article, then annotator name; with which of its spans came from suggestions.

    Two queries per CHUNK_SIZE articles: the annotations, then the texts of their articles,
    each text read once however many annotators submitted it (as UTF-8 on PostgreSQL, which
    the records of one article share for the writer to escape once)."""
    annotations = (
        Annotation.objects.filter(project=project, status=AnnotationStatus.SUBMITTED)
        .order_by("article_id", "annotator__username", "id")
        .values_list(
            "id",
            "article_id",
            "annotator__username",
            "submitted_at",
            "schema_version",
            "content",
            "assignment_id",
        )
    )
    articles = Article.objects.order_by("id").values_list("id", "external_id", "title", "text")
    for chunk in _in_chunks(article_ids):
        rows = list(annotations.filter(article_id__in=chunk))
        if not rows:
            continue
        accepted = accepted_suggestions([row[-1] for row in rows])
        texts: dict[int, tuple[str, str, str, bytes | None]] = {}
        with_annotations = sorted({row[1] for row in rows})
        for article_id, external_id, title, text in _driver_rows(
            articles.filter(id__in=with_annotations), text_as_utf8=True, bounded=True
        ):
            utf8 = None
            if type(text) is bytes:
                utf8, text = text, text.decode("utf-8")
            texts[article_id] = (external_id, title, text, utf8)
        for annotation_id, article_id, annotator, when, version, content, assignment_id in rows:
            external_id, title, text, utf8 = texts[article_id]
            yield RawRecord(
                annotation_id=annotation_id,
                article_id=article_id,
                external_id=external_id,
                title=title,
                text=text,
                annotator=annotator,
                submitted_at=when.isoformat() if when else None,
                schema_version=version,
                content=content,
                split=split,
                suggested=suggested_in(content, accepted.get(assignment_id)),
                text_utf8=utf8,
            )
        del rows, texts


def provenance_records(
    project: Project, split: str, article_ids: array
) -> Iterator[ProvenanceRecord]:
    """Where each gold article of `article_ids` came from, and the submitted annotations
    that support its spans; two queries per CHUNK_SIZE articles."""
    gold = (
        Gold.objects.filter(project=project)
        .order_by("article_id")
        .values_list("article_id", "source", "updated_by__username", "updated_at", "version")
    )
    submitted = (
        Annotation.objects.filter(project=project, status=AnnotationStatus.SUBMITTED)
        .order_by("article_id", "annotator__username", "id")
        .values_list("article_id", "annotator__username", "content")
    )
    gold_content = Gold.objects.filter(project=project).values_list("article_id", "content")
    for chunk in _in_chunks(article_ids):
        by_article: dict[int, list[tuple[str, list[dict[str, Any]]]]] = {}
        for article_id, annotator, content in submitted.filter(article_id__in=chunk):
            by_article.setdefault(article_id, []).append(
                (annotator, (content or {}).get("spans", []))
            )
        contents = dict(gold_content.filter(article_id__in=chunk))
        for article_id, source, adjudicator, updated_at, version in gold.filter(
            article_id__in=chunk
        ):
            yield ProvenanceRecord(
                article_id=article_id,
                source=source,
                adjudicator=adjudicator,
                updated_at=updated_at.isoformat() if updated_at else None,
                version=version,
                spans=(contents.get(article_id) or {}).get("spans", []),
                annotations=by_article.get(article_id, []),
            )


# ---- what the manifest reports besides the files -----------------------------------------


@cache
def tool_info() -> dict[str, str]:
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as handle:
            project = tomllib.load(handle).get("project", {})
    except OSError:
        project = {}
    return {
        "name": project.get("name", "arabic-annotation-workbench"),
        "version": project.get("version", "unknown"),
    }


def agreement_summary(project: Project) -> dict[str, Any]:
    """The agreement summary from the project's stored totals, and whether it is current.

    The totals follow every submission and reopening article by article, so reading them
    costs the same whatever the project's size: the export never recomputes the report.
    Totals never built are requested now (assembled_report queues their rebuild, which the
    immediate task backend runs at once); while a rebuild is pending, or when submissions
    changed that the totals have not counted (their number differs), the summary is the
    last complete one and `current` is false.
    """
    from annotate.agreement import assembled_report, submitted

    assembled = assembled_report(project)
    if assembled.built_at is None:
        return {"available": False, "reason": "agreement totals are being computed"}
    document = assembled.report.as_dict()
    return {
        "available": True,
        "current": not assembled.pending
        and document["counts"]["annotations"] == submitted(project).count(),
        "computed_at": assembled.meta.computed_at,
        "fingerprint": assembled.meta.fingerprint,
        "source": "totals",
        "summary": document["summary"],
    }


# ---- the zip ------------------------------------------------------------------------------


class _Ticker:
    """Calls `progress(done, total)` every PROGRESS_EVERY records the export reads."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0

    def counting(self, records: Iterable[Any]) -> Iterator[Any]:
        for record in records:
            yield record
            self.done += 1
            if self.done % PROGRESS_EVERY == 0 and self.progress is not None:
                self.progress(min(self.done, self.total), self.total)

    def finish(self) -> None:
        if self.progress is not None:
            self.progress(self.total, self.total)


def export_stream(
    project: Project,
    options: ExportOptions,
    *,
    progress: Progress | None = None,
    created_at: str | None = None,
) -> Iterator[bytes]:
    """The export zip of `project` as a stream of byte chunks."""
    stats = ExportStats()
    ticker = _Ticker(progress, _records_to_read(project, options))
    split = project_split(project, options)
    entries = _entries(project, options, split, stats=stats, ticker=ticker)

    def finish(files: list[FileInfo]) -> list[tuple[str, bytes]]:
        ticker.finish()
        card = _card(project, options, stats=stats, files=files)
        manifest = _manifest(
            project, options, split, stats=stats, files=files, created_at=created_at
        )
        return [(CARD_NAME, card), (MANIFEST_NAME, manifest)]

    yield from zip_stream(entries, finish=finish)


def _records_to_read(project: Project, options: ExportOptions) -> int:
    """The gold once for each gold format, and the submitted annotations once for raw."""
    gold_formats = sum(1 for name in options.formats if name in GOLD_FORMATS)
    total = gold_count(project) * gold_formats
    if "raw" in options.formats:
        total += raw_count(project)
    return total


def _entries(
    project: Project,
    options: ExportOptions,
    split: ProjectSplit,
    *,
    stats: ExportStats,
    ticker: _Ticker,
) -> list[tuple[str, Iterable[str | bytes]]]:
    """The files of the zip, one per format and split, each a generator of lines: nothing is
    queried until the zip writer reaches it. The first gold format also counts the gold into
    `stats`."""
    gold_formats = [name for name in options.formats if name in GOLD_FORMATS]

    def gold(first: bool, name: str, *, with_text: bool = True) -> Iterator[GoldRecord]:
        records = ticker.counting(
            gold_records(project, name, split.article_ids[name], with_text=with_text)
        )
        return counting_gold(records, stats) if first else records

    entity_labels = entity_keys(project.schema)
    claim = claim_key(project.schema)
    entries: list[tuple[str, Iterable[str | bytes]]] = []
    for i, name in enumerate(gold_formats):
        for part in SPLITS:
            if name == "jsonl":
                lines: Iterable[str | bytes] = gold_jsonl_utf8_lines(gold(i == 0, part))
            elif name == "tokens":
                lines = token_lines(
                    gold(i == 0, part), entity_labels=entity_labels, claim_label=claim
                )
            elif name == "conll":
                lines = conll_articles(
                    gold(i == 0, part), entity_labels=entity_labels, claim_label=claim, stats=stats
                )
            else:
                lines = stance_csv_lines(
                    gold(i == 0, part, with_text=False), with_title=options.stance_title
                )
            entries.append((file_name(name, part), lines))
            if name == "conll":  # and its side file: what article each -DOCSTART- begins
                side = gold_records(project, part, split.article_ids[part], with_text=False)
                entries.append((file_name("conll_articles", part), articles_lines(side)))
    if "provenance" in options.formats:
        for part in SPLITS:
            provenance = provenance_records(project, part, split.article_ids[part])
            entries.append((file_name("provenance", part), provenance_lines(provenance)))
    if "raw" in options.formats:
        for part in SPLITS:
            raw = raw_records(project, part, split.article_ids[part])
            entries.append(
                (
                    file_name("raw", part),
                    raw_jsonl_utf8_lines(counting_raw(ticker.counting(raw), stats)),
                )
            )
    if not gold_formats:
        # Counts in the manifest always describe the gold, even in a raw-only export.
        for part in SPLITS:
            records = gold_records(project, part, split.article_ids[part], with_text=False)
            for _ in counting_gold(records, stats):
                pass
    return entries


def entity_keys(schema: dict[str, Any]) -> list[str]:
    """The labels BIO tags, in schema order (retired ones too): every span label but the
    claim label."""
    claim = claim_key(schema)
    return [label["key"] for label in span_labels(schema) if label and label["key"] != claim]


def split_rule(options: ExportOptions) -> str:
    """How the split was made, in a sentence or two (for the card and the manifest)."""
    key = (
        f"the article's `{options.group_by}` metadata value (its content hash where it has none)"
        if options.group_by
        else "the SHA-256 of the article's text (its content hash)"
    )
    if options.stratify_by:
        stratum = (
            "the span label the article has most of"
            if options.stratify_by == STRATIFY_SPANS
            else f"the article's stance on `{options.stratify_by.split(':', 1)[1]}`"
        )
        return (
            f"Each article's split is keyed on {key} and the seed {options.seed}, stratified by "
            f"{stratum} (a group: the value most of its articles have). Within each label, "
            'ordered by SHA-256 of "<seed>:<key>", the lowest go to train, the next to dev, the '
            f"highest to test, in counts following the ratios {options.ratios.as_text()} "
            "(train, dev, test): units are handed out one at a time to the split furthest below "
            "its share, labels in name order, so each label and the whole are within about one "
            "unit of the ratios (10 units at 0.8/0.1/0.1: 8/1/1). The same gold gives the same "
            "split on any instance and after a round trip. With at least three distinct keys "
            "no split with a ratio above zero is empty: one left empty takes a key from the "
            "largest split."
        )
    return (
        f"Each article's split is keyed on {key} and the seed {options.seed}: SHA-256 of "
        f'"<seed>:<key>" as a number in [0, 1) against the cumulative ratios '
        f"{options.ratios.as_text()} (train, dev, test). The same article gets the same split "
        "on any instance and after a round trip; proportions approach the ratios as the "
        "project grows (they are not rounded to counts). With at least three distinct keys no "
        "split with a ratio above zero is empty: a split left empty takes the key nearest to "
        "its interval from a split with two or more."
    )


CARD_NOTES = (
    "- `conll/<split>.conll`: CoNLL-2003-style, one token a line: token, start, end (code "
    "points), NER (BIO), NESTED (entities overlapping a kept one), CLAIM (BIO); a "
    "`-DOCSTART-` line and a blank line begin each article, a blank line ends each sentence. "
    "Line n of `conll/<split>.articles.jsonl` describes the article of the n-th `-DOCSTART-`. "
    'In pandas: `read_csv(path, sep="\\t", header=None, quoting=csv.QUOTE_NONE)`.',
    "- `stance/<split>.csv`: article_id, target, label, split (RFC 4180); with the "
    "stance-title option a title column after article_id.",
)


def _card(
    project: Project, options: ExportOptions, *, stats: ExportStats, files: list[FileInfo]
) -> bytes:
    configs: dict[str, tuple[str, list[Feature] | None]] = {}
    if "jsonl" in options.formats:
        targets = [target["key"] for target in project.schema.get("stance_targets", [])]
        configs["default"] = ("jsonl", gold_features(targets))
    if "tokens" in options.formats:
        configs["tokens"] = ("tokens", token_features(tag_names(entity_keys(project.schema))))
    if "raw" in options.formats:
        configs["raw"] = ("raw", None)
    return dataset_card(
        title=project.name,
        configs=configs,
        counts=stats.articles,
        split_rule=split_rule(options),
        files=[info.name for info in files],
        notes=CARD_NOTES,
    )


def _manifest(
    project: Project,
    options: ExportOptions,
    split: ProjectSplit,
    *,
    stats: ExportStats,
    files: list[FileInfo],
    created_at: str | None,
) -> bytes:
    return build_manifest(
        project={"id": project.pk, "name": project.name},
        schema=project.schema,
        schema_version=project.schema_version,
        options=options.as_dict(),
        split={
            "key": f"metadata.{options.group_by}" if options.group_by else "content_hash",
            "stratify_by": options.stratify_by,
            "rule": split_rule(options),
            "moved_to_fill_empty_splits": len(split.plan.moved),
        },
        stats=stats,
        files=files,
        articles_in_project=ProjectArticle.objects.filter(project=project).count(),
        agreement=agreement_summary(project),
        guidelines={
            "version": project.guidelines_version,
            "sha256": (
                hashlib.sha256(project.guidelines.encode("utf-8")).hexdigest()
                if project.guidelines
                else None
            ),
        },
        tool=tool_info(),
        created_at=created_at or timezone.now().isoformat(),
    )


def write_export(
    project: Project,
    options: ExportOptions,
    path: Path,
    *,
    progress: Progress | None = None,
    created_at: str | None = None,
) -> int:
    """Write the export zip to `path` atomically (a temporary file renamed at the end).

    The temporary file is `.<name>-<random>.part` beside `path`, so that the partial file of
    an attempt whose process was killed can be found and removed (annotate/tasks.py)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".part")
    written = 0
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in export_stream(project, options, progress=progress, created_at=created_at):
                out.write(chunk)
                written += len(chunk)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return written


# ---- export tokens ------------------------------------------------------------------------
# A project export token (created by a manager, shown once, stored as a SHA-256 hash) lets ML
# pipelines download the project's exports, and nothing else (annotate/api/authentication.py).

TOKEN_PREFIX = "wbx_"  # noqa: S105 - a public prefix that marks export tokens, not a secret


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def export_token_for_key(key: str) -> ExportToken | None:
    """The live (not revoked) token with this key, its last use stamped now; None if none."""
    token = (
        ExportToken.objects.select_related("project")
        .filter(key_hash=hash_key(key), revoked=False)
        .first()
    )
    if token is not None:
        ExportToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


def export_tokens(project: Project) -> QuerySet[ExportToken]:
    """The project's tokens, newest first, revoked ones included."""
    return ExportToken.objects.filter(project=project).select_related("created_by").order_by("-id")


def token_payload(token: ExportToken) -> dict[str, Any]:
    return {
        "id": token.pk,
        "name": token.name,
        "created_at": token.created_at.isoformat(),
        "created_by": token.created_by.get_username() if token.created_by else None,
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
        "revoked": token.revoked,
    }


def do_create_export_token(project: Project, *, user, name: str) -> tuple[ExportToken, str]:
    """A new token of the project and its key: the key is not stored, only its hash."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ExportToken.objects.create(
        project=project, name=name, key_hash=hash_key(key), created_by=user
    )
    return token, key


def do_revoke_export_token(project: Project, *, token_id: Any) -> bool:
    """Revoke the project's token `token_id`; False when the project has no such token."""
    return bool(ExportToken.objects.filter(project=project, pk=token_id).update(revoked=True))
