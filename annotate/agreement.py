"""The thin database edge of agreement: submitted annotations in, cached report out.

`project_report(project)` returns the report of annotate/lib/agreement/report.py (an
AgreementReport) for the project's submitted annotations, with where it came from. The
report's JSON document is kept in AgreementSnapshot under a fingerprint of those annotations
(how many, the latest update, the schema version, the report format); while the fingerprint
holds, the stored report is read back instead of recomputed. `agreement_report(project)` is
the same as the JSON document; `text_report(project)` as the command's plain text; MEASURES
names each summary measure for the page and the command.

Incremental agreement: each article's contribution to the agreement counts is stored
(AgreementContribution) with their sum (AgreementTotals). A submission or a reopening calls
`do_update_contributions` for its article inside its own transaction: the totals change by
that article's difference alone, whatever the project's size, and `incremental_summary`
computes the summary from them (lib/agreement/contributions.py; not the unitizing alphas).
The totals carry the fingerprint of the annotations they count: when it does not match (an
import, a schema change, a path that does not update them), they are rebuilt in full.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max
from django.utils.translation import gettext_lazy

from annotate.lib.agreement.contributions import (
    Totals,
    article_contribution,
    contribution_from_json,
    contribution_json,
    summary_rows,
)
from annotate.lib.agreement.documents import Doc, doc_from_columns, doc_from_content
from annotate.lib.agreement.report import (
    REPORT_FORMAT,
    AgreementReport,
    SummaryRow,
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
    Project,
)
from corpus.models import Article
from workbench.bulk import gc_paused

CHUNK = 2000

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


def _annotations_counted(totals: Totals) -> int:
    return sum(value for key, value in totals.counts.items() if key[0] == "doc")


def do_update_contributions(project: Project, article_ids: list[int]) -> None:
    """Bring the stored counts of these articles, and the totals, up to date with their
    submitted annotations. Call it in the transaction that changed them. Without totals (never
    built, or out of date) it does nothing: the next read rebuilds them in full."""
    with transaction.atomic():
        row = AgreementTotals.objects.select_for_update().filter(project=project).first()
        if row is None:
            return
        if row.schema_version != project.schema_version:
            row.delete()
            return
        ids = sorted(set(article_ids))
        totals = Totals.from_json(row.counts)
        stored = dict(
            AgreementContribution.objects.filter(project=project, article_id__in=ids).values_list(
                "article_id", "counts"
            )
        )
        docs = _article_docs(project, ids)
        texts = dict(Article.objects.filter(id__in=ids).values_list("id", "text"))
        space = label_space(project.schema)
        changed = []
        for article in ids:
            new = article_contribution(docs[article], text=texts.get(article, ""), space=space)
            if article in stored:
                totals.remove(contribution_from_json(stored[article]))
            totals.add(new)
            changed.append((article, new))
        AgreementContribution.objects.filter(project=project, article_id__in=ids).delete()
        AgreementContribution.objects.bulk_create(
            AgreementContribution(project=project, article_id=a, counts=contribution_json(c))
            for a, c in changed
            if c
        )
        mark, annotations = _fingerprint_and_count(project)
        if _annotations_counted(totals) != annotations:
            # A change these totals never saw (an import, a deletion): rebuild on next read.
            row.delete()
            return
        row.counts = totals.as_json()
        row.fingerprint = mark
        row.save(update_fields=["counts", "fingerprint", "updated_at"])


def do_forget_contributions(project: Project) -> None:
    """Drop the totals (after bulk changes such as an import): the next read rebuilds them."""
    AgreementTotals.objects.filter(project=project).delete()


def do_rebuild_contributions(project: Project) -> Totals:
    """Every article's contribution and the totals, from scratch (one article at a time: a
    few milliseconds per compared article)."""
    space = label_space(project.schema)
    # Taken before reading: a submission made meanwhile leaves these totals out of date.
    mark = fingerprint(project)
    with gc_paused():
        docs = submitted_docs(project)
        texts = compared_texts(project)
    by_article: dict[int, list[Doc]] = {}
    for doc in docs:
        by_article.setdefault(doc.article, []).append(doc)
    del docs
    totals = Totals()
    rows = []
    for article in sorted(by_article):
        contribution = article_contribution(
            by_article[article], text=texts.get(article, ""), space=space
        )
        totals.add(contribution)
        rows.append(
            AgreementContribution(
                project=project, article_id=article, counts=contribution_json(contribution)
            )
        )
    try:
        with transaction.atomic():
            AgreementTotals.objects.select_for_update().filter(project=project).delete()
            AgreementContribution.objects.filter(project=project).delete()
            AgreementContribution.objects.bulk_create(rows, batch_size=CHUNK)
            AgreementTotals.objects.create(
                project=project,
                counts=totals.as_json(),
                schema_version=project.schema_version,
                fingerprint=mark,
            )
    except IntegrityError:
        pass  # another rebuild stored its totals first: they count the same annotations
    return totals


@dataclass(frozen=True)
class IncrementalSummary:
    """The summary measures from the stored totals, and whether they had to be rebuilt."""

    rows: list[SummaryRow]
    rebuilt: bool
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "summary": [row.as_dict() for row in self.rows],
            "meta": {"rebuilt": self.rebuilt, "seconds": round(self.seconds, 4)},
        }


def incremental_summary(project: Project) -> IncrementalSummary:
    """The summary of the stored totals (rebuilt first when missing or out of date)."""
    started = time.perf_counter()
    row = AgreementTotals.objects.filter(project=project).first()
    current = (
        row is not None
        and row.schema_version == project.schema_version
        and row.fingerprint == fingerprint(project)
    )
    totals = Totals.from_json(row.counts) if current and row else do_rebuild_contributions(project)
    rows = summary_rows(totals, label_space(project.schema))
    return IncrementalSummary(rows, rebuilt=not current, seconds=time.perf_counter() - started)
