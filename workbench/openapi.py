"""The OpenAPI schema's view class: every operation documents the errors it can answer.

drf-spectacular documents only the codes each view names. These are added wherever the
view does not name them, with the API's error body ({"detail", "field"}):

- 400 for a request with a body or query parameters (invalid input, malformed JSON);
- 401 and 403 unless anyone may call it (no credentials; a role that is not enough);
- 404 for a path with ids (no such object, or not yours) and for pages past the end;
- 413 and 415 for a request with a body (above DATA_UPLOAD_MAX_MEMORY_SIZE; not JSON).
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from workbench.api_fields import StrictCharField


class ApiErrorSerializer(serializers.Serializer):
    detail = StrictCharField()
    field = StrictCharField(required=False)


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ApiErrorSerializer, description=description)


class WorkbenchAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in self._error_responses().items():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    response, str(code), direction=direction
                )
        return responses

    def _error_responses(self) -> dict[int, OpenApiResponse]:
        with_body = self.method in ("POST", "PUT", "PATCH")
        query = [p for p in self._get_parameters() if p.get("in") == "query"]
        public = all(
            issubclass(permission, AllowAny)
            for permission in getattr(self.view, "permission_classes", [])
        )
        paginated = any(p["name"] == "page" for p in query)
        errors: dict[int, OpenApiResponse] = {}
        if with_body or query:
            errors[400] = _error("Invalid input; `field` names it.")
        if not public:
            errors[401] = _error("No credentials, or expired ones.")
            errors[403] = _error("Your role is not enough.")
        if "{" in self.path or paginated:
            errors[404] = _error("No such object (or not yours), or no such page.")
        if with_body:
            errors[413] = _error("The body is larger than the limit.")
            errors[415] = _error("The body's content type is not accepted.")
        return errors
