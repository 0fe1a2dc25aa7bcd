"""annotate.lib.span_input: the one-span save body checked without DRF, exactly as
SpanAddSerializer checks it (same acceptance, same messages, same structure)."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext
from hypothesis import given
from hypothesis import strategies as st

from annotate.api.serializers import SpanAddSerializer
from annotate.lib.span_input import SpanInputError, check_span_input

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
VERSIONS = (
    st.integers(min_value=-3, max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["7", " 7 ", "7.0", "7.00  ", "7.5", "0", "-1", "1_000", "٣", "", "x", "1e3"])
    | st.text(max_size=6)
    | st.text(alphabet="1", min_size=999, max_size=1002)
    | JSON
)
BODIES = (
    st.fixed_dictionaries({}, optional={"version": VERSIONS, "span": JSON, "other": JSON}) | JSON
)


def drf_answer(body, language="en"):
    with translation.override(language):
        serializer = SpanAddSerializer(data=body)
        if serializer.is_valid():
            return ("ok", serializer.validated_data["version"], serializer.validated_data["span"])
        errors = {key: [str(m) for m in messages] for key, messages in serializer.errors.items()}
    return ("error", errors)


def plain_answer(body):
    try:
        version, span = check_span_input(body)
    except SpanInputError as exc:
        return ("error", exc.messages())
    return ("ok", version, span)


@given(BODIES)
def test_it_answers_every_body_as_the_serializer_does(body):
    assert plain_answer(body) == drf_answer(body)


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"version": ["This field is required."], "span": ["This field is required."]}),
        (
            {"version": 0, "span": {}},
            {"version": ["Ensure this value is greater than or equal to 1."]},
        ),
        ({"version": True, "span": {}}, {"version": ["A valid integer is required."]}),
        ({"version": "1" * 1001, "span": {}}, {"version": ["String value too large."]}),
        ({"version": 1, "span": None}, {"span": ["This field may not be null."]}),
        ({"version": 1, "span": {"start": float("inf")}}, {"span": ["Value must be valid JSON."]}),
        (None, {"non_field_errors": ["No data provided"]}),
        ([1], {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
    ],
)
def test_it_refuses_with_the_serializer_messages(body, errors):
    with pytest.raises(SpanInputError) as refused:
        check_span_input(body)
    assert refused.value.messages() == errors
    assert drf_answer(body) == ("error", errors)


@pytest.mark.parametrize(
    ("version", "read"), [(7, 7), ("7", 7), (7.0, 7), ("7.00 ", 7), (" 7 ", 7), (1e15, 10**15)]
)
def test_it_reads_versions_as_the_serializer_does(version, read):
    assert check_span_input({"version": version, "span": {}}) == (read, {})


@given(BODIES)
def test_its_messages_translate_as_the_serializer_s_do(body):
    with translation.override("ar"):
        try:
            check_span_input(body)
        except SpanInputError as exc:
            assert ("error", exc.messages(gettext)) == drf_answer(body, "ar")
