"""DRF's JSON parser with a bound on nesting depth: deep input is a 400, never a 500.

Python's json module recurses once per level, so a body of 100,000 `[` raises RecursionError
inside the parser (a 500 for anyone, anonymous included), and a few hundred levels that do parse
can still exhaust the stack of code that walks the result. No document of ours nests more than
a few levels (spans carry an attributes object), so a body nesting deeper than MAX_JSON_DEPTH is
refused with a message before it is parsed. The depth is measured on the bytes at C speed
(escapes removed, everything but quotes and brackets dropped, brackets inside strings masked, a
running sum of +1 per opening and -1 per closing bracket): a fifth of what parsing costs.
"""

from __future__ import annotations

import io
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


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        body = stream.read()
        message = f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels."
        if json_too_deep(body):
            raise ParseError(message)
        try:
            return super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:  # only if MAX_JSON_DEPTH is ever raised past the stack
            raise ParseError(message) from None
