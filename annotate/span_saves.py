"""A span added or removed in one database round trip (PostgreSQL): the annotation page's
most frequent writes, on the path every marked word takes.

The usual way (annotate.annotations.do_add_span) reads the assignment with its project,
article and draft, checks the span in Python and writes the draft and its audit event: two
round trips, and the whole draft decoded, re-encoded and parsed again by PostgreSQL. Yet the
span itself needs only the article's text and the project's schema to be checked, and neither
changes under a draft: an article's text never changes (annotate edits touch only its title
and metadata) and every schema change bumps `schema_version`. So each worker keeps, per
assignment, the text and schema of its last save that went the usual way, checks the span
against them, and sends one statement (annotate.sql.add_span_in_one_statement) that checks
all the rest in the database: the caller is the assignee and a member, the assignment is in
progress, the draft is a draft at the version read, no span has the same id or the same
place and label, and the project, article and schema are still the ones kept.

When that statement changes nothing, or the span fails a check, or nothing is kept for the
assignment, the caller goes the usual way, which answers exactly as it always has (404, 403,
409 or 400 with its message) or saves (after a schema change, a retired label in use, a
worker's first save of an assignment). Nothing is written twice: the statement is atomic.

Removing a span needs neither the text nor the schema, so it always tries the one statement
(annotate.sql.remove_span_in_one_statement) first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from annotate import sql
from annotate.lib.content import MAX_SPANS, SPAN_ID_RE, ContentError, check_span
from annotate.lib.schema import claim_key, label_index
from annotate.models import Assignment, AuditAction

# Assignments remembered per worker process (the annotators a worker serves at a time; each
# entry holds its article's text); the oldest goes first beyond this.
MAX_REMEMBERED = 256
# PostgreSQL's integer column: a larger version matches no draft (the usual way says 409).
MAX_VERSION = 2**31 - 1


@dataclass(frozen=True)
class SaveContext:
    """What checking a span of one assignment needs, as read by its last usual save."""

    project_id: int
    article_id: int
    text: str
    content_hash: str
    schema: dict[str, Any]
    schema_version: int
    project_created_at: datetime
    labels: dict[str, dict[str, Any]]
    claim_label: str


_remembered: dict[int, SaveContext] = {}


def remember(assignment: Assignment) -> None:
    """Keep what the next span save of `assignment` needs (its project and article loaded)."""
    project, article = assignment.project, assignment.article
    context = SaveContext(
        project_id=project.pk,
        article_id=article.pk,
        text=article.text,
        content_hash=article.content_hash,
        schema=project.schema,
        schema_version=project.schema_version,
        project_created_at=project.created_at,
        labels=label_index(project.schema),
        claim_label=claim_key(project.schema),
    )
    _remembered.pop(assignment.pk, None)
    while len(_remembered) >= MAX_REMEMBERED:
        del _remembered[next(iter(_remembered))]
    _remembered[assignment.pk] = context


def forget_all() -> None:
    _remembered.clear()


def try_add_span(
    user, assignment_id: int, *, version: int, span: Any
) -> tuple[int, int, dict[str, Any]] | None:
    """(annotation id, new version, canonical span) if the span was added in one statement;
    None when the usual way must run (see the module's docstring)."""
    if connection.vendor != "postgresql" or not 1 <= version <= MAX_VERSION:
        return None
    context = _remembered.get(assignment_id)
    if context is None:
        return None
    try:
        checked = check_span(
            span,
            field="span",
            text=context.text,
            labels=context.labels,
            claim_label=context.claim_label,
            schema=context.schema,
        )
    except ContentError:
        return None
    now = timezone.now()
    saved = sql.add_span_in_one_statement(
        assignment_id=assignment_id,
        user_id=user.pk,
        superuser=user.is_superuser,
        version=version,
        span=checked,
        expect={
            "project": context.project_id,
            "article": context.article_id,
            "schema_version": context.schema_version,
            "project_created_at": context.project_created_at,
            "content_hash": context.content_hash,
        },
        max_spans=MAX_SPANS,
        event={
            "project_id": context.project_id,
            "article_id": context.article_id,
            "assignment_id": assignment_id,
            "gold_id": None,
            "user_id": user.pk,
            "action": AuditAction.SAVE,
            "changes": {"spans_added": [checked]},
            "at": now,
        },
    )
    if saved is None:
        return None
    return saved[0], saved[1], checked


def try_remove_span(
    user, assignment_id: int, *, version: int, span_id: str
) -> tuple[int, int] | None:
    """(annotation id, new version) if the span was removed in one statement; None when the
    usual way must run. A removal reads neither the article nor the schema: nothing needs to
    be kept for it."""
    if connection.vendor != "postgresql" or not 1 <= version <= MAX_VERSION:
        return None
    if not SPAN_ID_RE.match(span_id):  # no stored span has it (NUL would not even bind)
        return None
    return sql.remove_span_in_one_statement(
        assignment_id=assignment_id,
        user_id=user.pk,
        superuser=user.is_superuser,
        version=version,
        span_id=span_id,
        event={
            "gold_id": None,
            "user_id": user.pk,
            "action": AuditAction.SAVE,
            "at": timezone.now(),
        },
    )
