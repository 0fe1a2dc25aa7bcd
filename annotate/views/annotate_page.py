"""The annotation page, and the queue entry that leads to it.

/projects/{pid}/annotate/ hands the user their next assignment (or says the queue is done);
/assignments/{asid}/annotate/ is the page itself, for the assigned annotator only. The page is
a template plus static ES modules; everything the script needs travels in one json_script
block, and the guidelines are rendered from Markdown and sanitised here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import json_script
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from annotate.access import access_assignment, access_project
from annotate.annotations import do_start_assignment
from annotate.guidelines import guidelines_html
from annotate.lib.palette import styled_labels
from annotate.lib.schema import active_targets, claim_key, span_labels
from annotate.models import AnnotationStatus, AssignmentStatus, Project
from annotate.queue import do_next, queue_summary, submitted_assignment
from annotate.views.comments import annotate_page_context
from annotate.views.plurals import list_separator, plural_forms
from annotate.views.suggestions import suggestion_strings, suggestion_urls

# Keys the page handles itself; label shortcuts fill 1-9 for labels that have none.
FALLBACK_SHORTCUTS = "123456789"
# The page's script modules, preloaded together so the browser fetches them in parallel.
# Every module the page imports, preloaded so the browser fetches them in parallel.
SCRIPT_MODULES = (
    "active-time",
    "annotate-boot",
    "annotate-page",
    "api",
    "comments",
    "editing",
    "keys",
    "marking",
    "offsets",
    "page",
    "palette",
    "spans",
    "store",
    "suggestions",
    "text",
)


class PageDataEncoder(DjangoJSONEncoder):
    """Arabic as UTF-8, not \\uXXXX escapes: the page data is less than half the size.

    json_script still escapes < > & so the data cannot end its script element.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


def label_shortcuts(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Active span labels with the key that applies them (the schema's, or a free digit)."""
    labels = [label for label in span_labels(schema) if label and not label.get("retired")]
    taken = {label.get("shortcut") for label in labels if label.get("shortcut")}
    free = iter(key for key in FALLBACK_SHORTCUTS if key not in taken)
    result = []
    for label in labels:
        key = label.get("shortcut") or next(free, "")
        result.append({**label, "shortcut": key, "is_claim": label["key"] == claim_key(schema)})
    return result


def stance_value_names() -> dict[str, str]:
    return {
        "favor": _("Favour"),
        "against": _("Against"),
        "neutral": _("Neutral"),
        "not_mentioned": _("Not mentioned"),
        "supports": _("Supports"),
        "refutes": _("Refutes"),
        "reports": _("Reports"),
        "author": _("The author"),
        "unattributed": _("Unattributed"),
    }


def script_strings() -> dict[str, str]:
    """Interface text the script shows, translated here (the script has no catalogue)."""
    return {
        "saved": _("All changes saved"),
        "saving": _("Saving…"),
        "unsaved": _("Unsaved changes"),
        "offline": _("Offline — retrying. Your changes are kept in this browser."),
        "error": _("Could not save"),
        "conflict": _(
            "Someone else saved this annotation (in another tab or window). "
            "Reload to see their version; your unsent changes are kept and re-applied."
        ),
        "readonly": _("Read only"),
        "restored": _("Unsent changes from an earlier visit were restored: %(count)s."),
        "rebased": _("They were re-applied on top of the version saved elsewhere."),
        "select_first": _("Select some text first, then press a label key."),
        "already_marked": _("This text already has that label."),
        "nothing_selected": _("No span selected."),
        "no_spans": _("There are no spans yet."),
        "pick_claimant": _("Click an entity span to make it the claimant (Esc cancels)."),
        "pick_entity_only": _("A claimant must be an entity span, not a claim."),
        "claimant_set": _("Claimant linked."),
        "missing_stance": _("Set a stance for every required target before submitting: %(names)s"),
        "submitting": _("Submitting…"),
        "submit_failed": _("Could not submit"),
        "submit_offline": _("Offline: the annotation cannot be submitted now. Try again soon."),
        "session": _("Your session has ended or you lost access. Log in again in another tab."),
        "span_of": _("Span %(n)s of %(total)s"),
        "none": _("Not set"),
        "undone": _("Undone"),
        "redone": _("Redone"),
        "nothing_to_undo": _("Nothing to undo"),
        "nothing_to_redo": _("Nothing to redo"),
        "clitic_hint": _("Space: with or without the proclitic"),
        "label_changed": _("Label changed"),
        "deleted": _("Span deleted"),
        "marked": _("Marked"),
        "exact_on": _("Exact characters"),
        "word_snap": _("Whole words"),
        "stance_summary": _("Stance set for %(done)s of %(total)s targets"),
        "ready": _("Ready"),
        "clitic_bare": _("No proclitic left to drop (Shift+Space keeps one)."),
        "clitic_whole": _("The whole word is selected."),
        "list_separator": list_separator(),
    }


def script_plurals() -> dict[str, dict[str, str]]:
    """Counted messages the script shows, one template per plural category."""
    language = get_language()
    return {
        "spans": plural_forms(lambda n: ngettext("%(count)s span", "%(count)s spans", n), language),
        "claims": plural_forms(
            lambda n: ngettext("%(count)s claim", "%(count)s claims", n), language
        ),
    }


def confirm_submission(request: HttpRequest, *, project: Project) -> None:
    """Say on the next page that the annotation the page just submitted went through.

    The annotation page sends the annotator here with ?submitted=<assignment id>; only their
    own submitted assignment in this project is named, anything else is ignored.
    """
    asid = request.GET.get("submitted", "")
    if not asid.isdigit():
        return
    done = submitted_assignment(request.user, project=project, asid=int(asid))
    if done is not None:
        title = done.article.title or _("Untitled article")
        messages.success(request, _("Submitted: %(title)s.") % {"title": title})


@login_required
@never_cache
def project_annotate(request: HttpRequest, pid: int) -> HttpResponse:
    """Send the user to their current or next assignment, or say the queue is finished."""
    project = access_project(request.user, pid)
    confirm_submission(request, project=project)
    found = do_next(project, request.user)
    if found is None:
        return render(
            request,
            "annotate/queue_finished.html",
            {"project": project, "progress": queue_summary(project, request.user)},
        )
    assignment, _annotation = found
    return redirect("annotate:assignment-annotate", asid=assignment.pk)


@login_required
@never_cache
def assignment_annotate(request: HttpRequest, asid: int) -> HttpResponse:
    """The annotation page for one assignment; only its annotator may open it."""
    assignment = access_assignment(request.user, asid, for_write=True)
    project = assignment.project
    article = assignment.article
    annotation = do_start_assignment(assignment, user=request.user)
    schema = project.schema
    progress = queue_summary(project, request.user)
    readonly = (
        annotation.status == AnnotationStatus.SUBMITTED
        or assignment.status == AssignmentStatus.SKIPPED
    )
    # Colours come from the palette (by position in the schema), not the stored colours.
    all_labels = styled_labels([label for label in span_labels(schema) if label])
    labels = [{**label, **all_labels[label["key"]]} for label in label_shortcuts(schema)]
    targets = active_targets(schema)
    names = stance_value_names()
    page_data = {
        "assignment": {
            "id": assignment.pk,
            "status": assignment.status,
            "project": project.pk,
            "project_name": project.name,
        },
        "article": {
            "id": article.pk,
            "title": article.title,
            "text": article.text,
            "source": article.source,
            "url": article.url,
        },
        "schema": schema,
        "labels": [
            {
                "key": label["key"],
                "name": label["name"],
                "color": label["color"],
                "ink": label["ink"],
                "line": label["line"],
                "shortcut": label["shortcut"],
                "is_claim": label["is_claim"],
            }
            for label in labels
        ],
        "all_labels": all_labels,
        "annotation": {
            "id": annotation.pk,
            "version": annotation.version,
            "status": annotation.status,
            "content": annotation.content,
        },
        "progress": {"done": progress["done"], "total": progress["total"]},
        "readonly": readonly,
        "urls": {
            "annotation": reverse("annotate:api-annotation", kwargs={"asid": assignment.pk}),
            "spans": reverse("annotate:api-spans", kwargs={"asid": assignment.pk}),
            "submit": reverse("annotate:api-submit", kwargs={"asid": assignment.pk}),
            "active_time": reverse("annotate:api-active-time", kwargs={"asid": assignment.pk}),
            "next": reverse("annotate:project-annotate", kwargs={"pid": project.pk}),
        },
        "value_names": names,
        "strings": {**script_strings(), **suggestion_strings()},
        "plurals": script_plurals(),
        "suggestions": suggestion_urls(assignment),
    }
    context = {
        "project": project,
        "assignment": assignment,
        "article": article,
        "annotation": annotation,
        "labels": labels,
        "targets": targets,
        "stance_values": [(v, names.get(v, v)) for v in schema.get("stance_values", [])],
        "claim_stance_values": [
            (v, names.get(v, v)) for v in schema.get("claim_stance_values", [])
        ],
        "claimant_values": [(v, names.get(v, v)) for v in schema.get("claimant_values", [])],
        "progress": progress,
        "readonly": readonly,
        "guidelines": guidelines_html(project.guidelines),
        "page_data": json_script(page_data, "page-data", encoder=PageDataEncoder),
        "script_modules": [f"js/{name}.js" for name in SCRIPT_MODULES],
    }
    context.update(annotate_page_context(project, assignment, request.user))
    return render(request, "annotate/annotate_page.html", context)
