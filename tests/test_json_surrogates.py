"""A lone surrogate (the JSON escape \\ud800 with no partner) is not text: anywhere in a JSON
body it is a 400 naming the field, nothing is stored, and it is never a 500 (PostgreSQL refuses
such a string with a DataError)."""

import copy
import json

import pytest
from rest_framework.test import APIClient

from annotate.lib.schema import default_schema
from annotate.models import Project
from tests.factories import make_project, make_user

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_lone_surrogate_in_a_label_name_is_a_400_naming_the_field():
    manager = make_user("mona")
    project = make_project(members={manager: "manager"})
    schema = copy.deepcopy(default_schema())
    schema["entity_labels"][0]["name"] = "ORG\ud800"
    body = json.dumps({"schema": schema})  # ensure_ascii: the escape \ud800 travels as text
    assert "\\ud800" in body
    response = client_for(manager).put(
        f"/api/projects/{project.pk}/schema/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "schema.entity_labels[0].name"
    assert "surrogate" in response.json()["detail"]
    project.refresh_from_db()
    assert project.schema_version == 1
    assert "\ud800" not in json.dumps(project.schema)


def test_a_lone_surrogate_anywhere_is_a_400_even_anonymous():
    response = APIClient().post(
        "/api/auth/token/",
        b'{"username": "mona", "password": "x\\udfff"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "password"


def test_a_project_name_with_a_lone_surrogate_is_not_stored():
    staff = make_user("sami", is_staff=True)
    response = client_for(staff).post(
        "/api/projects/", b'{"name": "News \\ud83d"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "name"
    assert not Project.objects.filter(name__startswith="News").exists()


def test_a_surrogate_pair_is_one_character_and_welcome():
    staff = make_user("sami", is_staff=True)
    response = client_for(staff).post(
        "/api/projects/", b'{"name": "News \\ud83d\\ude00"}', content_type="application/json"
    )
    assert response.status_code == 201
    assert Project.objects.get().name == "News \U0001f600"


def test_the_path_names_keys_and_list_positions():
    from annotate.api.parsers import lone_surrogate_path

    assert lone_surrogate_path({"a": [1, {"b": "ok"}, {"c": "\udc00"}]}) == "a[2].c"
    assert lone_surrogate_path({"a": ["fine", "\U0001f600"]}) is None
    assert lone_surrogate_path("\ud800") == ""
