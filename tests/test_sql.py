"""workbench.sql: hand-written SELECTs give the same model instances as the ORM."""

from __future__ import annotations

import json

import pytest

from annotate.models import Annotation, Role
from annotate.queue import do_generate_assignments, do_next
from annotate.sql import ANNOTATION, ANNOTATION_RAW
from tests.factories import make_article, make_project, make_user, span_of
from workbench.sql import Columns, fetch_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def annotation():
    annotator = make_user("ann")
    article = make_article(text="قال المتحدث إن داعش انسحبت من الرقة.")
    project = make_project(articles=[article], members={annotator: Role.ANNOTATOR})
    do_generate_assignments(project, k=1, fraction=1.0, seed=1, mode="preassign")
    _, found = do_next(project, annotator)
    found.content = {
        "spans": [span_of(article.text, "داعش", "MILITARY_GROUP", span_id="e1")],
        "relations": [],
        "document_labels": {"stance": {"isis": "against"}},
    }
    found.save()
    return found


def _select(columns: Columns, pk: int):
    table = Annotation._meta.db_table
    sql = f'SELECT {columns.sql} FROM "{table}" an WHERE an.id = %s'  # noqa: S608 - names
    return fetch_row(sql, [pk])


def test_built_instance_equals_the_orm_one(annotation):
    built = ANNOTATION.build(_select(ANNOTATION, annotation.pk))
    loaded = Annotation.objects.get(pk=annotation.pk)
    for field in Annotation._meta.concrete_fields:
        assert getattr(built, field.attname) == getattr(loaded, field.attname), field.name
    assert built.get_deferred_fields() == set()
    assert not built._state.adding


def test_raw_json_field_comes_as_text_and_stays_deferred(annotation):
    built = ANNOTATION_RAW.build(_select(ANNOTATION_RAW, annotation.pk))
    assert isinstance(built.content_json, str)
    assert json.loads(built.content_json) == annotation.content
    assert built.get_deferred_fields() == {"content"}
    assert built.version == annotation.version
    # Reading the deferred field loads it, as with .only().
    assert built.content == annotation.content


@pytest.mark.parametrize("name", ["version", "no_such_field"])
def test_raw_json_refuses_what_is_not_a_json_field(name):
    with pytest.raises(ValueError, match=name):
        Columns(Annotation, "an", raw_json=[name])
