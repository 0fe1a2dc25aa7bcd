"""People: the lead's view of assignments and of each annotator's progress, pace and quality.

- `assignment_page`: the project's assignments, filtered (annotator, status, article) and
  sorted, one page at a time by keyset (a cursor of the last row's sort value and id), so the
  thousandth page costs what the first does;
- `do_unassign`, `do_bulk`: give unstarted work back to the pool, or reassign or unassign many
  assignments at once: all of them or, on the first refusal, none;
- `preview_generate`: what generating assignments would create, without creating it;
- `do_add_active_time`: the annotation page reports the time it was focused and in use;
- `people_summary`: per annotator, done of total, active time per article (median and
  distribution), spans per active hour, skips, flags, and quality against adjudicated gold.
  Quality is the agreement report (annotate/lib/agreement) of gold, read as annotator 0,
  against that annotator on the articles both have: P/R/F1 per label, exact and overlap, and
  Cohen's kappa on stance, with the number of articles behind it. It is cached (Django's
  cache) under a fingerprint of the submitted annotations, the gold and the schema;
- `gold_comparison`: one annotator's spans and stance on one article against the gold
  (annotate/lib/people.py names each difference).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.postgres.aggregates import ArrayAgg
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import (
    Count,
    DateTimeField,
    F,
    Func,
    IntegerField,
    Max,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from annotate.annotations import do_reassign
from annotate.errors import ActionError, ConflictError
from annotate.lib.agreement.documents import Doc, doc_from_content
from annotate.lib.agreement.report import build_report, label_space
from annotate.lib.agreement.spans import Span
from annotate.lib.overlap import OverlapError, check_policy
from annotate.lib.people import (
    difference_counts,
    gold_differences,
    per_hour,
    stance_differences,
    time_summary,
)
from annotate.models import (
    Annotation,
    AnnotationStatus,
    Assignment,
    AssignmentStatus,
    AuditAction,
    AuditEvent,
    Comment,
    Gold,
    Project,
    Role,
)
from annotate.queue import MODES, plan_for, progress_by_annotator
from corpus.models import Article
from workbench.cursor import decode_cursor, encode_cursor

# The gold's annotator id in agreement reports: user ids start at 1.
GOLD = 0
PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_QUERY = 200  # characters of title search
MAX_SEED = 2**31 - 1  # the project's assignment_seed is a 32-bit integer
MAX_BULK = 1000
# One report of the page covers at most this much time; the page reports every few seconds.
MAX_REPORT_MS = 3_600_000
QUALITY_CACHE_SECONDS = 24 * 3600
NO_ANNOTATOR = "No such annotator in this project."
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# ---- the assignments table -----------------------------------------------------------------

# Sort keys: the column each sorts by, never null (so the keyset comparison is plain).
SORTS: dict[str, Any] = {
    "position": F("position"),
    "status": F("status"),
    "annotator": Coalesce(F("annotator__username"), Value("")),
    "submitted": Coalesce(F("submitted_at"), Value(EPOCH, output_field=DateTimeField())),
    "active": F("active_ms"),
}


@dataclass(frozen=True)
class AssignmentFilters:
    annotator: int | str | None = None  # a user id, or "pool"
    status: str | None = None
    article: int | None = None
    q: str = ""  # in the article's title
    sort: str = "position"
    descending: bool = False


def check_filters(params: dict[str, Any]) -> AssignmentFilters:
    """Filters from query parameters (strings); ActionError names a bad one."""
    annotator: int | str | None = None
    raw = params.get("annotator") or ""
    if raw == "pool":
        annotator = "pool"
    elif raw:
        if not (raw.isascii() and raw.isdigit()):
            raise ActionError("annotator", "must be a user id or 'pool'")
        annotator = int(raw)
    status = (params.get("status") or "").strip() or None
    if status is not None and status not in AssignmentStatus.values:
        raise ActionError("status", f"must be one of {list(AssignmentStatus.values)}")
    article: int | None = None
    raw = params.get("article") or ""
    if raw:
        if not (raw.isascii() and raw.isdigit()):
            raise ActionError("article", "must be an article id")
        article = int(raw)
    q = (params.get("q") or "").strip()
    if len(q) > MAX_QUERY:
        raise ActionError("q", f"must be at most {MAX_QUERY} characters")
    sort = (params.get("sort") or "position").strip()
    descending = sort.startswith("-")
    sort = sort.removeprefix("-")
    if sort not in SORTS:
        raise ActionError("sort", f"must be one of {sorted(SORTS)}, optionally with '-'")
    return AssignmentFilters(annotator, status, article, q, sort, descending)


def _decode_cursor(cursor: str, sort: str) -> tuple[Any, int]:
    try:
        value, pk = decode_cursor(cursor)
        if sort == "submitted":
            value = datetime.fromisoformat(value)
        elif sort in ("position", "active"):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError
        elif not isinstance(value, str):
            raise ValueError
    except (ValueError, TypeError):  # CursorError is a ValueError
        raise ActionError("after", "is not a cursor of this list") from None
    return value, pk


@dataclass(frozen=True)
class AssignmentPage:
    rows: list[Assignment]
    next_cursor: str | None
    total: int


def assignment_page(
    project: Project, filters: AssignmentFilters, *, after: str = "", limit: int = PAGE_SIZE
) -> AssignmentPage:
    """One page of the project's assignments (article and annotator attached): three queries."""
    if isinstance(limit, bool) or not 1 <= limit <= MAX_PAGE_SIZE:
        raise ActionError("limit", f"must be from 1 to {MAX_PAGE_SIZE}")
    rows = Assignment.objects.filter(project=project)
    if filters.annotator == "pool":
        rows = rows.filter(annotator__isnull=True)
    elif isinstance(filters.annotator, int):
        rows = rows.filter(annotator_id=filters.annotator)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.article is not None:
        rows = rows.filter(article_id=filters.article)
    if filters.q:
        rows = rows.filter(article__title__icontains=filters.q)
    total = rows.count()
    rows = rows.annotate(sort_key=SORTS[filters.sort])
    if after:
        value, pk = _decode_cursor(after, filters.sort)
        if filters.descending:
            rows = rows.filter(Q(sort_key__lt=value) | Q(sort_key=value, pk__lt=pk))
        else:
            rows = rows.filter(Q(sort_key__gt=value) | Q(sort_key=value, pk__gt=pk))
    order = ("-sort_key", "-pk") if filters.descending else ("sort_key", "pk")
    page: list[Assignment] = list(
        rows.select_related("article", "annotator")
        .only(
            *(f.name for f in Assignment._meta.concrete_fields),
            "article__id",
            "article__title",
            "annotator__id",
            "annotator__username",
        )
        .order_by(*order)[: limit + 1]
    )
    cursor = None
    if len(page) > limit:
        page = page[:limit]
        cursor = encode_cursor(getattr(page[-1], "sort_key"), page[-1].pk)  # noqa: B009
    return AssignmentPage(page, cursor, total)


def assignment_row(assignment: Assignment) -> dict[str, Any]:
    """An assignment as the table's API shows it."""
    return {
        "id": assignment.pk,
        "article": assignment.article_id,
        "article_title": assignment.article.title,
        "annotator": assignment.annotator_id,
        "annotator_username": assignment.annotator.username if assignment.annotator else None,
        "slot": assignment.slot,
        "position": assignment.position,
        "status": assignment.status,
        "skip_reason": assignment.skip_reason,
        "started_at": assignment.started_at,
        "submitted_at": assignment.submitted_at,
        "active_seconds": round(assignment.active_ms / 1000, 1),
    }


# ---- actions on assignments ----------------------------------------------------------------


def do_unassign(assignment: Assignment, *, by) -> Assignment:
    """Turn an unstarted assignment (todo, no draft) into an open pool slot."""
    with transaction.atomic():
        previous = assignment.annotator_id
        if previous is None:
            raise ConflictError("This assignment is already an open pool slot.")
        updated = (
            Assignment.objects.filter(
                pk=assignment.pk, annotator_id=previous, status=AssignmentStatus.TODO
            )
            .filter(annotation__isnull=True)
            .update(annotator=None, started_at=None)
        )
        if not updated:
            assignment.refresh_from_db(fields=["status"])
            raise ConflictError(
                f"Only unstarted assignments can be unassigned; this one is {assignment.status}."
            )
        assignment.annotator = None
        AuditEvent.objects.create(
            project_id=assignment.project_id,
            article_id=assignment.article_id,
            assignment=assignment,
            user=by,
            action=AuditAction.REASSIGN,
            changes={"annotator": [previous, None]},
        )
    return assignment


BULK_ACTIONS = ("reassign", "unassign")


def do_bulk(
    project: Project, *, by, action: Any, assignment_ids: Any, annotator_id: Any = None
) -> int:
    """Reassign (to `annotator_id`) or unassign every listed assignment of the project, in one
    transaction: the first one refused undoes them all, and its error names it."""
    if action not in BULK_ACTIONS:
        raise ActionError("action", f"must be one of {list(BULK_ACTIONS)}")
    if not isinstance(assignment_ids, list) or not assignment_ids:
        raise ActionError("assignments", "list at least one assignment")
    if len(assignment_ids) > MAX_BULK:
        raise ActionError("assignments", f"at most {MAX_BULK} at once")
    for i, value in enumerate(assignment_ids):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ActionError(f"assignments[{i}]", "must be an assignment id")
    ids = list(dict.fromkeys(assignment_ids))
    annotator = None
    if action == "reassign":
        if isinstance(annotator_id, bool) or not isinstance(annotator_id, int):
            raise ActionError("annotator", "choose the annotator to give them to")
        annotator = get_user_model().objects.filter(pk=annotator_id, is_active=True).first()
        if annotator is None:
            raise ActionError("annotator", f"no active user with id {annotator_id}")
    with transaction.atomic():
        found = {
            a.pk: a
            for a in Assignment.objects.select_for_update().filter(project=project, pk__in=ids)
        }
        missing = [pk for pk in ids if pk not in found]
        if missing:
            raise ActionError("assignments", f"no assignment {missing[0]} in this project")
        for pk in ids:
            assignment = found[pk]
            try:
                if annotator is not None:
                    do_reassign(assignment, by=by, annotator=annotator)
                else:
                    do_unassign(assignment, by=by)
            except ActionError as exc:
                raise ActionError(exc.field, f"assignment {pk}: {exc.message}") from None
            except ConflictError as exc:
                raise ConflictError(f"Assignment {pk}: {exc.message}") from None
    return len(ids)


@dataclass(frozen=True)
class Preview:
    """What generating would add: `created` slots on `articles` articles; `by_count` maps a
    number of annotators per article (after generating) to how many of those articles."""

    created: int
    articles: int
    by_count: dict[int, int]
    pool: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "articles": self.articles,
            "by_count": [
                {"annotators": k, "articles": n} for k, n in sorted(self.by_count.items())
            ],
            "mode": "pool" if self.pool else "preassign",
        }


def check_generate_params(params: dict[str, Any], project: Project) -> dict[str, Any]:
    """k, fraction, seed and mode from query strings (the project's when left out)."""

    def number(name: str, kind, default):
        raw = str(params.get(name) or "").strip()
        if not raw:
            return default
        try:
            return kind(raw)
        except ValueError:
            raise ActionError(name, f"must be a number, got {raw!r}") from None

    k = number("k", int, project.overlap_k)
    fraction = number("fraction", float, project.overlap_fraction)
    seed = number("seed", int, project.assignment_seed)
    mode = str(params.get("mode") or "preassign")
    try:
        check_policy(k=k, fraction=fraction)
    except OverlapError as exc:
        raise ActionError(exc.field, exc.message) from None
    if abs(seed) > MAX_SEED:
        raise ActionError("seed", "must be a whole number")
    if mode not in MODES:
        raise ActionError("mode", f"must be one of {list(MODES)}")
    return {"k": k, "fraction": fraction, "seed": seed, "mode": mode}


def preview_generate(project: Project, *, k: int, fraction: float, seed: int, mode: str) -> Preview:
    """The plan do_generate_assignments would carry out, counted, with nothing written."""
    try:
        _positions, existing, plan = plan_for(project, k=k, fraction=fraction, seed=seed, mode=mode)
    except OverlapError as exc:
        raise ActionError(exc.field, exc.message) from None
    new = Counter(slot.article for slot in plan)
    have = Counter(slot.article for slot in existing if slot.article in new)
    by_count = Counter(have[article] + n for article, n in new.items())
    return Preview(len(plan), len(new), dict(by_count), mode == "pool")


# ---- active time ---------------------------------------------------------------------------


def do_add_active_time(assignment: Assignment, *, user, ms: Any) -> int:
    """Add `ms` milliseconds of measured active time to the user's own assignment."""
    if assignment.annotator_id != user.pk:
        raise ActionError("assignment", "only its annotator reports time on an assignment")
    if isinstance(ms, bool) or not isinstance(ms, int) or not 0 < ms <= MAX_REPORT_MS:
        raise ActionError("ms", f"must be a whole number of milliseconds from 1 to {MAX_REPORT_MS}")
    Assignment.objects.filter(pk=assignment.pk, annotator_id=user.pk).update(
        active_ms=F("active_ms") + ms
    )
    return int(Assignment.objects.values_list("active_ms", flat=True).get(pk=assignment.pk))


# ---- per annotator -------------------------------------------------------------------------


class SpanCount(Func):
    """How many spans an annotation's content holds (the JSON array's length)."""

    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="json_array_length(%(expressions)s, '$.spans')",
            **extra_context,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="jsonb_array_length(COALESCE(%(expressions)s -> 'spans', '[]'::jsonb))",
            **extra_context,
        )


def flag_counts(project: Project) -> dict[int, int]:
    """Flags raised per annotator (comments with a flag kind: bad text, off-topic, duplicate,
    guideline question), by author; annotators who raised none are absent."""
    return dict(
        Comment.objects.filter(project=project)
        .exclude(flag="")
        .values_list("author_id")
        .annotate(n=Count("id"))
        .values_list("author_id", "n")
    )


def _fingerprint(project: Project) -> str:
    notes = Annotation.objects.filter(project=project, status=AnnotationStatus.SUBMITTED).aggregate(
        n=Count("id"), latest=Max("updated_at")
    )
    gold = Gold.objects.filter(project=project).aggregate(n=Count("id"), latest=Max("updated_at"))
    timed = Assignment.objects.filter(project=project, status=AssignmentStatus.SUBMITTED).aggregate(
        ms=Sum("active_ms")
    )
    parts = [
        notes["n"],
        notes["latest"].isoformat() if notes["latest"] else "-",
        gold["n"],
        gold["latest"].isoformat() if gold["latest"] else "-",
        project.schema_version,
        timed["ms"] or 0,
    ]
    return "people:1:" + ":".join(str(p) for p in parts)


def _timed_spans(project: Project) -> dict[int, tuple[int, int]]:
    """Per annotator: spans in their submitted annotations with measured time, and that time."""
    rows = (
        Annotation.objects.filter(
            project=project,
            status=AnnotationStatus.SUBMITTED,
            assignment__active_ms__gt=0,
        )
        .values("annotator_id")
        .annotate(spans=Sum(SpanCount("content")), ms=Sum("assignment__active_ms"))
        .order_by()
    )
    return {r["annotator_id"]: (r["spans"] or 0, r["ms"] or 0) for r in rows}


def _gold_docs(project: Project) -> tuple[dict[int, Doc], dict[int, list[Doc]], dict[int, str]]:
    """Gold as documents of annotator GOLD, the submitted annotations of gold articles per
    annotator, and those articles' texts."""
    claim = label_space(project.schema).claim_label
    gold = {
        article: doc_from_content(content or {}, article=article, annotator=GOLD, claim_label=claim)
        for article, content in Gold.objects.filter(project=project)
        .values_list("article_id", "content")
        .iterator(chunk_size=500)
    }
    by_annotator: dict[int, list[Doc]] = defaultdict(list)
    if gold:
        rows = (
            Annotation.objects.filter(project=project, status=AnnotationStatus.SUBMITTED)
            .filter(article_id__in=Gold.objects.filter(project=project).values("article_id"))
            .values_list("article_id", "annotator_id", "content")
            .iterator(chunk_size=500)
        )
        for article, annotator, content in rows:
            by_annotator[annotator].append(
                doc_from_content(
                    content or {}, article=article, annotator=annotator, claim_label=claim
                )
            )
    texts = dict(
        Article.objects.filter(pk__in=list(gold)).values_list("id", "text").iterator(chunk_size=500)
    )
    return gold, by_annotator, texts


def quality_against_gold(project: Project) -> dict[int, dict[str, Any]]:
    """Per annotator with submissions on gold articles: their agreement with the gold."""
    gold, by_annotator, texts = _gold_docs(project)
    if not by_annotator:
        return {}
    # One report of the gold and every annotator: each pair (gold, annotator) is computed on
    # the articles both have, as a report per annotator would, but the texts are tokenized
    # once instead of once per annotator (three times faster with three annotators).
    docs = [gold[a] for a in sorted(gold)]
    for annotator_docs in by_annotator.values():
        docs += annotator_docs
    report = build_report(docs, texts=texts, schema=project.schema)
    result: dict[int, dict[str, Any]] = {}
    for annotator in by_annotator:
        pair = report.pair(GOLD, annotator)
        if pair is None:
            continue
        result[annotator] = {
            "articles": pair.articles,
            "stance_kappa": pair.stance.cohen_kappa.as_dict(),
            "exact": pair.spans.exact.as_dict(),
            "overlap": pair.spans.overlap.as_dict(),
        }
    return result


def _heavy_part(project: Project) -> dict[str, Any]:
    """Quality and spans per hour, from the cache while nothing they read has changed."""
    key = f"people:{project.pk}"
    fingerprint = _fingerprint(project)
    stored = cache.get(key)
    if stored is not None and stored.get("fingerprint") == fingerprint:
        return stored
    spans = _timed_spans(project)
    stored = {
        "fingerprint": fingerprint,
        "quality": {str(k): v for k, v in quality_against_gold(project).items()},
        "spans": {str(k): list(v) for k, v in spans.items()},
    }
    cache.set(key, stored, QUALITY_CACHE_SECONDS)
    return stored


def _active_times(project: Project) -> dict[int, list[int]]:
    """Each annotator's measured times (ms), one per assignment with any."""
    timed = Assignment.objects.filter(project=project, annotator__isnull=False, active_ms__gt=0)
    if connection.vendor == "postgresql":
        # One array per annotator: a few rows to decode instead of one per assignment.
        rows = timed.values("annotator_id").annotate(times=ArrayAgg("active_ms")).order_by()
        return {r["annotator_id"]: r["times"] for r in rows}
    times: dict[int, list[int]] = defaultdict(list)
    for annotator, ms in timed.values_list("annotator_id", "active_ms").iterator(chunk_size=5000):
        times[annotator].append(ms)
    return times


def people_summary(project: Project) -> dict[str, Any]:
    """Every annotator's progress, pace and quality (see the module doc)."""
    progress = progress_by_annotator(project)
    times = _active_times(project)
    heavy = _heavy_part(project)
    flags = flag_counts(project)
    gold_articles = Gold.objects.filter(project=project).count()
    annotators = []
    for row in progress:
        uid = row["annotator"]
        summary = time_summary(times.get(uid, ()))
        spans, ms = heavy["spans"].get(str(uid), (0, 0))
        annotators.append(
            {
                **row,
                "done": row["submitted"] + row["skipped"],
                "flags": flags.get(uid, 0),
                "active_time": {
                    "articles": summary.articles,
                    "median_seconds": summary.median_seconds,
                    "total_seconds": round(summary.total_seconds, 1),
                    "distribution": [
                        {
                            "lower_seconds": b.lower_seconds,
                            "upper_seconds": b.upper_seconds,
                            "count": b.count,
                        }
                        for b in summary.bins
                    ],
                },
                "spans_per_hour": per_hour(spans, ms),
                "quality": heavy["quality"].get(str(uid)),
            }
        )
    return {"gold_articles": gold_articles, "annotators": annotators}


# ---- one annotator against the gold --------------------------------------------------------


def annotator_of(project: Project, user_id: int):
    """An annotator of the project (a member with the annotator role, or anyone with work in
    it), or 404."""
    users = get_user_model().objects.filter(pk=user_id)
    user = users.filter(
        Q(memberships__project=project, memberships__role=Role.ANNOTATOR)
        | Q(assignments__project=project)
    ).first()
    if user is None:
        raise Http404(NO_ANNOTATOR)
    return user


def gold_articles_of(project: Project, annotator) -> list[dict[str, Any]]:
    """The articles with gold that `annotator` submitted, each with its differences counted."""
    pairs = _gold_pairs(project, annotator)
    titles = dict(
        Article.objects.filter(pk__in=[a for a, _, _ in pairs]).values_list("id", "title")
    )
    claim = label_space(project.schema).claim_label
    rows = []
    for article, gold_content, content in pairs:
        gold_doc = doc_from_content(
            gold_content, article=article, annotator=GOLD, claim_label=claim
        )
        own = doc_from_content(content, article=article, annotator=annotator.pk, claim_label=claim)
        differences = gold_differences(
            [*gold_doc.entities, *gold_doc.claims], [*own.entities, *own.claims]
        )
        stance = stance_differences(gold_doc.stance, own.stance, targets=[])
        rows.append(
            {
                "article": article,
                "title": titles.get(article, ""),
                "differences": difference_counts(differences),
                "stance_differences": sum(1 for s in stance if not s["same"]),
            }
        )
    return rows


def _differences(gold: Doc, own: Doc) -> list:
    return gold_differences([*gold.entities, *gold.claims], [*own.entities, *own.claims])


def _gold_pairs(project: Project, annotator) -> list[tuple[int, dict, dict]]:
    gold = dict(Gold.objects.filter(project=project).values_list("article_id", "content"))
    own = Annotation.objects.filter(
        project=project,
        annotator=annotator,
        status=AnnotationStatus.SUBMITTED,
        article_id__in=list(gold),
    ).values_list("article_id", "content")
    return sorted((article, gold[article] or {}, content or {}) for article, content in own)


def _span_dict(span: Span | None, text: str) -> dict[str, Any] | None:
    if span is None:
        return None
    return {
        "start": span.start,
        "end": span.end,
        "label": span.label,
        "text": text[span.start : span.end],
    }


@dataclass(frozen=True)
class GoldComparison:
    article: Article
    differences: list  # annotate.lib.people.Difference
    stance: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        text = self.article.text
        return {
            "article": self.article.pk,
            "title": self.article.title,
            "counts": difference_counts(self.differences),
            "differences": [
                {
                    "kind": d.kind,
                    "gold": _span_dict(d.gold, text),
                    "annotator": _span_dict(d.annotator, text),
                }
                for d in self.differences
            ],
            "stance": self.stance,
        }


def gold_comparison(project: Project, annotator, article: Article) -> GoldComparison:
    """The annotator's submitted annotation of `article` against its gold; 404 without both."""
    gold = Gold.objects.filter(project=project, article=article).values_list("content", flat=True)
    own = Annotation.objects.filter(
        project=project, article=article, annotator=annotator, status=AnnotationStatus.SUBMITTED
    ).values_list("content", flat=True)
    gold_content, content = gold.first(), own.first()
    if gold_content is None or content is None:
        raise Http404("This annotator has no submitted annotation of this article with gold.")
    space = label_space(project.schema)
    gold_doc = doc_from_content(
        gold_content, article=article.pk, annotator=GOLD, claim_label=space.claim_label
    )
    doc = doc_from_content(
        content, article=article.pk, annotator=annotator.pk, claim_label=space.claim_label
    )
    differences = gold_differences(
        [*gold_doc.entities, *gold_doc.claims], [*doc.entities, *doc.claims]
    )
    stance = stance_differences(gold_doc.stance, doc.stance, targets=space.stance_targets)
    return GoldComparison(article, differences, stance)
