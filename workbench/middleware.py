"""Structured request logging: one JSON line per request, for production log pipelines."""

import json
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("workbench.requests")


class RequestLogMiddleware:
    """Logs method, path, status, duration and user of every request as one JSON object."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        if logger.isEnabledFor(logging.INFO):
            user = getattr(request, "user", None)
            logger.info(
                json.dumps(
                    {
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "ms": round((time.perf_counter() - started) * 1000, 2),
                        "user": user.pk if user is not None and user.is_authenticated else None,
                        "bytes": len(response.content)
                        if not response.streaming and hasattr(response, "content")
                        else None,
                    },
                    separators=(",", ":"),
                )
            )
        return response


class ApiBodyLimitMiddleware:
    """A body above DATA_UPLOAD_MAX_MEMORY_SIZE sent to /api/ is a JSON 413 naming the limit.

    Checked on Content-Length before anything reads the body. Multipart bodies are left to
    Django (files count against MAX_UPLOAD_BYTES, their other fields against this limit, and
    errors.bad_request answers a JSON 413 when those are too large).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from workbench.errors import is_api, too_large_response

        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and is_api(request) and not _is_multipart(request):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                return too_large_response()
        return self.get_response(request)


def _is_multipart(request: HttpRequest) -> bool:
    return request.META.get("CONTENT_TYPE", "").lower().startswith("multipart/")
