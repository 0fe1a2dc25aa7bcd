"""The character-by-character tokenizer corpus.lib.text used before it became regex-driven.

Kept verbatim (returning plain tuples) as the oracle the fast tokenizer is compared with in
tests/test_fast_tokenizer_matches_reference.py. Not used by the application.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from pyarabic import araby

ZWJ = "\u200d"
ZWNJ = "\u200c"
TATWEEL = araby.TATWEEL
ARABIC_PUNCTUATION = frozenset("،؛؟«»“”‘’٪")
NUMBER_SEPARATORS = frozenset(".,٫٬")


def is_mark(char: str) -> bool:
    """A combining character that belongs to the letter before it (tashkeel, Mn/Mc/Me)."""
    return araby.is_tashkeel(char) or unicodedata.category(char).startswith("M")


def _is_joiner(char: str) -> bool:
    """Characters that extend the cluster before them: ZWJ, variation selectors, skin tones,
    emoji tag characters (subdivision flags)."""
    code = ord(char)
    return (
        char in (ZWJ, "\ufe0f", "\ufe0e")
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
    )


def _is_regional_indicator(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def is_cluster_boundary(text: str, offset: int) -> bool:
    """True when `offset` does not fall inside one visible character.

    Offsets 0 and len(text) are always boundaries. An offset just before a combining mark,
    a variation selector, a skin-tone modifier, an emoji tag or a zero-width joiner, just after
    a ZWJ (unless whitespace follows), or between the two regional indicators of a flag would
    split one visible character.
    """
    if offset <= 0 or offset >= len(text):
        return offset in (0, len(text))
    after = text[offset]
    before = text[offset - 1]
    if is_mark(after) or _is_joiner(after) or (before == ZWJ and not after.isspace()):
        return False
    if _is_regional_indicator(before) and _is_regional_indicator(after):
        # Flags pair regional indicators from the start of the run: 🇸🇾🇮🇶 splits after 2, 4.
        run = 0
        while offset - run - 1 >= 0 and _is_regional_indicator(text[offset - run - 1]):
            run += 1
        return run % 2 == 0
    return True


TokenKind = Literal["word", "number", "punct", "symbol"]


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    text: str
    kind: TokenKind


def _char_class(char: str) -> str:
    if char.isspace():
        return "space"
    if char == TATWEEL or char in (ZWNJ,):
        return "letter"
    if is_mark(char) or _is_joiner(char):
        return "mark"
    category = unicodedata.category(char)
    if category == "Nd":
        return "digit"
    if category.startswith("L") or category in ("No", "Nl"):
        return "letter"
    if category.startswith("P") or char in ARABIC_PUNCTUATION:
        return "punct"
    return "symbol"


def _is_arabic_script(char: str) -> bool:
    code = ord(char)
    return (
        0x0600 <= code <= 0x06FF
        or 0x0750 <= code <= 0x077F
        or 0x08A0 <= code <= 0x08FF
        or 0xFB50 <= code <= 0xFDFF
        or 0xFE70 <= code <= 0xFEFF
    )


def tokenize(text: str) -> list[Token]:
    """Split text into tokens with code-point offsets.

    Words are runs of letters and digits (with their marks and tatweel); a word breaks where
    its letters change between Arabic and another script (لـCNN gives لـ and CNN). Numbers are
    runs of digits, joined across one separator between two digits (3.5, ١٬٠٠٠); every
    punctuation mark (including ، ؛ ؟ « » “ ”) is its own token; a symbol such as an emoji is
    one token with its modifiers, ZWJ sequences and flag pairs. Whitespace separates tokens
    and belongs to none. Tokens never overlap, cover every non-space character, and
    `text[t.start:t.end] == t.text`.
    """
    return list(iter_tokens(text))


def iter_tokens(text: str) -> Iterator[Token]:
    n = len(text)
    i = 0
    kind: TokenKind
    while i < n:
        cls = _char_class(text[i])
        if cls == "space":
            i += 1
            continue
        start = i
        if cls in ("letter", "digit", "mark"):
            has_letter = cls == "letter"
            has_digit = cls == "digit"
            # Whether the last letter was Arabic script; None until a letter is seen.
            arabic: bool | None = None
            if cls == "letter" and text[i] != ZWNJ:
                arabic = _is_arabic_script(text[i])
            i += 1
            while i < n:
                char = text[i]
                nxt = _char_class(char)
                if text[i - 1] == ZWJ and nxt != "space":
                    i += 1  # whatever a zero-width joiner joins stays joined
                elif nxt == "letter":
                    if char != ZWNJ:
                        is_arabic = _is_arabic_script(char)
                        if arabic is not None and is_arabic != arabic:
                            break
                        arabic = is_arabic
                    has_letter = True
                    i += 1
                elif nxt == "mark":
                    i += 1
                elif nxt == "digit":
                    has_digit = True
                    i += 1
                elif (
                    char in NUMBER_SEPARATORS
                    and _char_class(text[i - 1]) == "digit"
                    and i + 1 < n
                    and _char_class(text[i + 1]) == "digit"
                ):
                    i += 2
                else:
                    break
            kind = "word" if has_letter else "number" if has_digit else "symbol"
        else:
            if (
                _is_regional_indicator(text[i])
                and i + 1 < n
                and _is_regional_indicator(text[i + 1])
            ):
                i += 1  # a flag: two regional indicators
            i += 1
            # Keep marks, variation selectors and ZWJ sequences with their base symbol.
            while i < n and (
                _char_class(text[i]) == "mark" or (text[i - 1] == ZWJ and not text[i].isspace())
            ):
                i += 1
            kind = "punct" if cls == "punct" else "symbol"
        yield Token(start, i, text[start:i], kind)
