"""Talking about items: skip reasons, comments and flags per (project, article), reopen requests.

Blinding: an annotator reads their own comments, the leads' replies to them and the leads'
first-level notes; another annotator's comments stay hidden from them until they have
submitted the article themselves (a question can reveal an answer). Managers and reviewers
read everything. Bodies are Markdown, rendered and sanitised as the guidelines are
(annotate.guidelines.guidelines_html).

A thread is read when its reader opens it (do_mark_read); later replies by leads to an
annotator's comments are "unread" and listed in their queue (unread_replies).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from annotate.access import LEADS
from annotate.annotations import _record, check_is_assignee, check_reason, do_skip
from annotate.errors import ActionError, ConflictError
from annotate.guidelines import guidelines_html
from annotate.models import (
    Assignment,
    AssignmentStatus,
    AuditAction,
    Comment,
    CommentRead,
    FlagKind,
    Project,
)
from corpus.models import Article

MAX_COMMENT_LENGTH = 5000
# Offered when a project names no skip reasons of its own (translated when shown).
DEFAULT_SKIP_REASONS = (
    gettext_noop("Not a news article (site menu, comments, boilerplate)"),
    gettext_noop("Duplicate of another article"),
    gettext_noop("Text is broken or cut off"),
    gettext_noop("Off-topic for this project"),
)


# ---- skipping ----


def skip_reasons(project: Project) -> list[str]:
    """The reasons an annotator picks from: the project's, else the defaults (translated)."""
    return list(project.skip_reasons) or [_(reason) for reason in DEFAULT_SKIP_REASONS]


def check_skip(project: Project, *, choice: Any, note: Any) -> str:
    """The skip reason stored: the chosen reason (one of the project's) and/or free text."""
    choice = choice.strip() if isinstance(choice, str) else ""
    note = note.strip() if isinstance(note, str) else ""
    if choice and choice not in skip_reasons(project):
        raise ActionError("choice", f"{choice!r} is not one of this project's skip reasons")
    if not choice and not note:
        raise ActionError("reason", "a reason is required to skip an article")
    return check_reason(f"{choice} — {note}" if choice and note else choice or note)


def do_skip_with_reason(assignment: Assignment, *, user, choice: Any, note: Any) -> Assignment:
    """Skip with a reason from the project's list, free text, or both."""
    reason = check_skip(assignment.project, choice=choice, note=note)
    return do_skip(assignment, user=user, reason=reason)


# ---- reopen requests ----


def do_request_reopen(assignment: Assignment, *, user, reason: Any) -> Assignment:
    """The annotator asks the leads to reopen their submitted assignment, saying why."""
    check_is_assignee(assignment, user)
    reason = check_reason(reason, action="ask for a reopen")
    with transaction.atomic():
        now = timezone.now()
        updated = Assignment.objects.filter(
            pk=assignment.pk, annotator_id=user.pk, status=AssignmentStatus.SUBMITTED
        ).update(reopen_request=reason, reopen_requested_at=now)
        if not updated:
            assignment.refresh_from_db(fields=["status"])
            raise ConflictError(
                f"Only submitted work can be reopened; this assignment is {assignment.status}."
            )
        assignment.reopen_request = reason
        assignment.reopen_requested_at = now
        _record(
            assignment,
            user=user,
            action=AuditAction.REQUEST_REOPEN,
            changes={"reason": reason},
        )
    return assignment


def reopen_requests(project: Project) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(
            project=project, status=AssignmentStatus.SUBMITTED, reopen_requested_at__isnull=False
        )
        .select_related("article", "annotator")
        .defer("article__text", "article__search_text", "article__metadata")
        .annotate(annotation_id=F("annotation__id"))
        .order_by("reopen_requested_at", "id")
    )


# ---- comments ----


def _has_submitted(project: Project, article_id: int, user) -> bool:
    return Assignment.objects.filter(
        project=project, article_id=article_id, annotator=user, status=AssignmentStatus.SUBMITTED
    ).exists()


def visibility(project: Project, article_id: int, user) -> Q | None:
    """The filter of comments `user` may read in this thread (None: every comment)."""
    if project.my_role in LEADS:  # type: ignore[attr-defined]
        return None
    if _has_submitted(project, article_id, user):
        return None
    return (
        Q(author=user)
        | Q(parent__author=user, by_lead=True)
        | Q(parent__isnull=True, by_lead=True)
        | Q(parent__by_lead=True, parent__parent__isnull=True, by_lead=True)
    )


def check_can_discuss(project: Project, article: Article, user) -> None:
    """Annotators discuss only articles they were given; leads any article of the project."""
    if project.my_role in LEADS:  # type: ignore[attr-defined]
        return
    given = Assignment.objects.filter(project=project, article=article, annotator=user).exists()
    if not given:
        raise ActionError("article", "you can comment only on articles you were given")


def check_body(body: Any) -> str:
    if not isinstance(body, str) or not body.strip():
        raise ActionError("body", "write something")
    body = body.strip()
    if len(body) > MAX_COMMENT_LENGTH:
        raise ActionError("body", f"must be at most {MAX_COMMENT_LENGTH} characters")
    return body


def do_comment(
    project: Project,
    article: Article,
    *,
    user,
    body: Any,
    flag: Any = "",
    parent_id: Any = None,
) -> Comment:
    """Add a comment, a flag (a comment with a kind) or a reply to the article's thread.

    A reply answers a first-level comment its author may read; flags are first-level only.
    """
    check_can_discuss(project, article, user)
    body = check_body(body)
    flag = flag or ""
    if flag not in FlagKind.values and flag != "":
        raise ActionError("flag", f"must be one of {list(FlagKind.values)} or empty")
    parent = None
    if parent_id is not None:
        if flag:
            raise ActionError("flag", "a reply cannot be a flag")
        if isinstance(parent_id, bool) or not isinstance(parent_id, int):
            raise ActionError("parent", "must be a comment id")
        readable = Comment.objects.filter(project=project, article=article)
        rule = visibility(project, article.pk, user)
        if rule is not None:
            readable = readable.filter(rule)
        parent = readable.filter(pk=parent_id).first()
        if parent is None:
            raise ActionError("parent", "no such comment in this thread")
        if parent.parent_id is not None:
            parent = parent.parent  # replies stay one level deep
    comment = Comment.objects.create(
        project=project,
        article=article,
        author=user,
        by_lead=project.my_role in LEADS,  # type: ignore[attr-defined]
        parent=parent,
        flag=flag,
        body=body,
    )
    do_mark_read(project, article, user)
    return comment


def do_mark_read(project: Project, article: Article, user) -> None:
    CommentRead.objects.update_or_create(
        project=project, article=article, user=user, defaults={"at": timezone.now()}
    )


def thread(project: Project, article: Article, user) -> list[dict[str, Any]]:
    """The thread as `user` may read it: first-level comments, each with its replies, oldest
    first; `unread` marks replies to the user's comments written since they last read it."""
    rows = Comment.objects.filter(project=project, article=article).select_related("author")
    rule = visibility(project, article.pk, user)
    if rule is not None:
        rows = rows.filter(rule)
    read_at = (
        CommentRead.objects.filter(project=project, article=article, user=user)
        .values_list("at", flat=True)
        .first()
    )
    roots: dict[int, dict[str, Any]] = {}
    replies: list[dict[str, Any]] = []
    for comment in rows.order_by("created_at", "id"):
        item = comment_data(comment)
        item["unread"] = comment.author_id != user.pk and (
            read_at is None or comment.created_at > read_at
        )
        if comment.parent_id is None:
            item["replies"] = []
            roots[comment.pk] = item
        else:
            replies.append(item)
    for reply in replies:
        if reply["parent"] in roots:
            roots[reply["parent"]]["replies"].append(reply)
    return list(roots.values())


def comment_data(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "article": comment.article_id,
        "parent": comment.parent_id,
        "author": comment.author.get_username() if comment.author else None,
        "by_lead": comment.by_lead,
        "flag": comment.flag,
        "flag_name": FlagKind(comment.flag).label if comment.flag else "",
        "body": comment.body,
        "body_html": str(guidelines_html(comment.body)),
        "created_at": comment.created_at,
    }


def unread_replies(project: Project, user) -> list[dict[str, Any]]:
    """Per article: how many leads' replies to the user's comments they have not read yet,
    with their assignment there (for a link). One query."""
    read_at = CommentRead.objects.filter(
        project=project, user=user, article_id=OuterRef("article_id")
    ).values("at")[:1]
    assignment = Assignment.objects.filter(
        project=project, annotator=user, article_id=OuterRef("article_id")
    ).values("pk")[:1]
    rows = (
        Comment.objects.filter(project=project, parent__author=user, by_lead=True)
        .exclude(author=user)
        .annotate(read_at=Subquery(read_at))
        .filter(Q(read_at__isnull=True) | Q(created_at__gt=F("read_at")))
        .values("article_id", "article__title")
        .annotate(count=Count("id"), assignment=Subquery(assignment))
        .order_by("article_id")
    )
    return [
        {
            "article": row["article_id"],
            "title": row["article__title"],
            "count": row["count"],
            "assignment": row["assignment"],
        }
        for row in rows
    ]


def open_threads(project: Project, *, limit: int = 100) -> list[dict[str, Any]]:
    """For leads: first-level comments and flags by annotators, newest first, with how many
    replies each has and whether a lead answered. One query."""
    rows = (
        Comment.objects.filter(project=project, parent__isnull=True, by_lead=False)
        .select_related("author", "article")
        .defer("article__text", "article__search_text", "article__metadata")
        .annotate(
            n_replies=Count("replies"),
            lead_replies=Count("replies", filter=Q(replies__by_lead=True)),
        )
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        {
            **comment_data(row),
            "article_title": row.article.title,
            "replies": row.n_replies,
            "answered": row.lead_replies > 0,
        }
        for row in rows
    ]
