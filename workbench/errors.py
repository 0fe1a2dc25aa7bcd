"""Error answers: JSON on every /api/ URL, the usual HTML pages everywhere else.

DRF answers the errors raised inside its views ({"detail": ...}); these handlers cover what
happens before or around them: a URL under /api/ that matches no route (or an id too large for
the database), a body above DATA_UPLOAD_MAX_MEMORY_SIZE, a bad request Django refuses itself,
and an unhandled exception (a 500 whose body says nothing of the traceback: that goes to the
log).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def too_large_response() -> JsonResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    message = _(
        "The request body is larger than the limit of %(limit)s bytes (%(mib)s MiB); "
        "upload large files as multipart/form-data."
    ) % {"limit": limit, "mib": round(limit / (1024 * 1024), 1)}
    return JsonResponse({"detail": message, "limit": limit}, status=413)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig) and is_api(request):
        return too_large_response()
    if is_api(request):
        return JsonResponse({"detail": _("Bad request.")}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return JsonResponse(
            {"detail": _("You do not have permission to perform this action.")}, status=403
        )
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": _("Server error: it has been logged.")}, status=500)
    return defaults.server_error(request)
