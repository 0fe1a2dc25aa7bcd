"""The `<id:...>` path converter: a database id, 0 to 18 digits.

Django's `<int:...>` takes any number of digits, and an id past the 64-bit range of the id
columns made the lookup fail with an OverflowError (SQLite) or a DataError (PostgreSQL): a 500
where the answer is plainly 404. Eighteen digits always fit; a longer number matches no route.
The OpenAPI schema says the same (SPECTACULAR_SETTINGS["PATH_CONVERTER_OVERRIDES"]).
"""

from django.urls import register_converter
from django.urls.converters import IntConverter

MAX_ID = 10**18 - 1


class IdConverter(IntConverter):
    regex = "[0-9]{1,18}"


register_converter(IdConverter, "id")
