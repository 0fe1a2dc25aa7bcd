"""REST API login tokens: created at login, stored hashed, expiring, revocable by their owner.

The key is 256 random bits, shown once; the database keeps its SHA-256 (a fast hash is enough
for a random key: there is no dictionary to try) and its first characters as a public label.
A password change or reset revokes every token of the user: Django calls `password_changed`
on each validator in AUTH_PASSWORD_VALIDATORS after any save of a new password (form, admin,
`changepassword`, reset link), so `RevokeApiTokensOnPasswordChange` is listed there.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from annotate.models import ApiToken

KEY_PREFIX = "wbt_"  # noqa: S105 - a public marker of API login tokens, not a secret
PREFIX_LENGTH = 12


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def token_lifetime() -> timedelta:
    return timedelta(days=settings.API_TOKEN_DAYS)


def do_create_api_token(user: Any, *, name: str = "") -> tuple[ApiToken, str]:
    """A new token for `user` and its key (the only time the key exists outside the client).

    The user's expired tokens are deleted on the way, so they do not pile up.
    """
    now = timezone.now()
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[:PREFIX_LENGTH],
        key_hash=hash_api_key(key),
        expires_at=now + token_lifetime(),
    )
    return token, key


def do_revoke_api_tokens(user: Any) -> int:
    """Delete every API token of `user`; the number deleted."""
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return deleted


def is_expired(expires_at: datetime) -> bool:
    return expires_at <= timezone.now()


class RevokeApiTokensOnPasswordChange:
    """Not a rule on passwords: Django's hook after any password change (see the docstring)."""

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is not None and user.pk is not None:
            do_revoke_api_tokens(user)

    def get_help_text(self) -> str:
        return ""
