"""Project pages: the home page (my projects) and a project's overview with the manager's forms.

Forms post to small views that call the same do_* functions as the API, then redirect back
with a message (errors name the field).
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from annotate import projects as project_actions
from annotate import queue
from annotate.access import LEADS, access_assignment, access_project
from annotate.annotations import do_reassign, do_reopen
from annotate.errors import ActionError, ConflictError
from annotate.guidelines import guidelines_html
from annotate.lib.content import ContentError
from annotate.lib.overlap import OverlapError
from annotate.lib.schema import SchemaError
from annotate.models import Assignment, AssignmentStatus, Membership, Role
from annotate.projects import projects_for
from annotate.views.comments import annotator_project_context
from corpus.access import owned_corpora
from corpus.models import Corpus

RULE_ERRORS = (ActionError, ConflictError, ContentError, OverlapError, SchemaError)
MANAGERS = (Role.MANAGER,)


def annotate_url(project_id: int) -> str:
    try:
        return reverse("annotate:project-annotate", args=[project_id])
    except NoReverseMatch:
        return f"/projects/{project_id}/annotate/"


def _error_message(exc: Exception) -> str:
    field = getattr(exc, "field", None)
    message = getattr(exc, "message", str(exc))
    return f"{field}: {message}" if field else message


# ---- forms ----


class ProjectForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )


class SettingsForm(ProjectForm):
    guidelines = forms.CharField(
        label=gettext_lazy("Guidelines (Markdown)"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "dir": "auto"}),
    )
    guidelines_summary = forms.CharField(
        label=gettext_lazy("What changed in the guidelines (kept with the new version)"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    skip_reasons = forms.CharField(
        label=gettext_lazy("Skip reasons (one a line; empty for the defaults)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )

    def clean_skip_reasons(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["skip_reasons"].splitlines() if line.strip()
        ]


class GenerateForm(forms.Form):
    k = forms.IntegerField(label=gettext_lazy("Annotators per overlap article (k)"), min_value=1)
    fraction = forms.FloatField(
        label=gettext_lazy("Share of articles with k annotators"), min_value=0, max_value=1
    )
    seed = forms.IntegerField(label=gettext_lazy("Seed"))
    mode = forms.ChoiceField(
        label=gettext_lazy("Mode"),
        choices=[
            ("preassign", gettext_lazy("Preassign to annotators")),
            ("pool", gettext_lazy("Open pool (claimed by next)")),
        ],
    )


class AddArticlesForm(forms.Form):
    """Offers only the corpora the user owns (staff: all): the others are not theirs to give."""

    corpus = forms.ModelChoiceField(
        label=gettext_lazy("Corpus"),
        queryset=Corpus.objects.none(),
        empty_label=gettext_lazy("Choose a corpus"),
    )
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200)
    all = forms.BooleanField(label=gettext_lazy("All articles of the corpus"), required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["corpus"].queryset = owned_corpora(user).order_by("name")


class SchemaForm(forms.Form):
    schema = forms.CharField(
        label=gettext_lazy("Schema (JSON)"), widget=forms.Textarea(attrs={"rows": 14, "dir": "ltr"})
    )
    note = forms.CharField(label=gettext_lazy("What changed"), required=False, max_length=500)


class ReassignForm(forms.Form):
    annotator = forms.IntegerField()


# ---- home ----


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's projects with their role and progress."""
    user = request.user
    projects = list(projects_for(user))
    own = {
        row["project"]: row
        for row in Assignment.objects.filter(annotator=user, project__in=projects)
        .values("project")
        .annotate(
            total=Count("id"),
            done=Count(
                "id", filter=Q(status__in=[AssignmentStatus.SUBMITTED, AssignmentStatus.SKIPPED])
            ),
        )
        .order_by()
    }
    lead_ids = [p.pk for p in projects if p.my_role in LEADS]
    overall = {
        row["project"]: row
        for row in Assignment.objects.filter(project__in=lead_ids)
        .values("project")
        .annotate(
            total=Count("id"),
            submitted=Count("id", filter=Q(status=AssignmentStatus.SUBMITTED)),
        )
        .order_by()
    }
    rows = []
    for project in projects:
        mine = own.get(project.pk, {"total": 0, "done": 0})
        everyone = overall.get(project.pk)
        rows.append(
            {
                "project": project,
                "role": project.my_role,
                "role_name": Role(project.my_role).label,
                "own_done": mine["done"],
                "own_total": mine["total"],
                "all_submitted": everyone["submitted"] if everyone else None,
                "all_total": everyone["total"] if everyone else None,
                "annotate_url": annotate_url(project.pk),
            }
        )
    return render(
        request,
        "annotate/home.html",
        {
            "rows": rows,
            "can_create": project_actions.can_create_projects(user),
            "form": ProjectForm(),
        },
    )


@login_required
@require_POST
def project_create(request: HttpRequest) -> HttpResponse:
    project_actions.check_can_create_project(request.user)
    form = ProjectForm(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        messages.error(request, f"{field}: {errors[0]}")
        return redirect("home")
    try:
        project = project_actions.do_create_project(user=request.user, **form.cleaned_data)
    except RULE_ERRORS as exc:
        messages.error(request, _error_message(exc))
        return redirect("home")
    messages.success(request, _("Project created. Add articles and members next."))
    return redirect("annotate:project-detail", pid=project.pk)


# ---- overview ----


@login_required
def project_detail(request: HttpRequest, pid: int) -> HttpResponse:
    project = access_project(request.user, pid)
    role = project.my_role
    is_lead = role in LEADS
    is_manager = role == Role.MANAGER
    context: dict[str, Any] = {
        "project": project,
        "role": role,
        "role_name": Role(role).label,
        "is_lead": is_lead,
        "is_manager": is_manager,
        "guidelines_html": guidelines_html(project.guidelines),
        "schema": project.schema,
        "summary": queue.queue_summary(project, request.user),
        "annotate_url": annotate_url(project.pk),
        "article_count": project.project_articles.count(),
    }
    if role == Role.ANNOTATOR:
        context.update(annotator_project_context(project, request.user))
    if is_lead:
        context["progress"] = queue.progress_by_annotator(project)
        context["pool"] = queue.pool_summary(project)
        context["members"] = (
            Membership.objects.filter(project=project)
            .select_related("user")
            .order_by("role", "user__username")
        )
        context["skipped"] = list(
            Assignment.objects.filter(project=project, status=AssignmentStatus.SKIPPED)
            .select_related("article", "annotator")
            .defer("article__text", "article__search_text", "article__metadata")
            .order_by("position", "slot")[:100]
        )
        context["annotators"] = [m for m in context["members"] if m.role == Role.ANNOTATOR]
    if is_manager:
        context["checklist"] = setup_checklist(project)
        context.update(
            settings_form=SettingsForm(
                initial={
                    "name": project.name,
                    "description": project.description,
                    "guidelines": project.guidelines,
                    "skip_reasons": "\n".join(project.skip_reasons),
                }
            ),
            generate_form=GenerateForm(
                initial={
                    "k": project.overlap_k,
                    "fraction": project.overlap_fraction,
                    "seed": project.assignment_seed,
                    "mode": "preassign",
                }
            ),
            articles_form=AddArticlesForm(user=request.user),
            roles=Role.choices,
        )
    return render(request, "annotate/project_detail.html", context)


def setup_checklist(project) -> list[dict[str, Any]]:
    """The project page's set-up checklist: each step, whether it is done, its state, a link."""
    state = project_actions.setup_state(project)
    detail = reverse("annotate:project-detail", args=[project.pk])
    return [
        {
            "name": _("Label schema"),
            "done": state.active_labels > 0,
            "state": ngettext(
                "version %(version)d, %(count)d label",
                "version %(version)d, %(count)d labels",
                state.active_labels,
            )
            % {"version": state.schema_version, "count": state.active_labels},
            "url": reverse("annotate:project-schema-edit", args=[project.pk]),
        },
        {
            "name": _("Articles"),
            "done": state.articles > 0,
            "state": ngettext("%(count)d article", "%(count)d articles", state.articles)
            % {"count": state.articles},
            "url": f"{detail}#add-articles",
        },
        {
            "name": _("Members"),
            "done": state.annotators > 0,
            "state": ngettext("%(count)d annotator", "%(count)d annotators", state.annotators)
            % {"count": state.annotators},
            "url": reverse("annotate:project-members", args=[project.pk]),
        },
        {
            "name": _("Assignments"),
            "done": state.assignments > 0,
            "state": ngettext("%(count)d assignment", "%(count)d assignments", state.assignments)
            % {"count": state.assignments},
            "url": f"{detail}#generate",
        },
        {
            "name": _("Guidelines"),
            "done": state.has_guidelines,
            "state": _("written") if state.has_guidelines else _("not written yet"),
            "url": f"{detail}#settings",
        },
    ]


def _manager_action(request: HttpRequest, pid: int, form_class, action) -> HttpResponseRedirect:
    """Validate a manager's form, run `action(project, data)`, and come back with a message."""
    project = access_project(request.user, pid, roles=MANAGERS)
    form = form_class(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        messages.error(request, f"{field}: {errors[0]}")
    else:
        try:
            note = action(project, form.cleaned_data)
        except RULE_ERRORS as exc:
            messages.error(request, _error_message(exc))
        else:
            messages.success(request, note)
    return redirect("annotate:project-detail", pid=pid)


@login_required
@require_POST
def project_settings(request: HttpRequest, pid: int) -> HttpResponse:
    def action(project, data):
        project_actions.do_update_project(project, by=request.user, changes=data)
        return _("Project settings saved.")

    return _manager_action(request, pid, SettingsForm, action)


@login_required
@require_POST
def project_generate(request: HttpRequest, pid: int) -> HttpResponse:
    def action(project, data):
        result = queue.do_generate_assignments(project, **data)
        return _("%(created)d assignments created (%(total)d in all).") % {
            "created": result.created,
            "total": result.total,
        }

    return _manager_action(request, pid, GenerateForm, action)


@login_required
@require_POST
def project_add_articles(request: HttpRequest, pid: int) -> HttpResponse:
    def action(project, data):
        result = project_actions.do_add_articles(
            project,
            by=request.user,
            corpus=data["corpus"],
            q=data["q"] or None,
            all_of_corpus=data["all"],
        )
        return _("%(added)d articles added, %(already)d were already in the project.") % {
            "added": result.added,
            "already": result.already,
        }

    return _manager_action(request, pid, partial(AddArticlesForm, user=request.user), action)


@login_required
@require_POST
def project_schema(request: HttpRequest, pid: int) -> HttpResponse:
    def action(project, data):
        try:
            schema = json.loads(data["schema"])
        except json.JSONDecodeError as exc:
            raise ActionError("schema", f"not valid JSON at line {exc.lineno}: {exc.msg}") from None
        project = project_actions.do_update_schema(
            project, by=request.user, schema=schema, note=data["note"]
        )
        return _("Schema saved (version %(version)d).") % {"version": project.schema_version}

    return _manager_action(request, pid, SchemaForm, action)


def _assignment_action(request: HttpRequest, asid: int, action) -> HttpResponseRedirect:
    """A manager's action on one assignment; back to the overview with a message."""
    assignment = access_assignment(request.user, asid)
    if assignment.project.my_role != Role.MANAGER:
        raise PermissionDenied(_("Only managers can do this."))
    try:
        note = action(assignment)
    except RULE_ERRORS as exc:
        messages.error(request, _error_message(exc))
    else:
        messages.success(request, note)
    return redirect("annotate:project-detail", pid=assignment.project_id)


@login_required
@require_POST
def assignment_reassign(request: HttpRequest, asid: int) -> HttpResponse:
    def action(assignment):
        form = ReassignForm(request.POST)
        if not form.is_valid():
            raise ActionError("annotator", _("choose an annotator"))
        annotator = project_actions.find_user(user_id=form.cleaned_data["annotator"])
        do_reassign(assignment, by=request.user, annotator=annotator)
        return _("Assignment reassigned.")

    return _assignment_action(request, asid, action)


@login_required
@require_POST
def assignment_reopen(request: HttpRequest, asid: int) -> HttpResponse:
    def action(assignment):
        do_reopen(assignment, by=request.user)
        return _("Assignment reopened for its annotator.")

    return _assignment_action(request, asid, action)
