"""Fetch-and-check in one step, so no view can forget a permission check.

The rules, for every access_* function:
- anonymous users, outsiders (no membership) and missing or malformed ids get 404: a project
  you are not in does not exist for you;
- superusers act as managers everywhere;
- members whose role is not among the ones asked for get 403;
- an annotator sees only their own assignments (another annotator's is 404, as if it did not
  exist), leads see every assignment of the project, and only the assignee may write.

Pages and API views both use these functions. The queries they run are in annotate.sql.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework.exceptions import NotAuthenticated

from annotate import sql
from annotate.models import (
    Assignment,
    ExportToken,
    Job,
    JobKind,
    Membership,
    Project,
    ProjectArticle,
    Role,
)
from corpus.models import Article

LEADS = (Role.MANAGER, Role.REVIEWER)
EVERYONE = (Role.MANAGER, Role.REVIEWER, Role.ANNOTATOR)
NO_PROJECT = "No such project."
NO_ARTICLE = "No such article in this project."
NO_ASSIGNMENT = "No such assignment."
NO_JOB = "No such job."


def _role(user, membership_role: str | None) -> str | None:
    """The user's effective role: superusers act as managers; anonymous users have none."""
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


def _check_role(user, project: Project, membership_role: str | None, roles: Iterable[str]) -> None:
    """404 for non-members, 403 for a role not in `roles`; sets `project.my_role`."""
    role = _role(user, membership_role)
    if role is None:
        raise Http404(NO_PROJECT)
    roles = tuple(roles)
    if role not in roles:
        raise PermissionDenied(f"This needs the role {' or '.join(roles)} in this project.")
    project.my_role = role  # type: ignore[attr-defined]  # the caller's, not a column


def access_project(user, project_id: int | str, *, roles: Iterable[str] = EVERYONE) -> Project:
    """The project if the user is a member with one of `roles`: 404 for outsiders, 403 else.

    The caller's role is attached as `project.my_role`. One query.
    """
    pk = _int_id(project_id, NO_PROJECT)
    if not user.is_authenticated:
        raise Http404(NO_PROJECT)
    found = sql.project_with_role(user.pk, pk)
    if found is None:
        raise Http404(NO_PROJECT)
    project, membership_role = found
    _check_role(user, project, membership_role, roles)
    return project


def access_project_article(
    user, project_id: int | str, article_id: int | str, *, roles: Iterable[str] = EVERYONE
) -> tuple[Project, Article]:
    """The project (as access_project) and one of its articles (without its search folding),
    in one query; 404 when the article is not in the project."""
    pk = _int_id(project_id, NO_PROJECT)
    aid = _int_id(article_id, NO_ARTICLE)
    if not user.is_authenticated:
        raise Http404(NO_PROJECT)
    found = sql.project_article_with_role(user.pk, pk, aid)
    if found is None:
        access_project(user, pk, roles=roles)  # the project's own 404 / 403 comes first
        raise Http404(NO_ARTICLE)
    project, membership_role, article = found
    _check_role(user, project, membership_role, roles)
    return project, article


def article_in_project(project: Project, article_id: int | str) -> Article:
    """An article of a project the caller already passed access_project for, or 404."""
    aid = _int_id(article_id, NO_ARTICLE)
    article = (
        Article.objects.filter(
            pk=aid,
            pk__in=ProjectArticle.objects.filter(project=project).values("article_id"),
        )
        .only("id", "title", "text", "external_id")
        .first()
    )
    if article is None:
        raise Http404(NO_ARTICLE)
    return article


def access_assignment(
    user,
    assignment_id: int | str,
    *,
    for_write: bool = False,
    with_article: bool = True,
    with_annotation: bool = False,
    raw_content: bool = False,
) -> Assignment:
    """An assignment the user may see (their own; any in the project for leads).

    With `for_write`, only the assigned annotator passes: leads read but never edit drafts
    (403). The project comes with it (`assignment.project.my_role` is the caller's role), and
    the article and annotation as annotate.sql.assignment_bundle fetches them, in one query.
    """
    pk = _int_id(assignment_id, NO_ASSIGNMENT)
    if not user.is_authenticated:
        raise Http404(NO_ASSIGNMENT)
    found = sql.assignment_bundle(
        user.pk,
        pk,
        with_article=with_article,
        with_annotation=with_annotation,
        raw_content=raw_content,
    )
    if found is None:
        raise Http404(NO_ASSIGNMENT)
    assignment, membership_role = found
    role = _role(user, membership_role)
    own = assignment.annotator_id == user.pk
    if role is None or (role == Role.ANNOTATOR and not own):
        raise Http404(NO_ASSIGNMENT)
    if for_write and not own:
        raise PermissionDenied("Only the assigned annotator can change this annotation.")
    assignment.project.my_role = role  # type: ignore[attr-defined]
    return assignment


# Who may start each kind of job; its starter keeps acting on it only while in such a role.
JOB_ROLES: dict[str, tuple[str, ...]] = {
    JobKind.EXPORT: (Role.MANAGER,),
    JobKind.IMPORT_ANNOTATIONS: (Role.MANAGER,),
    JobKind.AGREEMENT: LEADS,
    JobKind.AGREEMENT_TOTALS: LEADS,
}


def starter_may_act(job: Job, user) -> bool:
    """The job's starter, while they still hold a role that may start such a job."""
    if job.user_id is None or job.user_id != user.pk:
        return False
    if job.project_id is None:
        return True
    return role_in(user, job.project_id) in JOB_ROLES.get(job.kind, (Role.MANAGER,))


def access_job(user, job_id: int) -> Job:
    """A job its starter (while still in a role that starts such jobs) or a manager of its
    project may see; 404 for anyone else."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        raise Http404(NO_JOB)
    if starter_may_act(job, user):
        return job
    if job.project_id is not None and role_in(user, job.project_id) == Role.MANAGER:
        return job
    raise Http404(NO_JOB)


def access_export_project(user, project_id: int | str, *, auth=None) -> Project:
    """The project, for its managers or an export token (`auth`) of this very project.

    A token of another project gets 403; without a token, anonymous users get 401 (the
    download endpoints tell them how to authenticate) and others the access_project rules.
    """
    if isinstance(auth, ExportToken):
        if auth.project_id != int(project_id):
            raise PermissionDenied("This export token belongs to another project.")
        return auth.project
    if not user or not user.is_authenticated:
        raise NotAuthenticated()
    return access_project(user, project_id, roles=(Role.MANAGER,))
