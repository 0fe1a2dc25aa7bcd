"""Move DRF's plain-text tokens (rest_framework.authtoken, no longer installed) into ApiToken.

Each key is kept working: its SHA-256 becomes an ApiToken expiring API_TOKEN_DAYS from now,
and the plain row is deleted, so no key stays readable at rest. The old table is left empty
(nothing reads it); a database that never had it is skipped.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone

PLAIN_TABLE = "authtoken_token"


def hash_plain_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if PLAIN_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("annotate", "ApiToken")
    now = timezone.now()
    expires_at = now + timedelta(days=settings.API_TOKEN_DAYS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id FROM {PLAIN_TABLE}")  # noqa: S608 - a constant
        rows = cursor.fetchall()
    ApiToken.objects.bulk_create(
        ApiToken(
            user_id=user_id,
            name="migrated",
            prefix=key[:8],
            key_hash=hashlib.sha256(key.encode("utf-8")).hexdigest(),
            created_at=now,
            expires_at=expires_at,
        )
        for key, user_id in rows
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {PLAIN_TABLE}")  # noqa: S608 - a constant


class Migration(migrations.Migration):
    dependencies = [("annotate", "0006_api_tokens")]

    operations = [migrations.RunPython(hash_plain_tokens, migrations.RunPython.noop)]
