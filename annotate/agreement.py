"""The thin database edge of agreement: submitted annotations in, cached report out.

`project_report(project)` returns the report of annotate/lib/agreement/report.py (an
AgreementReport) for the project's submitted annotations, with where it came from. The
report's JSON document is kept in AgreementSnapshot under a fingerprint of those annotations
(how many, the latest update, the schema version, the report format); while the fingerprint
holds, the stored report is read back instead of recomputed. `agreement_report(project)` is
the same as the JSON document; `text_report(project)` as the command's plain text; MEASURES
names each summary measure for the page and the command.

Incremental agreement: each article's contribution to the agreement counts is stored
(AgreementContribution, with the article's own score for the lowest-agreement list) with
their sum (AgreementTotals). A submission or a reopening calls `do_update_contributions` for
its article inside its own transaction: the totals change by that article's difference alone,
whatever the project's size, and `assembled_report` builds the whole report from them
(lib/agreement/assemble.py); the dashboard and the API show it. A change the totals cannot
follow article by article (an import, a schema change) calls `do_request_rebuild`, which
queues the `agreement_totals` job (`do_rebuild_contributions`); until it has run the totals
are the last complete ones and say so (pending).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy

from annotate.lib.agreement.assemble import report_from_totals
from annotate.lib.agreement.contributions import (
    Contribution,
    Standing,
    Totals,
    article_parts,
    contribution_from_json,
    contribution_json,
    stored_add,
)
from annotate.lib.agreement.documents import Doc, doc_from_columns, doc_from_content
from annotate.lib.agreement.report import (
    LOWEST_ARTICLES,
    REPORT_FORMAT,
    AgreementReport,
    LowArticle,
    build_report,
    label_space,
    text_lines,
)
from annotate.models import (
    AgreementContribution,
    AgreementSnapshot,
    AgreementTotals,
    Annotation,
    AnnotationStatus,
    Job,
    JobKind,
    JobStatus,
    Project,
)
from corpus.models import Article
from workbench.bulk import gc_paused

CHUNK = 2000
REBUILD_CHUNK = 500  # articles per write and progress beat of a rebuild

# Title and one-line explanation of each summary measure (keys of report["summary"]).
MEASURES: dict[str, tuple[Any, Any]] = {
    "stance.krippendorff_alpha": (
        gettext_lazy("Stance: Krippendorff's alpha"),
        gettext_lazy(
            "Agreement on stance labels beyond chance, over every article and target; "
            "1 is perfect, 0 is chance, missing labels allowed."
        ),
    ),
    "stance.fleiss_kappa": (
        gettext_lazy("Stance: Fleiss' kappa"),
        gettext_lazy(
            "Chance-corrected agreement of all annotators at once; needs the same number of "
            "annotators on every item."
        ),
    ),
    "stance.cohen_kappa": (
        gettext_lazy("Stance: Cohen's kappa (mean of pairs)"),
        gettext_lazy(
            "Chance-corrected agreement of each pair of annotators on the items both "
            "labelled, averaged over the pairs."
        ),
    ),
    "stance.observed_agreement": (
        gettext_lazy("Stance: observed agreement"),
        gettext_lazy(
            "Share of pairs of annotators who gave an article the same stance towards a "
            "target (not corrected for chance)."
        ),
    ),
    "spans.f1_exact": (
        gettext_lazy("Spans: F1, exact match"),
        gettext_lazy(
            "How often two annotators marked exactly the same span with the same label "
            "(start, end and label equal)."
        ),
    ),
    "spans.f1_overlap": (
        gettext_lazy("Spans: F1, overlap match"),
        gettext_lazy(
            "Like exact match, but spans with the same label that share any character count "
            "as the same mention (paired one to one)."
        ),
    ),
    "spans.token_kappa": (
        gettext_lazy("Entities: token-level kappa"),
        gettext_lazy(
            "Cohen's kappa over the BIO tag of every token (words split at span boundaries), "
            "averaged over pairs; corrects for the many untagged tokens."
        ),
    ),
    "spans.alpha_u": (
        gettext_lazy("Entities: Krippendorff's unitizing alpha (αU)"),
        gettext_lazy(
            "All annotators at once: how far their entity spans differ in where they begin and "
            "end, and in what they leave unmarked, counted in characters against chance; 1 is "
            "perfect, 0 is chance."
        ),
    ),
    "claims.f1_overlap": (
        gettext_lazy("Claims: F1, overlap match"),
        gettext_lazy("How often two annotators marked the same claim (sharing characters)."),
    ),
    "claims.token_kappa": (
        gettext_lazy("Claims: token-level kappa"),
        gettext_lazy("Cohen's kappa over in-claim / outside-claim tags of every token."),
    ),
    "claims.alpha_u": (
        gettext_lazy("Claims: Krippendorff's unitizing alpha (αU)"),
        gettext_lazy(
            "The same for claims: how closely the stretches of text all annotators marked as "
            "claims coincide, against chance."
        ),
    ),
    "claims.claimant_agreement": (
        gettext_lazy("Claims: same claimant"),
        gettext_lazy(
            "Among claims both annotators marked, the share with the same claimant (the same "
            "entity mention, the author, or unattributed)."
        ),
    ),
    "claims.stance_kappa": (
        gettext_lazy("Claims: stance towards the claim (kappa)"),
        gettext_lazy(
            "Chance-corrected agreement on supports / refutes / reports for claims both "
            "annotators marked."
        ),
    ),
    "claims.checkworthy_kappa": (
        gettext_lazy("Claims: check-worthiness (kappa)"),
        gettext_lazy("Chance-corrected agreement on check-worthy yes / no for matched claims."),
    ),
}


def submitted(project: Project):
    return Annotation.objects.filter(project=project, status=AnnotationStatus.SUBMITTED)


def fingerprint(project: Project) -> str:
    """Changes whenever a submitted annotation is added, changed, reopened or removed."""
    return _fingerprint_and_count(project)[0]


def _fingerprint_and_count(project: Project) -> tuple[str, int]:
    """The fingerprint and the number of submitted annotations (one query)."""
    stats = submitted(project).aggregate(n=Count("id"), latest=Max("updated_at"))
    latest = stats["latest"].isoformat() if stats["latest"] else "-"
    return f"f{REPORT_FORMAT}:n{stats['n']}:u{latest}:s{project.schema_version}", stats["n"]


def submitted_docs(project: Project) -> list[Doc]:
    """Every submitted annotation of the project, reduced to plain documents."""
    claim_label = label_space(project.schema).claim_label
    if connection.vendor == "postgresql":
        return _submitted_docs_postgres(project, claim_label=claim_label)
    rows = submitted(project).values_list(
        "article_id", "annotator_id", "content", "submitted_at", "updated_at"
    )
    return [
        doc_from_content(
            content or {},
            article=article,
            annotator=annotator,
            claim_label=claim_label,
            submitted_at=submitted_at or updated_at,
        )
        for article, annotator, content, submitted_at, updated_at in rows.iterator(chunk_size=CHUNK)
    ]


# One JSON array for the whole project: per submitted annotation its article, annotator,
# time, the span fields as parallel arrays, the claim spans, relations and stance. One
# decode in C instead of a Python round per row and per span.
_DOCS_SQL = """
SELECT json_agg(json_build_array(
    a.id, a.article_id, a.annotator_id, COALESCE(a.submitted_at, a.updated_at),
    jsonb_path_query_array(a.content, '$.spans[*].start'),
    jsonb_path_query_array(a.content, '$.spans[*].end'),
    jsonb_path_query_array(a.content, '$.spans[*].label'),
    jsonb_path_query_array(a.content, '$.spans[*].id'),
    jsonb_path_query_array(a.content, '$.spans[*] ? (@.label == $c)',
                           jsonb_build_object('c', %s::text)),
    a.content -> 'relations',
    a.content -> 'document_labels' -> 'stance'
))::text
FROM {table} a
WHERE a.project_id = %s AND a.status = %s
"""


def _submitted_docs_postgres(project: Project, *, claim_label: str) -> list[Doc]:
    """The same documents, with PostgreSQL picking the span fields out of the JSON."""
    sql = _DOCS_SQL.format(table=connection.ops.quote_name(Annotation._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(sql, [claim_label, project.pk, AnnotationStatus.SUBMITTED])
        (payload,) = cursor.fetchone()
    docs: list[Doc] = []
    _add_docs(docs, json.loads(payload or "[]"), claim_label=claim_label)
    return docs


def _add_docs(docs: list[Doc], rows: list[list[Any]], *, claim_label: str) -> None:
    for row in rows:
        pk, article, annotator, when, starts, ends, labels, ids, claims, relations, stance = row
        submitted_at = datetime.fromisoformat(when) if when else None
        if not (len(starts) == len(ends) == len(labels) == len(ids)):
            # A span without one of the fields: read the whole document instead.
            content = Annotation.objects.values_list("content", flat=True).get(pk=pk)
            docs.append(
                doc_from_content(
                    content or {},
                    article=article,
                    annotator=annotator,
                    claim_label=claim_label,
                    submitted_at=submitted_at,
                )
            )
            continue
        docs.append(
            doc_from_columns(
                starts,
                ends,
                labels,
                ids,
                claims=claims or [],
                relations=relations or [],
                stance=stance or {},
                article=article,
                annotator=annotator,
                claim_label=claim_label,
                submitted_at=submitted_at,
            )
        )


def submitted_of_article(project: Project, article: Article) -> list[tuple[Annotation, str]]:
    """The submitted annotations of one article with their annotators' names, by annotator."""
    annotations = list(submitted(project).filter(article=article).order_by("annotator_id"))
    users = dict(
        get_user_model()
        .objects.filter(id__in=[a.annotator_id for a in annotations])
        .values_list("id", "username")
    )
    return [(a, users.get(a.annotator_id, str(a.annotator_id))) for a in annotations]


def compared_texts(project: Project) -> dict[int, str]:
    """Texts of the articles that two or more annotators submitted (the ones compared)."""
    multi = (
        submitted(project)
        .values("article_id")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
        .values("article_id")
    )
    return dict(
        Article.objects.filter(id__in=multi).values_list("id", "text").iterator(chunk_size=CHUNK)
    )


def compute_report(project: Project) -> AgreementReport:
    with gc_paused():
        docs = submitted_docs(project)
        texts = compared_texts(project)
        annotator_ids = {d.annotator for d in docs}
        names = dict(
            get_user_model().objects.filter(id__in=annotator_ids).values_list("id", "username")
        )
        report = build_report(docs, texts=texts, schema=project.schema, annotator_names=names)
        del docs, texts
    titles = dict(
        Article.objects.filter(id__in=[row.article for row in report.lowest_articles]).values_list(
            "id", "title"
        )
    )
    lowest = [replace(row, title=titles.get(row.article, "")) for row in report.lowest_articles]
    return replace(report, lowest_articles=lowest)


@dataclass(frozen=True)
class ReportMeta:
    """Where a report came from: its cache fingerprint, when and how fast it was computed."""

    fingerprint: str
    computed_at: str  # ISO 8601
    seconds: float
    cached: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "computed_at": self.computed_at,
            "seconds": self.seconds,
            "cached": self.cached,
        }


@dataclass(frozen=True)
class ProjectReport:
    report: AgreementReport
    meta: ReportMeta

    def as_dict(self) -> dict[str, Any]:
        """The JSON document of the API and the command: the report, then "meta"."""
        return {**self.report.as_dict(), "meta": self.meta.as_dict()}


def project_report(project: Project, *, refresh: bool = False) -> ProjectReport:
    """The project's agreement report, from the cache when the annotations have not changed."""
    current = fingerprint(project)
    snapshot = AgreementSnapshot.objects.filter(project=project).first()
    if snapshot is not None and snapshot.fingerprint == current and not refresh:
        try:
            return ProjectReport(
                AgreementReport.from_dict(snapshot.result), _meta(snapshot, cached=True)
            )
        except (KeyError, TypeError, ValueError):
            pass  # not a report this code can read: compute it again
    started = time.perf_counter()
    report = compute_report(project)
    seconds = time.perf_counter() - started
    try:
        with transaction.atomic():
            snapshot, _ = AgreementSnapshot.objects.update_or_create(
                project=project,
                defaults={"fingerprint": current, "result": report.as_dict(), "seconds": seconds},
            )
    except IntegrityError:
        # Another request stored the same numbers first; theirs are as good as ours.
        snapshot = AgreementSnapshot.objects.get(project=project)
    return ProjectReport(report, _meta(snapshot, cached=False))


def agreement_report(project: Project, *, refresh: bool = False) -> dict[str, Any]:
    """project_report() as the JSON document, "meta" included (for callers that want data)."""
    return project_report(project, refresh=refresh).as_dict()


def _meta(snapshot: AgreementSnapshot, *, cached: bool) -> ReportMeta:
    return ReportMeta(
        fingerprint=snapshot.fingerprint,
        computed_at=snapshot.computed_at.isoformat(),
        seconds=round(snapshot.seconds, 3),
        cached=cached,
    )


def text_report(project: Project, *, refresh: bool = False) -> list[str]:
    """The report as plain text (the command's table), its source on the last line."""
    stored = project_report(project, refresh=refresh)
    titles = {key: str(title) for key, (title, _) in MEASURES.items()}
    meta = stored.meta
    source = "cache" if meta.cached else f"computed in {meta.seconds} s"
    return [
        *text_lines(stored.report, project=project.name, titles=titles),
        "",
        f"({source}; fingerprint {meta.fingerprint})",
    ]


@dataclass(frozen=True)
class ArticleSubmissions:
    """One compared article: its text and the submitted annotations, by annotator id."""

    article: int
    title: str
    text: str
    submissions: list[tuple[int, str, dict[str, Any]]]  # (annotator id, username, content)


def compared_submissions(
    project: Project, *, annotators: tuple[int, int] | None = None
) -> list[ArticleSubmissions]:
    """The articles two or more annotators submitted (of `annotators` only, when given), with
    their submitted contents: what the numbers of the report were computed from."""
    rows = submitted(project)
    if annotators is not None:
        rows = rows.filter(annotator_id__in=annotators)
    by_article: dict[int, list[tuple[int, str, dict[str, Any]]]] = {}
    for article, annotator, name, content in (
        rows.order_by("article_id", "annotator_id")
        .values_list("article_id", "annotator_id", "annotator__username", "content")
        .iterator(chunk_size=CHUNK)
    ):
        by_article.setdefault(article, []).append((annotator, name, content or {}))
    compared = {a: subs for a, subs in by_article.items() if len(subs) >= 2}
    articles = Article.objects.filter(id__in=compared).values_list("id", "title", "text")
    return [
        ArticleSubmissions(pk, title or "", text, compared[pk])
        for pk, title, text in articles.order_by("id").iterator(chunk_size=CHUNK)
    ]


# ---- incremental agreement: per-article contributions and their totals --------------------

# The lowest-agreement list: rows read by the indexed ORDER BY score, article LIMIT.
LOWEST_FIELDS = ("article_id", "annotators", "score", "span_f1", "stance_observed")
# Annotations changed this long before a rebuild started are read again at its end (clocks of
# several app servers differ a little; reading an article twice is harmless).
REBUILD_MARGIN = timedelta(seconds=5)


def _article_docs(project: Project, article_ids: list[int]) -> dict[int, list[Doc]]:
    """The submitted annotations of these articles as plain documents, by article."""
    claim_label = label_space(project.schema).claim_label
    docs: dict[int, list[Doc]] = {article: [] for article in article_ids}
    rows = submitted(project).filter(article_id__in=article_ids)
    for article, annotator, content, submitted_at, updated_at in rows.values_list(
        "article_id", "annotator_id", "content", "submitted_at", "updated_at"
    ):
        docs[article].append(
            doc_from_content(
                content or {},
                article=article,
                annotator=annotator,
                claim_label=claim_label,
                submitted_at=submitted_at or updated_at,
            )
        )
    return docs


Parts = tuple[Contribution, Standing | None]


def _parts_of(project: Project, article_ids: list[int]) -> dict[int, Parts]:
    """The contributions and standings of these articles, read from the database now."""
    docs = _article_docs(project, article_ids)
    texts = dict(Article.objects.filter(id__in=article_ids).values_list("id", "text"))
    space = label_space(project.schema)
    return {
        article: article_parts(docs[article], text=texts.get(article, ""), space=space)
        for article in article_ids
    }


def _contribution_row(project: Project, article: int, parts: Parts) -> AgreementContribution:
    counts, standing = parts
    return AgreementContribution(
        project=project,
        article_id=article,
        counts=contribution_json(counts),
        annotators=standing.annotators if standing else 0,
        score=standing.score if standing else None,
        span_f1=standing.span_f1 if standing else None,
        stance_observed=standing.stance_observed if standing else None,
        claim_attributes=standing.claim_attributes if standing else None,
    )


_STANDING = ("annotators", "score", "span_f1", "stance_observed", "claim_attributes")


def _store_parts(project: Project, parts: dict[int, Parts]) -> None:
    """Write these articles' rows (an article nobody submitted any more has none)."""
    keep = [_contribution_row(project, a, p) for a, p in parts.items() if p[0]]
    gone = [a for a, p in parts.items() if not p[0]]
    if gone:
        AgreementContribution.objects.filter(project=project, article_id__in=gone).delete()
    if not keep:
        return
    if connection.vendor != "postgresql":
        AgreementContribution.objects.bulk_create(
            keep,
            batch_size=CHUNK,
            update_conflicts=True,
            unique_fields=["project", "article"],
            update_fields=["counts", *_STANDING],
        )
        return
    # One INSERT ... ON CONFLICT with the JSON serialised here: bulk_create's array parameters
    # escape every JSON document again in Python (most of a rebuild's time at 500 rows).
    table = connection.ops.quote_name(AgreementContribution._meta.db_table)
    columns = ", ".join(("project_id", "article_id", "counts", *_STANDING))
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in ("counts", *_STANDING))
    with connection.cursor() as cursor:
        for begin in range(0, len(keep), REBUILD_CHUNK):
            batch = keep[begin : begin + REBUILD_CHUNK]
            values = ", ".join(["(%s, %s, %s::jsonb, %s, %s, %s, %s, %s)"] * len(batch))
            params: list[Any] = []
            for row in batch:
                params += [
                    project.pk,
                    row.article_id,
                    json.dumps(row.counts, ensure_ascii=False, separators=(",", ":")),
                    *(getattr(row, name) for name in _STANDING),
                ]
            # Names from the model's meta and placeholders only; every value is a parameter.
            sql = (
                f"INSERT INTO {table} ({columns}) VALUES {values} "  # noqa: S608
                f"ON CONFLICT (project_id, article_id) DO UPDATE SET {updates}"
            )
            cursor.execute(sql, params)


def do_update_contributions(project: Project, article_ids: list[int]) -> None:
    """Bring the stored counts of these articles, and the totals, up to date with their
    submitted annotations. Call it in the transaction that changed them: it locks the totals
    row, so two submissions at once both count (one waits for the other's commit), and costs
    the same whatever the project's size. Without totals it does nothing (the dashboard asks
    for a rebuild); while a rebuild is pending it writes the articles' rows only (the rebuild
    reads every article changed since it started again before it stores its totals)."""
    with transaction.atomic():
        row = AgreementTotals.objects.select_for_update().filter(project=project).first()
        if row is None:
            return
        ids = sorted(set(article_ids))
        parts = _parts_of(project, ids)
        if row.schema_version != project.schema_version:
            _store_parts(project, parts)
            if not row.pending:
                do_request_rebuild(project)
            return
        if row.pending:
            _store_parts(project, parts)
            return
        if not isinstance(row.counts, dict):  # the older stored form: rebuild
            _store_parts(project, parts)
            do_request_rebuild(project)
            return
        # Keys stay text: the change costs the article's keys, not the project's.
        totals = row.counts
        for counts in AgreementContribution.objects.filter(
            project=project, article_id__in=ids
        ).values_list("counts", flat=True):
            old = (
                counts
                if isinstance(counts, dict)
                else contribution_json(contribution_from_json(counts))
            )
            stored_add(totals, old, -1)
        for counts, _ in parts.values():
            stored_add(totals, contribution_json(counts))
        _store_parts(project, parts)
        row.counts = totals
        row.save(update_fields=["counts", "updated_at"])


def do_request_rebuild(project: Project, *, user=None) -> None:
    """After a change the totals cannot follow article by article (an import, a schema
    change, totals never built): count it, and queue a background rebuild unless one is
    queued already (a running one started before this change, so another is queued). The
    dashboard shows the last complete figures meanwhile."""
    from annotate.tasks import do_start_job  # tasks imports this module

    with transaction.atomic():
        row = AgreementTotals.objects.select_for_update().filter(project=project).first()
        if row is None:
            try:
                with transaction.atomic():
                    AgreementTotals.objects.create(
                        project=project,
                        counts={},
                        schema_version=project.schema_version,
                        fingerprint="",
                        requested=1,
                        built=0,
                    )
            except IntegrityError:  # another request created it meanwhile
                AgreementTotals.objects.filter(project=project).update(requested=F("requested") + 1)
        else:
            AgreementTotals.objects.filter(pk=row.pk).update(requested=F("requested") + 1)
        queued = Job.objects.filter(
            project=project, kind=JobKind.AGREEMENT_TOTALS, status=JobStatus.QUEUED
        ).exists()
        if not queued:
            do_start_job(
                kind=JobKind.AGREEMENT_TOTALS,
                project=project,
                user=user if user is not None and user.is_authenticated else None,
                params={},
            )


def do_forget_contributions(project: Project, *, user=None) -> None:
    """After bulk changes such as an import: the totals are rebuilt in the background."""
    do_request_rebuild(project, user=user)


def do_rebuild_contributions(
    project: Project, *, progress: Callable[[int, int], None] | None = None
) -> Totals:
    """Every article's contribution and the totals, from scratch, without holding up
    submissions: the articles are read and their rows written first (a few milliseconds per
    compared article); then, with the totals row locked, every article whose annotations
    changed since the reading began is read again, and the totals are stored with the bulk
    change generation they count. Idempotent: a worker killed half way leaves rows that the
    next attempt overwrites, and the totals of before."""
    with transaction.atomic():
        row = AgreementTotals.objects.select_for_update().filter(project=project).first()
        generation = row.requested if row else 0
        schema_version = project.schema_version
    started = timezone.now()
    space = label_space(project.schema)
    with gc_paused():
        docs = submitted_docs(project)
        texts = compared_texts(project)
    by_article: dict[int, list[Doc]] = {}
    for doc in docs:
        by_article.setdefault(doc.article, []).append(doc)
    del docs
    totals = Totals()
    counted: dict[int, Contribution] = {}
    articles = sorted(by_article)
    for begin in range(0, len(articles), REBUILD_CHUNK):
        chunk: dict[int, Parts] = {}
        for article in articles[begin : begin + REBUILD_CHUNK]:
            parts = article_parts(by_article[article], text=texts.get(article, ""), space=space)
            totals.add(parts[0])
            counted[article] = parts[0]
            chunk[article] = parts
        _store_parts(project, chunk)
        if progress is not None:
            progress(min(begin + REBUILD_CHUNK, len(articles)), len(articles))
    del by_article, texts
    stored = set(
        AgreementContribution.objects.filter(project=project).values_list("article_id", flat=True)
    )
    gone = sorted(stored - set(counted))
    for begin in range(0, len(gone), CHUNK):
        AgreementContribution.objects.filter(
            project=project, article_id__in=gone[begin : begin + CHUNK]
        ).delete()
    with transaction.atomic():
        row = AgreementTotals.objects.select_for_update().filter(project=project).first()
        touched = sorted(
            set(
                Annotation.objects.filter(
                    project=project, updated_at__gte=started - REBUILD_MARGIN
                ).values_list("article_id", flat=True)
            )
        )
        again = _parts_of(project, touched)
        for article, parts in again.items():
            if article in counted:
                totals.remove(counted[article])
            totals.add(parts[0])
        _store_parts(project, again)
        values = {
            "counts": totals.as_json(),
            "schema_version": schema_version,
            "fingerprint": f"g{generation}",
            "built": generation,
            "built_at": timezone.now(),
        }
        if row is None:
            AgreementTotals.objects.create(project=project, requested=generation, **values)
        elif row.built <= generation:
            for name, value in values.items():
                setattr(row, name, value)
            row.save(update_fields=[*values, "updated_at"])
    return totals


def lowest_articles(project: Project, *, limit: int = LOWEST_ARTICLES) -> list[LowArticle]:
    """The compared articles with the lowest agreement, from the indexed score column."""
    rows = (
        AgreementContribution.objects.filter(project=project, score__isnull=False)
        .order_by("score", "article_id")
        .values_list(*LOWEST_FIELDS, "claim_attributes", "article__title")[:limit]
    )
    return [
        LowArticle(
            article,
            annotators,
            score,
            span_f1,
            stance_observed,
            claim_attributes,
            title=title or "",
        )
        for article, annotators, score, span_f1, stance_observed, claim_attributes, title in rows
    ]


@dataclass(frozen=True)
class AssembledReport:
    """The report assembled from the stored totals, and their state."""

    report: AgreementReport
    meta: ReportMeta
    pending: bool  # a rebuild is queued or running: these are the last complete figures
    built_at: datetime | None  # when the totals were last rebuilt in full (None: never)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.report.as_dict(),
            "meta": {
                **self.meta.as_dict(),
                "source": "totals",
                "pending": self.pending,
                "built_at": self.built_at.isoformat() if self.built_at else None,
            },
        }


def assembled_report(project: Project) -> AssembledReport:
    """The project's agreement from its stored totals: no full recomputation (the first read
    of a project without totals queues their rebuild and shows them pending)."""
    started = time.perf_counter()
    row = AgreementTotals.objects.filter(project=project).first()
    if row is None or (row.schema_version != project.schema_version and not row.pending):
        do_request_rebuild(project)
        row = AgreementTotals.objects.get(project=project)
    totals = Totals.from_json(row.counts)
    ids = [key[1] for key in totals.counts if key[0] == "doc"]
    names = dict(get_user_model().objects.filter(id__in=ids).values_list("id", "username"))
    report = report_from_totals(
        totals,
        label_space(project.schema),
        annotator_names=names,
        lowest=lowest_articles(project),
    )
    seconds = time.perf_counter() - started
    meta = ReportMeta(
        fingerprint=row.fingerprint,
        computed_at=row.updated_at.isoformat(),
        seconds=round(seconds, 4),
        cached=True,
    )
    return AssembledReport(report, meta, pending=row.pending, built_at=row.built_at)
