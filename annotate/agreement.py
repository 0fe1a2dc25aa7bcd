"""The thin database edge of agreement: submitted annotations in, cached report out.

`agreement_report(project)` returns the report of annotate/lib/agreement/report.py for the
project's submitted annotations. The result is kept in AgreementSnapshot under a fingerprint
of those annotations (how many, the latest update, the schema version, the report format);
while the fingerprint holds, the stored report is returned without recomputing.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max

from annotate.lib.agreement.documents import Doc, doc_from_columns, doc_from_content
from annotate.lib.agreement.report import REPORT_FORMAT, build_report, label_space
from annotate.models import AgreementSnapshot, Annotation, AnnotationStatus, Project
from corpus.models import Article
from workbench.bulk import gc_paused

CHUNK = 2000


def submitted(project: Project):
    return Annotation.objects.filter(project=project, status=AnnotationStatus.SUBMITTED)


def fingerprint(project: Project) -> str:
    """Changes whenever a submitted annotation is added, changed, reopened or removed."""
    stats = submitted(project).aggregate(n=Count("id"), latest=Max("updated_at"))
    latest = stats["latest"].isoformat() if stats["latest"] else "-"
    return f"f{REPORT_FORMAT}:n{stats['n']}:u{latest}:s{project.schema_version}"


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


def compute_report(project: Project) -> dict[str, Any]:
    with gc_paused():
        docs = submitted_docs(project)
        texts = compared_texts(project)
        annotator_ids = {d.annotator for d in docs}
        names = dict(
            get_user_model().objects.filter(id__in=annotator_ids).values_list("id", "username")
        )
        report = build_report(docs, texts=texts, schema=project.schema, annotator_names=names)
        del docs, texts
    lowest = report["lowest_articles"]
    titles = dict(
        Article.objects.filter(id__in=[row["article"] for row in lowest]).values_list("id", "title")
    )
    for row in lowest:
        row["title"] = titles.get(row["article"], "")
    return report


def agreement_report(project: Project, *, refresh: bool = False) -> dict[str, Any]:
    """The project's agreement report, from the cache when the annotations have not changed.

    The returned dict carries "meta": fingerprint, when it was computed, how long it took,
    and whether it came from the cache.
    """
    current = fingerprint(project)
    snapshot = AgreementSnapshot.objects.filter(project=project).first()
    if snapshot is not None and snapshot.fingerprint == current and not refresh:
        return _with_meta(snapshot, cached=True)
    started = time.perf_counter()
    report = compute_report(project)
    seconds = time.perf_counter() - started
    try:
        with transaction.atomic():
            snapshot, _ = AgreementSnapshot.objects.update_or_create(
                project=project,
                defaults={"fingerprint": current, "result": report, "seconds": seconds},
            )
    except IntegrityError:
        # Another request stored the same numbers first; theirs are as good as ours.
        snapshot = AgreementSnapshot.objects.get(project=project)
    return _with_meta(snapshot, cached=False, result=report)


def _with_meta(
    snapshot: AgreementSnapshot, *, cached: bool, result: dict[str, Any] | None = None
) -> dict[str, Any]:
    report = dict(result if result is not None else snapshot.result)
    report["meta"] = {
        "fingerprint": snapshot.fingerprint,
        "computed_at": snapshot.computed_at.isoformat(),
        "seconds": round(snapshot.seconds, 3),
        "cached": cached,
    }
    return report
