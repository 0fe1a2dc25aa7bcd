"""String fields of the API take JSON strings only: a number or a boolean is refused, not stored.

DRF's own CharField turns ``7`` into ``"7"``; the OpenAPI schema says ``type: string``, so a
client that sends a number has made a mistake the API must name (schemathesis's negative
cases check the same from outside, in tests/test_api_contract.py).
"""

import ast
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from annotate.models import Project, Role
from corpus.models import Corpus
from tests.factories import make_project

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
APPS = ("annotate", "corpus", "workbench")


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("name", [7, 7.5, True, None, ["x"], {"x": 1}])
def test_a_corpus_name_that_is_not_a_string_is_refused_and_nothing_created(team, name):
    answer = client_for(team.staff).post("/api/corpora/", {"name": name}, format="json")
    assert answer.status_code == 400, answer.content
    assert answer.json()["field"] == "name"
    assert not Corpus.objects.exists()


def test_a_project_name_that_is_a_number_is_refused(team):
    answer = client_for(team.staff).post("/api/projects/", {"name": 2026}, format="json")
    assert answer.status_code == 400, answer.content
    assert "string" in answer.json()["detail"]
    assert not Project.objects.exists()


def test_a_login_with_numbers_for_username_and_password_is_refused(team):
    answer = APIClient().post("/api/auth/token/", {"username": 1, "password": 2}, format="json")
    assert answer.status_code == 400, answer.content


def test_a_member_username_that_is_a_number_is_refused(team):
    project = make_project("p", members={team.manager: Role.MANAGER})
    answer = client_for(team.manager).post(
        f"/api/projects/{project.pk}/members/", {"username": 42, "role": "annotator"}, format="json"
    )
    assert answer.status_code == 400, answer.content
    assert project.memberships.count() == 1


def test_strings_are_still_taken(team):
    answer = client_for(team.staff).post("/api/corpora/", {"name": "أخبار ٢٠٢٦"}, format="json")
    assert answer.status_code == 201, answer.content
    assert Corpus.objects.get().name == "أخبار ٢٠٢٦"


def _plain_drf_text_fields(path: Path) -> list[str]:
    """Uses of serializers.CharField / serializers.ModelSerializer in one module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in {"CharField", "ModelSerializer"}
            and isinstance(node.value, ast.Name)
            and node.value.id == "serializers"
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} serializers.{node.attr}")
    return found


def test_every_serializer_uses_the_strict_text_fields():
    allowed = ROOT / "workbench" / "api_fields.py"
    offenders = [
        hit
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if path != allowed and "migrations" not in path.parts
        for hit in _plain_drf_text_fields(path)
    ]
    assert not offenders, (
        "use workbench.api_fields.StrictCharField / StrictModelSerializer:\n" + "\n".join(offenders)
    )
