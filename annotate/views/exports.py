"""The project's data page (managers): start exports and follow them, download them, manage
export tokens, import labelled data.

Forms post to this view and work without JavaScript; static/js/jobs.js takes over the export
and import forms to start the job through the REST API and show its progress live.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from annotate.access import access_project
from annotate.errors import ActionError
from annotate.exports import do_create_export_token, do_revoke_export_token, export_tokens
from annotate.lib.exports import FORMATS
from annotate.lib.imports import FORMATS as IMPORT_FORMATS
from annotate.lib.imports.common import OFFSET_MODES
from annotate.models import Job, JobKind, Role
from annotate.tasks import do_start_export, job_payload

FORMAT_NAMES = {
    "jsonl": "Gold JSONL",
    "conll": "CoNLL BIO",
    "tokens": "Token classification JSONL",
    "provenance": "Gold provenance JSONL",
    "csv": "Stance CSV",
    "raw": "Raw per-annotator JSONL",
}


def _job_strings() -> dict[str, str]:
    return {
        "queued": _("Queued: waiting for a worker…"),
        "running": _("Running: %(done)s of %(total)s records"),
        "done": _("Done."),
        "failed": _("Failed: %(error)s"),
        "offline": _("The server cannot be reached; still trying…"),
        "error": _("Could not start: %(detail)s"),
        "imported": _("Imported %(annotations)s annotations and %(gold)s gold records."),
    }


def _page(
    request: HttpRequest, project, *, new_key: str | None = None, error: str = ""
) -> HttpResponse:
    jobs = Job.objects.filter(
        project=project, kind__in=(JobKind.EXPORT, JobKind.IMPORT_ANNOTATIONS)
    ).order_by("-id")[:20]
    return render(
        request,
        "annotate/exports/page.html",
        {
            "project": project,
            "formats": [(name, FORMAT_NAMES[name]) for name in FORMATS],
            "stance_targets": project.schema.get("stance_targets", []),
            "import_formats": IMPORT_FORMATS,
            "offset_modes": OFFSET_MODES,
            "jobs": [job_payload(job, user=request.user) for job in jobs],
            "tokens": export_tokens(project),
            "new_key": new_key,
            "error": error,
            "strings": _job_strings(),
            "max_upload": settings.MAX_UPLOAD_BYTES,
            "urls": {
                "exports": reverse("annotate:api-exports", args=[project.pk]),
                "imports": reverse("annotate:api-imports", args=[project.pk]),
                "latest": reverse("annotate:api-export-latest", args=[project.pk]),
                "stream": reverse("annotate:api-export-stream", args=[project.pk]),
            },
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def data_page(request: HttpRequest, pid: int) -> HttpResponse:
    project = access_project(request.user, pid, roles=(Role.MANAGER,))
    if request.method == "GET":
        return _page(request, project)
    action = request.POST.get("action")
    if action == "export":
        try:
            job = do_start_export(
                project,
                user=request.user,
                options={
                    "formats": request.POST.getlist("formats") or None,
                    "seed": request.POST.get("seed") or 0,
                    "ratios": request.POST.get("ratios") or None,
                    "group_by": request.POST.get("group_by", "").strip() or None,
                    "stratify_by": request.POST.get("stratify_by") or None,
                    "stance_title": request.POST.get("stance_title") == "on",
                },
            )
        except ActionError as exc:
            return _page(request, project, error=f"{exc.field}: {exc.message}")
        messages.success(request, _("Export %(id)s started.") % {"id": job.pk})
    elif action == "create-token":
        name = request.POST.get("name", "").strip()[:200]
        if not name:
            return _page(request, project, error=_("name: give the token a name"))
        _token, key = do_create_export_token(project, user=request.user, name=name)
        # Shown once, in this response only: never stored in plain text or in a message.
        return _page(request, project, new_key=key)
    elif action == "revoke-token":
        do_revoke_export_token(project, token_id=request.POST.get("token") or 0)
        messages.success(request, _("Token revoked."))
    else:
        return _page(request, project, error=_("Unknown action."))
    return redirect("annotate:project-exports", pid=project.pk)
