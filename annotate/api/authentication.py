"""How API requests authenticate: user tokens, lean enough for every request, and project
export tokens for the download endpoints.

Its own module (no view imports) because settings name it as the default authentication class,
and DRF's views load that setting while they are being imported.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    TokenAuthentication,
    get_authorization_header,
)
from rest_framework.request import Request

from annotate.exports import export_token_for_key
from annotate.models import ApiToken, ExportToken
from annotate.tokens import hash_api_key, is_expired
from workbench.sql import Columns, fetch_row, split_row


class LeanTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`: an ApiToken, with its user fetched by one prepared join.

    Every API call pays for this lookup; a raw query skips building the ORM query each time
    (about 1 ms of CPU per request here), and the key's SHA-256 is a unique index, so it is one
    probe. Unknown, expired or inactive -> 401.
    """

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        row = fetch_row(_user_by_token_sql(), [hash_api_key(key)])
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user_values, token_values = split_row(row, _user_columns(), _token_columns())
        token = _token_columns().build(token_values)
        if is_expired(token.expires_at):
            raise exceptions.AuthenticationFailed(_("Token expired: log in again."))
        user = _user_columns().build(user_values)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token.user = user
        return user, token


@functools.cache
def _user_columns() -> Columns:
    return Columns(get_user_model(), "u")


@functools.cache
def _token_columns() -> Columns:
    return Columns(ApiToken, "t", only=["id", "user", "expires_at"])


@functools.cache
def _user_by_token_sql() -> str:
    users = get_user_model()
    return (
        f"SELECT {_user_columns().sql}, {_token_columns().sql} "  # noqa: S608 - names only
        f"FROM {users._meta.db_table} u "
        f"JOIN {ApiToken._meta.db_table} t ON t.user_id = u.{users._meta.pk.column} "
        "WHERE t.key_hash = %s"
    )


class ExportTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>`: a project export token. Not `?token=`: URLs end up in
    proxy and server logs, so a token there is refused with a message saying where it goes.

    Worth nothing but on the download endpoints, and there only for its own project
    (`access_export_project`); `request.auth` is the ExportToken, the user anonymous.
    """

    def authenticate(self, request: Request) -> tuple[AnonymousUser, ExportToken] | None:
        header = get_authorization_header(request).split()
        key = None
        if header and header[0].lower() == b"bearer":
            if len(header) != 2:
                raise exceptions.AuthenticationFailed("Give exactly one token after Bearer.")
            key = header[1].decode("latin-1")
        elif "token" in request.query_params:
            raise exceptions.AuthenticationFailed(
                "Export tokens are no longer accepted in the URL (?token=): send the header "
                "`Authorization: Bearer <token>` instead."
            )
        if key is None:
            return None
        token = export_token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked export token.")
        return (AnonymousUser(), token)

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="exports"'


class ExportTokenScheme(OpenApiAuthenticationExtension):
    target_class = "annotate.api.authentication.ExportTokenAuthentication"
    name = "exportToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A project export token (download endpoints only), "
            "in the Authorization header; ?token= is refused.",
        }
