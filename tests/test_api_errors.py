"""Every /api/ URL answers errors as JSON ({"detail": ...}): an unknown URL (404), a method the
route does not have (405), a body above DATA_UPLOAD_MAX_MEMORY_SIZE (413, naming the limit),
malformed JSON (400) and an unexpected exception (500, with no traceback). Pages keep their
HTML error pages."""

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from tests.factories import make_project
from workbench import errors

pytestmark = pytest.mark.django_db

LIMIT = settings.DATA_UPLOAD_MAX_MEMORY_SIZE


@pytest.fixture
def client(team):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(team.staff)
    return client


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    return body


@pytest.mark.parametrize(
    "url",
    [
        "/api/nothing-here/",
        "/api/projects/-1/",  # the route wants a non-negative id
        "/api/projects/1/nothing/",
        "/api/projects/99999999999999999999999999/",  # an id no database column can hold
        "/api/corpora/abc/",
    ],
)
def test_unknown_api_urls_are_json_404s(client, url):
    assert_json_error(client.get(url), 404)


def test_unknown_pages_keep_the_html_404(client):
    response = Client().get("/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_method_the_route_lacks_is_a_json_405(client):
    body = assert_json_error(client.delete("/api/projects/"), 405)
    assert "DELETE" in body["detail"]


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/x-www-form-urlencoded", "text/plain"]
)
def test_a_body_above_the_limit_is_a_json_413_naming_the_limit(client, content_type):
    body = b'{"name": "' + b"x" * LIMIT + b'"}'
    response = client.post("/api/projects/", body, content_type=content_type)
    assert str(LIMIT) in assert_json_error(response, 413)["detail"]


def test_multipart_fields_above_the_limit_are_a_json_413_too(client, team):
    project = make_project(members={team.staff: "manager"})
    response = client.post(
        f"/api/projects/{project.pk}/imports/", {"format": "x" * (LIMIT + 1)}, format="multipart"
    )
    assert str(LIMIT) in assert_json_error(response, 413)["detail"]


def test_anonymous_bodies_above_the_limit_are_refused_before_reading_them():
    response = APIClient().post(
        "/api/auth/token/", b"[" + b"1," * (LIMIT // 2) + b"1]", content_type="application/json"
    )
    assert_json_error(response, 413)


def test_malformed_json_is_a_json_400(client):
    response = client.post("/api/projects/", b'{"name": ', content_type="application/json")
    assert "JSON parse error" in assert_json_error(response, 400)["detail"]


def test_an_unexpected_exception_is_a_json_500_without_traceback(client, monkeypatch):
    def broken(user):
        raise RuntimeError("the secret internals")

    monkeypatch.setattr("annotate.api.projects.projects_for", broken)
    response = client.get("/api/projects/")
    body = assert_json_error(response, 500)
    assert "secret" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert set(body) == {"detail"}


def test_a_page_error_keeps_the_html_500():
    response = errors.server_error(RequestFactory().get("/projects/1/"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    api = errors.server_error(RequestFactory().get("/api/projects/1/"))
    assert api["Content-Type"] == "application/json"
