"""Article text columns compressed with lz4 on PostgreSQL (14+ built with lz4).

PostgreSQL compresses every text value over about 2 KB; with its default pglz that was most
of the server's time when importing articles (bench/import_articles.py), and decompressing
it a good part of reading them back for exports. lz4 compresses several times faster for
a slightly larger table. Only new values are affected. Other databases: nothing to do.
"""

from django.db import migrations

from workbench.sql import set_column_compression

COLUMNS = ("text", "search_text")


def use(method: str):
    def run(apps, schema_editor) -> None:
        set_column_compression(schema_editor, "corpus_article", COLUMNS, method)

    return run


class Migration(migrations.Migration):
    dependencies = [("corpus", "0001_initial")]

    operations = [migrations.RunPython(use("lz4"), use("DEFAULT"))]
