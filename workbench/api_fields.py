"""Serializer fields for the REST API that take JSON as its schema says.

DRF's CharField turns a JSON number or boolean into a string (``{"name": 7}`` names a corpus
"7"), so a client's type mistake is stored instead of refused, and the OpenAPI schema (type:
string) is not what the API does. Every serializer of the API uses these instead; a test in
tests/test_api_fields.py keeps it that way. Forms (multipart, urlencoded) get the same answers:
an empty text field is blank, not left out, and a boolean is "true" or "false", not 0 or "on".
"""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.utils import html


class StrictCharField(serializers.CharField):
    """A CharField that refuses anything but a string: no numbers, booleans, lists or objects."""

    default_error_messages = {"invalid": "Not a valid string: expected a JSON string."}

    def get_value(self, dictionary: Any) -> Any:
        # DRF takes an empty form field of an optional text as left out; the schema says
        # minLength 1, so it is refused as blank, as the same empty string in JSON is.
        if (
            html.is_html_input(dictionary)
            and dictionary.get(self.field_name) == ""
            and not self.allow_blank
            and not self.allow_null
        ):
            return ""
        return super().get_value(dictionary)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A BooleanField that takes JSON true/false, or "true"/"false" in a form: not 0, 1,
    "yes" or "on". A form that leaves it out leaves it out (DRF would read false)."""

    default_error_messages = {"invalid": "Not a valid boolean: expected true or false."}
    default_empty_html = empty
    FORM_VALUES = {"true": True, "false": False}

    def get_value(self, dictionary: Any) -> Any:
        value = super().get_value(dictionary)
        if html.is_html_input(dictionary) and isinstance(value, str):
            return self.FORM_VALUES.get(value.lower(), value)
        return value

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose generated text fields are StrictCharFields."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
    }
