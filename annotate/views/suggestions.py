"""The project's Suggestions page (leads): each recommender's held-out scores, with the
articles behind them; managers train the recommenders and change their settings here."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from annotate.access import LEADS, access_project
from annotate.errors import ActionError
from annotate.models import Job, JobKind, RecommenderKind, Role
from annotate.recommend import (
    do_save_suggestion_settings,
    entity_labels,
    latest_recommenders,
    settings_of,
    suggestion_share,
    suggestions_shown,
)
from annotate.tasks import do_start_training, job_payload


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}"


def _page(request: HttpRequest, project, *, error: str = "", status: int = 200) -> HttpResponse:
    options = settings_of(project)
    names = dict(RecommenderKind.choices)
    recommenders = []
    for recommender in latest_recommenders(project, options=options):
        active = set(recommender.active_labels)
        recommenders.append(
            {
                "kind": recommender.kind,
                "name": names[recommender.kind],
                "version": recommender.version,
                "created_at": recommender.created_at,
                "train_articles": recommender.train_articles,
                "held_out_articles": recommender.held_out_articles,
                "data_hash": recommender.data_hash[:12],
                "rows": [
                    {
                        **row,
                        "precision_text": _percent(row["precision"]),
                        "recall_text": _percent(row["recall"]),
                        "f1_text": _percent(row["f1"]),
                        "active": row["label"] in active,
                    }
                    for row in recommender.scores
                ],
            }
        )
    jobs = Job.objects.filter(project=project, kind=JobKind.TRAIN_RECOMMENDERS).order_by("-id")[:5]
    return render(
        request,
        "annotate/suggestions.html",
        {
            "project": project,
            "options": options,
            "threshold_percent": f"{_percent(options.threshold)} %",
            "recommenders": recommenders,
            "labels": entity_labels(project.schema),
            "jobs": [job_payload(job, user=request.user) for job in jobs],
            "is_manager": project.my_role == Role.MANAGER,
            "share": suggestion_share(project).as_dict(),
            "hand_drawn_url": reverse("annotate:api-agreement-hand-drawn", args=[project.pk]),
            "error": error,
            "max_upload": settings.MAX_UPLOAD_BYTES,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def suggestions_page(request: HttpRequest, pid: int) -> HttpResponse:
    if request.method == "GET":
        return _page(request, access_project(request.user, pid, roles=LEADS))
    project = access_project(request.user, pid, roles=(Role.MANAGER,))
    action = request.POST.get("action")
    if action == "train":
        job = do_start_training(project, user=request.user)
        messages.success(request, _("Training %(id)s started.") % {"id": job.pk})
    elif action == "settings":
        upload = request.FILES.get("name_file")
        name_list = request.POST.get("name_list", "")
        if upload is not None:
            try:
                name_list = upload.read(settings.MAX_UPLOAD_BYTES + 1).decode("utf-8")
            except UnicodeDecodeError as exc:
                return _page(
                    request,
                    project,
                    error=_("name_file: not UTF-8 at byte %(at)s") % {"at": exc.start},
                    status=400,
                )
        try:
            do_save_suggestion_settings(
                project,
                gazetteer_on=request.POST.get("gazetteer") == "on",
                crf_on=request.POST.get("crf") == "on",
                external_on=request.POST.get("external") == "on",
                stance_on=request.POST.get("stance") == "on",
                stance_confidence=request.POST.get("stance_confidence", "0.8"),
                external_url=request.POST.get("external_url", ""),
                threshold=request.POST.get("threshold", ""),
                learn_from_submitted=request.POST.get("learn_from_submitted") == "on",
                off_on_overlap=request.POST.get("off_on_overlap") == "on",
                active_learning=request.POST.get("active_learning") == "on",
                name_list=name_list,
                name_list_label=request.POST.get("name_list_label", ""),
            )
        except ActionError as exc:
            return _page(request, project, error=f"{exc.field}: {exc.message}", status=400)
        messages.success(request, _("Settings saved. Train again to apply them."))
    else:
        return _page(request, project, error=_("Unknown action."), status=400)
    return redirect("annotate:project-suggestions", pid=project.pk)


def suggestion_urls(assignment) -> dict[str, str] | None:
    """Where the annotation page loads and answers suggestions, or None when it shows none
    (nothing trained yet, or an agreement-sample article of a project that turns them off)."""
    if not suggestions_shown(assignment):
        return None
    return {
        "suggestions": reverse("annotate:api-suggestions", args=[assignment.pk]),
        "reject": reverse("annotate:api-suggestion-reject", args=[assignment.pk]),
        "accept": reverse("annotate:api-suggestion-accept", args=[assignment.pk]),
    }


def suggestion_strings() -> dict[str, str]:
    """Interface text suggestions.js shows (the script has no catalogue)."""
    return {
        "suggestion_count": _("%(count)s open suggestions"),
        "suggestion_score": _("%(score)s%% sure · %(recommender)s"),
        "suggestion_accept_label": _("Accept all %(count)s %(label)s"),
        "suggestions_accepted": _("Accepted: %(count)s"),
        "suggestion_rejected": _("Suggestion rejected"),
        "suggestion_reject_failed": _("The rejection could not be saved; it will show again."),
        "no_suggestions": _("No open suggestions."),
        "no_suggestion_focused": _("Press ] to go to a suggestion first."),
        "stance_suggested": _("Suggested: %(value)s (%(score)s%% sure)"),
        "stance_use": _("Use it"),
    }
