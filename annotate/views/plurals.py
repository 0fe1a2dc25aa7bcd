"""Plural forms for page scripts, which have no translation catalogue.

A script that shows a count gets, for each message, the translated text for every CLDR plural
category of the language (made here with Django's ngettext at a number of that category) and
picks one with `Intl.PluralRules` (static/js/page.js `plural`). The numbers below fall in one
category each under both CLDR and the Plural-Forms of our catalogues: English one/other,
Arabic zero/one/two/few (3-10)/many (11-99)/other (100-102, ...).
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

# A number of each CLDR category, as a message's %(count)s would be filled.
CATEGORY_SAMPLES = {"zero": 0, "one": 1, "two": 2, "few": 3, "many": 11, "other": 100}
CATEGORIES_BY_LANGUAGE = {"ar": ("zero", "one", "two", "few", "many", "other")}
DEFAULT_CATEGORIES = ("one", "other")


def plural_forms(message: Callable[[int], str], language: str) -> dict[str, str]:
    """{category: template} for `message`, a function calling ngettext with literal strings
    (so makemessages finds them), e.g. lambda n: ngettext("%(count)s span", "%(count)s spans", n).
    """
    base = (language or "en").split("-")[0].lower()
    categories = CATEGORIES_BY_LANGUAGE.get(base, DEFAULT_CATEGORIES)
    return {category: message(CATEGORY_SAMPLES[category]) for category in categories}


def list_separator() -> str:
    """What joins the names in a list: ", " in English, the Arabic comma in Arabic."""
    return _(", ")
