"""Text rules shared by import, annotation, agreement and export. Pure: no Django.

- `decode_strict` + `canonicalise`: the one place article text is fixed, at import.
- `normalise_for_search`: a folded form for search and de-duplication only.
- `tokenize`: tokens with code-point offsets into the canonical text.
- `is_cluster_boundary`: whether an offset may start or end a span (never between a letter
  and its combining marks).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from pyarabic import araby

BOM = "\ufeff"
ZWJ = "\u200d"
ZWNJ = "\u200c"
TATWEEL = araby.TATWEEL

# Arabic punctuation that is always its own token (Latin punctuation is too).
ARABIC_PUNCTUATION = frozenset("،؛؟«»“”‘’٪")
# Separators allowed between digits inside one number token: 3.5, 1,000, ٣٫٥, ١٬٠٠٠
NUMBER_SEPARATORS = frozenset(".,٫٬")


class DecodeError(ValueError):
    """Bytes that are not valid UTF-8; carries the byte position of the first bad byte."""

    def __init__(self, position: int, reason: str) -> None:
        self.position = position
        self.reason = reason
        super().__init__(f"not valid UTF-8 at byte {position}: {reason}")


def decode_strict(data: bytes) -> str:
    """Decode UTF-8 strictly; a bad byte raises DecodeError naming its byte position."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DecodeError(exc.start, exc.reason) from None


def canonicalise(text: str) -> str:
    """The stored form: BOM removed, CRLF and CR to LF, Unicode NFC. Idempotent."""
    if text.startswith(BOM):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def content_hash(text: str) -> str:
    """SHA-256 hex of canonical text: the article's identity within a corpus."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_for_search(text: str) -> str:
    """Fold Arabic spelling variation for search: no tashkeel or tatweel, one alef, one hamza.

    Used for search and duplicate hints only; stored text and offsets never change.
    """
    text = araby.strip_tashkeel(text)
    text = araby.strip_tatweel(text)
    text = araby.normalize_ligature(text)
    text = araby.normalize_alef(text)  # أ إ آ ٱ -> ا
    text = text.replace("ى", "ي")  # alef maqsura is often typed as yeh
    text = text.replace("ؤ", "و").replace("ئ", "ي")
    text = text.replace("ة", "ه")  # teh marbuta / heh at word end are mixed in scraped text
    return text.casefold()


def is_mark(char: str) -> bool:
    """A combining character that belongs to the letter before it (tashkeel, Mn/Mc/Me)."""
    return araby.is_tashkeel(char) or unicodedata.category(char).startswith("M")


def _is_joiner(char: str) -> bool:
    return char in (ZWJ, "\ufe0f", "\ufe0e") or 0x1F3FB <= ord(char) <= 0x1F3FF


def is_cluster_boundary(text: str, offset: int) -> bool:
    """True when `offset` does not fall between a character and its combining marks.

    Offsets 0 and len(text) are always boundaries. An offset just before a combining mark,
    a variation selector, a skin-tone modifier or a zero-width joiner (or just after a ZWJ)
    would split one visible character.
    """
    if offset <= 0 or offset >= len(text):
        return offset in (0, len(text))
    after = text[offset]
    before = text[offset - 1]
    return not (is_mark(after) or _is_joiner(after) or before == ZWJ)


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


def tokenize(text: str) -> list[Token]:
    """Split text into tokens with code-point offsets.

    Words are runs of letters and digits (with their marks and tatweel); numbers are runs of
    digits, joined across one separator between digits (3.5, ١٬٠٠٠); every punctuation mark
    (including ، ؛ ؟ « » “ ”) is its own token; a symbol such as an emoji is one token with its
    modifiers. Whitespace separates tokens and belongs to none. Tokens never overlap, cover every
    non-space character, and `text[t.start:t.end] == t.text`.
    """
    return list(iter_tokens(text))


def iter_tokens(text: str) -> Iterator[Token]:
    n = len(text)
    i = 0
    while i < n:
        cls = _char_class(text[i])
        if cls == "space":
            i += 1
            continue
        start = i
        if cls in ("letter", "digit", "mark"):
            has_letter = cls == "letter"
            i += 1
            while i < n:
                nxt = _char_class(text[i])
                if nxt in ("letter", "mark"):
                    has_letter = has_letter or nxt == "letter"
                    i += 1
                elif nxt == "digit":
                    i += 1
                elif (
                    text[i] in NUMBER_SEPARATORS
                    and not has_letter
                    and i + 1 < n
                    and _char_class(text[i + 1]) == "digit"
                ):
                    i += 2
                else:
                    break
            kind: TokenKind = "word" if has_letter else "number"
        else:
            i += 1
            # Keep marks, variation selectors and ZWJ sequences with their base symbol.
            while i < n and (
                _char_class(text[i]) == "mark"
                or (text[i - 1] == ZWJ and _char_class(text[i]) == "symbol")
            ):
                i += 1
            kind = "punct" if cls == "punct" else "symbol"
        yield Token(start, i, text[start:i], kind)


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, as a browser counts it."""
    return len(text.encode("utf-16-le")) // 2
