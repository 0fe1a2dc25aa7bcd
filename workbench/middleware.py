"""Structured request logging: one JSON line per request, for production log pipelines."""

import json
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

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
    errors.bad_request answers a JSON 413 when those are too large), and so are the endpoints
    whose body is a file (FILE_BODY_URLS), which count it against MAX_UPLOAD_BYTES.
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
            if length > limit and not _takes_a_file(request):
                return too_large_response()
        return self.get_response(request)


# The URL names of endpoints whose request body is an uploaded file, read as a stream.
FILE_BODY_URLS = frozenset({"corpus:api-import-stream"})


def _takes_a_file(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.view_name in FILE_BODY_URLS


def _is_multipart(request: HttpRequest) -> bool:
    return request.META.get("CONTENT_TYPE", "").lower().startswith("multipart/")
