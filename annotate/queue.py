"""Assignments and the queue: generating slots under the overlap policy, and `next`.

The plan itself is pure (annotate.lib.overlap); this module reads its inputs from the database,
writes the missing slots, and hands annotators their next article. Claiming a pool slot uses
`SELECT ... FOR UPDATE SKIP LOCKED` where the database has it, plus a conditional update, so
two annotators asking at the same moment never get the same slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q

from annotate import sql
from annotate.annotations import do_start_assignment
from annotate.errors import ActionError
from annotate.lib.overlap import ExistingSlot, OverlapError, PlannedSlot, plan_assignments
from annotate.models import (
    Annotation,
    Assignment,
    AssignmentStatus,
    Membership,
    Project,
    ProjectArticle,
    Role,
)
from annotate.recommend import uncertain_first

MODES = ("preassign", "pool")
# How often `next` retries after losing a race for a pool slot before giving up.
CLAIM_ATTEMPTS = 5


@dataclass(frozen=True)
class GenerateResult:
    created: int
    total: int
    mode: str
    k: int
    fraction: float
    seed: int


def annotator_ids(project: Project) -> list[int]:
    return list(
        Membership.objects.filter(project=project, role=Role.ANNOTATOR)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def plan_for(
    project: Project, *, k: int, fraction: float, seed: int, mode: str
) -> tuple[dict[int, int], list[ExistingSlot], list[PlannedSlot]]:
    """The article positions, the existing slots and the slots generating would add."""
    positions = dict(
        ProjectArticle.objects.filter(project=project)
        .order_by("position", "id")
        .values_list("article_id", "position")
    )
    existing = [
        ExistingSlot(article=a, slot=s, annotator=u)
        for a, s, u in Assignment.objects.filter(project=project).values_list(
            "article_id", "slot", "annotator_id"
        )
    ]
    plan = plan_assignments(
        list(positions),
        annotator_ids(project),
        k=k,
        fraction=fraction,
        seed=seed,
        preassign=mode == "preassign",
        existing=existing,
    )
    return positions, existing, plan


def do_generate_assignments(
    project: Project,
    *,
    k: int | None = None,
    fraction: float | None = None,
    seed: int | None = None,
    mode: str = "preassign",
) -> GenerateResult:
    """Create the assignments the overlap policy still lacks; started work is never touched.

    Parameters left as None come from the project; given ones are stored on it. The same
    articles, annotators, policy and seed always give the same assignments.
    """
    if mode not in MODES:
        raise ActionError("mode", f"must be one of {list(MODES)}, got {mode!r}")
    k = project.overlap_k if k is None else k
    fraction = project.overlap_fraction if fraction is None else fraction
    seed = project.assignment_seed if seed is None else seed
    if isinstance(seed, bool) or not isinstance(seed, int) or abs(seed) > 2**31 - 1:
        raise OverlapError("seed", f"must be a whole number, got {seed!r}")
    with transaction.atomic():
        # One generation at a time per project: the plan depends on what exists.
        Project.objects.select_for_update().filter(pk=project.pk).first()
        positions, existing, plan = plan_for(project, k=k, fraction=fraction, seed=seed, mode=mode)
        Assignment.objects.bulk_create(
            (
                Assignment(
                    project=project,
                    article_id=slot.article,
                    annotator_id=slot.annotator,
                    slot=slot.slot,
                    position=positions[slot.article],
                )
                for slot in plan
            ),
            batch_size=1000,
        )
        Project.objects.filter(pk=project.pk).update(
            overlap_k=k, overlap_fraction=fraction, assignment_seed=seed
        )
        project.overlap_k, project.overlap_fraction, project.assignment_seed = k, fraction, seed
    return GenerateResult(
        created=len(plan),
        total=len(existing) + len(plan),
        mode=mode,
        k=k,
        fraction=fraction,
        seed=seed,
    )


def _own(project: Project, user):
    return Assignment.objects.filter(project=project, annotator=user).order_by(
        "position", "slot", "id"
    )


def _claim_pool_slot(project: Project, user) -> Assignment | None:
    """Take the first open pool slot of an article the user has never had, or None."""
    for _ in range(CLAIM_ATTEMPTS):
        with transaction.atomic():
            candidates = (
                Assignment.objects.filter(
                    project=project, annotator__isnull=True, status=AssignmentStatus.TODO
                )
                .exclude(
                    article_id__in=Assignment.objects.filter(
                        project=project, annotator=user
                    ).values("article_id")
                )
                .order_by("position", "slot", "id")
            )
            if connection.features.has_select_for_update_skip_locked:
                candidates = candidates.select_for_update(skip_locked=True)
            slot = candidates.first()
            if slot is None:
                return None
            try:
                with transaction.atomic():
                    taken = Assignment.objects.filter(
                        pk=slot.pk, annotator__isnull=True, status=AssignmentStatus.TODO
                    ).update(annotator=user)
            except IntegrityError:
                # The same user claimed another slot of this article in a parallel request.
                taken = 0
            if taken:
                slot.annotator = user
                return slot
    return None


def _with_article_and_annotation(assignments):
    """`assignments` with the article (without its search folding) and the annotation."""
    return assignments.select_related("article", "annotation").defer("article__search_text")


def do_next(project: Project, user) -> tuple[Assignment, Annotation] | None:
    """The user's next assignment, started, with its annotation; None when nothing is left.

    Order: the user's own in-progress work (reopened work first), then their own todo by
    queue position (least certain article first under active learning), then an open pool
    slot of an article they have not had (never one they did or skipped).
    """
    found = sql.next_own_assignment(user.pk, project.pk)
    assignment: Assignment | None = None
    active_learning = False
    if found is not None:
        assignment, active_learning = found
    if assignment is not None and assignment.status == AssignmentStatus.TODO and active_learning:
        own_todo = Assignment.objects.filter(
            project_id=project.pk, annotator_id=user.pk, status=AssignmentStatus.TODO
        )
        assignment = uncertain_first(project, _with_article_and_annotation(own_todo)).first()
    if assignment is None:
        assignment = _claim_pool_slot(project, user)
    if assignment is None:
        return None
    assignment.project = project
    assignment.annotator = user  # the assignee; spares a query when the answer is built
    annotation = do_start_assignment(assignment, user=user)
    return assignment, annotation


def queue_summary(project: Project, user) -> dict[str, Any]:
    """The user's position in the queue: done (submitted or skipped) of total, and current."""
    counts = _own(project, user).aggregate(
        total=Count("id"),
        todo=Count("id", filter=Q(status=AssignmentStatus.TODO)),
        in_progress=Count("id", filter=Q(status=AssignmentStatus.IN_PROGRESS)),
        submitted=Count("id", filter=Q(status=AssignmentStatus.SUBMITTED)),
        skipped=Count("id", filter=Q(status=AssignmentStatus.SKIPPED)),
    )
    available = (
        Assignment.objects.filter(
            project=project, annotator__isnull=True, status=AssignmentStatus.TODO
        )
        .exclude(
            article_id__in=Assignment.objects.filter(project=project, annotator=user).values(
                "article_id"
            )
        )
        .values("article_id")
        .distinct()
        .count()
    )
    current = (
        _own(project, user)
        .filter(status=AssignmentStatus.IN_PROGRESS)
        .values_list("id", flat=True)
        .first()
    )
    return {
        "done": counts["submitted"] + counts["skipped"],
        "total": counts["total"] + available,
        "current": current,
        "todo": counts["todo"],
        "in_progress": counts["in_progress"],
        "submitted": counts["submitted"],
        "skipped": counts["skipped"],
        "available_in_pool": available,
    }


STATUS_COUNTS = ("todo", "in_progress", "submitted", "skipped")


def progress_by_annotator(project: Project, *, only_user=None) -> list[dict[str, Any]]:
    """Per annotator: counts by status (annotator members with no work yet show zeros).

    The counts group by (annotator, status) alone, which PostgreSQL answers from the
    (project, annotator, status, position) index without joining users; the names come with
    the members (and, for former members whose work stays, from the users table).
    """
    counts = (
        Assignment.objects.filter(project=project, annotator__isnull=False)
        .values_list("annotator_id", "status")
        .annotate(n=Count("*"))
        .order_by()
    )
    members = Membership.objects.filter(project=project, role=Role.ANNOTATOR).values_list(
        "user_id", "user__username"
    )
    if only_user is not None:
        counts = counts.filter(annotator=only_user)
        members = members.filter(user=only_user)
    names = dict(members)
    by_user: dict[int, dict[str, int]] = {}
    for user_id, status, n in counts:
        by_user.setdefault(user_id, dict.fromkeys(STATUS_COUNTS, 0))[status] = n
    if missing := set(by_user) - set(names):
        names.update(get_user_model().objects.filter(pk__in=missing).values_list("id", "username"))
    result = []
    for user_id, username in names.items():
        row = by_user.get(user_id, dict.fromkeys(STATUS_COUNTS, 0))
        result.append(
            {
                "annotator": user_id,
                "username": username,
                **{status: row[status] for status in STATUS_COUNTS},
                "total": sum(row.values()),
            }
        )
    return sorted(result, key=lambda r: (r["username"], r["annotator"]))


def pool_summary(project: Project) -> dict[str, int]:
    """Open pool slots and the articles they belong to."""
    open_slots = Assignment.objects.filter(
        project=project, annotator__isnull=True, status=AssignmentStatus.TODO
    )
    return {
        "open_slots": open_slots.count(),
        "articles": open_slots.values("article_id").distinct().count(),
    }


def release_unstarted(project: Project, user) -> int:
    """Turn a departing member's unstarted assignments into pool slots; returns how many."""
    return (
        Assignment.objects.filter(project=project, annotator=user, status=AssignmentStatus.TODO)
        .filter(annotation__isnull=True)
        .update(annotator=None, started_at=None)
    )


def submitted_assignment(user, *, project: Project, asid: int) -> Assignment | None:
    """The user's own submitted assignment `asid` in `project` (with its article), or None."""
    return (
        Assignment.objects.select_related("article")
        .filter(
            pk=asid,
            project=project,
            annotator_id=user.pk,
            status=AssignmentStatus.SUBMITTED,
        )
        .first()
    )
