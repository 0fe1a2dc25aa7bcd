"""Structured request logging: one JSON line per request, for production log pipelines."""

import json
import logging
import time
from collections.abc import Callable

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
