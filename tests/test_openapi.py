"""The OpenAPI 3 schema: served at /api/schema/, valid, listing every annotate endpoint, and
generated without warnings for them; the docs page renders."""

from __future__ import annotations

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from tests.factories import make_user

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/auth/token/": {"post"},
    "/api/projects/": {"get", "post"},
    "/api/projects/{pid}/": {"get", "patch", "delete"},
    "/api/projects/{pid}/schema/": {"get", "put"},
    "/api/projects/{pid}/schema/versions/": {"get"},
    "/api/projects/{pid}/articles/": {"get", "post"},
    "/api/projects/{pid}/articles/{aid}/": {"get"},
    "/api/projects/{pid}/members/": {"get", "post"},
    "/api/projects/{pid}/members/{uid}/": {"patch", "delete"},
    "/api/projects/{pid}/assignments/generate/": {"post"},
    "/api/projects/{pid}/assignments/": {"get"},
    "/api/projects/{pid}/progress/": {"get"},
    "/api/projects/{pid}/queue/": {"get"},
    "/api/projects/{pid}/queue/next/": {"post"},
    "/api/projects/{pid}/annotations/": {"get"},
    "/api/assignments/{asid}/": {"get"},
    "/api/assignments/{asid}/reassign/": {"post"},
    "/api/assignments/{asid}/skip/": {"post"},
    "/api/assignments/{asid}/reopen/": {"post"},
    "/api/assignments/{asid}/annotation/": {"get", "put"},
    "/api/assignments/{asid}/annotation/submit/": {"post"},
    "/api/annotations/{anid}/history/": {"get"},
    "/api/assignments/{asid}/history/": {"get"},
}
OUR_SOURCES = (
    "annotate/api/projects.py",
    "annotate/api/annotations.py",
    "annotate/api/serializers.py",
    "annotate/api/base.py",
)


def test_schema_is_served_and_lists_every_endpoint(client):
    client.force_login(make_user())
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path, methods in ENDPOINTS.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), (path, set(schema["paths"][path]))
    validate_schema(schema)


def test_our_endpoints_generate_without_warnings_or_errors():
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    ours = [
        message
        for message in [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
        if any(source in message for source in OUR_SOURCES)
    ]
    GENERATOR_STATS.reset()
    assert ours == []
    validate_schema(schema)


def test_documented_shapes_match_the_contract():
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    annotation = set(components["Annotation"]["properties"])
    assert {
        "id",
        "assignment",
        "version",
        "status",
        "content",
        "schema_version",
        "updated_at",
    } <= annotation
    article = set(components["ProjectArticleText"]["properties"])
    assert {
        "id",
        "title",
        "text",
        "source",
        "url",
        "published_on",
        "external_id",
        "length",
    } <= article
    put = schema["paths"]["/api/assignments/{asid}/annotation/"]["put"]
    assert {"200", "400", "403", "404", "409"} <= set(put["responses"])
    listing = schema["paths"]["/api/projects/{pid}/assignments/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"annotator", "status", "article", "page"}
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_docs_page_renders(client):
    client.force_login(make_user())
    response = client.get("/api/docs/")
    assert response.status_code == 200
