"""Finding a project by id or name, for the annotate management commands."""

from __future__ import annotations

from django.core.management.base import CommandError

from annotate.models import Project


def find_project(value: str) -> Project:
    """A project by numeric id or exact name; CommandError naming the value otherwise."""
    project = None
    if value.isdigit():
        project = Project.objects.filter(pk=int(value)).first()
    if project is None:
        project = Project.objects.filter(name=value).first()
    if project is None:
        raise CommandError(f"no project with id or name {value!r}")
    return project
