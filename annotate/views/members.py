"""People pages: a project's members and invitations, accepting an invitation, and staff's
accounts page. Forms post to small views calling annotate.members / annotate.projects, then
redirect back with a message naming the field at fault."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from annotate import members as people
from annotate import projects as project_actions
from annotate.access import LEADS, access_project
from annotate.errors import ActionError, ConflictError
from annotate.models import Assignment, AssignmentStatus, Invitation, Membership, Role
from annotate.views.projects import annotate_url

MANAGERS = (Role.MANAGER,)
RULE_ERRORS = (ActionError, ConflictError)


def _error_message(exc: ActionError | ConflictError) -> str:
    field = getattr(exc, "field", None)
    return f"{field}: {exc.message}" if field else exc.message


def _form_error(request: HttpRequest, form: forms.Form) -> None:
    field, errors = next(iter(form.errors.items()))
    label = form.fields[field].label if field in form.fields else field
    messages.error(request, f"{label}: {errors[0]}")


class InviteForm(forms.Form):
    who = forms.CharField(
        label=gettext_lazy("E-mail or username"),
        max_length=254,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class AcceptForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "username"}),
    )
    password1 = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=gettext_lazy("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class AccountForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("Username"), max_length=150, widget=forms.TextInput(attrs={"dir": "ltr"})
    )
    email = forms.EmailField(
        label=gettext_lazy("E-mail"), required=False, widget=forms.EmailInput(attrs={"dir": "ltr"})
    )
    password = forms.CharField(
        label=gettext_lazy("Password (empty: they set their own through a link)"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


# ---- a project's members ----


@login_required
def members_page(request: HttpRequest, pid: int) -> HttpResponse:
    """Members with their role and work; managers change roles, remove and invite."""
    project = access_project(request.user, pid, roles=LEADS)
    is_manager = project.my_role == Role.MANAGER
    work = {
        row["annotator"]: row
        for row in Assignment.objects.filter(project=project, annotator__isnull=False)
        .values("annotator")
        .annotate(
            total=Count("id"),
            submitted=Count("id", filter=Q(status=AssignmentStatus.SUBMITTED)),
        )
        .order_by()
    }
    rows = [
        {
            "membership": membership,
            "submitted": work.get(membership.user_id, {}).get("submitted", 0),
            "total": work.get(membership.user_id, {}).get("total", 0),
        }
        for membership in Membership.objects.filter(project=project)
        .select_related("user")
        .order_by("role", "user__username")
    ]
    context = {
        "project": project,
        "is_manager": is_manager,
        "rows": rows,
        "roles": Role.choices,
        "invitations": list(people.open_invitations(project)) if is_manager else [],
        "invite_form": InviteForm(initial={"role": Role.ANNOTATOR}),
        "new_link": request.session.pop(f"invitation-link-{project.pk}", None),
        "now": timezone.now(),
    }
    return render(request, "annotate/members/page.html", context)


@login_required
@require_POST
def member_invite(request: HttpRequest, pid: int) -> HttpResponse:
    project = access_project(request.user, pid, roles=MANAGERS)
    form = InviteForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return redirect("annotate:project-members", pid=pid)
    who = form.cleaned_data["who"].strip()
    by_email = "@" in who
    try:
        result = people.do_invite(
            project,
            by=request.user,
            role=form.cleaned_data["role"],
            email=who if by_email else None,
            username=None if by_email else who,
        )
    except RULE_ERRORS as exc:
        messages.error(request, _error_message(exc))
        return redirect("annotate:project-members", pid=pid)
    if result.membership is not None:
        messages.success(
            request,
            _("%(user)s is now %(role)s.")
            % {
                "user": result.membership.user.get_username(),
                "role": Role(result.membership.role).label,
            },
        )
    else:
        assert result.invitation is not None and result.key is not None
        link = request.build_absolute_uri(people.invitation_path(result.key))
        sent = people.send_invitation_email(result.invitation, link=link, language=get_language())
        if sent:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": result.invitation.email}
            )
        else:
            messages.warning(
                request,
                _("The e-mail to %(email)s could not be sent: pass the link on yourself.")
                % {"email": result.invitation.email},
            )
        # Shown once, on the next page: the key exists nowhere else.
        request.session[f"invitation-link-{project.pk}"] = {
            "email": result.invitation.email,
            "url": link,
        }
    return redirect("annotate:project-members", pid=pid)


@login_required
@require_POST
def member_change(request: HttpRequest, pid: int, uid: int) -> HttpResponse:
    """Change a member's role, or remove them (the `remove` button); their work stays."""
    project = access_project(request.user, pid, roles=MANAGERS)
    membership = get_object_or_404(Membership, project=project, user_id=uid)
    try:
        if "remove" in request.POST:
            project_actions.do_remove_member(project, by=request.user, user=membership.user)
            messages.success(
                request,
                _("%(user)s removed; their submitted work stays in the project.")
                % {"user": membership.user.get_username()},
            )
        else:
            form = RoleForm(request.POST)
            if not form.is_valid():
                _form_error(request, form)
                return redirect("annotate:project-members", pid=pid)
            project_actions.do_set_member(
                project, by=request.user, user=membership.user, role=form.cleaned_data["role"]
            )
            messages.success(
                request,
                _("%(user)s is now %(role)s.")
                % {
                    "user": membership.user.get_username(),
                    "role": Role(form.cleaned_data["role"]).label,
                },
            )
    except RULE_ERRORS as exc:
        messages.error(request, _error_message(exc))
    return redirect("annotate:project-members", pid=pid)


@login_required
@require_POST
def invitation_cancel(request: HttpRequest, pid: int, iid: int) -> HttpResponse:
    project = access_project(request.user, pid, roles=MANAGERS)
    invitation = get_object_or_404(Invitation, project=project, pk=iid)
    try:
        people.do_cancel_invitation(invitation)
    except RULE_ERRORS as exc:
        messages.error(request, _error_message(exc))
    else:
        messages.success(request, _("Invitation withdrawn: its link no longer works."))
    return redirect("annotate:project-members", pid=pid)


# ---- accepting an invitation (no login needed: the link is the credential) ----


def invitation_accept(request: HttpRequest, key: str) -> HttpResponse:
    try:
        invitation = people.find_invitation(key)
    except ActionError as exc:
        return render(request, "annotate/members/accept.html", {"problem": exc.message}, status=404)
    form = AcceptForm(request.POST or None, initial={"username": invitation.email.split("@")[0]})
    if request.method == "POST" and form.is_valid():
        try:
            user, invitation = people.do_accept_invitation(
                key,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
            )
        except ActionError as exc:
            field = {"password": "password1", "token": None}.get(exc.field, exc.field)
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Welcome, %(user)s. You are %(role)s in %(project)s.")
                % {
                    "user": user.get_username(),
                    "role": Role(invitation.role).label,
                    "project": invitation.project.name,
                },
            )
            if invitation.role == Role.ANNOTATOR:
                return redirect(annotate_url(invitation.project_id))
            return redirect("annotate:project-detail", pid=invitation.project_id)
    return render(
        request,
        "annotate/members/accept.html",
        {"invitation": invitation, "form": form, "role_name": Role(invitation.role).label},
        status=400 if form.errors else 200,
    )


# ---- site staff: accounts ----


@login_required
def accounts_page(request: HttpRequest) -> HttpResponse:
    people.check_can_manage_accounts(request.user)
    q = request.GET.get("q", "").strip()[:150]
    page = Paginator(people.accounts(q=q), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "annotate/members/accounts.html",
        {
            "page": page,
            "q": q,
            "form": AccountForm(),
            "new_link": request.session.pop("account-link", None),
        },
    )


@login_required
@require_POST
def account_create(request: HttpRequest) -> HttpResponse:
    people.check_can_manage_accounts(request.user)
    form = AccountForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return redirect("annotate:accounts")
    try:
        user = people.do_create_account(
            by=request.user,
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"] or None,
        )
    except RULE_ERRORS as exc:
        messages.error(request, _error_message(exc))
        return redirect("annotate:accounts")
    messages.success(request, _("Account %(user)s created.") % {"user": user.get_username()})
    if not form.cleaned_data["password"]:
        request.session["account-link"] = {
            "username": user.get_username(),
            "url": request.build_absolute_uri(people.set_password_path(user)),
        }
    return redirect("annotate:accounts")


@login_required
@require_POST
def account_active(request: HttpRequest, uid: int) -> HttpResponse:
    """Deactivate or reactivate (the `active` field: "1" or "0")."""
    people.check_can_manage_accounts(request.user)
    user = get_object_or_404(people.accounts(), pk=uid)
    active = request.POST.get("active") == "1"
    try:
        people.do_set_active(user, by=request.user, active=active)
    except RULE_ERRORS as exc:
        messages.error(request, _error_message(exc))
    else:
        note = _("%(user)s reactivated.") if active else _("%(user)s deactivated.")
        messages.success(request, note % {"user": user.get_username()})
    return redirect("annotate:accounts")
