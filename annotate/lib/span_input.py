"""The body of a one-span save, {"version": int, "span": {...}}, checked without DRF. Pure.

A span save is the most frequent request of the product; building and running a DRF
serializer for two fields cost more CPU than the rest of its Python. These checks accept and
refuse exactly what `SpanAddSerializer` (an IntegerField with min_value=1 and a JSONField)
does, with the same messages in the same structure ({"version": [message], ...}, fields in
that order, "non_field_errors" for a body that is not an object), so the API's 400 bodies do
not change; tests/test_span_input.py compares both on generated bodies. The span itself is
checked later, against the article and the schema (annotate.lib.content.check_span).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

REQUIRED = "This field is required."
NOT_NULL = "This field may not be null."
NOT_AN_INTEGER = "A valid integer is required."
TOO_LONG = "String value too large."
AT_LEAST_ONE = "Ensure this value is greater than or equal to 1."
NO_DATA = "No data provided"
# DRF's IntegerField: strings longer than this are refused before int() sees them.
MAX_STRING_LENGTH = 1000
# DRF's IntegerField drops a decimal point followed only by zeros ("7.0", 7.0, "7.00 ").
_DECIMAL_ZEROS = re.compile(r"\.0*\s*$")


class SpanInputError(ValueError):
    """A refused body; `errors` maps each field (or "non_field_errors") to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(errors)


def integer_of(value: Any) -> int:
    """`value` as DRF's IntegerField reads it, or ValueError with its message."""
    if isinstance(value, str) and len(value) > MAX_STRING_LENGTH:
        raise ValueError(TOO_LONG)
    try:
        return int(_DECIMAL_ZEROS.sub("", str(value)))
    except (ValueError, TypeError):
        raise ValueError(NOT_AN_INTEGER) from None


def _version(data: Mapping[str, Any]) -> int:
    if "version" not in data:
        raise ValueError(REQUIRED)
    value = data["version"]
    if value is None:
        raise ValueError(NOT_NULL)
    version = integer_of(value)
    if version < 1:
        raise ValueError(AT_LEAST_ONE)
    return version


def check_span_input(data: Any) -> tuple[int, Any]:
    """(version, span) of a decoded JSON body, or SpanInputError as the serializer words it."""
    if data is None:
        raise SpanInputError({"non_field_errors": [NO_DATA]})
    if not isinstance(data, Mapping):
        kind = type(data).__name__
        raise SpanInputError(
            {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {kind}."]}
        )
    errors: dict[str, list[str]] = {}
    version = 0
    try:
        version = _version(data)
    except ValueError as exc:
        errors["version"] = [str(exc)]
    span = data.get("span")
    if "span" not in data:
        errors["span"] = [REQUIRED]
    elif span is None:
        errors["span"] = [NOT_NULL]
    if errors:
        raise SpanInputError(errors)
    return version, span
