"""Annotations: start, save draft, submit, skip, reassign, reopen. Each change is audited.

Every do_* function runs in one transaction and is usable without HTTP (the demo command and
benchmarks call them directly). Versions guard concurrent writers: a save names the version it
read and the database row is updated only `WHERE id = ? AND version = ?`, so a stale or racing
save gets ConflictError with the current version instead of overwriting newer work.

Permission checks (who may call what) live in annotate.access; these functions check the
workflow rules (the assigned annotator edits, a submitted annotation is frozen, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from annotate.agreement import do_update_contributions
from annotate.errors import ActionError, ConflictError
from annotate.gold import mark_inputs_changed
from annotate.lib.content import (
    ContentError,
    check_content,
    diff_content,
    empty_content,
    missing_required_stance,
    with_span_added,
    with_span_removed,
)
from annotate.models import (
    AgreementSnapshot,
    Annotation,
    AnnotationStatus,
    Assignment,
    AssignmentStatus,
    AuditAction,
    AuditEvent,
    Membership,
    Role,
)
from annotate.sql import save_draft_row
from workbench.sql import insert_row, insert_row_unless_present

MAX_REASON_LENGTH = 2000


def check_is_assignee(assignment: Assignment, user) -> None:
    if assignment.annotator_id is None or assignment.annotator_id != user.pk:
        raise ActionError("annotator", "only the assigned annotator can change this annotation")


def labels_used(content: dict[str, Any]) -> set[str]:
    """Span labels and stance targets a document already uses (they stay allowed after being
    retired)."""
    labels = {span["label"] for span in content.get("spans", []) if "label" in span}
    return labels | set(content.get("document_labels", {}).get("stance", {}))


def _event(
    assignment: Assignment,
    *,
    user,
    action: str,
    annotation: Annotation | None = None,
    version: int | None = None,
    changes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An audit event's column values."""
    return {
        "project_id": assignment.project_id,
        "article_id": assignment.article_id,
        "assignment_id": assignment.pk,
        "annotation_id": annotation.pk if annotation is not None else None,
        "gold_id": None,
        "user_id": user.pk if user is not None and user.is_authenticated else None,
        "action": action,
        "version": version,
        "changes": changes or {},
        "at": timezone.now(),
    }


def _record(assignment: Assignment, **event: Any) -> None:
    # A hand-written INSERT: every save writes one event, so the ORM's overhead counts.
    insert_row(AuditEvent, _event(assignment, **event))


def annotation_of(assignment: Assignment) -> Annotation | None:
    """The assignment's annotation (as fetched with it by access_assignment), or None."""
    try:
        return assignment.annotation
    except Annotation.DoesNotExist:
        return None


def _create_annotation(assignment: Assignment, *, user) -> Annotation:
    """The assignment's new, empty annotation; the existing one when a second tab created it
    at the same moment (the insert then does nothing and blocks until that tab commits)."""
    now = timezone.now()
    annotation = Annotation(
        assignment=assignment,
        project_id=assignment.project_id,
        article_id=assignment.article_id,
        annotator_id=user.pk,  # the assignee (check_is_assignee)
        content=empty_content(),
        schema_version=assignment.project.schema_version,
        version=1,
        status=AnnotationStatus.DRAFT,
        created_at=now,
        updated_at=now,
    )
    values = {
        name: getattr(annotation, name)
        for name in (
            "assignment_id",
            "project_id",
            "article_id",
            "annotator_id",
            "content",
            "schema_version",
            "version",
            "status",
            "created_at",
            "updated_at",
        )
    }
    pk = insert_row_unless_present(Annotation, values, unique=("assignment_id",))
    if pk is None:
        return Annotation.objects.get(assignment=assignment)
    annotation.pk = pk
    annotation._state.adding = False
    annotation._state.db = "default"
    return annotation


def do_start_assignment(assignment: Assignment, *, user) -> Annotation:
    """The assignment's annotation, created on first fetch; a todo assignment becomes started."""
    check_is_assignee(assignment, user)
    annotation = annotation_of(assignment)
    if annotation is not None and assignment.status != AssignmentStatus.TODO:
        annotation.annotator = user  # the assignee; spares a query when serialised
        return annotation
    with transaction.atomic():
        if annotation is None:
            annotation = _create_annotation(assignment, user=user)
        Assignment.annotation.related.set_cached_value(assignment, annotation)
        if assignment.status == AssignmentStatus.TODO:
            now = timezone.now()
            Assignment.objects.filter(pk=assignment.pk, status=AssignmentStatus.TODO).update(
                status=AssignmentStatus.IN_PROGRESS, started_at=now
            )
            assignment.status = AssignmentStatus.IN_PROGRESS
            assignment.started_at = now
    annotation.annotator = user
    return annotation


def _check_editable(assignment: Assignment, annotation: Annotation, version: Any) -> None:
    if assignment.status == AssignmentStatus.SKIPPED:
        raise ConflictError(
            "This assignment was skipped; a manager must reopen or reassign it first.",
            current_version=annotation.version,
        )
    if annotation.status == AnnotationStatus.SUBMITTED:
        raise ConflictError(
            "This annotation is submitted and can no longer be edited; a manager can reopen it.",
            current_version=annotation.version,
        )
    if isinstance(version, bool) or not isinstance(version, int):
        raise ActionError("version", "must be the integer version the content was loaded at")
    if version != annotation.version:
        raise ConflictError(
            f"The annotation changed since version {version} was loaded (it is now at "
            f"version {annotation.version}); reload it before saving.",
            current_version=annotation.version,
        )


def _write(
    assignment: Assignment,
    *,
    user,
    version: int,
    change: Callable[[dict[str, Any]], dict[str, Any]],
    submit: bool = False,
) -> Annotation:
    """Replace the draft by `change(current content)` (which validates and returns canonical
    content) if it is still at `version`; audit the difference; optionally submit."""
    check_is_assignee(assignment, user)
    annotation = annotation_of(assignment)
    if submit or annotation is None or assignment.status == AssignmentStatus.TODO:
        with transaction.atomic():
            annotation = do_start_assignment(assignment, user=user)
            annotation = _apply(
                assignment, annotation, user=user, version=version, change=change, submit=submit
            )
            if submit:
                do_update_contributions(assignment.project, [assignment.article_id])
            return annotation
    # The autosave of a started draft: one guarded write (see annotate.sql.save_draft_row).
    return _apply(assignment, annotation, user=user, version=version, change=change, submit=False)


def _apply(
    assignment: Assignment,
    annotation: Annotation,
    *,
    user,
    version: int,
    change: Callable[[dict[str, Any]], dict[str, Any]],
    submit: bool,
) -> Annotation:
    project = assignment.project
    _check_editable(assignment, annotation, version)
    canonical = change(annotation.content)
    if submit:
        missing = missing_required_stance(canonical, project.schema)
        if missing:
            names = {t["key"]: t.get("name", t["key"]) for t in project.schema["stance_targets"]}
            raise ContentError(
                f"document_labels.stance.{missing[0]}",
                "a stance is required before submitting for: "
                + ", ".join(names.get(key, key) for key in missing),
            )
    now = timezone.now()
    fields: dict[str, Any] = {
        "content": canonical,
        "schema_version": project.schema_version,
        "updated_at": now,
    }
    changes = diff_content(annotation.content, canonical)
    if submit:
        fields.update(status=AnnotationStatus.SUBMITTED, submitted_at=now)
        changes["status"] = [AnnotationStatus.DRAFT, AnnotationStatus.SUBMITTED]
    event = _event(
        assignment,
        user=user,
        action=AuditAction.SUBMIT if submit else AuditAction.SAVE,
        annotation=annotation,
        version=version + 1,
        changes=changes,
    )
    # The conditional update is the guard: of two saves carrying the same version, exactly
    # one matches the row; the other changes nothing and reports a conflict.
    if not save_draft_row(annotation.pk, version=version, fields=fields, event=event):
        current = Annotation.objects.filter(pk=annotation.pk).values("version").first()
        current_version = current["version"] if current else None
        raise ConflictError(
            "The annotation was changed by another save at the same time; reload it before saving.",
            current_version=current_version,
        )
    if submit:
        # A reopened assignment submitted again leaves the head of the queue.
        Assignment.objects.filter(pk=assignment.pk).update(
            status=AssignmentStatus.SUBMITTED,
            submitted_at=now,
            reopen_reason="",
            reopened_at=None,
            reopen_request="",
            reopen_requested_at=None,
        )
        assignment.status = AssignmentStatus.SUBMITTED
        assignment.submitted_at = now
        annotation.status = AnnotationStatus.SUBMITTED
        annotation.submitted_at = now
    annotation.content = canonical
    annotation.version = version + 1
    annotation.schema_version = project.schema_version
    annotation.updated_at = now
    return annotation


def _checked(assignment: Assignment, content: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A change that replaces the whole document by `content` once it passes check_content."""

    def change(current: dict[str, Any]) -> dict[str, Any]:
        return check_content(
            current if content is None else content,
            text=assignment.article.text,
            schema=assignment.project.schema,
            allow_retired=labels_used(current),
        )

    return change


def do_save_draft(assignment: Assignment, *, user, version: int, content: Any) -> Annotation:
    """Replace the draft with `content` if it is still at `version`; returns it at version+1.

    Raises ContentError (invalid content), ConflictError (stale version, submitted, skipped)
    or ActionError (not the assignee); on any error nothing is written.
    """
    return _write(assignment, user=user, version=version, change=_checked(assignment, content))


def do_submit(
    assignment: Assignment, *, user, version: int, content: Any | None = None
) -> Annotation:
    """Save `content` (or the current draft when None) and submit it: it is then frozen.

    Every required, active stance target needs a value.
    """
    return _write(
        assignment,
        user=user,
        version=version,
        change=_checked(assignment, content),
        submit=True,
    )


def do_add_span(
    assignment: Assignment, *, user, version: int, span: Any
) -> tuple[Annotation, dict[str, Any]]:
    """Add one span to the draft at `version` (checking only that span); returns the
    annotation at version+1 and the canonical span. Errors as do_save_draft."""
    added: dict[str, Any] = {}

    def change(current: dict[str, Any]) -> dict[str, Any]:
        content, added["span"] = with_span_added(
            current,
            span,
            text=assignment.article.text,
            schema=assignment.project.schema,
            allow_retired=labels_used(current),
        )
        return content

    annotation = _write(assignment, user=user, version=version, change=change)
    return annotation, added["span"]


def do_remove_span(assignment: Assignment, *, user, version: int, span_id: str) -> Annotation:
    """Remove one span (and the relations that use it) from the draft at `version`."""
    return _write(
        assignment,
        user=user,
        version=version,
        change=lambda current: with_span_removed(current, span_id),
    )


def check_reason(reason: Any, *, action: str = "skip an article") -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise ActionError("reason", f"a reason is required to {action}")
    reason = reason.strip()
    if len(reason) > MAX_REASON_LENGTH:
        raise ActionError("reason", f"must be at most {MAX_REASON_LENGTH} characters")
    return reason


def do_skip(assignment: Assignment, *, user, reason: str) -> Assignment:
    """The annotator sets an unsubmitted assignment aside, saying why; the draft is kept."""
    check_is_assignee(assignment, user)
    reason = check_reason(reason)
    with transaction.atomic():
        before = assignment.status
        updated = Assignment.objects.filter(
            pk=assignment.pk,
            annotator_id=user.pk,
            status__in=[AssignmentStatus.TODO, AssignmentStatus.IN_PROGRESS],
        ).update(status=AssignmentStatus.SKIPPED, skip_reason=reason)
        if not updated:
            assignment.refresh_from_db(fields=["status"])
            raise ConflictError(f"An assignment that is {assignment.status} cannot be skipped.")
        assignment.status = AssignmentStatus.SKIPPED
        assignment.skip_reason = reason
        annotation = Annotation.objects.filter(assignment=assignment).first()
        _record(
            assignment,
            user=user,
            action=AuditAction.SKIP,
            annotation=annotation,
            version=annotation.version if annotation else None,
            changes={"status": [before, AssignmentStatus.SKIPPED], "reason": reason},
        )
    return assignment


def check_can_take(assignment: Assignment, annotator) -> None:
    """`annotator` may be given this assignment: an annotator member not yet on the article."""
    is_annotator = Membership.objects.filter(
        project_id=assignment.project_id, user_id=annotator.pk, role=Role.ANNOTATOR
    ).exists()
    if not is_annotator:
        raise ActionError("annotator", f"{annotator} is not an annotator in this project")
    if annotator.pk == assignment.annotator_id:
        raise ActionError("annotator", f"this assignment is already {annotator}'s")
    has_article = (
        Assignment.objects.filter(
            project_id=assignment.project_id, article_id=assignment.article_id, annotator=annotator
        )
        .exclude(pk=assignment.pk)
        .exists()
    )
    if has_article:
        raise ActionError("annotator", f"{annotator} already has this article")


def do_reassign(assignment: Assignment, *, by, annotator) -> Assignment:
    """Give an unstarted (todo) or skipped assignment to another annotator member.

    A skipped assignment's draft is emptied (the old content stays in the audit history) and
    handed over with the assignment, so one annotation per assignment still holds.
    """
    check_can_take(assignment, annotator)
    with transaction.atomic():
        previous = assignment.annotator_id
        before = assignment.status
        updated = Assignment.objects.filter(
            pk=assignment.pk,
            annotator_id=previous,
            status__in=[AssignmentStatus.TODO, AssignmentStatus.SKIPPED],
        ).update(annotator=annotator, status=AssignmentStatus.TODO, skip_reason="", started_at=None)
        if not updated:
            assignment.refresh_from_db(fields=["status", "annotator"])
            raise ConflictError(
                f"Only unstarted or skipped assignments can be reassigned; this one is "
                f"{assignment.status}."
            )
        assignment.annotator = annotator
        assignment.status = AssignmentStatus.TODO
        assignment.skip_reason = ""
        assignment.started_at = None
        annotation = Annotation.objects.filter(assignment=assignment).first()
        changes: dict[str, Any] = {
            "annotator": [previous, annotator.pk],
            "status": [before, AssignmentStatus.TODO],
        }
        if annotation is not None:
            empty = empty_content()
            changes.update(diff_content(annotation.content, empty))
            _back_to_draft(annotation, annotator=annotator, content=empty)
        _record(
            assignment,
            user=by,
            action=AuditAction.REASSIGN,
            annotation=annotation,
            version=annotation.version if annotation else None,
            changes=changes,
        )
    return assignment


def _back_to_draft(annotation: Annotation, **fields: Any) -> None:
    """Make the annotation an editable draft again under a new version (with `fields`)."""
    Annotation.objects.filter(pk=annotation.pk).update(
        status=AnnotationStatus.DRAFT,
        submitted_at=None,
        version=F("version") + 1,
        updated_at=timezone.now(),
        **fields,
    )
    annotation.refresh_from_db()


def do_reopen(assignment: Assignment, *, by, reason: str = "") -> Assignment:
    """A lead gives a submitted or skipped assignment back to its annotator for editing.

    Reopening a submission (which needs a reason, shown to the annotator) also drops the
    project's cached agreement and flags the article's gold when the gold may have been made
    from it (annotate.gold.mark_inputs_changed); the annotation's version goes up.
    """
    if assignment.status == AssignmentStatus.SUBMITTED or reason:
        reason = check_reason(reason, action="reopen a submitted annotation")
    with transaction.atomic():
        annotation = Annotation.objects.select_for_update().filter(assignment=assignment).first()
        before = assignment.status
        status = AssignmentStatus.IN_PROGRESS if annotation else AssignmentStatus.TODO
        now = timezone.now()
        reopened = Assignment.objects.filter(
            pk=assignment.pk, status__in=[AssignmentStatus.SUBMITTED, AssignmentStatus.SKIPPED]
        ).update(
            status=status,
            submitted_at=None,
            reopen_reason=reason,
            reopened_at=now,
            reopen_request="",
            reopen_requested_at=None,
        )
        if not reopened:
            assignment.refresh_from_db(fields=["status"])
            raise ConflictError(
                "Only submitted or skipped assignments can be reopened; this one is "
                f"{assignment.status}."
            )
        assignment.status = status
        assignment.submitted_at = None
        assignment.reopen_reason = reason
        assignment.reopened_at = now
        assignment.reopen_request = ""
        assignment.reopen_requested_at = None
        changes: dict[str, Any] = {"status": [before, status]}
        if reason:
            changes["reason"] = reason
        if annotation is not None and annotation.status == AnnotationStatus.SUBMITTED:
            submitted_at = annotation.submitted_at
            _back_to_draft(annotation)
            flagged = mark_inputs_changed(
                assignment.project_id, assignment.article_id, submitted_at=submitted_at
            )
            if flagged:
                changes["gold_inputs_changed"] = True
            AgreementSnapshot.objects.filter(project_id=assignment.project_id).delete()
            do_update_contributions(assignment.project, [assignment.article_id])
        _record(
            assignment,
            user=by,
            action=AuditAction.REOPEN,
            annotation=annotation,
            version=annotation.version if annotation else None,
            changes=changes,
        )
    return assignment
