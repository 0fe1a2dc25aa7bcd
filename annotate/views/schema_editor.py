"""The schema editor page: a form of rows (labels, stance targets, claim settings) with a live
palette preview, over the same JSON document an "advanced" editor shows. Every save goes through
annotate.projects.do_update_schema (a new schema version with its note). A refused save renders
the page again with the text as typed and the error beside its line or field: nothing typed is
thrown away."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from annotate import projects as project_actions
from annotate.access import access_project
from annotate.errors import ActionError
from annotate.lib.schema import RESERVED_SHORTCUTS, SchemaError
from annotate.models import Role, SchemaVersion

MAX_SCHEMA_TEXT = 200_000


def _line_of(text: str, field: str) -> int | None:
    """The line of the first label or target a SchemaError's field path names, in `text`
    as typed (entity_labels[2].shortcut -> the line of that label's shortcut), if findable."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return None
    head, _, rest = field.partition(".")
    name, _, index = head.partition("[")
    try:
        item = document[name][int(index.rstrip("]"))] if index else document[name]
    except (KeyError, IndexError, ValueError, TypeError):
        return None
    attribute = rest.split(".")[0] if rest else "key"
    if not isinstance(item, dict) or attribute not in item:
        return None
    needle = json.dumps(item[attribute], ensure_ascii=False)
    key = json.dumps(item.get("key", ""), ensure_ascii=False)
    start = text.find(key) if key != '""' else 0
    found = text.find(f'"{attribute}"', max(start, 0))
    if found < 0:
        found = text.find(needle)
    return text.count("\n", 0, found) + 1 if found >= 0 else None


@login_required
def schema_editor(request: HttpRequest, pid: int) -> HttpResponse:
    project = access_project(request.user, pid, roles=(Role.MANAGER,))
    text = json.dumps(project.schema, ensure_ascii=False, indent=2)
    note = ""
    error: dict[str, Any] | None = None
    status = 200
    if request.method == "POST":
        text = request.POST.get("schema", "")[:MAX_SCHEMA_TEXT]
        note = request.POST.get("note", "")[:500]
        try:
            try:
                schema = json.loads(text)
            except json.JSONDecodeError as exc:
                error = {
                    "field": "schema",
                    "message": _("not valid JSON: %(error)s") % {"error": exc.msg},
                    "line": exc.lineno,
                }
            else:
                saved = project_actions.do_update_schema(
                    project, by=request.user, schema=schema, note=note
                )
                messages.success(
                    request,
                    _("Schema saved (version %(version)d).") % {"version": saved.schema_version},
                )
                return redirect("annotate:project-detail", pid=project.pk)
        except (SchemaError, ActionError) as exc:
            error = {"field": exc.field, "message": exc.message, "line": _line_of(text, exc.field)}
        status = 400
    versions = list(
        SchemaVersion.objects.filter(project=project)
        .select_related("created_by")
        .order_by("-version")[:10]
    )
    return render(
        request,
        "annotate/schema_editor.html",
        {
            "project": project,
            "text": text,
            "note": note,
            "error": error,
            "versions": versions,
            "editor_data": {
                "text": text,
                "error": error,
                "reserved": sorted(RESERVED_SHORTCUTS),
                "texts": {
                    "conflict": _("already the shortcut of %(label)s"),
                    "line": _("Line %(line)s"),
                },
            },
        },
        status=status,
    )
