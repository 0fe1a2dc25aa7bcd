"""The code paths that exist only for PostgreSQL give what the portable ones give.

Each PostgreSQL-only branch (found with `grep -rn vendor annotate corpus workbench`) runs in the
PostgreSQL pass of CI only, where the portable branch does not run. Here both run on one
database and must agree: on PostgreSQL the fast branch against the portable one or an ORM
reference, on SQLite the portable branch against the same reference. The draft save's CTE is
checked in tests/test_sql_equivalence.py. The two schema tunings (lz4 TOAST compression,
fillfactor 70 for drafts) have no SQLite equivalent; their tests check PostgreSQL got them.
"""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db import connection

from annotate.agreement import submitted_docs
from annotate.exports import _driver_rows
from annotate.lib.agreement.documents import doc_from_content
from annotate.lib.agreement.report import label_space
from annotate.models import Annotation, AnnotationStatus, Role
from corpus import importing
from corpus.lib.parsers import Origin, ParsedArticle
from corpus.models import Article
from tests.factories import make_annotation, make_article, make_project, make_user, span_of

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a PostgreSQL-only setting; run with DATABASE_URL"
)

TEXT = "قال المتحدث باسم التحالف إن «داعش» انسحبت من الرقة 👍🏽 في 2017، وفق BBC."
AT = dt.datetime(2026, 2, 3, 4, 5, 6, 789000, tzinfo=dt.UTC)


def _project_with_annotations():
    people = [make_user() for _ in range(3)]
    articles = [make_article(text=TEXT), make_article(text="نصٌّ آخر بلا مسميات.")]
    project = make_project(articles=articles, members=dict.fromkeys(people, Role.ANNOTATOR))
    claim = {
        **span_of(TEXT, "انسحبت من الرقة", "CLAIM", span_id="c1"),
        "attributes": {"claimant": "author", "stance": "reports", "checkworthy": True},
    }
    entity = span_of(TEXT, "داعش", "MILITARY_GROUP", span_id="e1")
    coalition = span_of(TEXT, "التحالف", "ORG", span_id="e2")
    make_annotation(
        project,
        articles[0],
        people[0],
        spans=[entity, coalition, claim],
        relations=[{"id": "r1", "type": "claimant", "from": "c1", "to": "e2"}],
        stance={"isis": "against", "syrian_army": "not_mentioned"},
        submitted_at=AT,
    )
    # A span without an id: the PostgreSQL path falls back to reading the whole document.
    no_id = {k: v for k, v in entity.items() if k != "id"}
    make_annotation(project, articles[0], people[1], spans=[no_id], stance={"isis": "favor"})
    make_annotation(project, articles[1], people[0], spans=[], stance={})
    make_annotation(project, articles[1], people[2], spans=[coalition], submitted=False)
    return project


def _docs_reference(project):
    """The documents as the portable branch of submitted_docs builds them."""
    claim_label = label_space(project.schema).claim_label
    rows = Annotation.objects.filter(project=project, status=AnnotationStatus.SUBMITTED)
    return [
        doc_from_content(
            content or {},
            article=article,
            annotator=annotator,
            claim_label=claim_label,
            submitted_at=submitted_at or updated_at,
        )
        for article, annotator, content, submitted_at, updated_at in rows.values_list(
            "article_id", "annotator_id", "content", "submitted_at", "updated_at"
        )
    ]


def test_submitted_docs_equal_the_portable_reading():
    project = _project_with_annotations()

    def key(doc):
        return (doc.article, doc.annotator)

    found = sorted(submitted_docs(project), key=key)
    assert found == sorted(_docs_reference(project), key=key)
    assert len(found) == 3


def test_driver_rows_as_utf8_bytes_decode_to_the_text():
    article = make_article(text=TEXT, title="عنوانٌ")
    rows = Article.objects.filter(pk=article.pk).values_list("id", "title", "text")
    as_text = list(_driver_rows(rows))
    as_bytes = list(_driver_rows(rows, text_as_utf8=True))
    decoded = [
        tuple(v.decode("utf-8") if isinstance(v, bytes) else v for v in row) for row in as_bytes
    ]
    assert decoded == as_text == [(article.pk, "عنوانٌ", TEXT)]
    if connection.vendor == "postgresql":
        assert isinstance(as_bytes[0][2], bytes)


def _imported(corpus_name: str, *, portable: bool) -> list[tuple]:
    records = [
        ParsedArticle(
            text=f"{TEXT}\nخبر رقم {i}",
            title=f"خبر {i}",
            origin=Origin("mem", i + 1),
            source="BBC Arabic" if i % 2 else "",
            url=f"https://example.org/{i}" if i % 3 else "",
            published_on=dt.date(2024, 1, 1 + i) if i % 2 else None,
            external_id=f"x-{i}",
            metadata={"وسم": ["سياسة", i]} if i % 2 else {},
        )
        for i in range(7)
    ]
    if portable:
        with mock.patch.object(importing, "_row_writer", importing._RowWriter):
            importing.do_import_articles(corpus_name, records, batch_size=3)
    else:
        importing.do_import_articles(corpus_name, records, batch_size=3)
    fields = [
        f.attname
        for f in Article._meta.concrete_fields
        if f.attname not in {"id", "corpus_id", "created_at"}
    ]
    return list(
        Article.objects.filter(corpus__name=corpus_name).order_by("id").values_list(*fields)
    )


def test_import_writes_the_same_rows_through_copy_and_insert():
    """On PostgreSQL the importer COPYs; the INSERT writer must store the same articles."""
    fast = _imported("copy", portable=False)
    portable = _imported("insert", portable=True)
    assert fast == portable
    assert len(fast) == 7


@on_postgres
def test_json_and_text_columns_use_lz4_compression_where_the_server_has_it():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, a.attname, a.attcompression FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE (c.relname, a.attname) IN (('corpus_article', 'text'), "
            "('annotate_annotation', 'content'), ('annotate_auditevent', 'changes'))"
        )
        found = {(table, column): method for table, column, method in cursor.fetchall()}
        cursor.execute("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
                       "AND 'lz4' = ANY(enumvals)")  # fmt: skip
        has_lz4 = cursor.fetchone() is not None
    assert len(found) == 3
    # Without lz4 in the server the migration keeps the default (pglz): shown as "".
    assert set(found.values()) == ({"l"} if has_lz4 else {""})


@on_postgres
def test_draft_rows_leave_room_for_in_place_updates():
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'annotate_annotation'")
        (options,) = cursor.fetchone()
    assert "fillfactor=70" in (options or [])
