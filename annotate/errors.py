"""Errors that check_/do_ functions raise; the API turns them into 400 and 409 responses.

ContentError (annotate.lib.content), SchemaError (annotate.lib.schema) and OverlapError
(annotate.lib.overlap) are the pure modules' errors; these two cover workflow rules.
"""

from __future__ import annotations


class ActionError(ValueError):
    """A request that breaks a rule (bad field value, wrong member): HTTP 400 naming `field`."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class ConflictError(Exception):
    """The object is not in a state that allows this change (stale version, submitted): 409.

    `current_version` is set when the conflict is about an annotation's version, so the client
    can reload and retry.
    """

    def __init__(self, message: str, *, current_version: int | None = None) -> None:
        self.message = message
        self.current_version = current_version
        super().__init__(message)
