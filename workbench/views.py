"""Site-wide pages: the home page and the health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from annotate.views.projects import home as projects_home


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's projects with their role and progress."""
    return projects_home(request)


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 otherwise; for load balancers and process managers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": str(exc)}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
