"""The body of a one-span save, {"version": int, "span": {...}}, checked without DRF. Pure.

A span save is the most frequent request of the product; building and running a DRF
serializer for two fields cost more CPU than the rest of its Python. These checks accept and
refuse exactly what `SpanAddSerializer` (an IntegerField with min_value=1 and a JSONField)
does, with the same messages in the same structure ({"version": [message], ...}, fields in
that order, "non_field_errors" for a body that is not an object), so the API's 400 bodies do
not change; tests/test_span_input.py compares both on generated bodies. Messages are DRF's
own message ids, so the caller translates them through DRF's catalogue as DRF would. The span
itself is checked later, against the article and the schema (annotate.lib.content.check_span).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

# A message id and the values of its {placeholders}.
Message = tuple[str, dict[str, Any]]

REQUIRED = "This field is required."
NOT_NULL = "This field may not be null."
NOT_AN_INTEGER = "A valid integer is required."
TOO_LONG = "String value too large."
AT_LEAST_ONE = "Ensure this value is greater than or equal to {min_value}."
NO_DATA = "No data provided"
NOT_A_DICTIONARY = "Invalid data. Expected a dictionary, but got {datatype}."
NOT_JSON = "Value must be valid JSON."
# DRF's IntegerField: strings longer than this are refused before int() sees them.
MAX_STRING_LENGTH = 1000
# DRF's IntegerField drops a decimal point followed only by zeros ("7.0", 7.0, "7.00 ").
_DECIMAL_ZEROS = re.compile(r"\.0*\s*$")


class SpanInputError(ValueError):
    """A refused body; `errors` maps each field (or "non_field_errors") to its messages."""

    def __init__(self, errors: dict[str, list[Message]]) -> None:
        self.errors = errors
        super().__init__(errors)

    def messages(self, translate: Callable[[str], str] = str) -> dict[str, list[str]]:
        """The errors as text, each message id passed through `translate` (gettext)."""
        return {
            field: [translate(message).format(**values) for message, values in messages]
            for field, messages in self.errors.items()
        }


class _Refused(ValueError):
    def __init__(self, message: str, **values: Any) -> None:
        self.message: Message = (message, values)


def integer_of(value: Any) -> int:
    """`value` as DRF's IntegerField reads it; refused (a ValueError) with its message."""
    if isinstance(value, str) and len(value) > MAX_STRING_LENGTH:
        raise _Refused(TOO_LONG)
    try:
        return int(_DECIMAL_ZEROS.sub("", str(value)))
    except (ValueError, TypeError):
        raise _Refused(NOT_AN_INTEGER) from None


def _version(data: Mapping[str, Any]) -> int:
    if "version" not in data:
        raise _Refused(REQUIRED)
    value = data["version"]
    if value is None:
        raise _Refused(NOT_NULL)
    version = integer_of(value)
    if version < 1:
        raise _Refused(AT_LEAST_ONE, min_value=1)
    return version


def _is_strict_json(value: Any) -> bool:
    """DRF's JSONField refuses what its strict encoder refuses: infinities and NaN (a number
    like 1e999 in the body decodes to infinity)."""
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


def check_span_input(data: Any) -> tuple[int, Any]:
    """(version, span) of a decoded JSON body, or SpanInputError as the serializer words it."""
    if data is None:
        raise SpanInputError({"non_field_errors": [(NO_DATA, {})]})
    if not isinstance(data, Mapping):
        kind = type(data).__name__
        raise SpanInputError({"non_field_errors": [(NOT_A_DICTIONARY, {"datatype": kind})]})
    errors: dict[str, list[Message]] = {}
    version = 0
    try:
        version = _version(data)
    except _Refused as exc:
        errors["version"] = [exc.message]
    span = data.get("span")
    if "span" not in data:
        errors["span"] = [(REQUIRED, {})]
    elif span is None:
        errors["span"] = [(NOT_NULL, {})]
    elif not _is_strict_json(span):
        errors["span"] = [(NOT_JSON, {})]
    if errors:
        raise SpanInputError(errors)
    return version, span
