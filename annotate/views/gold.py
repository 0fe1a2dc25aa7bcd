"""Adjudication pages (reviewers and managers): the review list and the article view.

The article view is a template plus a static ES module (static/js/adjudicate.js); the
submitted annotations, the merged proposal, the open decisions and the current gold travel
in one json_script block, and the module saves gold through the REST API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from annotate.access import LEADS, access_project, article_in_project
from annotate.gold import (
    ReviewInfo,
    adjudication_data,
    article_titles,
    do_auto_accept_unanimous,
    gold_progress,
    review_overview,
    review_queue,
)
from annotate.lib.agreement.differences import KINDS
from annotate.lib.palette import styled_labels
from annotate.lib.schema import span_labels
from annotate.models import ProjectArticle
from annotate.views.agreement import KIND_TEXT, kind_counts_text
from annotate.views.annotate_page import label_shortcuts
from annotate.views.plurals import plural_forms

PAGE_SIZE = 50


SORTS = ("queue", "score", "open")
SHOWN_REFUSALS = 200


@dataclass
class ReviewRow:
    article_id: int
    title: str
    external_id: str
    submitted: int
    has_gold: bool
    info: ReviewInfo | None

    @property
    def score(self) -> float | None:
        agreement = self.info.agreement if self.info else None
        return agreement.score if agreement else None

    @property
    def open_decisions(self) -> int:
        return 0 if self.has_gold or self.info is None else self.info.open_decisions

    @property
    def kinds_text(self) -> str:
        return kind_counts_text(self.info.kinds) if self.info and not self.has_gold else ""


def _review_rows(project, queue: list[Any]) -> list[ReviewRow]:
    """The review queue's rows with each article's score and open decisions."""
    infos = review_overview(project, [row.article_id for row in queue])
    return [
        ReviewRow(
            article_id=row.article_id,
            title=row.article.title,
            external_id=row.article.external_id,
            submitted=row.submitted,
            has_gold=row.has_gold,
            info=infos.get(row.article_id),
        )
        for row in queue
    ]


def _sorted_rows(rows: list[ReviewRow], sort: str) -> list[ReviewRow]:
    if sort == "score":
        return sorted(rows, key=lambda r: (r.score is None, r.score or 0.0))
    if sort == "open":
        return sorted(rows, key=lambda r: -r.open_decisions)
    return rows


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
        # Why each article was refused, shown once on the list (not in the URL).
        request.session[_refusals_key(project.pk)] = result["needs_review"][:SHOWN_REFUSALS]
        request.session[_refusals_key(project.pk) + ":n"] = rest
        return redirect("annotate:adjudication-list", pid=project.pk)
    show_all = request.GET.get("show") == "all"
    sort = request.GET.get("sort", "queue")
    if sort not in SORTS:
        sort = "queue"
    kind = request.GET.get("kind", "")
    if kind and kind not in KINDS:
        kind = ""
    only_open = request.GET.get("open") == "1"
    queue = review_queue(project, include_done=show_all)
    if sort == "queue" and not kind and not only_open:
        # Queue order needs no score to sort by: merge only the articles of this page.
        page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = _review_rows(project, list(page.object_list))
    else:
        rows = _review_rows(project, list(queue))
        if only_open:
            rows = [r for r in rows if r.open_decisions]
        if kind:
            rows = [r for r in rows if r.info and not r.has_gold and r.info.kinds.get(kind)]
        page = Paginator(_sorted_rows(rows, sort), PAGE_SIZE).get_page(request.GET.get("page"))
    query = {"show": "all" if show_all else "", "sort": sort if sort != "queue" else ""}
    query.update({"kind": kind, "open": "1" if only_open else ""})
    return render(
        request,
        "annotate/gold/list.html",
        {
            "project": project,
            "page": page,
            "show_all": show_all,
            "sort": sort,
            "kind": kind,
            "only_open": only_open,
            "kinds": [(key, KIND_TEXT[key]) for key in KINDS],
            "query": urlencode({k: v for k, v in query.items() if v}),
            "progress": gold_progress(project),
            "refusals": _refusals(request, project),
        },
    )


def _refusals_key(pid: int) -> str:
    return f"adjudication:refused:{pid}"


REFUSAL_TEXT = {
    "single_annotator": gettext_lazy("Only one annotator submitted it: nobody checked it."),
    "incomplete": gettext_lazy("Some of its assignments are still open."),
}


def _refusals(request: HttpRequest, project) -> dict[str, Any] | None:
    """The articles the last *Accept unanimous* refused, each with why (read once)."""
    key = _refusals_key(project.pk)
    listed = request.session.pop(key, None)
    total = request.session.pop(key + ":n", 0)
    if listed is None:
        return None
    titles = article_titles(project, [r["article"] for r in listed])
    rows = []
    for refusal in listed:
        if refusal["reason"] == "disagreement":
            why = kind_counts_text(refusal.get("differences") or {})
        else:
            why = str(REFUSAL_TEXT.get(refusal["reason"], refusal["reason"]))
        rows.append(
            {
                "article": refusal["article"],
                "title": titles.get(refusal["article"], ""),
                "reason": refusal["reason"],
                "why": why,
            }
        )
    return {"rows": rows, "total": total, "more": max(total - len(rows), 0)}


def _strings() -> dict[str, str]:
    return {
        "accept": _("Accept"),
        "reject": _("Reject"),
        "accepted": _("accepted"),
        "rejected": _("rejected"),
        "undecided": _("undecided"),
        "tie": _("Tie"),
        "minority": _("Minority"),
        "majority": _("Majority"),
        "no_majority": _("No majority"),
        **{f"kind_{key}": str(text) for key, text in KIND_TEXT.items()},
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
