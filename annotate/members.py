"""People: inviting into a project, accepting an invitation, and site staff's accounts.

A manager invites by username (an existing account joins at once) or by e-mail: an address
that belongs to one active account joins that account; any other gets an `Invitation` whose
link, used once before it expires, lets the new person choose a username and password and
puts them in the project with the role given. The link's key is 256 random bits shown once;
the database keeps its SHA-256, as annotate/tokens.py does for API tokens.

Staff create, deactivate and reactivate accounts. Deactivating logs the person out everywhere
(Django refuses an inactive user's session; their API tokens are deleted) and keeps their work.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from annotate.errors import ActionError, ConflictError
from annotate.models import Invitation, Membership, Project
from annotate.projects import check_role, do_set_member
from annotate.tokens import do_revoke_api_tokens, hash_api_key

KEY_PREFIX = "wbi_"  # noqa: S105 - a public marker of invitation keys, not a secret
MAX_USERNAME = 150


@dataclass(frozen=True)
class InviteResult:
    """Either `membership` (an existing account joined) or `invitation` with its one-time
    `key` (a new person must accept)."""

    membership: Membership | None = None
    invitation: Invitation | None = None
    key: str | None = None


def invitation_path(key: str) -> str:
    """The invitation page's path for a key (the URL is /invitations/<key>/)."""
    return f"/invitations/{key}/"


def open_invitations(project: Project) -> QuerySet[Invitation]:
    """Invitations not yet accepted (expired ones included, marked by their date)."""
    return (
        Invitation.objects.filter(project=project, accepted_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at")
    )


def _active_users():
    return get_user_model().objects.filter(is_active=True)


def check_email(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ActionError("email", "give an e-mail address")
    email = value.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ActionError("email", f"{email!r} is not an e-mail address") from None
    return email


def do_invite(
    project: Project, *, by, role: Any, username: Any = None, email: Any = None
) -> InviteResult:
    """Invite by username or e-mail (one of them); see the module docstring."""
    role = check_role(role)
    if (username is None) == (email is None):
        raise ActionError("email", "give an e-mail address or a username, not both")
    if username is not None:
        if not isinstance(username, str) or not username.strip():
            raise ActionError("username", "give a username")
        user = _active_users().filter(username=username.strip()).first()
        if user is None:
            raise ActionError(
                "username",
                f"no active user named {username.strip()!r}; invite a new person by e-mail",
            )
        return InviteResult(membership=do_set_member(project, by=by, user=user, role=role))
    email = check_email(email)
    owners = list(_active_users().filter(email__iexact=email)[:2])
    if len(owners) == 1:
        return InviteResult(membership=do_set_member(project, by=by, user=owners[0], role=role))
    if len(owners) > 1:
        raise ActionError("email", f"several accounts use {email}; invite one by username")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        # Inviting the same address again replaces the open invitation (and its link).
        Invitation.objects.filter(
            project=project, email__iexact=email, accepted_at__isnull=True
        ).delete()
        invitation = Invitation.objects.create(
            project=project,
            email=email,
            role=role,
            key_hash=hash_api_key(key),
            invited_by=by if by is not None and by.is_authenticated else None,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
        )
    return InviteResult(invitation=invitation, key=key)


def do_cancel_invitation(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise ConflictError("This invitation was already accepted; remove the member instead.")
    invitation.delete()


def find_invitation(key: Any) -> Invitation:
    """The open, unexpired invitation with this key, or ActionError("token") saying why not."""
    if not isinstance(key, str) or not key.startswith(KEY_PREFIX) or len(key) > 100:
        raise ActionError("token", "this invitation link is not valid")
    invitation = (
        Invitation.objects.select_related("project").filter(key_hash=hash_api_key(key)).first()
    )
    if invitation is None:
        raise ActionError("token", "this invitation link is not valid")
    if invitation.accepted_at is not None:
        raise ActionError("token", "this invitation was already used; log in instead")
    if invitation.expires_at <= timezone.now():
        raise ActionError("token", "this invitation has expired; ask the project's manager again")
    return invitation


def check_new_username(username: Any) -> str:
    if not isinstance(username, str) or not username.strip():
        raise ActionError("username", "choose a username")
    username = username.strip()
    if len(username) > MAX_USERNAME:
        raise ActionError("username", f"must be at most {MAX_USERNAME} characters")
    User = get_user_model()
    try:
        User._meta.get_field("username").run_validators(username)
    except ValidationError as exc:
        raise ActionError("username", " ".join(exc.messages)) from None
    if User.objects.filter(username__iexact=username).exists():
        raise ActionError("username", f"the username {username!r} is taken; choose another")
    return username


def check_password(password: Any, *, user) -> str:
    if not isinstance(password, str) or not password:
        raise ActionError("password", "choose a password")
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise ActionError("password", " ".join(exc.messages)) from None
    return password


def _new_user(*, username: str, email: str, password: str | None, is_staff: bool = False):
    User = get_user_model()
    user = User(username=username, email=email, is_staff=is_staff)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(check_password(password, user=user))
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise ActionError("username", f"the username {username!r} is taken") from None
    return user


def do_accept_invitation(key: Any, *, username: Any, password: Any):
    """Create the invited person's account and membership; the invitation is used up.

    Two requests with the same link: the row lock lets one through, the other finds it used.
    """
    username = check_new_username(username)
    with transaction.atomic():
        invitation = find_invitation(key)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise ActionError("token", "this invitation was already used; log in instead")
        user = _new_user(username=username, email=invitation.email, password=password)
        Membership.objects.create(project=invitation.project, user=user, role=invitation.role)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user, invitation


# ---- site staff: accounts ----


def can_manage_accounts(user) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser))


def check_can_manage_accounts(user) -> None:
    if not can_manage_accounts(user):
        raise PermissionDenied("Only site staff can manage accounts.")


def create_account(*, username: Any, email: Any = "", password: Any = None, is_staff: Any = False):
    """A new account, unchecked (the operator's `manage.py createuser`; staff go through
    do_create_account). Without a password it has none until the person sets one through a
    set-password link (set_password_path)."""
    username = check_new_username(username)
    email = check_email(email) if email else ""
    if is_staff not in (True, False):
        raise ActionError("is_staff", "must be true or false")
    return _new_user(username=username, email=email, password=password, is_staff=is_staff)


def do_create_account(
    *, by, username: Any, email: Any = "", password: Any = None, is_staff: Any = False
):
    """A new account made by site staff; only superusers make staff accounts."""
    check_can_manage_accounts(by)
    if is_staff is True and not by.is_superuser:
        raise PermissionDenied("Only superusers can create staff accounts.")
    return create_account(username=username, email=email, password=password, is_staff=is_staff)


def do_set_active(user, *, by, active: Any):
    """Deactivate (logged out everywhere, API tokens deleted, work kept) or reactivate."""
    check_can_manage_accounts(by)
    if active not in (True, False):
        raise ActionError("is_active", "must be true or false")
    if not active and user.pk == by.pk:
        raise ActionError("is_active", "you cannot deactivate your own account")
    if (user.is_superuser or user.is_staff) and not by.is_superuser:
        raise PermissionDenied("Only superusers can deactivate or reactivate staff accounts.")
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            do_revoke_api_tokens(user)
    return user


def set_password_path(user) -> str:
    """A password reset link for `user` (Django's reset token: valid until the password changes
    or PASSWORD_RESET_TIMEOUT passes)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"/accounts/reset/{uid}/{default_token_generator.make_token(user)}/"


def accounts(*, q: str = "") -> QuerySet:
    users = get_user_model().objects.all()
    if q:
        users = users.filter(username__icontains=q) | users.filter(email__icontains=q)
    return users.order_by("username")


def send_invitation_email(
    invitation: Invitation, *, link: str, language: str | None = None
) -> bool:
    """Mail the link to the invited address; False when the mail could not be sent (the
    manager is shown the link to pass on instead)."""
    context = {"invitation": invitation, "link": link, "project": invitation.project}
    with translation.override(language):
        subject = render_to_string("annotate/members/invitation_subject.txt", context).strip()
        body = render_to_string("annotate/members/invitation_email.txt", context)
    try:
        send_mail(subject, body, None, [invitation.email])
    except OSError:
        return False
    return True
