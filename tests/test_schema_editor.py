"""The schema editor page: saves make versions with their note, refusals keep what was typed
and say where, descriptions reach the annotation page's palette as tooltips."""

from __future__ import annotations

import json
import re

import pytest

from annotate.lib.schema import SchemaError, check_schema, default_schema
from annotate.models import Assignment, Project, SchemaVersion
from tests.base import ProjectTeam, login
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(team):
    return ProjectTeam.create(team, articles=[make_article()]).project


def url(project) -> str:
    return f"/projects/{project.pk}/schema/edit/"


def test_descriptions_are_optional_and_checked():
    schema = default_schema()
    assert check_schema(schema) == schema  # no description: the canonical form is unchanged
    schema["entity_labels"][0]["description"] = "  people, by name "
    assert check_schema(schema)["entity_labels"][0]["description"] == "people, by name"
    schema["entity_labels"][0]["description"] = "x" * 301
    with pytest.raises(SchemaError) as caught:
        check_schema(schema)
    assert caught.value.field == "entity_labels[0].description"


def test_a_manager_saves_a_new_version_with_a_note(client, team, project):
    login(client, team.manager)
    assert client.get(url(project)).status_code == 200
    schema = default_schema()
    schema["entity_labels"].insert(
        1,
        {
            "key": "WEAPON",
            "name": "سلاح",
            "color": "#123456",
            "shortcut": "8",
            "retired": False,
            "description": "أسلحة وذخائر",
        },
    )
    response = client.post(
        url(project), {"schema": json.dumps(schema, ensure_ascii=False), "note": "weapons"}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.schema_version == 2
    assert project.schema["entity_labels"][1]["key"] == "WEAPON"
    version = SchemaVersion.objects.get(project=project, version=2)
    assert (version.note, version.created_by) == ("weapons", team.manager)


def test_invalid_json_is_kept_as_typed_with_its_line(client, team, project):
    login(client, team.manager)
    typed = json.dumps(default_schema(), indent=2).replace('"name": "Person",', '"name": "Person"')
    response = client.post(url(project), {"schema": typed, "note": "typo"})
    assert response.status_code == 400
    html = response.content.decode()
    assert typed.replace('"', "&quot;") in html  # the textarea holds the text as typed
    data = response.context["editor_data"]
    assert data["text"] == typed
    assert data["error"]["line"] == 6
    assert data["error"]["message"].startswith("not valid JSON: Expecting ','")
    project.refresh_from_db()
    assert project.schema_version == 1


def test_a_shortcut_conflict_is_refused_naming_the_field_and_line(client, team, project):
    login(client, team.manager)
    schema = default_schema()
    schema["entity_labels"][2]["shortcut"] = "1"
    typed = json.dumps(schema, indent=2)
    response = client.post(url(project), {"schema": typed})
    assert response.status_code == 400
    error = response.context["editor_data"]["error"]
    assert error["field"] == "entity_labels[2].shortcut"
    assert "'1' is already the shortcut of PER" in error["message"]
    assert typed.splitlines()[error["line"] - 1].strip() == '"shortcut": "1",'
    assert response.context["editor_data"]["text"] == typed
    assert Project.objects.get(pk=project.pk).schema_version == 1


@pytest.mark.parametrize(
    ("who", "expected"), [("reviewer", 403), ("annotator", 403), ("outsider", 404)]
)
def test_only_managers_edit_the_schema(client, team, project, who, expected):
    login(client, team[who])
    assert client.get(url(project)).status_code == expected
    schema = default_schema()
    schema["entity_labels"][0]["name"] = "x"
    assert client.post(url(project), {"schema": json.dumps(schema)}).status_code == expected
    assert Project.objects.get(pk=project.pk).schema_version == 1
    client.logout()
    assert client.get(url(project)).status_code == 302


def test_a_description_is_the_palette_buttons_tooltip(client, team, project):
    schema = default_schema()
    schema["entity_labels"][0]["description"] = "الأشخاص بأسمائهم"
    login(client, team.manager)
    client.post(url(project), {"schema": json.dumps(schema, ensure_ascii=False)})
    assignment = Assignment.objects.create(
        project=project, article=project.project_articles.first().article, annotator=team.annotator
    )
    login(client, team.annotator)
    html = client.get(f"/assignments/{assignment.pk}/annotate/").content.decode()
    button = re.search(r'<button[^>]*data-label="PER"[^>]*>', html).group(0)
    assert 'title="الأشخاص بأسمائهم"' in button
