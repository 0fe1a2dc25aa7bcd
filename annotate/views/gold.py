"""Adjudication pages (reviewers and managers): the review list and the article view.

The article view is a template plus a static ES module (static/js/adjudicate.js); the
submitted annotations, the merged proposal, the open decisions and the current gold travel
in one json_script block, and the module saves gold through the REST API.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from annotate.access import LEADS, access_project, article_in_project
from annotate.gold import (
    adjudication_data,
    do_auto_accept_unanimous,
    gold_progress,
    review_queue,
)
from annotate.lib.palette import styled_labels
from annotate.lib.schema import span_labels
from annotate.models import ProjectArticle
from annotate.views.annotate_page import label_shortcuts
from annotate.views.plurals import plural_forms

PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "POST"])
def adjudication_list(request: HttpRequest, pid: int) -> HttpResponse:
    project = access_project(request.user, pid, roles=LEADS)
    if request.method == "POST":
        result = do_auto_accept_unanimous(project, user=request.user)
        accepted, rest = len(result["accepted"]), len(result["needs_review"])
        messages.success(
            request,
            ngettext(
                "%(n)d unanimous article accepted as gold.",
                "%(n)d unanimous articles accepted as gold.",
                accepted,
            )
            % {"n": accepted}
            + " "
            + ngettext("%(n)d article needs review.", "%(n)d articles need review.", rest)
            % {"n": rest},
        )
        return redirect("annotate:adjudication-list", pid=project.pk)
    show_all = request.GET.get("show") == "all"
    page = Paginator(review_queue(project, include_done=show_all), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "annotate/gold/list.html",
        {
            "project": project,
            "page": page,
            "show_all": show_all,
            "progress": gold_progress(project),
        },
    )


def _strings() -> dict[str, str]:
    return {
        "accept": _("Accept"),
        "reject": _("Reject"),
        "accepted": _("accepted"),
        "rejected": _("rejected"),
        "undecided": _("undecided"),
        "tie": _("Tie"),
        "minority": _("Minority"),
        "no_majority": _("No majority"),
        "suggested": _("suggested"),
        "none": _("(none)"),
        "remove": _("Remove"),
        "saving": _("Saving…"),
        "saved": _("Gold saved (version %(version)s)."),
        "conflict": _(
            "Someone else saved this gold meanwhile (now version %(version)s). Reload to see it."
        ),
        "error": _("Could not save: %(detail)s"),
        "offline": _("The server cannot be reached; nothing was saved."),
        "all_decided": _("Every decision is made."),
        "checkworthy": _("Check-worthy"),
        "stance": _("Stance towards the claim"),
        "claimant": _("Claimant"),
        "by": _("by"),
        "marked_by": _("Marked by"),
        "no_spans": _("No spans."),
        "yes": _("yes"),
        "no": _("no"),
    }


def _next_article(project, article_id: int) -> str | None:
    """The next article (in queue order) still waiting for gold, after this one."""
    here = (
        ProjectArticle.objects.filter(project=project, article_id=article_id)
        .values_list("position", flat=True)
        .first()
    )
    waiting = review_queue(project).exclude(article_id=article_id)
    row = waiting.filter(position__gt=here or 0).first() or waiting.first()
    if row is None:
        return None
    return reverse("annotate:adjudicate-article", args=[project.pk, row.article_id])


@login_required
def adjudicate_article(request: HttpRequest, pid: int, aid: int) -> HttpResponse:
    project = access_project(request.user, pid, roles=LEADS)
    article = article_in_project(project, aid)
    data: dict[str, Any] = adjudication_data(project, article)
    labels = {
        key: {
            "name": label.get("name", key),
            "color": label["color"],
            "ink": label["ink"],
            "line": label["line"],
        }
        for key, label in styled_labels([lb for lb in span_labels(project.schema) if lb]).items()
    }
    page_data = {
        **data,
        "labels": labels,
        "urls": {
            "gold": reverse("annotate:api-gold", args=[project.pk, article.pk]),
            "list": reverse("annotate:adjudication-list", args=[project.pk]),
            "next": _next_article(project, article.pk),
        },
        "strings": _strings(),
        "plurals": {
            "open_left": plural_forms(
                lambda n: ngettext(
                    "%(count)s decision still open.", "%(count)s decisions still open.", n
                ),
                get_language(),
            ),
        },
    }
    return render(
        request,
        "annotate/gold/article.html",
        {
            "project": project,
            "article": article,
            "annotations": data["annotations"],
            "gold": data["gold"],
            "page_data": page_data,
            # The help window lists each label's key, as the page's script assigns them.
            "shortcut_labels": [
                label for label in label_shortcuts(project.schema) if label["shortcut"]
            ],
        },
    )
