"""The search folding corpus.lib.text used before its one-byte fast path (commit ef887aa).

Kept verbatim as the oracle `normalise_for_search` is compared with in
tests/test_fast_search_folding_matches_reference.py. Not used by the application.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from pyarabic import araby

ZWJ = "\u200d"
ZWNJ = "\u200c"


def _search_folding() -> tuple[str, tuple[tuple[str, str], ...], dict[str, str]]:
    """What `normalise_for_search` removes, the letters it folds, and the digit table.

    Built from pyarabic's letter names. Kept as plain strings because `str.replace` and one
    regular expression are about twenty times faster than `str.translate` with a dict on
    non-ASCII text, and search text is computed for every imported article.
    """
    # Every Arabic combining mark (tashkeel, Quranic annotation signs, superscript alef),
    # tatweel, and the invisible joiners and direction marks scraped text is full of.
    drop = set(araby.TASHKEEL) | {araby.TATWEEL, araby.MINI_ALEF, ZWJ, ZWNJ}
    drop |= {chr(c) for c in range(0x0610, 0x061B)} | {chr(c) for c in range(0x064B, 0x0660)}
    drop |= {chr(c) for c in range(0x06D6, 0x06EE)} - {"\u06de", "\u06e5", "\u06e6", "\u06e9"}
    drop |= set("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    folds = [
        (alef, araby.ALEF)
        for alef in (araby.ALEF_MADDA, araby.ALEF_HAMZA_ABOVE, araby.ALEF_HAMZA_BELOW)
    ]
    folds += [
        (araby.ALEF_WASLA, araby.ALEF),
        (araby.ALEF_MAKSURA, araby.YEH),  # often typed for final yeh, and the reverse
        ("\u06cc", araby.YEH),  # Farsi yeh
        ("\u06a9", araby.KAF),  # keheh
        (araby.WAW_HAMZA, araby.WAW),
        (araby.YEH_HAMZA, araby.YEH),
        (araby.TEH_MARBUTA, araby.HEH),  # teh marbuta / heh at word end are mixed
    ]
    digits = {
        digit: str(value)
        for table in (araby.NUMBERS_EAST, araby.NUMBERS_PERS)
        for value, digit in enumerate(table)
    }
    return "".join(sorted(drop)), tuple(folds), digits


def _regex_class(chars: Iterable[str]) -> re.Pattern[str]:
    """A regex character class written as ranges: much faster to match than a long list."""
    codes = sorted({ord(char) for char in chars})
    ranges: list[tuple[int, int]] = []
    for code in codes:
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    parts = [
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    ]
    return re.compile(f"[{''.join(parts)}]")


_SEARCH_DROP, _SEARCH_FOLDS, _SEARCH_DIGITS = _search_folding()
# One pass removes the marks and rewrites the digits: both are rare in news text, so the
# replacement function runs seldom and the scan itself is the cost.
_SEARCH_RARE = {**dict.fromkeys(_SEARCH_DROP, ""), **_SEARCH_DIGITS}
_SEARCH_RARE_RE = _regex_class(_SEARCH_RARE)


def _rare(match: re.Match[str]) -> str:
    return _SEARCH_RARE[match.group()]


def normalise_for_search(text: str) -> str:
    """Fold Arabic spelling variation for search: no tashkeel or tatweel, one alef, one hamza.

    Also folds presentation forms and lam-alef ligatures (NFKC), Arabic-Indic digits to ASCII
    digits, and case. Used for search and duplicate hints only; stored text and offsets never
    change.
    """
    text = _SEARCH_RARE_RE.sub(_rare, unicodedata.normalize("NFKC", text))
    for char, replacement in _SEARCH_FOLDS:
        text = text.replace(char, replacement)
    return text.casefold()
