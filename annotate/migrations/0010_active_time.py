"""Active time per assignment (milliseconds the annotation page was focused and in use), and
an index for the people page's assignments table in queue order."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("annotate", "0009_team_comments_reopen")]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="active_ms",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(fields=["project", "position", "id"], name="assignment_queue_order"),
        ),
    ]
