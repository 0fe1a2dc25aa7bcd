"""Page-number pagination that refuses what the OpenAPI schema refuses.

DRF's paginator ignores a `page_size` that is not a number and answers 404 for `page=abc`;
the schema says both are positive integers. Here a malformed `page` or `page_size` is a 400
naming the parameter; a page past the end stays a 404 ("Invalid page.").
"""

from __future__ import annotations

from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.pagination import PageNumberPagination


class InvalidQueryParameter(APIException):
    """A 400 in the API's error shape ({"detail", "field"}) for any view."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, name: str, message: str) -> None:
        super().__init__({"detail": message, "field": name})


def _positive_int(request, name: str) -> None:
    value = request.query_params.get(name)
    if value is not None and not (value.isascii() and value.isdigit() and int(value) > 0):
        raise InvalidQueryParameter(name, f"{name} must be a positive integer, got {value!r}")


class StrictPageNumberPagination(PageNumberPagination):
    def paginate_queryset(self, queryset, request, view=None):
        _positive_int(request, self.page_query_param)
        if self.page_size_query_param:
            _positive_int(request, self.page_size_query_param)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["count", "next", "previous", "results"]
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters
