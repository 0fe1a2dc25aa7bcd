"""Deeply nested JSON is a 400 with a message on every API endpoint, never a 500."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from annotate.api.parsers import MAX_JSON_DEPTH, json_too_deep
from tests.factories import make_user

DEEP = b"[" * 100_000


@pytest.mark.django_db
def test_anonymous_deep_json_to_the_token_endpoint_is_a_400():
    response = APIClient().post("/api/auth/token/", DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper than" in response.json()["detail"]


@pytest.mark.django_db
def test_deep_json_to_an_authenticated_endpoint_is_a_400():
    client = APIClient()
    client.force_authenticate(make_user("lead", is_staff=True))
    for body in (DEEP, b'{"name": ' * 100 + b'"x"' + b"}" * 100):
        response = client.post("/api/projects/", body, content_type="application/json")
        assert response.status_code == 400
        assert "nested deeper than" in response.json()["detail"]


def nested(depth: int) -> bytes:
    return b'{"a": [' * (depth // 2) + b"1" + b"]}" * (depth // 2)


def test_the_bound_is_exact():
    assert not json_too_deep(nested(MAX_JSON_DEPTH))
    assert json_too_deep(nested(MAX_JSON_DEPTH + 2))


def test_brackets_inside_strings_and_escapes_do_not_count():
    body = json.dumps({"t": "[[[{{{" * 50, "u": '\\"[[[' * 40, "v": "\\" * 7}).encode()
    assert not json_too_deep(body, 2)
    assert json_too_deep(b'["\\\\", [[1]]]', 2)


def depth_of(value) -> int:
    if isinstance(value, dict):
        return 1 + max(map(depth_of, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth_of, value), default=0)
    return 0


json_values = st.recursive(
    st.none() | st.integers() | st.text(alphabet='[]{}"\\ab\u0627\n'),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(alphabet='[]{}"\\k', max_size=3), inner, max_size=3)
    ),
    max_leaves=15,
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values, st.integers(min_value=0, max_value=8), st.booleans())
def test_it_agrees_with_the_depth_of_the_parsed_value(value, limit, ascii_only):
    body = json.dumps(value, ensure_ascii=ascii_only).encode()
    assert json_too_deep(body, limit) == (depth_of(value) > limit)
