"""DRF's JSON parser with a bound on nesting depth: deep input is a 400, never a 500.

Python's json module recurses once per level, so a body of 100,000 `[` raises RecursionError
inside the parser (a 500 for anyone, anonymous included), and a few hundred levels that do parse
can still exhaust the stack of code that walks the result. No document of ours nests more than
a few levels (spans carry an attributes object), so a body nesting deeper than MAX_JSON_DEPTH is
refused with a message before it is parsed. The depth is measured on the bytes at C speed
(escapes removed, everything but quotes and brackets dropped, brackets inside strings masked, a
running sum of +1 per opening and -1 per closing bracket): a fifth of what parsing costs.

Strings holding a lone surrogate are refused too. Strict UTF-8 cannot carry one, but the JSON
escape `\\ud800` decodes to one in Python; it cannot be encoded again (PostgreSQL refuses it with
a DataError, and so does every UTF-8 writer: exports, the page), so it would be a 500 or a
stored value nothing can read back. The answer names the field, e.g. `schema.entity_labels[0].name`.
"""

from __future__ import annotations

import io
import re
from typing import Any

import numpy as np
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 64

_QUOTE = ord('"')
_CHUNK = 1 << 16
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"')
_STEP = np.zeros(256, dtype=np.int8)
_STEP[list(b"[{")] = 1
_STEP[list(b"]}")] = -1
# An escape that may decode to a surrogate (a pair decodes to one character, which is fine).
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the arrays and objects of JSON text `body` nest more than `limit` deep.

    Invalid text is left to the JSON parser to refuse, unless it opens more than `limit`
    levels on the way.
    """
    if b"\\" in body:
        # Backslashes only occur in strings. Escapes read left to right, so pairs go first;
        # then every quote left is a string's start or end.
        body = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    kept = np.frombuffer(body.translate(None, _NOT_STRUCTURE), dtype=np.uint8)
    if len(kept) <= limit:
        return False
    depth, quotes = 0, 0
    for start in range(0, len(kept), _CHUNK):  # in chunks: a hostile body stops at its first
        chunk = kept[start : start + _CHUNK]
        quote_counts = np.cumsum(chunk == _QUOTE) + quotes
        depths = np.cumsum(_STEP[chunk] * ((quote_counts & 1) == 0), dtype=np.int64) + depth
        if int(depths.max()) > limit:
            return True
        depth, quotes = int(depths[-1]), int(quote_counts[-1])
    return False


def lone_surrogate_path(value: Any, prefix: str = "") -> str | None:
    """The path (`a.b[2].c`) of the first key or string in `value` holding a lone surrogate."""
    if isinstance(value, str):
        return prefix if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            if _SURROGATE.search(key):
                return prefix or "(key)"
            if (found := lone_surrogate_path(item, path)) is not None:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if (found := lone_surrogate_path(item, f"{prefix}[{i}]")) is not None:
                return found
    return None


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        body = stream.read()
        message = f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels."
        if json_too_deep(body):
            raise ParseError(message)
        try:
            data = super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:  # only if MAX_JSON_DEPTH is ever raised past the stack
            raise ParseError(message) from None
        if _SURROGATE_ESCAPE.search(body):
            field = lone_surrogate_path(data)
            if field is not None:
                raise ParseError(
                    {
                        "detail": f"JSON parse error - {field or 'the body'} holds a lone "
                        "surrogate (an unpaired \\ud800-\\udfff escape), which is not text.",
                        "field": field,
                    }
                )
        return data
