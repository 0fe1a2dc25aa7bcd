"""What every annotate API view shares: authentication, pagination and error bodies.

Errors come back as {"detail": message, "field": path} (400) or {"detail", "current_version"}
(409), whichever layer raised them: the pure validators (ContentError, SchemaError,
OverlapError), the workflow functions (ActionError, ConflictError) or DRF's input serializers.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from annotate.api.authentication import LeanTokenAuthentication
from annotate.errors import ActionError, ConflictError
from annotate.lib.content import ContentError
from annotate.lib.overlap import OverlapError
from annotate.lib.schema import SchemaError
from workbench.api_fields import StrictCharField
from workbench.pagination import StrictPageNumberPagination


class Pagination(StrictPageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class ErrorSerializer(serializers.Serializer):
    detail = StrictCharField()
    field = StrictCharField(required=False)


class ConflictSerializer(serializers.Serializer):
    detail = StrictCharField()
    current_version = serializers.IntegerField(required=False, allow_null=True)


# The error responses of the OpenAPI schema, for `responses={..., **ERRORS}` (or ERRORS[404]).
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input; `field` names it."),
    403: OpenApiResponse(ErrorSerializer, description="Your role is not enough."),
    404: OpenApiResponse(ErrorSerializer, description="No such object (or not yours)."),
}


def _first_error(detail: Any, prefix: str = "") -> tuple[str, str]:
    """The first (field path, message) in a DRF ValidationError detail."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key == "non_field_errors":
                name = prefix
            elif isinstance(key, int):  # ListField errors are keyed by index
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            return _first_error(value, name)
    if isinstance(detail, list):
        for i, value in enumerate(detail):
            if isinstance(value, dict | list):
                return _first_error(value, f"{prefix}[{i}]")
            return prefix, str(value)
    return prefix, str(detail)


def error_response(exc: Exception) -> Response | None:
    if isinstance(exc, ContentError | SchemaError | ActionError | OverlapError):
        field = exc.field
        if isinstance(exc, SchemaError) and not field.startswith("schema"):
            field = f"schema.{field}"
        return Response({"detail": exc.message, "field": field}, status=400)
    if isinstance(exc, ConflictError):
        body: dict[str, Any] = {"detail": exc.message}
        if exc.current_version is not None:
            body["current_version"] = exc.current_version
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, exceptions.ValidationError):
        field, message = _first_error(exc.detail)
        return Response({"detail": message, "field": field, "errors": exc.detail}, status=400)
    return None


class ApiErrorsMixin:
    # Token first, so anonymous requests get 401 with `WWW-Authenticate: Token` (session
    # authentication alone would answer 403).
    authentication_classes = [LeanTokenAuthentication, SessionAuthentication]

    def handle_exception(self, exc: Exception) -> Response:
        response = error_response(exc)
        if response is not None:
            return response
        return super().handle_exception(exc)  # type: ignore[misc]


class ApiView(ApiErrorsMixin, APIView):
    pass


class ListView(ApiErrorsMixin, GenericAPIView):
    pagination_class = Pagination

    def page_of(self, queryset) -> Response:
        """One page of `queryset`, serialised with the view's serializer_class."""
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
