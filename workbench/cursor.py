"""Keyset cursors: the last row's sort value and id, as an opaque URL-safe string.

A list ordered by (value, id) continues after a cursor with `value > v OR (value = v AND id >
id0)`, so every page costs what the first does (no OFFSET). Pure: no Django.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any


class CursorError(ValueError):
    """A string that is not a cursor this code wrote."""


def encode_cursor(value: Any, pk: int) -> str:
    """The cursor after the row (value, pk); a datetime value is written as ISO text."""
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([value, pk], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, int]:
    """(value, pk) of a cursor; CursorError unless it is a pair with an integer id."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk = json.loads(raw)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise CursorError("is not a cursor of this list") from None
    if isinstance(pk, bool) or not isinstance(pk, int):
        raise CursorError("is not a cursor of this list")
    return value, pk
