"""Import labelled data into a project: the ORM side of annotate/lib/imports/.

`do_import_annotations` parses a file (ours, Label Studio, doccano), matches each record's
text to an article of the project (by content hash; otherwise to one in the import corpus,
or creates it there through corpus/importing.py and adds it to the project), and stores each
record as a submitted annotation of its annotator, or as the article's gold.

All or nothing: every record is checked first (offsets, labels, content rules, conflicts
with existing work); if any is bad and `skip_bad` is off, AnnotationsRejected lists them all
and nothing is written. Writes happen in one transaction with bulk inserts.

Annotators: a record that names its annotator (our raw JSONL, Label Studio's completed_by)
is given to the project member the `annotator_map` maps that name to, else to the project
member with that user name or e-mail. A name that is neither refuses the whole import, naming
every such annotator (nothing is credited to someone else silently). A record that names
nobody (doccano) goes to `annotator` (default: the user importing). One annotator has at most
one annotation per article.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone

from annotate.agreement import do_forget_contributions
from annotate.errors import ActionError
from annotate.lib.imports import ImportFormatError, parse_annotations
from annotate.lib.imports.common import (
    ImportRecord,
    ParseSummary,
    RecordError,
    RecordProblem,
    parse_annotator_map,
    unknown_annotators,
)
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
from corpus.access import access_corpus_for_import
from corpus.importing import MAX_CORPUS_NAME, ImportRejected, do_import_articles_with_ids
from corpus.lib.parsers import ParsedArticle
from corpus.lib.text import content_hash
from corpus.models import Corpus

BATCH = 1000
Progress = Callable[[int, int], None]


class AnnotationsRejected(ImportRejected):
    """Bad records and no permission to skip them: nothing was written.

    Worded for annotation imports, whose way out is to fix the records or skip them.
    """

    @property
    def message(self) -> str:
        return (
            f"{len(self.errors)} bad record(s); nothing was imported "
            "(fix them, or import again skipping bad records):\n" + "\n".join(self.listed())
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


@dataclass(frozen=True, slots=True)
class PlannedRecord:
    """A record that passed every check, with its text's hash and its annotator (gold: None)."""

    record: ImportRecord
    digest: str
    owner: Any


@dataclass
class ImportPlan:
    """What an import will write, and the records it refuses."""

    records: list[PlannedRecord]
    errors: list[RecordError]
    # Content hash -> id of the project's articles that the file's texts match.
    in_project: dict[str, int]


@dataclass(frozen=True)
class Annotators:
    """Who a record's annotations go to: the member it names (through the map first), or the
    default annotator when it names nobody; None for a name that is not known."""

    default: Any
    by_name: dict[str, Any]

    def owner_of(self, record: ImportRecord) -> Any:
        hint = (record.annotator or "").casefold()
        return self.by_name.get(hint) if hint else self.default


def _chunks(items: list[Any], size: int = BATCH) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def default_corpus_name(project: Project) -> str:
    return f"{project.name} (imported)"[:MAX_CORPUS_NAME]


def import_corpus_name(project: Project, name: str | None) -> str:
    """The corpus an import's new articles go to: the one named, or the project's default."""
    return (name or "").strip()[:MAX_CORPUS_NAME] or default_corpus_name(project)


def check_import_corpus(user, name: str) -> Corpus | str:
    """The corpus new articles go to when `user` imports: theirs (staff: any), or the name of
    a new one they create. Http404 / PermissionDenied for another's (corpus.access). Without a
    user (the operator's command) any corpus, created when missing."""
    if user is None:
        return name
    return access_corpus_for_import(user, name)


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
    annotator_map: dict[str, Any] | None = None,
    corpus_name: str | None = None,
    progress: Progress | None = None,
) -> AnnotationImportReport:
    """Import the file `data` (called `name`) into `project`; see the module's docstring.

    `annotator_map`: {name as the file writes it (casefolded): project member}."""
    summary = ParseSummary()
    parsed = check_parsed(project, data, name=name, format=format, offsets=offsets, summary=summary)
    records = [item for item in parsed if isinstance(item, ImportRecord)]
    annotators = None
    if not as_gold:
        annotators = check_annotators(project, default=annotator or user, mapping=annotator_map)
        check_named_annotators(records, annotators)
    plan = check_records(project, records, annotators=annotators)
    errors = [item for item in parsed if isinstance(item, RecordError)] + plan.errors
    if errors and not skip_bad:
        raise AnnotationsRejected(errors)
    report = AnnotationImportReport(records=len(parsed), skipped=errors, ignored=summary.ignored)
    with transaction.atomic():
        article_ids, report.articles_created = _do_store_articles(
            plan, corpus_name=import_corpus_name(project, corpus_name), user=user
        )
        _do_store_work(
            project,
            plan.records,
            article_ids,
            report,
            as_gold=as_gold,
            user=user,
            name=name,
            format=format,
            progress=progress,
        )
        if not as_gold:
            # In the same transaction: the rebuild is queued if and only if the import lands.
            do_forget_contributions(project, user=user)
    return report


# ---- checks: nothing is written until every record has passed ---------------------------


def check_parsed(
    project: Project, data: bytes, *, name: str, format: str, offsets: str, summary: ParseSummary
) -> list[ImportRecord | RecordError]:
    """The file's records and bad records; ActionError when the file as a whole is unreadable."""
    try:
        return list(
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


def check_annotators(
    project: Project, *, default, mapping: dict[str, Any] | None = None
) -> Annotators:
    """The project's members by user name and e-mail, and the names `mapping` maps to one;
    ActionError if `default` or a mapped user is not a member."""
    members = {
        m.user_id: m.user for m in Membership.objects.filter(project=project).select_related("user")
    }
    if default is not None and default.pk not in members and not default.is_superuser:
        raise ActionError("annotator", f"{default.get_username()} is not a member of this project")
    by_name: dict[str, Any] = {}
    for member in members.values():
        by_name[member.get_username().casefold()] = member
        if member.email:
            by_name.setdefault(member.email.casefold(), member)
    for name, user in (mapping or {}).items():
        if user.pk not in members:
            raise ActionError(
                "map_annotator", f"{user.get_username()} is not a member of this project"
            )
        by_name[name.casefold()] = user
    return Annotators(default=default, by_name=by_name)


def check_named_annotators(records: list[ImportRecord], annotators: Annotators) -> None:
    """ActionError naming every annotator the file names who is neither a project member nor
    mapped to one: their work is never credited to someone else without being asked."""
    unknown = unknown_annotators(records, known=annotators.by_name)
    if not unknown:
        return
    named = ", ".join(
        f"{name!r} ({n} record{'' if n == 1 else 's'})"
        for name, n in sorted(unknown.items(), key=lambda item: (-item[1], item[0]))[:20]
    )
    more = f" and {len(unknown) - 20} more" if len(unknown) > 20 else ""
    raise ActionError(
        "map_annotator",
        f"the file names {len(unknown)} annotator(s) who are not members of this project: "
        f"{named}{more}. Nothing was imported. Map each to a member as NAME=MEMBER (e.g. "
        f"{min(unknown)}=<a member's user name>), or add them to the project first.",
    )


def resolve_annotator_map(project: Project, values: list[str]) -> dict[str, Any]:
    """NAME=MEMBER pairs (see parse_annotator_map) as {casefolded NAME: member user};
    ActionError("map_annotator") for a bad pair or a MEMBER who is not a project member."""
    try:
        pairs = parse_annotator_map(values)
    except RecordProblem as exc:
        raise ActionError(exc.field, exc.message) from None
    mapping = {}
    for name, username in pairs.items():
        try:
            mapping[name] = find_member(project, username)
        except ActionError:
            raise ActionError(
                "map_annotator", f"{username!r} (for {name!r}) is not a member of this project"
            ) from None
    return mapping


def check_records(
    project: Project, records: list[ImportRecord], *, annotators: Annotators | None
) -> ImportPlan:
    """Each record's annotator (None: the records are gold) and conflicts, in file order."""
    digests = [content_hash(record.text) for record in records]
    in_project = _project_articles(project, set(digests))
    taken = _taken(project, in_project, as_gold=annotators is None)
    plan = ImportPlan(records=[], errors=[], in_project=in_project)
    seen: set[tuple[str, int | None]] = set()
    for record, digest in zip(records, digests, strict=True):
        owner = annotators.owner_of(record) if annotators is not None else None
        if annotators is not None and owner is None:
            plan.errors.append(_nobody(record))
            continue
        key = (digest, owner.pk if owner is not None else None)
        error = _check_new(
            record, owner, seen=key in seen, taken=(in_project.get(digest), key[1]) in taken
        )
        if error is not None:
            plan.errors.append(error)
            continue
        seen.add(key)
        plan.records.append(PlannedRecord(record, digest, owner))
    return plan


def _nobody(record: ImportRecord) -> RecordError:
    return RecordError(
        record.origin,
        f"annotated by {record.annotator or 'nobody named'}, who is not a project "
        "member; choose the annotator to import these as",
        "annotator",
    )


def _check_new(record: ImportRecord, owner, *, seen: bool, taken: bool) -> RecordError | None:
    """The error of a record whose work is already in this file (`seen`) or in the project
    (`taken`); None for a new one. Gold has no owner."""
    if seen:
        who = f" by {owner.get_username()}" if owner is not None else ""
        return RecordError(
            record.origin, f"the same text{who} appears earlier in this file", "text"
        )
    if taken:
        what = (
            "the article already has gold"
            if owner is None
            else f"{owner.get_username()} already has an assignment for this article"
        )
        return RecordError(record.origin, what, "text")
    return None


def _project_articles(project: Project, digests: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(digests)):
        found.update(
            ProjectArticle.objects.filter(project=project, article__content_hash__in=chunk)
            .order_by("article_id")
            .values_list("article__content_hash", "article_id")
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


# ---- writes: one transaction ---------------------------------------------------------


def _do_store_articles(plan: ImportPlan, *, corpus_name: str, user) -> tuple[dict[str, int], int]:
    """Article ids by content hash for every planned record, and how many were created.

    Texts not in the project are looked up in the import corpus, or imported into it (which
    is created if missing) through corpus/importing.py. The user must own that corpus or
    create it (checked only when there are such texts).
    """
    article_ids = dict(plan.in_project)
    outside: dict[str, ImportRecord] = {}
    for item in plan.records:
        if item.digest not in article_ids:
            outside.setdefault(item.digest, item.record)
    if not outside:
        return article_ids, 0
    articles = [
        ParsedArticle(
            text=record.text,
            origin=record.origin,
            title=record.title,
            external_id=record.external_id,
        )
        for record in outside.values()
    ]
    try:
        corpus = check_import_corpus(user, corpus_name)
    except (Http404, PermissionDenied):
        raise ActionError(
            "corpus",
            f"the corpus {corpus_name!r} is not yours to import into: name another corpus, "
            "or ask its owners to add you",
        ) from None
    report, ids = do_import_articles_with_ids(corpus, articles, created_by=user)
    article_ids.update(ids)
    return article_ids, report.created


def _do_store_work(
    project: Project,
    planned: list[PlannedRecord],
    article_ids: dict[str, int],
    report: AnnotationImportReport,
    *,
    as_gold: bool,
    user,
    name: str,
    format: str,
    progress: Progress | None,
) -> None:
    """Add the articles to the project, store the records as gold or as submitted annotations
    in batches, and count them in `report`."""
    positions, report.articles_added_to_project = _add_to_project(
        project, [article_ids[item.digest] for item in planned]
    )
    now = timezone.now()
    for done, chunk in enumerate(_chunks(planned), start=1):
        if as_gold:
            report.gold += _create_gold(
                project, chunk, article_ids, user=user, name=name, format=format
            )
        else:
            report.annotations += _create_annotations(
                project, chunk, article_ids, positions, user=user, name=name, format=format, now=now
            )
        if progress is not None:
            progress(min(done * BATCH, len(planned)), len(planned))


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
    chunk: list[PlannedRecord],
    article_ids: dict[str, int],
    positions: dict[int, int],
    *,
    user,
    name: str,
    format: str,
    now,
) -> int:
    assignments = _submitted_assignments(project, chunk, article_ids, positions, now=now)
    Assignment.objects.bulk_create(assignments)
    annotations = Annotation.objects.bulk_create(
        Annotation(
            assignment=assignment,
            project=project,
            article_id=assignment.article_id,
            annotator=item.owner,
            content=item.record.content,
            schema_version=project.schema_version,
            status=AnnotationStatus.SUBMITTED,
            submitted_at=now,
        )
        for assignment, item in zip(assignments, chunk, strict=True)
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(
            project=project,
            article_id=annotation.article_id,
            annotation=annotation,
            user=user,
            action=AuditAction.IMPORT,
            version=annotation.version,
            changes=_origin_note(item.record, name=name, format=format),
        )
        for annotation, item in zip(annotations, chunk, strict=True)
    )
    return len(annotations)


def _submitted_assignments(
    project: Project,
    chunk: list[PlannedRecord],
    article_ids: dict[str, int],
    positions: dict[int, int],
    *,
    now,
) -> list[Assignment]:
    """Unsaved submitted assignments for the records, each in its article's next free slot."""
    ids = sorted({article_ids[item.digest] for item in chunk})
    next_slot = {
        row["article_id"]: row["top"] + 1
        for row in Assignment.objects.filter(project=project, article_id__in=ids)
        .values("article_id")
        .annotate(top=Max("slot"))
        .order_by()
    }
    assignments = []
    for item in chunk:
        article_id = article_ids[item.digest]
        slot = next_slot.get(article_id, 0)
        next_slot[article_id] = slot + 1
        assignments.append(
            Assignment(
                project=project,
                article_id=article_id,
                annotator=item.owner,
                slot=slot,
                position=positions[article_id],
                status=AssignmentStatus.SUBMITTED,
                started_at=now,
                submitted_at=now,
            )
        )
    return assignments


def _create_gold(
    project: Project,
    chunk: list[PlannedRecord],
    article_ids: dict[str, int],
    *,
    user,
    name: str,
    format: str,
) -> int:
    golds = Gold.objects.bulk_create(
        Gold(
            project=project,
            article_id=article_ids[item.digest],
            content=item.record.content,
            schema_version=project.schema_version,
            version=1,
            source=GoldSource.IMPORTED,
            updated_by=user,
        )
        for item in chunk
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(
            project=project,
            article_id=gold.article_id,
            gold=gold,
            user=user,
            action=AuditAction.IMPORT,
            version=1,
            changes=_origin_note(item.record, name=name, format=format),
        )
        for gold, item in zip(golds, chunk, strict=True)
    )
    return len(golds)


def find_member(project: Project, username: str):
    """A project member by user name, or ActionError naming the field."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not Membership.objects.filter(project=project, user=user).exists():
        raise ActionError("annotator", f"no member {username!r} in this project")
    return user
