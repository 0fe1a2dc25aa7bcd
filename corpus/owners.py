"""Granting and revoking a corpus's ownership (who the owners are: corpus/access.py).

The caller fetched the corpus with access_corpus(..., for_write=True), so `by` is an owner
or staff. A corpus keeps at least one owner once it has one, so nobody hands it back to
staff alone by mistake.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from corpus.models import Corpus


class OwnershipError(Exception):
    """A request about owners that cannot be done; `field` names the bad input, `code` says
    which rule (no_user, not_owner, last_owner) for pages that word it themselves."""

    def __init__(self, field: str, message: str, *, code: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.code = code


def corpus_owners(corpus: Corpus) -> list[Any]:
    """The corpus's owners by username: one query."""
    return list(corpus.owners.order_by("username").only("id", "username", "first_name"))


def find_owner_candidate(*, username: Any = None, user_id: Any = None):
    """The active user named by `username` or `user_id`, or OwnershipError."""
    users = get_user_model().objects.filter(is_active=True)
    if user_id is not None:
        if isinstance(user_id, bool) or not isinstance(user_id, int):
            raise OwnershipError("user", "must be a user id", code="no_user")
        user = users.filter(pk=user_id).first()
    elif isinstance(username, str) and username.strip():
        user = users.filter(username=username.strip()).first()
    else:
        raise OwnershipError("username", "give a username or a user id", code="no_user")
    if user is None:
        field = "username" if user_id is None else "user"
        raise OwnershipError(field, "no such user", code="no_user")
    return user


def do_add_owner(corpus: Corpus, *, user) -> bool:
    """Make `user` an owner; False when they already were."""
    with transaction.atomic():
        if corpus.owners.filter(pk=user.pk).exists():
            return False
        corpus.owners.add(user)
    return True


def do_remove_owner(corpus: Corpus, *, user_id: int) -> None:
    """Revoke the user's ownership; OwnershipError for a non-owner or the last owner."""
    with transaction.atomic():
        # Two owners removing each other at once must not leave the corpus without one.
        Corpus.objects.select_for_update().filter(pk=corpus.pk).exists()
        owner_ids = set(corpus.owners.values_list("pk", flat=True))
        if user_id not in owner_ids:
            raise OwnershipError("user", "not an owner of this corpus", code="not_owner")
        if owner_ids == {user_id}:
            raise OwnershipError(
                "user", "a corpus keeps at least one owner; add another first", code="last_owner"
            )
        corpus.owners.remove(user_id)
