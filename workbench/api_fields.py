"""Serializer fields for the REST API that take JSON as its schema says.

DRF's CharField turns a JSON number or boolean into a string (``{"name": 7}`` names a corpus
"7"), so a client's type mistake is stored instead of refused, and the OpenAPI schema (type:
string) is not what the API does. Every serializer of the API uses these instead; a test in
tests/test_api_fields.py keeps it that way.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A CharField that refuses anything but a string: no numbers, booleans, lists or objects."""

    default_error_messages = {"invalid": "Not a valid string: expected a JSON string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose generated text fields are StrictCharFields."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
    }
