"""Fetch-and-check in one step, so no view can forget a permission check.

Outsiders get 404 (a project you are not in does not exist for you); members whose role is
not enough get 403. Pages and API views both use these functions.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.http import Http404

from annotate.models import Annotation, Assignment, Membership, Project, ProjectArticle, Role
from corpus.models import Article
from workbench.sql import Columns, fetch_row, split_row

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


ASSIGNMENT = Columns(Assignment, "asg")
PROJECT = Columns(Project, "p")
ANNOTATION = Columns(Annotation, "an")
# The same columns, the draft left as the database's JSON text (`content_json`) for reads
# that only pass it on.
ANNOTATION_RAW = Columns(Annotation, "an", raw_json=["content"])
# The article without its search folding, which only the search box reads.
ARTICLE = Columns(
    Article, "art", only=[f.name for f in Article._meta.concrete_fields if f.name != "search_text"]
)
MEMBER_ROLE = f'LEFT JOIN "{Membership._meta.db_table}" m ON m.project_id = p.id AND m.user_id = %s'
PROJECT_SQL = (
    f'SELECT {PROJECT.sql}, m.role FROM "{Project._meta.db_table}" p '  # noqa: S608 - names
    f"{MEMBER_ROLE} WHERE p.id = %s"
)
PROJECT_ARTICLE_SQL = (
    f"SELECT {PROJECT.sql}, m.role, {ARTICLE.sql} "  # noqa: S608 - names only
    f'FROM "{Project._meta.db_table}" p {MEMBER_ROLE} '
    f'JOIN "{ProjectArticle._meta.db_table}" pa ON pa.project_id = p.id AND pa.article_id = %s '
    f'JOIN "{Article._meta.db_table}" art ON art.id = pa.article_id WHERE p.id = %s'
)


def _project_from(user, values, roles: Iterable[str]) -> Project:
    """The project from its columns and the caller's membership role: 404 or 403 as due."""
    role = _role(user, values[1][0])
    if role is None:
        raise Http404("No such project.")
    if role not in tuple(roles):
        raise PermissionDenied(f"This needs the role {' or '.join(roles)} in this project.")
    project = PROJECT.build(values[0])
    project.my_role = role
    return project


def access_project(user, project_id: int | str, *, roles: Iterable[str] = EVERYONE) -> Project:
    """The project if the user is a member with one of `roles`: 404 for outsiders, 403 else.

    The caller's role is attached as `project.my_role`. One hand-written query: every API
    call into a project runs it.
    """
    pk = _int_id(project_id, "No such project.")
    if not user.is_authenticated:
        raise Http404("No such project.")
    row = fetch_row(PROJECT_SQL, [user.pk, pk])
    if row is None:
        raise Http404("No such project.")
    return _project_from(user, split_row(row, PROJECT, 1), roles)


def access_project_article(
    user, project_id: int | str, article_id: int | str, *, roles: Iterable[str] = EVERYONE
) -> tuple[Project, Article]:
    """The project (as access_project) and one of its articles (without its search folding),
    in one query; 404 when the article is not in the project."""
    pk = _int_id(project_id, "No such project.")
    aid = _int_id(article_id, "No such article in this project.")
    if not user.is_authenticated:
        raise Http404("No such project.")
    row = fetch_row(PROJECT_ARTICLE_SQL, [user.pk, aid, pk])
    if row is None:
        access_project(user, pk, roles=roles)  # the project's own 404 / 403 comes first
        raise Http404("No such article in this project.")
    project_values, role, article_values = split_row(row, PROJECT, 1, ARTICLE)
    return _project_from(user, (project_values, role), roles), ARTICLE.build(article_values)


@functools.cache
def _assignment_sql(with_article: bool, with_annotation: bool) -> str:
    """One query for the hot read and save paths: the assignment, its project, the caller's
    role (NULL for outsiders) and optionally its article and annotation."""
    columns = [ASSIGNMENT.sql, PROJECT.sql, "m.role"]
    joins = [
        f'JOIN "{Project._meta.db_table}" p ON p.id = asg.project_id',
        f'LEFT JOIN "{Membership._meta.db_table}" m '
        "ON m.project_id = asg.project_id AND m.user_id = %s",
    ]
    if with_article:
        columns.append(ARTICLE.sql)
        joins.append(f'JOIN "{Article._meta.db_table}" art ON art.id = asg.article_id')
    if with_annotation:
        columns.append(ANNOTATION.sql)
        joins.append(f'LEFT JOIN "{Annotation._meta.db_table}" an ON an.assignment_id = asg.id')
    return (
        f"SELECT {', '.join(columns)} "  # noqa: S608 - table and column names, not input
        f'FROM "{Assignment._meta.db_table}" asg {" ".join(joins)} WHERE asg.id = %s'
    )


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

    With `for_write`, only the assigned annotator passes: leads read but never edit drafts.
    The project comes with it (`assignment.project.my_role` is the caller's role); the article
    (`with_article`) and the annotation (`with_annotation`: `assignment.annotation`, which
    raises Annotation.DoesNotExist when there is none yet) come in the same query. With
    `raw_content`, the annotation's content is not decoded: it stays deferred and its JSON text
    is `annotation.content_json`.
    """
    pk = _int_id(assignment_id, "No such assignment.")
    if not user.is_authenticated:
        raise Http404("No such assignment.")
    row = fetch_row(_assignment_sql(with_article, with_annotation), [user.pk, pk])
    if row is None:
        raise Http404("No such assignment.")
    parts: list[Columns | int] = [ASSIGNMENT, PROJECT, 1]
    if with_article:
        parts.append(ARTICLE)
    if with_annotation:
        parts.append(ANNOTATION)
    values = split_row(row, *parts)
    assignment = ASSIGNMENT.build(values[0])
    role = _role(user, values[2][0])
    own = assignment.annotator_id == user.pk
    if role is None or (role == Role.ANNOTATOR and not own):
        raise Http404("No such assignment.")
    if for_write and not own:
        raise PermissionDenied("Only the assigned annotator can change this annotation.")
    project = PROJECT.build(values[1])
    project.my_role = role
    assignment.project = project
    if with_article:
        assignment.article = ARTICLE.build(values[3])
    if with_annotation:
        annotation_values = values[-1]
        columns = ANNOTATION_RAW if raw_content else ANNOTATION
        annotation = columns.build(annotation_values) if annotation_values[0] is not None else None
        Assignment.annotation.related.set_cached_value(assignment, annotation)
        if annotation is not None:
            Annotation.assignment.field.set_cached_value(annotation, assignment)
    return assignment
