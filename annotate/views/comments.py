"""Pages for talking about items: the leads' discussions list and one article's discussion
(thread, replies, reopening its submissions with a reason), and what the annotation page and
the annotator's project page show of it (skip reasons, thread, reopen reason, guidelines
changes, unread replies)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import json_script
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from annotate import comments
from annotate import guideline_versions as versions
from annotate.access import LEADS, access_project, access_project_article
from annotate.annotations import do_reopen
from annotate.errors import ActionError, ConflictError
from annotate.models import Assignment, AssignmentStatus, FlagKind, Gold

RULE_ERRORS = (ActionError, ConflictError)


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Reply"), widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"})
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (shown to the annotator)"),
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )


def _error(exc: Exception) -> str:
    message = getattr(exc, "message", str(exc))
    field = getattr(exc, "field", "")
    return f"{field}: {message}" if field else message


def script_strings() -> dict[str, str]:
    return {
        "lead": _("lead"),
        "new": _("new"),
        "no_comments": _("No comments yet. Ask a question or flag the article."),
        "sent": _("Comment sent."),
        "skipped": _("Article skipped. Opening the next one…"),
        "acknowledged": _("Thank you. The guidelines are marked as read."),
        "requested": _("Your request was sent to the project's leads."),
        "failed": _("Could not send: %(detail)s"),
        "pick_reason": _("Choose a reason or write one."),
    }


def annotate_page_context(project, assignment, user) -> dict[str, Any]:
    """What the annotation page adds for skipping, flagging, comments and guidelines."""
    state = versions.guidelines_state(project, user)
    pid, aid = project.pk, assignment.article_id
    data = {
        "project": pid,
        "article": aid,
        "status": assignment.status,
        "guidelines_version": state["version"],
        "urls": {
            "thread": reverse("annotate:api-comments", kwargs={"pid": pid, "aid": aid}),
            "read": reverse("annotate:api-comments-read", kwargs={"pid": pid, "aid": aid}),
            "skip": reverse("annotate:api-skip", kwargs={"asid": assignment.pk}),
            "request_reopen": reverse(
                "annotate:api-request-reopen", kwargs={"asid": assignment.pk}
            ),
            "acknowledge": reverse("annotate:api-guidelines-ack", kwargs={"pid": pid}),
            "next": reverse("annotate:project-annotate", kwargs={"pid": pid}),
        },
        "strings": script_strings(),
    }
    return {
        "skip_reasons": comments.skip_reasons(project),
        "flag_kinds": FlagKind.choices,
        "guidelines_state": state,
        "team_data": json_script(data, "team-data"),
    }


def annotator_project_context(project, user) -> dict[str, Any]:
    """What the annotator's project page (their queue) shows: unread replies, guidelines."""
    return {
        "unread_replies": comments.unread_replies(project, user),
        "guidelines_state": versions.guidelines_state(project, user),
    }


@login_required
def discussions(request: HttpRequest, pid: int) -> HttpResponse:
    """The leads' list: annotators' comments and flags, and requests to reopen."""
    project = access_project(request.user, pid, roles=LEADS)
    return render(
        request,
        "annotate/discussions.html",
        {
            "project": project,
            "threads": comments.open_threads(project),
            "requests": list(comments.reopen_requests(project)[:100]),
        },
    )


@login_required
def discussion(request: HttpRequest, pid: int, aid: int) -> HttpResponse:
    """One article's thread for the leads, with its assignments and their reopen forms."""
    project, article = access_project_article(request.user, pid, aid, roles=LEADS)
    if request.method == "POST":
        form = ReplyForm(request.POST)
        if form.is_valid():
            try:
                comments.do_comment(
                    project,
                    article,
                    user=request.user,
                    body=form.cleaned_data["body"],
                    parent_id=form.cleaned_data["parent"],
                )
            except RULE_ERRORS as exc:
                messages.error(request, _error(exc))
            else:
                messages.success(request, _("Reply sent."))
        else:
            messages.error(request, _("Write a reply first."))
        return redirect("annotate:discussion", pid=pid, aid=aid)
    comments.do_mark_read(project, article, request.user)
    assignments = (
        Assignment.objects.filter(project=project, article=article, annotator__isnull=False)
        .select_related("annotator")
        .order_by("slot", "id")
    )
    return render(
        request,
        "annotate/discussion.html",
        {
            "project": project,
            "article": article,
            "thread": comments.thread(project, article, request.user),
            "assignments": assignments,
            "gold": Gold.objects.filter(project=project, article=article).first(),
            "reply_form": ReplyForm(),
            "reopen_form": ReopenForm(),
            "submitted": AssignmentStatus.SUBMITTED,
        },
    )


@login_required
@require_POST
def discussion_reopen(request: HttpRequest, pid: int, aid: int, asid: int) -> HttpResponse:
    """Reopen one submitted assignment of the article, with a reason (leads)."""
    project, article = access_project_article(request.user, pid, aid, roles=LEADS)
    assignment = (
        Assignment.objects.filter(pk=asid, project=project, article=article)
        .select_related("project")
        .first()
    )
    form = ReopenForm(request.POST)
    if assignment is None:
        messages.error(request, _("No such assignment."))
    elif not form.is_valid():
        messages.error(request, _("Give a reason for reopening."))
    else:
        try:
            do_reopen(assignment, by=request.user, reason=form.cleaned_data["reason"])
        except RULE_ERRORS as exc:
            messages.error(request, _error(exc))
        else:
            messages.success(request, _("Reopened; the annotator sees it first in their queue."))
    return redirect("annotate:discussion", pid=pid, aid=aid)
