"""Gold: adjudication data, saving gold, auto-accepting unanimous articles, progress.

The thin ORM side of adjudication. The merge itself is pure and lives in annotate/lib/merge.py;
content validation and diffs in annotate/lib/content.py.

Saving is versioned like annotations: the client sends the version it started from (0 when
the article has no gold yet); a stale version raises StaleGold (HTTP 409), never a silent
overwrite. Every save leaves an AuditEvent (action gold_save) with the diff.

Auto-accept: an article's submissions are accepted as gold when at least two annotators
submitted, none of its assignments is still open (todo or in progress), and every submission
agrees exactly (annotate.lib.merge.is_unanimous). Articles that already have gold are left alone.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from annotate.errors import ConflictError
from annotate.lib.agreement.differences import differences, kind_counts
from annotate.lib.agreement.documents import doc_from_content
from annotate.lib.agreement.evidence import ArticleAgreement, article_agreement
from annotate.lib.content import check_content, diff_content, empty_content, used_vocabulary
from annotate.lib.merge import Submission, is_unanimous, merge
from annotate.lib.schema import claim_key
from annotate.models import (
    Annotation,
    AnnotationStatus,
    Assignment,
    AssignmentStatus,
    AuditAction,
    AuditEvent,
    Gold,
    GoldSource,
    Project,
    ProjectArticle,
)
from corpus.models import Article

AUTO_ACCEPT_BATCH = 500
OPEN_STATUSES = (AssignmentStatus.TODO, AssignmentStatus.IN_PROGRESS)


class StaleGold(ConflictError):
    """The gold changed since the client loaded it (HTTP 409 with current_version)."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            f"The gold was changed by someone else (now version {current_version}); "
            "reload and adjudicate again.",
            current_version=current_version,
        )


def submitted_annotations(project: Project, article: Article) -> list[Annotation]:
    return list(
        Annotation.objects.filter(
            project=project, article=article, status=AnnotationStatus.SUBMITTED
        )
        .select_related("annotator")
        .order_by("annotator__username", "id")
    )


def mark_inputs_changed(project_id: int, article_id: int, *, submitted_at) -> int:
    """Flag the article's gold when it was saved after a submission that is now reopened
    (the gold may have been made from it); returns how many gold records were flagged."""
    if submitted_at is None:
        return 0
    return Gold.objects.filter(
        project_id=project_id, article_id=article_id, updated_at__gte=submitted_at
    ).update(inputs_changed=True)


def gold_payload(gold: Gold | None) -> dict[str, Any] | None:
    if gold is None:
        return None
    return {
        "version": gold.version,
        "content": gold.content,
        "source": gold.source,
        "inputs_changed": gold.inputs_changed,
        "schema_version": gold.schema_version,
        "updated_by": gold.updated_by.get_username() if gold.updated_by else None,
        "updated_at": gold.updated_at.isoformat(),
    }


def adjudication_data(project: Project, article: Article) -> dict[str, Any]:
    """Submitted annotations side by side, the merged proposal, open decisions, current gold."""
    annotations = submitted_annotations(project, article)
    submissions = [Submission(a.annotator.get_username(), a.content) for a in annotations]
    claim_label = claim_key(project.schema)
    merged = merge(submissions, claim_label=claim_label)
    kinds = {d.decision: d.kind for d in differences(merged, submissions, claim_label=claim_label)}
    for decision in merged["decisions"]:
        decision["difference"] = kinds[decision["id"]]
    gold = Gold.objects.select_related("updated_by").filter(project=project, article=article)
    return {
        "article": {
            "id": article.pk,
            "title": article.title,
            "external_id": article.external_id,
            "text": article.text,
        },
        "schema": project.schema,
        "schema_version": project.schema_version,
        "annotations": [
            {
                "id": a.pk,
                "annotator": {"id": a.annotator_id, "username": a.annotator.get_username()},
                "version": a.version,
                "schema_version": a.schema_version,
                "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
                "content": a.content,
            }
            for a in annotations
        ],
        **merged,
        "gold": gold_payload(gold.first()),
    }


def do_save_gold(
    project: Project,
    article: Article,
    *,
    user,
    version: int,
    content: Any,
    source: str = GoldSource.ADJUDICATED,
) -> Gold:
    """Validate and save the article's gold if `version` is current; audit the change.

    Raises StaleGold (409) or annotate.lib.content.ContentError (400, naming the field).
    """
    with transaction.atomic():
        gold = Gold.objects.select_for_update().filter(project=project, article=article).first()
        current = gold.version if gold else 0
        if version != current:
            raise StaleGold(current)
        known = [a.content for a in submitted_annotations(project, article)]
        if gold is not None:
            known.append(gold.content)
        labels_in_use, _, _ = used_vocabulary(known)
        clean = check_content(
            content, text=article.text, schema=project.schema, allow_retired=labels_in_use
        )
        if gold is None:
            old = empty_content()
            try:
                with transaction.atomic():
                    gold = Gold.objects.create(
                        project=project,
                        article=article,
                        content=clean,
                        schema_version=project.schema_version,
                        version=1,
                        source=source,
                        updated_by=user,
                    )
            except IntegrityError:
                # Someone created it between our read and our insert.
                raise StaleGold(_current_version(project, article)) from None
        else:
            old = gold.content
            updated = Gold.objects.filter(pk=gold.pk, version=version).update(
                content=clean,
                schema_version=project.schema_version,
                version=version + 1,
                source=source,
                updated_by=user,
                updated_at=timezone.now(),
                inputs_changed=False,
            )
            if not updated:
                raise StaleGold(_current_version(project, article))
            gold.refresh_from_db()
        AuditEvent.objects.create(
            project=project,
            article=article,
            gold=gold,
            user=user,
            action=AuditAction.GOLD_SAVE,
            version=gold.version,
            changes={"source": source, **diff_content(old, clean)},
        )
    return gold


def _current_version(project: Project, article: Article) -> int:
    return (
        Gold.objects.filter(project=project, article=article)
        .values_list("version", flat=True)
        .first()
        or 0
    )


@dataclass(frozen=True, slots=True)
class _Candidate:
    article_id: int
    submissions: list[Submission]


def _submitted_without_gold(project: Project) -> Iterator[_Candidate]:
    """Articles with submissions and no gold, each with its submissions (streamed)."""
    rows = (
        Annotation.objects.filter(project=project, status=AnnotationStatus.SUBMITTED)
        .exclude(Exists(Gold.objects.filter(project=project, article_id=OuterRef("article_id"))))
        .order_by("article_id", "annotator__username", "id")
        .values_list("article_id", "annotator__username", "content")
        .iterator(chunk_size=2000)
    )
    for article_id, group in itertools.groupby(rows, key=lambda row: row[0]):
        yield _Candidate(article_id, [Submission(name, content) for _, name, content in group])


def do_auto_accept_unanimous(project: Project, *, user) -> dict[str, Any]:
    """Gold for every article whose submissions all agree; the rest listed for review.

    Returns {"accepted": [article ids], "needs_review": [{"article": id, "reason": ...}]}
    with reasons "single_annotator", "incomplete" (assignments still open) and "disagreement";
    a disagreement also says how many differences of each kind ("differences": {"claimant":
    1, ...}, kinds of annotate.lib.agreement.differences).
    """
    open_articles = set(
        Assignment.objects.filter(project=project, status__in=OPEN_STATUSES)
        .values_list("article_id", flat=True)
        .distinct()
    )
    claim_label = claim_key(project.schema)
    accepted: list[int] = []
    needs_review: list[dict[str, Any]] = []
    batch: list[tuple[int, dict[str, Any]]] = []
    for candidate in _submitted_without_gold(project):
        if len(candidate.submissions) < 2:
            needs_review.append({"article": candidate.article_id, "reason": "single_annotator"})
        elif candidate.article_id in open_articles:
            needs_review.append({"article": candidate.article_id, "reason": "incomplete"})
        elif not is_unanimous([s.content for s in candidate.submissions]):
            merged = merge(candidate.submissions, claim_label=claim_label)
            found = differences(merged, candidate.submissions, claim_label=claim_label)
            needs_review.append(
                {
                    "article": candidate.article_id,
                    "reason": "disagreement",
                    "differences": kind_counts(found),
                }
            )
        else:
            proposal = merge(candidate.submissions, claim_label=claim_label)["proposal"]
            batch.append((candidate.article_id, proposal))
            if len(batch) >= AUTO_ACCEPT_BATCH:
                accepted.extend(_create_unanimous_gold(project, batch, user=user))
                batch = []
    if batch:
        accepted.extend(_create_unanimous_gold(project, batch, user=user))
    return {"accepted": accepted, "needs_review": needs_review}


def _create_unanimous_gold(
    project: Project, batch: Iterable[tuple[int, dict[str, Any]]], *, user
) -> list[int]:
    batch = list(batch)
    texts = dict(
        Article.objects.filter(pk__in=[article_id for article_id, _ in batch]).values_list(
            "id", "text"
        )
    )
    golds = []
    for article_id, proposal in batch:
        # Submissions were validated when submitted; validating again guards against a schema
        # that changed since (a retired label stays allowed: the annotators used it).
        labels, _, _ = used_vocabulary([proposal])
        clean = check_content(
            proposal, text=texts[article_id], schema=project.schema, allow_retired=labels
        )
        golds.append(
            Gold(
                project=project,
                article_id=article_id,
                content=clean,
                schema_version=project.schema_version,
                version=1,
                source=GoldSource.UNANIMOUS,
                updated_by=user,
            )
        )
    try:
        with transaction.atomic():
            created = Gold.objects.bulk_create(golds)
            _audit_created(project, created, user=user)
    except IntegrityError:
        # A reviewer saved gold for one of these meanwhile: go one by one and skip those.
        created = []
        for gold in golds:
            try:
                with transaction.atomic():
                    gold.save(force_insert=True)
                    _audit_created(project, [gold], user=user)
                created.append(gold)
            except IntegrityError:
                continue
    return [gold.article_id for gold in created]


def _audit_created(project: Project, golds: list[Gold], *, user) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(
            project=project,
            article_id=gold.article_id,
            gold=gold,
            user=user,
            action=AuditAction.GOLD_SAVE,
            version=gold.version,
            changes={"source": gold.source, **diff_content(empty_content(), gold.content)},
        )
        for gold in golds
    )


def gold_progress(project: Project) -> dict[str, int]:
    """How far adjudication has come: articles with gold, with submissions, in total."""
    total = ProjectArticle.objects.filter(project=project).count()
    with_gold = Gold.objects.filter(project=project).count()
    submitted = (
        Annotation.objects.filter(project=project, status=AnnotationStatus.SUBMITTED)
        .values("article_id")
        .distinct()
        .count()
    )
    awaiting = (
        Annotation.objects.filter(project=project, status=AnnotationStatus.SUBMITTED)
        .exclude(Exists(Gold.objects.filter(project=project, article_id=OuterRef("article_id"))))
        .values("article_id")
        .distinct()
        .count()
    )
    return {
        "total": total,
        "with_gold": with_gold,
        "with_submissions": submitted,
        "awaiting_gold": awaiting,
    }


def review_queue(project: Project, *, include_done: bool = False):
    """Project articles with submitted work, annotated with submission count and gold version."""
    gold = Gold.objects.filter(project=project, article_id=OuterRef("article_id"))
    rows = (
        ProjectArticle.objects.filter(project=project)
        .annotate(
            submitted=Count(
                "article__annotations",
                filter=Q(
                    article__annotations__project=project,
                    article__annotations__status=AnnotationStatus.SUBMITTED,
                ),
            ),
            has_gold=Exists(gold),
        )
        .filter(submitted__gt=0)
        .select_related("article")
        .only("id", "position", "article__id", "article__title", "article__external_id")
        .order_by("position", "id")
    )
    if not include_done:
        rows = rows.filter(has_gold=False)
    return rows


@dataclass(frozen=True, slots=True)
class ReviewInfo:
    """One article of the review list: how far its annotators agree and what is left open."""

    submitted: int
    agreement: ArticleAgreement | None  # None: fewer than two submissions
    open_decisions: int
    kinds: dict[str, int]
    first_decision: str | None


def review_overview(project: Project, article_ids: Iterable[int]) -> dict[int, ReviewInfo]:
    """For each of these articles: its agreement score (as on the agreement dashboard), how
    many decisions the merge leaves open, and of which kinds. One query."""
    claim_label = claim_key(project.schema)
    rows = (
        Annotation.objects.filter(
            project=project, status=AnnotationStatus.SUBMITTED, article_id__in=list(article_ids)
        )
        .order_by("article_id", "annotator__username", "id")
        .values_list("article_id", "annotator_id", "annotator__username", "content")
        .iterator(chunk_size=2000)
    )
    result: dict[int, ReviewInfo] = {}
    for article_id, group in itertools.groupby(rows, key=lambda row: row[0]):
        members = list(group)
        submissions = [Submission(name, content or {}) for _, _, name, content in members]
        merged = merge(submissions, claim_label=claim_label)
        found = differences(merged, submissions, claim_label=claim_label)
        docs = [
            doc_from_content(
                content or {}, article=article_id, annotator=annotator, claim_label=claim_label
            )
            for _, annotator, _, content in members
        ]
        result[article_id] = ReviewInfo(
            submitted=len(members),
            agreement=article_agreement(docs) if len(docs) >= 2 else None,
            open_decisions=len(found),
            kinds=kind_counts(found),
            first_decision=found[0].decision if found else None,
        )
    return result


def article_titles(project: Project, article_ids: Iterable[int]) -> dict[int, str]:
    """The titles of these articles of the project."""
    return dict(
        ProjectArticle.objects.filter(project=project, article_id__in=list(article_ids))
        .values_list("article_id", "article__title")
        .iterator(chunk_size=2000)
    )
