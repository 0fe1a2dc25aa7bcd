"""Fetch-and-check in one step, so no view can forget a permission check.

Outsiders get 404 (a project you are not in does not exist for you); members whose role is
not enough get 403. Pages and API views both use these functions.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404

from annotate.models import Assignment, Membership, Project, Role

LEADS = (Role.MANAGER, Role.REVIEWER)
EVERYONE = (Role.MANAGER, Role.REVIEWER, Role.ANNOTATOR)


def _role(user, membership_role: str | None) -> str | None:
    """Superusers act as managers everywhere; anonymous users have no role."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.MANAGER
    return membership_role


def role_in(user, project_id: int) -> str | None:
    """The user's role in the project, or None."""
    if not user.is_authenticated or user.is_superuser:
        return _role(user, None)
    return (
        Membership.objects.filter(project_id=project_id, user=user)
        .values_list("role", flat=True)
        .first()
    )


def _int_id(value: int | str, missing: str) -> int:
    try:
        return int(value)
    except (ValueError, TypeError):
        raise Http404(missing) from None


def access_project(user, project_id: int | str, *, roles: Iterable[str] = EVERYONE) -> Project:
    """The project if the user is a member with one of `roles`: 404 for outsiders, 403 else.

    The caller's role is attached as `project.my_role`.
    """
    pk = _int_id(project_id, "No such project.")
    if not user.is_authenticated:
        raise Http404("No such project.")
    if user.is_superuser:
        project = Project.objects.filter(pk=pk).first()
        role = Role.MANAGER if project is not None else None
    else:
        # One plain join (membership -> project) on every API call: cheaper to build and to
        # run than annotating the project with a role subquery.
        membership = (
            Membership.objects.select_related("project").filter(project_id=pk, user=user).first()
        )
        project = membership.project if membership is not None else None
        role = membership.role if membership is not None else None
    if project is None or role is None:
        raise Http404("No such project.")
    if role not in tuple(roles):
        raise PermissionDenied(f"This needs the role {' or '.join(roles)} in this project.")
    project.my_role = role
    return project


def access_assignment(user, assignment_id: int | str, *, for_write: bool = False) -> Assignment:
    """An assignment the user may see (their own; any in the project for leads).

    With `for_write`, only the assigned annotator passes: leads read but never edit drafts.
    """
    pk = _int_id(assignment_id, "No such assignment.")
    if not user.is_authenticated:
        raise Http404("No such assignment.")
    assignments = Assignment.objects.select_related("project", "article").filter(pk=pk)
    if not user.is_superuser:
        # The caller's role comes with the assignment through a join on their membership:
        # one query on the hot read and save paths; outsiders match no row.
        assignments = assignments.filter(project__memberships__user=user).annotate(
            caller_role=F("project__memberships__role")
        )
    assignment = assignments.first()
    if assignment is None:
        raise Http404("No such assignment.")
    role = _role(user, getattr(assignment, "caller_role", None))
    own = assignment.annotator_id == user.pk
    if role is None or (role == Role.ANNOTATOR and not own):
        raise Http404("No such assignment.")
    if for_write and not own:
        raise PermissionDenied("Only the assigned annotator can change this annotation.")
    assignment.project.my_role = role
    return assignment
