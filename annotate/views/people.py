"""The lead's People page: the assignments table with its actions and the overlap preview,
each annotator's progress, pace and quality against gold, and one annotator's differences
from the gold on one article, side by side. Plain forms, no script; the rules are in
annotate/people.py.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from annotate import people
from annotate.access import LEADS, access_project, access_project_article
from annotate.errors import ActionError, ConflictError
from annotate.lib.people import KINDS, segments, side_marks
from annotate.models import AssignmentStatus, Membership, Role

TABLE_PARAMS = ("annotator", "status", "article", "q", "sort")


def kind_names() -> dict[str, str]:
    return {
        "match": _("Same as gold"),
        "boundary": _("Wrong boundary"),
        "label": _("Wrong label"),
        "missing": _("Missing span"),
        "extra": _("Extra span"),
    }


def _annotators(project) -> list[tuple[int, str]]:
    return list(
        Membership.objects.filter(project=project, role=Role.ANNOTATOR)
        .order_by("user__username")
        .values_list("user_id", "user__username")
    )


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds / 60:.1f}"


def _bin_name(lower: int, upper: int | None) -> str:
    if upper is None:
        return _("%(lower)d min or more") % {"lower": lower // 60}
    return _("%(lower)d–%(upper)d min") % {"lower": lower // 60, "upper": upper // 60}


def _people_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The summary's annotators with what the template shows ready-made."""
    rows = []
    for row in summary["annotators"]:
        time = row["active_time"]
        most = max((b["count"] for b in time["distribution"]), default=0) or 1
        quality = row["quality"]
        rows.append(
            {
                **row,
                "median_minutes": _minutes(time["median_seconds"]),
                "bins": [
                    {
                        "name": _bin_name(b["lower_seconds"], b["upper_seconds"]),
                        "count": b["count"],
                        "width": round(100 * b["count"] / most),
                    }
                    for b in time["distribution"]
                ],
                "per_hour": (
                    "—" if row["spans_per_hour"] is None else f"{row['spans_per_hour']:.0f}"
                ),
                "quality_rows": _quality_rows(quality) if quality else [],
                "kappa": _value(quality["stance_kappa"]) if quality else "—",
            }
        )
    return rows


def _value(score: dict[str, Any]) -> str:
    return "—" if score["value"] is None else f"{score['value']:.2f}"


def _quality_rows(quality: dict[str, Any]) -> list[dict[str, Any]]:
    """Per label (micro first): P/R/F1 exact and overlap, as text."""
    exact, overlap = quality["exact"], quality["overlap"]
    names = [("", _("All labels"))] + [(label, label) for label in exact["labels"]]
    rows = []
    for key, name in names:
        e = exact["micro"] if not key else exact["labels"][key]
        o = overlap["micro"] if not key else overlap["labels"].get(key)
        rows.append(
            {
                "label": name,
                "gold_spans": e["a_spans"],
                "spans": e["b_spans"],
                "exact": [_value(e["precision"]), _value(e["recall"]), _value(e["f1"])],
                "overlap": [_value(o["precision"]), _value(o["recall"]), _value(o["f1"])]
                if o
                else ["—"] * 3,
            }
        )
    return rows


@login_required
def people_page(request: HttpRequest, pid: int) -> HttpResponse:
    project = access_project(request.user, pid, roles=LEADS)
    is_manager = project.my_role == Role.MANAGER  # type: ignore[attr-defined]
    summary = people.people_summary(project)
    context: dict[str, Any] = {
        "project": project,
        "is_manager": is_manager,
        "people": _people_rows(summary),
        "gold_articles": summary["gold_articles"],
        "annotators": _annotators(project),
        "statuses": AssignmentStatus.choices,
        "sorts": [
            ("position", _("Queue order")),
            ("status", _("Status")),
            ("annotator", _("Annotator")),
            ("-submitted", _("Latest submitted")),
            ("-active", _("Most active time")),
        ],
        "params": {name: request.GET.get(name, "") for name in TABLE_PARAMS},
    }
    try:
        filters = people.check_filters(request.GET)
        page = people.assignment_page(project, filters, after=request.GET.get("after", ""))
    except ActionError as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
        filters = people.AssignmentFilters()
        page = people.assignment_page(project, filters)
    for row in page.rows:
        row.active_minutes = _minutes(row.active_ms / 1000 if row.active_ms else None)  # type: ignore[attr-defined]
    base = {k: v for k, v in context["params"].items() if v}
    context.update(
        rows=page.rows,
        total=page.total,
        next_url=f"?{urlencode({**base, 'after': page.next_cursor})}" if page.next_cursor else "",
        first_url=f"?{urlencode(base)}" if request.GET.get("after") else "",
        query=urlencode(base),
    )
    if is_manager and "preview" in request.GET:
        try:
            params = people.check_generate_params(request.GET, project)
            context["preview"] = people.preview_generate(project, **params)
            context["preview_params"] = params
        except ActionError as exc:
            messages.error(request, f"{exc.field}: {exc.message}")
    if is_manager:
        context["generate"] = {
            "k": request.GET.get("k") or project.overlap_k,
            "fraction": request.GET.get("fraction") or project.overlap_fraction,
            "seed": request.GET.get("seed") or project.assignment_seed,
            "mode": request.GET.get("mode") or "preassign",
        }
    return render(request, "annotate/people/people.html", context)


@login_required
@require_POST
def people_action(request: HttpRequest, pid: int) -> HttpResponse:
    """Reassign one row (its own button), or reassign or unassign the ticked rows."""
    project = access_project(request.user, pid, roles=(Role.MANAGER,))
    post = request.POST
    try:
        if post.get("one"):
            pk = _int(post["one"], "one")
            action = "reassign"
            ids = [pk]
            annotator = post.get(f"annotator-{pk}", "")
        else:
            action = post.get("action", "")
            ids = [_int(v, "assignments") for v in post.getlist("assignments")]
            annotator = post.get("annotator", "")
        changed = people.do_bulk(
            project,
            by=request.user,
            action=action,
            assignment_ids=ids,
            annotator_id=_int(annotator, "annotator") if action == "reassign" else None,
        )
    except (ActionError, ConflictError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        if action == "reassign":
            note = ngettext(
                "%(n)d assignment reassigned.", "%(n)d assignments reassigned.", changed
            )
        else:
            note = ngettext(
                "%(n)d assignment returned to the pool.",
                "%(n)d assignments returned to the pool.",
                changed,
            )
        messages.success(request, note % {"n": changed})
    url = reverse("annotate:project-people", kwargs={"pid": project.pk})
    # Back to the table as it was filtered: only its own parameters, re-encoded.
    kept = [(k, v) for k, v in parse_qsl(post.get("query", "")) if k in TABLE_PARAMS]
    return redirect(f"{url}?{urlencode(kept)}" if kept else url)


def _int(value: str, field: str) -> int:
    if not str(value).strip().isdigit():
        raise ActionError(field, _("choose one"))
    return int(value)


@login_required
def annotator_page(request: HttpRequest, pid: int, uid: int) -> HttpResponse:
    """One annotator: their quality against gold and the gold articles they submitted."""
    project = access_project(request.user, pid, roles=LEADS)
    annotator = people.annotator_of(project, uid)
    summary = people.people_summary(project)
    row = next((r for r in _people_rows(summary) if r["annotator"] == annotator.pk), None)
    context = {
        "project": project,
        "annotator": annotator,
        "row": row,
        "articles": people.gold_articles_of(project, annotator),
        "kinds": [(kind, kind_names()[kind]) for kind in KINDS],
    }
    return render(request, "annotate/people/annotator.html", context)


@login_required
def annotator_article(request: HttpRequest, pid: int, uid: int, aid: int) -> HttpResponse:
    """The annotator's spans and stance beside the gold's, each difference marked."""
    project, article = access_project_article(request.user, pid, aid, roles=LEADS)
    annotator = people.annotator_of(project, uid)
    comparison = people.gold_comparison(project, annotator, article)
    names = kind_names()
    text = article.text
    columns = []
    for side, title in (("gold", _("Gold")), ("annotator", annotator.get_username())):
        columns.append(
            {
                "side": side,
                "title": title,
                "segments": [
                    {
                        "text": text[s.start : s.end],
                        "kind": s.kind,
                        "title": " · ".join([*s.labels, names[s.kind]]) if s.kind else "",
                    }
                    for s in segments(len(text), side_marks(comparison.differences, side=side))
                ],
            }
        )
    data = comparison.as_dict()
    context = {
        "project": project,
        "annotator": annotator,
        "article": article,
        "columns": columns,
        "counts": [(kind, names[kind], data["counts"][kind]) for kind in KINDS],
        "differences": [
            {**d, "name": names[d["kind"]]} for d in data["differences"] if d["kind"] != "match"
        ],
        "stance": data["stance"],
    }
    return render(request, "annotate/people/article.html", context)
