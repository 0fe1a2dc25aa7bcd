"""Article text columns compressed with lz4 on PostgreSQL (14+ built with lz4).

PostgreSQL compresses every text value over about 2 KB; with its default pglz that was most
of the server's time when importing articles (bench/import_articles.py), and decompressing
it a good part of reading them back for exports. lz4 compresses several times faster for
a slightly larger table. Only new values are affected. Other databases: nothing to do.
"""

from django.db import migrations, transaction

COLUMNS = ("text", "search_text")


def _set_compression(schema_editor, method: str) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or connection.pg_version < 140000:
        return
    table = schema_editor.quote_name("corpus_article")
    changes = ", ".join(
        f"ALTER COLUMN {schema_editor.quote_name(column)} SET COMPRESSION {method}"
        for column in COLUMNS
    )
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} {changes}")
    except Exception as exc:  # a server built without lz4 keeps pglz
        if "not supported" not in str(exc):
            raise


def use_lz4(apps, schema_editor) -> None:
    _set_compression(schema_editor, "lz4")


def use_default(apps, schema_editor) -> None:
    _set_compression(schema_editor, "DEFAULT")


class Migration(migrations.Migration):
    dependencies = [("corpus", "0001_initial")]

    operations = [migrations.RunPython(use_lz4, use_default)]
