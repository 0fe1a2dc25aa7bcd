"""Account pages: log in (throttled), change the password, reset a forgotten one by e-mail.

Django's auth views with the project's templates (templates/registration/). The login form
checks workbench/login_limits.py before it hashes the password and answers 429 when refused.
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import path
from django.utils.translation import ngettext

from workbench.login_limits import LoginThrottled, check_password_reset, guard_login


class ThrottledAuthenticationForm(AuthenticationForm):
    throttled = False

    def clean(self):
        username = self.cleaned_data.get("username")
        if username is None or not self.cleaned_data.get("password"):
            return super().clean()
        try:
            with guard_login(self.request, username) as attempt:
                try:
                    return super().clean()
                except ValidationError as error:
                    if error.code == "invalid_login":
                        attempt.failed()
                    raise
        except LoginThrottled as exc:
            self.throttled = True
            raise _throttled_error(
                ngettext(
                    "Too many login attempts. Try again in %(minutes)d minute.",
                    "Too many login attempts. Try again in %(minutes)d minutes.",
                    _minutes(exc),
                ),
                exc,
            ) from None


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's reset form, counted per address and per e-mail before any mail goes out."""

    throttled = False
    request = None  # set by the view: the form needs the caller's address

    def clean(self):
        cleaned = super().clean()
        email = cleaned.get("email")
        if email and self.request is not None:
            try:
                check_password_reset(self.request, email)
            except LoginThrottled as exc:
                self.throttled = True
                raise _throttled_error(
                    ngettext(
                        "Too many password reset requests. Try again in %(minutes)d minute.",
                        "Too many password reset requests. Try again in %(minutes)d minutes.",
                        _minutes(exc),
                    ),
                    exc,
                ) from None
        return cleaned


def _minutes(exc: LoginThrottled) -> int:
    return max(1, round(exc.retry_after / 60))


def _throttled_error(message: str, exc: LoginThrottled) -> ValidationError:
    return ValidationError(message % {"minutes": _minutes(exc)}, code="throttled")


def _throttled_status(response: HttpResponse, form) -> HttpResponse:
    if form.throttled:
        response.status_code = 429
    return response


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm

    def form_invalid(self, form: ThrottledAuthenticationForm) -> HttpResponse:
        return _throttled_status(super().form_invalid(form), form)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ThrottledPasswordResetForm

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.request = self.request
        return form

    def form_invalid(self, form: ThrottledPasswordResetForm) -> HttpResponse:
        return _throttled_status(super().form_invalid(form), form)


urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path(
        "password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
