"""Draft, gold and audit documents compressed with lz4 on PostgreSQL (14+ built with lz4).

Every autosave rewrites the annotation's content document (tens of KB for a long article) and
writes an audit event; with PostgreSQL's default pglz, compressing those was a large part of
the database's CPU per save (bench/server_load.py). Other databases: nothing to do.
"""

from django.db import migrations

from workbench.sql import set_column_compression

COLUMNS = {
    "annotate_annotation": ("content",),
    "annotate_gold": ("content",),
    "annotate_auditevent": ("changes",),
    "annotate_agreementsnapshot": ("result",),
}


def use(method: str):
    def run(apps, schema_editor) -> None:
        for table, columns in COLUMNS.items():
            set_column_compression(schema_editor, table, columns, method)

    return run


class Migration(migrations.Migration):
    dependencies = [("annotate", "0002_audit_event_assignment")]

    operations = [migrations.RunPython(use("lz4"), use("DEFAULT"))]
