"""The answers of the one-span save (POST /api/assignments/{id}/annotation/spans/) to bad
input, pinned body by body: its hot path (a plain validator, one statement on PostgreSQL) must
answer exactly what the serializer and the workflow functions answered, and write nothing."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from annotate import span_saves
from annotate.models import Annotation, Assignment, AuditAction, AuditEvent
from tests.factories import make_api_token, span_of
from tests.test_annotations_api import (  # noqa: F401 - setup and shared_setup are fixtures
    client_for,
    setup,
    shared_setup,
    start,
)

pytestmark = pytest.mark.django_db


def spans_url(asid: int) -> str:
    return f"/api/assignments/{asid}/annotation/spans/"


def bodies(text: str) -> dict:
    good = span_of(text, "داعش", "MILITARY_GROUP", span_id="e1")
    return {
        "empty": {},
        "no_version": {"span": good},
        "no_span": {"version": 1},
        "version_word": {"version": "one", "span": good},
        "version_zero": {"version": 0, "span": good},
        "version_negative": {"version": -3, "span": good},
        "version_null": {"version": None, "span": good},
        "span_null": {"version": 1, "span": None},
        "version_true": {"version": True, "span": good},
        "version_false": {"version": False, "span": good},
        "version_fraction": {"version": 1.5, "span": good},
        "version_list": {"version": [1], "span": good},
        "version_object": {"version": {"v": 1}, "span": good},
        "version_long_string": {"version": "1" * 1001, "span": good},
        "version_string_stale": {"version": "7", "span": good},
        "version_float_stale": {"version": 7.0, "span": good},
        "version_string_decimal_stale": {"version": "7.00", "span": good},
        "version_huge": {"version": 10**30, "span": good},
        "version_spaces": {"version": " 7 ", "span": good},
        "span_string": {"version": 1, "span": "داعش"},
        "span_list": {"version": 1, "span": [good]},
        "span_number": {"version": 1, "span": 5},
        "span_extra_field": {"version": 1, "span": {**good, "colour": "red"}},
        "span_bad_id": {"version": 1, "span": {**good, "id": "a b"}},
        "span_no_text": {"version": 1, "span": {k: v for k, v in good.items() if k != "text"}},
        "span_wrong_text": {"version": 1, "span": {**good, "text": "x"}},
        "span_bad_label": {"version": 1, "span": {**good, "label": "NOPE"}},
        "span_start_negative": {"version": 1, "span": {**good, "start": -1}},
        "span_end_past": {"version": 1, "span": {**good, "end": 10000}},
        "span_start_string": {"version": 1, "span": {**good, "start": "3"}},
        "span_attributes_entity": {"version": 1, "span": {**good, "attributes": {"stance": "x"}}},
        "span_attributes_list": {"version": 1, "span": {**good, "attributes": []}},
        "body_list": [1, 2],
        "body_string": "x",
        "body_null": None,
        "both_bad": {"version": "x", "span": None},
    }


def stale(version: int) -> str:
    return (
        f"The annotation changed since version {version} was loaded (it is now at version 1); "
        "reload it before saving."
    )


EXPECTED = {
    "empty": (
        400,
        {
            "detail": "This field is required.",
            "field": "version",
            "errors": {"version": ["This field is required."], "span": ["This field is required."]},
        },
    ),
    "no_version": (
        400,
        {
            "detail": "This field is required.",
            "field": "version",
            "errors": {"version": ["This field is required."]},
        },
    ),
    "no_span": (
        400,
        {
            "detail": "This field is required.",
            "field": "span",
            "errors": {"span": ["This field is required."]},
        },
    ),
    "version_word": (
        400,
        {
            "detail": "A valid integer is required.",
            "field": "version",
            "errors": {"version": ["A valid integer is required."]},
        },
    ),
    "version_zero": (
        400,
        {
            "detail": "Ensure this value is greater than or equal to 1.",
            "field": "version",
            "errors": {"version": ["Ensure this value is greater than or equal to 1."]},
        },
    ),
    "version_negative": (
        400,
        {
            "detail": "Ensure this value is greater than or equal to 1.",
            "field": "version",
            "errors": {"version": ["Ensure this value is greater than or equal to 1."]},
        },
    ),
    "version_null": (
        400,
        {
            "detail": "This field may not be null.",
            "field": "version",
            "errors": {"version": ["This field may not be null."]},
        },
    ),
    "span_null": (
        400,
        {
            "detail": "This field may not be null.",
            "field": "span",
            "errors": {"span": ["This field may not be null."]},
        },
    ),
    "version_true": (
        400,
        {
            "detail": "A valid integer is required.",
            "field": "version",
            "errors": {"version": ["A valid integer is required."]},
        },
    ),
    "version_false": (
        400,
        {
            "detail": "A valid integer is required.",
            "field": "version",
            "errors": {"version": ["A valid integer is required."]},
        },
    ),
    "version_fraction": (
        400,
        {
            "detail": "A valid integer is required.",
            "field": "version",
            "errors": {"version": ["A valid integer is required."]},
        },
    ),
    "version_list": (
        400,
        {
            "detail": "A valid integer is required.",
            "field": "version",
            "errors": {"version": ["A valid integer is required."]},
        },
    ),
    "version_object": (
        400,
        {
            "detail": "A valid integer is required.",
            "field": "version",
            "errors": {"version": ["A valid integer is required."]},
        },
    ),
    "version_long_string": (
        400,
        {
            "detail": "String value too large.",
            "field": "version",
            "errors": {"version": ["String value too large."]},
        },
    ),
    "version_string_stale": (
        409,
        {
            "detail": stale(7),
            "current_version": 1,
        },
    ),
    "version_float_stale": (
        409,
        {
            "detail": stale(7),
            "current_version": 1,
        },
    ),
    "version_string_decimal_stale": (
        409,
        {
            "detail": stale(7),
            "current_version": 1,
        },
    ),
    "version_huge": (
        409,
        {
            "detail": stale(10**30),
            "current_version": 1,
        },
    ),
    "version_spaces": (
        409,
        {
            "detail": stale(7),
            "current_version": 1,
        },
    ),
    "span_string": (400, {"detail": "must be an object", "field": "span"}),
    "span_list": (400, {"detail": "must be an object", "field": "span"}),
    "span_number": (400, {"detail": "must be an object", "field": "span"}),
    "span_extra_field": (400, {"detail": "is not a span field", "field": "span.colour"}),
    "span_bad_id": (400, {"detail": "must be 1-64 letters, digits or _-:.", "field": "span.id"}),
    "span_no_text": (400, {"detail": "must be the covered text", "field": "span.text"}),
    "span_wrong_text": (
        400,
        {
            "detail": "does not match the article: text[34:38] is 'داعش', got 'x'",
            "field": "span.text",
        },
    ),
    "span_bad_label": (400, {"detail": "unknown label 'NOPE'", "field": "span.label"}),
    "span_start_negative": (400, {"detail": "must be >= 0, got -1", "field": "span.start"}),
    "span_end_past": (
        400,
        {"detail": "must be <= 75 (the article's length), got 10000", "field": "span.end"},
    ),
    "span_start_string": (
        400,
        {"detail": "must be an integer (a code-point offset)", "field": "span.start"},
    ),
    "span_attributes_entity": (
        400,
        {"detail": "entity spans take no attributes, got ['stance']", "field": "span.attributes"},
    ),
    "span_attributes_list": (400, {"detail": "must be an object", "field": "span.attributes"}),
    "body_list": (
        400,
        {
            "detail": "Invalid data. Expected a dictionary, but got list.",
            "field": "",
            "errors": {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]},
        },
    ),
    "body_string": (
        400,
        {
            "detail": "Invalid data. Expected a dictionary, but got str.",
            "field": "",
            "errors": {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]},
        },
    ),
    "body_null": (
        400,
        {
            "detail": "This field is required.",
            "field": "version",
            "errors": {"version": ["This field is required."], "span": ["This field is required."]},
        },
    ),
    "both_bad": (
        400,
        {
            "detail": "A valid integer is required.",
            "field": "version",
            "errors": {
                "version": ["A valid integer is required."],
                "span": ["This field may not be null."],
            },
        },
    ),
}
RAW = [
    (
        "{",
        400,
        {
            "detail": "JSON parse error - Expecting property name enclosed in double quotes: "
            "line 1 column 2 (char 1)"
        },
    ),
    (
        "",
        400,
        {
            "detail": "This field is required.",
            "field": "version",
            "errors": {"version": ["This field is required."], "span": ["This field is required."]},
        },
    ),
    ("nul", 400, {"detail": "JSON parse error - Expecting value: line 1 column 1 (char 0)"}),
    (
        '{"version": 1, "span": {}} x',
        400,
        {"detail": "JSON parse error - Extra data: line 1 column 28 (char 27)"},
    ),
    (
        "null",
        400,
        {
            "detail": "No data provided",
            "field": "",
            "errors": {"non_field_errors": ["No data provided"]},
        },
    ),
    (
        "[]",
        400,
        {
            "detail": "Invalid data. Expected a dictionary, but got list.",
            "field": "",
            "errors": {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]},
        },
    ),
    (
        '{"version": 1, "span": {"start": 1e999}}',
        400,
        {
            "detail": "Value must be valid JSON.",
            "field": "span",
            "errors": {"span": ["Value must be valid JSON."]},
        },
    ),
]


@pytest.fixture
def draft(setup):  # noqa: F811
    body = start(setup)
    return body["assignment"]["id"], body["article"]["text"]


def assert_nothing_written(asid: int) -> None:
    annotation = Annotation.objects.get(assignment_id=asid)
    assert annotation.version == 1
    assert annotation.content["spans"] == []
    assert not AuditEvent.objects.filter(annotation=annotation, action=AuditAction.SAVE).exists()


def token_client(user) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Token {make_api_token(user)}")


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("auth", ["session", "token"])
def test_bad_input_gets_todays_answer_and_writes_nothing(setup, draft, name, auth):  # noqa: F811
    asid, text = draft
    user = setup.team.annotator
    client = client_for(user) if auth == "session" else token_client(user)
    response = client.post(spans_url(asid), bodies(text)[name], format="json")
    assert (response.status_code, response.json()) == EXPECTED[name]
    assert_nothing_written(asid)


@pytest.mark.parametrize(("raw", "status", "body"), RAW)
def test_a_body_that_is_not_an_object_gets_todays_answer(setup, draft, raw, status, body):  # noqa: F811
    asid, _ = draft
    response = token_client(setup.team.annotator).generic(
        "POST", spans_url(asid), raw, content_type="application/json"
    )
    assert (response.status_code, response.json()) == (status, body)
    assert_nothing_written(asid)


@pytest.mark.parametrize(
    ("who", "status", "detail"),
    [
        ("manager", 403, "Only the assigned annotator can change this annotation."),
        ("annotator2", 404, "No such assignment."),
        ("outsider", 404, "No such assignment."),
    ],
)
def test_access_is_decided_before_the_body_is_judged(setup, draft, who, status, detail):  # noqa: F811
    asid, text = draft
    span_saves.remember(Assignment.objects.select_related("project", "article").get(pk=asid))
    for body in ({"version": "x"}, {"version": 1, "span": span_of(text, "داعش", "ORG")}):
        response = token_client(setup.team[who]).post(spans_url(asid), body, format="json")
        assert (response.status_code, response.json()) == (status, {"detail": detail})
    assert_nothing_written(asid)


def test_extra_fields_of_the_body_are_ignored(setup, draft):  # noqa: F811
    asid, text = draft
    span = span_of(text, "داعش", "MILITARY_GROUP", span_id="e1")
    response = token_client(setup.team.annotator).post(
        spans_url(asid), {"version": "1", "span": span, "more": 1}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["span"] == span


def test_the_serializer_messages_keep_their_translation(setup, draft):  # noqa: F811
    asid, _ = draft
    client = token_client(setup.team.annotator)
    response = client.post(
        spans_url(asid), {"version": 0}, format="json", HTTP_ACCEPT_LANGUAGE="ar"
    )
    assert (response.status_code, response.json()) == (
        400,
        {
            "detail": "تأكد ان القيمة أكبر من أو تساوي 1.",
            "field": "version",
            "errors": {
                "version": ["تأكد ان القيمة أكبر من أو تساوي 1."],
                "span": ["هذا الحقل مطلوب."],
            },
        },
    )
    assert_nothing_written(asid)


def test_a_session_save_without_its_csrf_token_is_refused(setup, draft):  # noqa: F811
    asid, text = draft
    # As if this worker had saved here before: the one-statement path would be open.
    span_saves.remember(Assignment.objects.select_related("project", "article").get(pk=asid))
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(setup.team.annotator)
    span = span_of(text, "داعش", "MILITARY_GROUP", span_id="e1")
    response = client.post(spans_url(asid), {"version": 1, "span": span}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert_nothing_written(asid)
    response = client.delete(f"{spans_url(asid)}e1/?version=1")
    assert response.status_code == 403
    assert_nothing_written(asid)


@pytest.mark.parametrize(
    ("who", "status", "detail"),
    [
        ("manager", 403, "Only the assigned annotator can change this annotation."),
        ("annotator2", 404, "No such assignment."),
        ("outsider", 404, "No such assignment."),
    ],
)
def test_only_the_assignee_removes_a_span(setup, draft, who, status, detail):  # noqa: F811
    asid, text = draft
    span = span_of(text, "داعش", "MILITARY_GROUP", span_id="e1")
    assignee = token_client(setup.team.annotator)
    assert (
        assignee.post(spans_url(asid), {"version": 1, "span": span}, format="json").status_code
        == 201
    )
    response = token_client(setup.team[who]).delete(f"{spans_url(asid)}e1/?version=2")
    assert (response.status_code, response.json()) == (status, {"detail": detail})
    annotation = Annotation.objects.get(assignment_id=asid)
    assert (annotation.version, [s["id"] for s in annotation.content["spans"]]) == (2, ["e1"])


@pytest.mark.parametrize("span_id", ["a%00b", "%D8%AF", "x" * 65])
def test_removing_a_span_id_no_span_can_have_is_a_400(setup, draft, span_id):  # noqa: F811
    asid, _ = draft
    response = token_client(setup.team.annotator).delete(f"{spans_url(asid)}{span_id}/?version=1")
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "span_id"
    assert_nothing_written(asid)
