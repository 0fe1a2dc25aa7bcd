"""Site-wide views that belong to no app: the health check. (The home page is the annotate
app's project list, routed in workbench/urls.py.)"""

import logging

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 otherwise; for load balancers and process managers.

    The error itself names the database host and port: it goes to the log, and to staff only
    (whom a session can identify only while the database answers, so mostly: to the log).
    """
    error = _database_error()
    if error is None:
        return JsonResponse({"status": "ok", "database": "ok"})
    logger.error("health check: database unavailable: %s", error)
    body = {"status": "error"}
    if _is_staff(request):
        body["database"] = error
    return JsonResponse(body, status=503)


def _database_error() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any database failure means unhealthy
        return str(exc)
    return None


def _is_staff(request: HttpRequest) -> bool:
    try:
        return bool(request.user.is_staff)
    except Exception:  # noqa: BLE001 - the session or user lives in the database that failed
        return False
