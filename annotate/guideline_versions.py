"""Guidelines versions: every change of a project's guidelines is a version with a summary.

Members acknowledge the version they read (GuidelinesRead); an annotator whose acknowledged
version is older than the project's is shown what changed since (a line diff of the Markdown
source) until they acknowledge again. The export manifest records the version in force.
"""

from __future__ import annotations

import difflib
from typing import Any

from django.db import transaction
from django.db.models import F

from annotate.errors import ActionError, ConflictError
from annotate.models import GuidelinesRead, GuidelinesVersion, Project

MAX_SUMMARY_LENGTH = 500


def check_summary(summary: Any) -> str:
    if summary is None:
        return ""
    if not isinstance(summary, str):
        raise ActionError("guidelines_summary", "must be text")
    summary = summary.strip()
    if len(summary) > MAX_SUMMARY_LENGTH:
        raise ActionError("guidelines_summary", f"must be at most {MAX_SUMMARY_LENGTH} characters")
    return summary


def record_first_version(project: Project, *, by) -> None:
    """A new project's guidelines are its version 1."""
    GuidelinesVersion.objects.create(
        project=project, version=1, text=project.guidelines, summary="", created_by=by
    )


def do_change_guidelines(project: Project, *, by, text: str, summary: str) -> bool:
    """Store `text` as the project's next guidelines version (inside the caller's
    transaction); False, and nothing written, when the text did not change."""
    if text == project.guidelines:
        return False
    with transaction.atomic():
        locked = Project.objects.select_for_update().only("guidelines_version").get(pk=project.pk)
        # A project made without do_create_project (fixtures, old data) gets its current text
        # on record first, so the change has something to be compared with.
        GuidelinesVersion.objects.get_or_create(
            project=project,
            version=locked.guidelines_version,
            defaults={"text": project.guidelines, "summary": ""},
        )
        version = locked.guidelines_version + 1
        GuidelinesVersion.objects.create(
            project=project, version=version, text=text, summary=summary, created_by=by
        )
        Project.objects.filter(pk=project.pk).update(
            guidelines=text, guidelines_version=F("guidelines_version") + 1
        )
    project.guidelines = text
    project.guidelines_version = version
    return True


def line_diff(old: str, new: str) -> list[dict[str, str]]:
    """The lines of `new` against `old`: op "+" added, "-" removed, " " unchanged (context of
    at most two lines around each change; "…" marks lines left out)."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    result: list[dict[str, str]] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for group in matcher.get_grouped_opcodes(2):
        if result:
            result.append({"op": "…", "text": ""})
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                result.extend({"op": " ", "text": line} for line in old_lines[i1:i2])
                continue
            if tag in ("replace", "delete"):
                result.extend({"op": "-", "text": line} for line in old_lines[i1:i2])
            if tag in ("replace", "insert"):
                result.extend({"op": "+", "text": line} for line in new_lines[j1:j2])
    return result


def read_version(project: Project, user) -> int | None:
    return (
        GuidelinesRead.objects.filter(project=project, user=user)
        .values_list("version", flat=True)
        .first()
    )


def guidelines_state(project: Project, user) -> dict[str, Any]:
    """The version in force, the one `user` acknowledged, and what changed in between."""
    current = project.guidelines_version
    read = read_version(project, user)
    state: dict[str, Any] = {
        "version": current,
        "read_version": read,
        "changed": read != current and bool(project.guidelines.strip() or current > 1),
        "changes": [],
        "diff": [],
    }
    if read is not None and read < current:
        versions = list(
            GuidelinesVersion.objects.filter(project=project, version__gte=read)
            .order_by("version")
            .values("version", "text", "summary", "created_at")
        )
        if versions and versions[0]["version"] == read:
            state["diff"] = line_diff(versions[0]["text"], project.guidelines)
        state["changes"] = [
            {"version": v["version"], "summary": v["summary"], "at": v["created_at"]}
            for v in versions
            if v["version"] > read
        ]
    return state


def do_acknowledge(project: Project, user, *, version: Any) -> int:
    """Record that `user` read the guidelines at `version`, which must be the current one."""
    if isinstance(version, bool) or not isinstance(version, int):
        raise ActionError("version", "must be the guidelines version you read")
    if version != project.guidelines_version:
        raise ConflictError(
            f"The guidelines changed again (now version {project.guidelines_version}); "
            "read them before acknowledging.",
            current_version=project.guidelines_version,
        )
    GuidelinesRead.objects.update_or_create(
        project=project, user=user, defaults={"version": version}
    )
    return version


def versions(project: Project):
    return GuidelinesVersion.objects.filter(project=project).select_related("created_by")
