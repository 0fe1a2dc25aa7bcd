"""Active time per assignment: milliseconds the annotation page was focused and in use."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("annotate", "0008_corpus_owners_from_projects")]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="active_ms",
            field=models.PositiveBigIntegerField(default=0),
        ),
    ]
