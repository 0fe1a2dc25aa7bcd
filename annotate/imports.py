"""Import labelled data into a project: the ORM side of annotate/lib/imports/.

`do_import_annotations` parses a file (ours, Label Studio, doccano), matches each record's
text to an article of the project (by content hash; otherwise to one in the import corpus,
or creates it there and adds it to the project), and stores each record as a submitted
annotation of its annotator, or as the article's gold.

All or nothing: every record is checked first (offsets, labels, content rules, conflicts
with existing work); if any is bad and `skip_bad` is off, ImportRejected lists them all and
nothing is written. Writes happen in one transaction with bulk inserts.

Annotators: a record that names its annotator (our raw JSONL, Label Studio's completed_by)
is given to the project member with that user name or e-mail; otherwise to `annotator`
(default: the user importing). One annotator has at most one annotation per article.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from annotate.errors import ActionError
from annotate.lib.imports import ImportFormatError, parse_annotations
from annotate.lib.imports.common import ImportRecord, ParseSummary, RecordError
from annotate.models import (
    Annotation,
    AnnotationStatus,
    Assignment,
    AssignmentStatus,
    AuditAction,
    AuditEvent,
    Gold,
    GoldSource,
    Membership,
    Project,
    ProjectArticle,
)
from corpus.lib.text import content_hash, normalise_for_search
from corpus.models import Article, Corpus

BATCH = 1000
MAX_CORPUS_NAME = 200
Progress = Callable[[int, int], None]


class ImportRejected(Exception):
    """Bad records and no permission to skip them: nothing was written."""

    SHOWN = 20

    def __init__(self, errors: list[RecordError]) -> None:
        self.errors = errors
        lines = [str(error) for error in errors[: self.SHOWN]]
        if len(errors) > self.SHOWN:
            lines.append(f"... and {len(errors) - self.SHOWN} more")
        super().__init__(
            f"{len(errors)} bad record(s); nothing was imported "
            "(fix them, or import again skipping bad records):\n" + "\n".join(lines)
        )


@dataclass
class AnnotationImportReport:
    records: int = 0
    articles_created: int = 0
    articles_added_to_project: int = 0
    annotations: int = 0
    gold: int = 0
    skipped: list[RecordError] = field(default_factory=list)
    ignored: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "articles_created": self.articles_created,
            "articles_added_to_project": self.articles_added_to_project,
            "annotations": self.annotations,
            "gold": self.gold,
            "skipped": [error.as_dict() for error in self.skipped],
            "ignored": dict(sorted(self.ignored.items())),
        }


def _chunks(items: list[Any], size: int = BATCH) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def default_corpus_name(project: Project) -> str:
    return f"{project.name} (imported)"[:MAX_CORPUS_NAME]


def do_import_annotations(
    project: Project,
    data: bytes,
    *,
    name: str,
    format: str,
    user,
    offsets: str = "auto",
    as_gold: bool = False,
    skip_bad: bool = False,
    annotator=None,
    corpus_name: str | None = None,
    progress: Progress | None = None,
) -> AnnotationImportReport:
    summary = ParseSummary()
    try:
        parsed = list(
            parse_annotations(
                data,
                name=name,
                format=format,
                schema=project.schema,
                offsets=offsets,
                summary=summary,
            )
        )
    except ImportFormatError as exc:
        raise ActionError(exc.field, exc.message) from None
    errors = [item for item in parsed if isinstance(item, RecordError)]
    records = [item for item in parsed if isinstance(item, ImportRecord)]
    report = AnnotationImportReport(records=len(parsed), ignored=summary.ignored)

    default_annotator = annotator or user
    members = {
        m.user_id: m.user for m in Membership.objects.filter(project=project).select_related("user")
    }
    if (
        not as_gold
        and default_annotator is not None
        and default_annotator.pk not in members
        and not default_annotator.is_superuser
    ):
        raise ActionError(
            "annotator", f"{default_annotator.get_username()} is not a member of this project"
        )
    by_name: dict[str, Any] = {}
    for member in members.values():
        by_name[member.get_username().casefold()] = member
        if member.email:
            by_name.setdefault(member.email.casefold(), member)

    digests = [content_hash(record.text) for record in records]
    in_project = _project_articles(project, set(digests))
    corpus_name = (corpus_name or default_corpus_name(project)).strip()[:MAX_CORPUS_NAME]
    corpus = Corpus.objects.filter(name=corpus_name).first()
    in_corpus = (
        _corpus_articles(corpus, set(digests) - set(in_project)) if corpus is not None else {}
    )

    taken = _taken(project, in_project, as_gold=as_gold)
    planned: list[tuple[ImportRecord, str, Any]] = []
    seen: set[tuple[str, int | None]] = set()
    for record, digest in zip(records, digests, strict=True):
        owner = None
        if not as_gold:
            hint = (record.annotator or "").casefold()
            owner = by_name.get(hint, default_annotator) if hint else default_annotator
            if owner is None:
                errors.append(
                    RecordError(
                        record.origin,
                        f"annotated by {record.annotator or 'nobody named'}, who is not a project "
                        "member; choose the annotator to import these as",
                        "annotator",
                    )
                )
                continue
        key = (digest, owner.pk if owner is not None else None)
        article_id = in_project.get(digest)
        if key in seen:
            who = f" by {owner.get_username()}" if owner is not None else ""
            errors.append(
                RecordError(
                    record.origin, f"the same text{who} appears earlier in this file", "text"
                )
            )
            continue
        if article_id is not None and (article_id, key[1]) in taken:
            what = (
                "the article already has gold"
                if as_gold
                else f"{owner.get_username()} already has an assignment for this article"
            )
            errors.append(RecordError(record.origin, what, "text"))
            continue
        seen.add(key)
        planned.append((record, digest, owner))

    if errors and not skip_bad:
        raise ImportRejected(errors)
    report.skipped = errors

    with transaction.atomic():
        if corpus is None and any(d not in in_project for _, d, _ in planned):
            corpus = Corpus.objects.create(name=corpus_name, created_by=user)
        article_ids = dict(in_project)
        new_articles = {}
        for record, digest, _ in planned:
            if digest in article_ids or digest in new_articles:
                continue
            if digest in in_corpus:
                article_ids[digest] = in_corpus[digest]
                continue
            new_articles[digest] = Article(
                corpus=corpus,
                title=record.title,
                text=record.text,
                external_id=record.external_id,
                content_hash=digest,
                search_text=normalise_for_search(f"{record.title}\n{record.text}"),
            )
        for chunk in _chunks(list(new_articles.values())):
            for article in Article.objects.bulk_create(chunk):
                article_ids[article.content_hash] = article.pk
        report.articles_created = len(new_articles)

        positions, report.articles_added_to_project = _add_to_project(
            project, [article_ids[d] for _, d, _ in planned]
        )

        now = timezone.now()
        total = len(planned)
        for done, chunk in enumerate(_chunks(planned), start=1):
            if as_gold:
                report.gold += _create_gold(
                    project, chunk, article_ids, user=user, name=name, format=format
                )
            else:
                report.annotations += _create_annotations(
                    project,
                    chunk,
                    article_ids,
                    positions,
                    user=user,
                    name=name,
                    format=format,
                    now=now,
                )
            if progress is not None:
                progress(min(done * BATCH, total), total)
    return report


def _project_articles(project: Project, digests: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(digests)):
        found.update(
            ProjectArticle.objects.filter(project=project, article__content_hash__in=chunk)
            .order_by("article_id")
            .values_list("article__content_hash", "article_id")
        )
    return found


def _corpus_articles(corpus: Corpus, digests: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(digests)):
        found.update(
            Article.objects.filter(corpus=corpus, content_hash__in=chunk).values_list(
                "content_hash", "id"
            )
        )
    return found


def _taken(project: Project, in_project: dict[str, int], *, as_gold: bool) -> set[tuple[int, Any]]:
    """(article id, annotator id or None) pairs that already have work in the project."""
    ids = sorted(set(in_project.values()))
    taken: set[tuple[int, Any]] = set()
    for chunk in _chunks(ids):
        if as_gold:
            taken.update(
                (article_id, None)
                for article_id in Gold.objects.filter(
                    project=project, article_id__in=chunk
                ).values_list("article_id", flat=True)
            )
        else:
            taken.update(
                Assignment.objects.filter(
                    project=project, article_id__in=chunk, annotator__isnull=False
                ).values_list("article_id", "annotator_id")
            )
    return taken


def _add_to_project(project: Project, article_ids: list[int]) -> tuple[dict[int, int], int]:
    """Queue positions of these articles, adding the ones not yet in the project (counted)."""
    wanted = sorted(set(article_ids))
    positions: dict[int, int] = {}
    for chunk in _chunks(wanted):
        positions.update(
            ProjectArticle.objects.filter(project=project, article_id__in=chunk).values_list(
                "article_id", "position"
            )
        )
    missing = [article_id for article_id in wanted if article_id not in positions]
    start = (
        ProjectArticle.objects.filter(project=project).aggregate(m=Max("position"))["m"] or 0
    ) + 1
    new = [
        ProjectArticle(project=project, article_id=article_id, position=start + i)
        for i, article_id in enumerate(missing)
    ]
    for chunk in _chunks(new):
        ProjectArticle.objects.bulk_create(chunk)
    positions.update({row.article_id: row.position for row in new})
    return positions, len(new)


def _origin_note(record: ImportRecord, *, name: str, format: str) -> dict[str, Any]:
    return {"import": {"format": format, "file": name, "record": str(record.origin)}}


def _create_annotations(
    project: Project,
    chunk: list[tuple[ImportRecord, str, Any]],
    article_ids: dict[str, int],
    positions: dict[int, int],
    *,
    user,
    name: str,
    format: str,
    now,
) -> int:
    ids = sorted({article_ids[d] for _, d, _ in chunk})
    next_slot = {
        row["article_id"]: row["top"] + 1
        for row in Assignment.objects.filter(project=project, article_id__in=ids)
        .values("article_id")
        .annotate(top=Max("slot"))
        .order_by()
    }
    assignments = []
    for _record, digest, owner in chunk:
        article_id = article_ids[digest]
        slot = next_slot.get(article_id, 0)
        next_slot[article_id] = slot + 1
        assignments.append(
            Assignment(
                project=project,
                article_id=article_id,
                annotator=owner,
                slot=slot,
                position=positions[article_id],
                status=AssignmentStatus.SUBMITTED,
                started_at=now,
                submitted_at=now,
            )
        )
    Assignment.objects.bulk_create(assignments)
    annotations = Annotation.objects.bulk_create(
        Annotation(
            assignment=assignment,
            project=project,
            article_id=assignment.article_id,
            annotator=owner,
            content=record.content,
            schema_version=project.schema_version,
            status=AnnotationStatus.SUBMITTED,
            submitted_at=now,
        )
        for assignment, (record, _, owner) in zip(assignments, chunk, strict=True)
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(
            project=project,
            article_id=annotation.article_id,
            annotation=annotation,
            user=user,
            action=AuditAction.IMPORT,
            version=annotation.version,
            changes=_origin_note(record, name=name, format=format),
        )
        for annotation, (record, _, _) in zip(annotations, chunk, strict=True)
    )
    return len(annotations)


def _create_gold(
    project: Project,
    chunk: list[tuple[ImportRecord, str, Any]],
    article_ids: dict[str, int],
    *,
    user,
    name: str,
    format: str,
) -> int:
    golds = Gold.objects.bulk_create(
        Gold(
            project=project,
            article_id=article_ids[digest],
            content=record.content,
            schema_version=project.schema_version,
            version=1,
            source=GoldSource.IMPORTED,
            updated_by=user,
        )
        for record, digest, _ in chunk
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(
            project=project,
            article_id=gold.article_id,
            gold=gold,
            user=user,
            action=AuditAction.IMPORT,
            version=1,
            changes=_origin_note(record, name=name, format=format),
        )
        for gold, (record, _, _) in zip(golds, chunk, strict=True)
    )
    return len(golds)


def find_member(project: Project, username: str):
    """A project member by user name, or ActionError naming the field."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not Membership.objects.filter(project=project, user=user).exists():
        raise ActionError("annotator", f"no member {username!r} in this project")
    return user
