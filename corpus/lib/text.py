"""Text rules shared by import, annotation, agreement and export. Pure: no Django.

- `decode_strict` + `canonicalise`: the one place article text is fixed, at import.
- `normalise_for_search`: a folded form for search and de-duplication only;
  `article_search_text` applies it to an article's title and text (`Article.search_text`).
- `tokenize`: tokens with code-point offsets into the canonical text.
- `is_cluster_boundary`: whether an offset may start or end a span (never between a letter
  and its combining marks).
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pyarabic import araby

if TYPE_CHECKING:
    # typeshed's name for the C EncodingMap that charmap_build returns; it has no runtime name.
    from _codecs import _EncodingMap

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
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii():  # no BOM, and already NFC
        return text
    return unicodedata.normalize("NFC", text.lstrip(BOM))


def content_hash(text: str) -> str:
    """SHA-256 hex of canonical text: the article's identity within a corpus."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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


def _normalise_for_search_general(text: str) -> str:
    """`normalise_for_search` for any text: NFKC, marks and digits, folds, casefold."""
    text = _SEARCH_RARE_RE.sub(_rare, unicodedata.normalize("NFKC", text))
    for char, replacement in _SEARCH_FOLDS:
        text = text.replace(char, replacement)
    return text.casefold()


# The characters of nearly all Arabic news text: printable ASCII with tab and newlines, the
# Arabic letters, marks, digits and punctuation, Persian letters and digits, Quranic marks,
# the quotes, dashes and invisible direction marks scraped text carries. For each of them the
# general folding above gives at most one character, and it depends on that character alone:
# none has a compatibility form but the no-break space (a space), none composes with a
# neighbour under NFKC (the hamza and madda marks U+0653-U+0655, which do, are left out), the
# combining marks among them are all removed, and casefolding changes only A-Z.
# tests/test_fast_search_folding_matches_reference.py checks every one of these claims for
# every character and every pair of characters.
SEARCH_FAST_ALPHABET = (
    "\x00\t\n\r"
    + "".join(chr(code) for code in range(0x20, 0x7F))
    + "\u060c\u061b\u061c\u061f"
    + "".join(chr(code) for code in range(0x0610, 0x061B))
    + "".join(chr(code) for code in range(0x0621, 0x063B))
    + "".join(chr(code) for code in range(0x0640, 0x0653))
    + "".join(chr(code) for code in range(0x0660, 0x066E))
    + "\u0670\u0671\u067e\u0686\u0698\u06a4\u06a9\u06af\u06cc\u06d4"
    + "".join(chr(code) for code in range(0x06D6, 0x06EE))
    + "".join(chr(code) for code in range(0x06F0, 0x06FA))
    + "\u00a0\u00ab\u00b0\u00bb\u00d7\u2013\u2014\u2018\u2019\u201c\u201d\u2022"
    + "\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def _search_fast_tables() -> tuple[dict[int, int] | _EncodingMap, bytes, bytes, str]:
    """The one-byte code of SEARCH_FAST_ALPHABET: its encoding map, the byte translation that
    folds, the bytes to delete, and the decoding table.

    Text written only in the alphabet is folded as bytes: `codecs.charmap_encode`, one
    `bytes.translate` and `codecs.charmap_decode` are three C loops, several times faster than
    the regular expression, the replaces and `str.casefold` over Arabic text.
    """
    alphabet = SEARCH_FAST_ALPHABET
    if len(alphabet) > 256 or len(set(alphabet)) != len(alphabet) or alphabet[0] != "\x00":
        raise ValueError("the search alphabet must be at most 256 distinct characters from NUL")
    code = {char: index for index, char in enumerate(alphabet)}
    table = bytearray(range(256))
    delete = bytearray()
    for index, char in enumerate(alphabet):
        image = _normalise_for_search_general(char)
        if image == "":
            delete.append(index)
        elif image in code:
            table[index] = code[image]
        else:
            raise ValueError(f"U+{ord(char):04X} folds to {image!r}, outside the alphabet")
    # A decoding table whose first character is NUL builds the fast EncodingMap, not a dict.
    decoding = alphabet + "\ufffe" * (256 - len(alphabet))
    return codecs.charmap_build(decoding), bytes(table), bytes(delete), decoding


_SEARCH_ENCODING, _SEARCH_TRANSLATION, _SEARCH_DELETE, _SEARCH_DECODING = _search_fast_tables()
_charmap_encode = codecs.charmap_encode
_charmap_decode = codecs.charmap_decode


def normalise_for_search(text: str) -> str:
    """Fold Arabic spelling variation for search: no tashkeel or tatweel, one alef, one hamza.

    Also folds presentation forms and lam-alef ligatures (NFKC), Arabic-Indic digits to ASCII
    digits, and case. Used for search and duplicate hints only; stored text and offsets never
    change.
    """
    try:
        folded = _charmap_encode(text, "strict", _SEARCH_ENCODING)[0]
    except UnicodeEncodeError:  # a character outside the common alphabet
        return _normalise_for_search_general(text)
    folded = folded.translate(_SEARCH_TRANSLATION, _SEARCH_DELETE)
    return _charmap_decode(folded, "strict", _SEARCH_DECODING)[0]


def article_search_text(title: str, text: str) -> str:
    """What `Article.search_text` holds: the title and the text on lines of their own, folded
    by `normalise_for_search`. The one definition; everything that writes an article uses it."""
    return normalise_for_search(f"{title}\n{text}")


def article_search_texts(articles: Iterable[tuple[str, str]]) -> list[str]:
    """`article_search_text` of many (title, text) pairs: what an import stores for a batch."""
    return [normalise_for_search(f"{title}\n{text}") for title, text in articles]


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
    if (after.isalnum() or after.isspace()) and before != ZWJ:
        # The common case, answered without Unicode lookups: a letter, digit or space is
        # never a mark, joiner or regional indicator (tests/test_text.py checks every one).
        return True
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


def _class_code(char: str) -> str:
    """One ASCII letter per character class, the alphabet `_TOKEN_RE` is written in.

    " " space; "A" Arabic-script letter (tatweel too); "L" other letter; "n" ZWNJ (a letter
    of no script); "m" combining mark or emoji modifier; "j" ZWJ; "d" digit; "q" punctuation
    that may separate digits; "p" other punctuation; "r" regional indicator; "y" other symbol.
    """
    cls = _char_class(char)
    if cls == "letter":
        return "n" if char == ZWNJ else "A" if _is_arabic_script(char) else "L"
    if cls == "mark":
        return "j" if char == ZWJ else "m"
    if cls == "punct":
        return "q" if char in NUMBER_SEPARATORS else "p"
    if cls == "symbol":
        return "r" if _is_regional_indicator(char) else "y"
    return {"space": " ", "digit": "d"}[cls]


class _ClassCodes(dict[int, str]):
    """`str.translate` table from code point to class code, filled once per distinct character."""

    def __missing__(self, code: int) -> str:
        value = self[code] = _class_code(chr(code))
        return value


_CLASS_CODES = _ClassCodes()

# The tokenizer as one regular expression over the class codes (possessive, so it never
# backtracks: each token is the longest run the rules allow, as in a left-to-right scan).
# Whatever follows a ZWJ (other than whitespace) is joined: "j++[^ ]?+". Two digits around one
# separator stay together: "(?<=d)qd". A word's letters are all Arabic script or all not.
_JOINED = r"j++[^ ]?+"
_JOINED_OR_NUMBER = rf"{_JOINED}|(?<=d)qd"
_TOKEN_RE = re.compile(
    rf"(?=[ALnmjd])(?:[nmd]++|{_JOINED_OR_NUMBER})*+"
    rf"(?:A(?:[Anmd]++|{_JOINED_OR_NUMBER})*+|L(?:[Lnmd]++|{_JOINED_OR_NUMBER})*+)?+"
    rf"|(?:rr?+|[pqy])(?:m++|{_JOINED})*+"
)
_LETTER_CODES = frozenset("ALn")


def _word_kind(codes: str) -> TokenKind:
    """Kind of a token that begins with a letter, digit or mark, from its class codes.

    A character joined by a ZWJ, or a digit joined by a separator, makes neither a word
    nor a number of the token.
    """
    if "j" not in codes:
        if "A" in codes or "L" in codes or "n" in codes:
            return "word"
        return "number" if "d" in codes else "symbol"
    has_digit = False
    joined = False  # this character was taken by a ZWJ or a separator, not as itself
    for code in codes:
        if joined:
            joined = False
        elif code in _LETTER_CODES:
            return "word"
        elif code == "d":
            has_digit = True
        elif code == "q":
            joined = True  # a separator between digits takes the digit after it
        if code == "j":
            joined = True
    return "number" if has_digit else "symbol"


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


# Token's generated __init__ goes through object.__setattr__ once per field (it is frozen);
# setting the slots directly builds the same immutable object in half the time, which is
# a third of the tokenizer's cost.
_new_token = object.__new__
# The slot descriptors are read from the class dict: type checkers know Token.start as an int.
_set_start: Callable[[Token, int], None] = vars(Token)["start"].__set__
_set_end: Callable[[Token, int], None] = vars(Token)["end"].__set__
_set_text: Callable[[Token, str], None] = vars(Token)["text"].__set__
_set_kind: Callable[[Token, TokenKind], None] = vars(Token)["kind"].__set__


def _token(start: int, end: int, text: str, kind: TokenKind) -> Token:
    token = _new_token(Token)
    _set_start(token, start)
    _set_end(token, end)
    _set_text(token, text)
    _set_kind(token, kind)
    return token


def iter_tokens(text: str) -> Iterator[Token]:
    """`tokenize` one token at a time."""
    codes = text.translate(_CLASS_CODES)
    for match in _TOKEN_RE.finditer(codes):
        start, end = match.span()
        first = codes[start]
        if first in "pq":
            kind: TokenKind = "punct"
        elif first in "ry":
            kind = "symbol"
        else:
            kind = _word_kind(match.group())
        yield _token(start, end, text[start:end], kind)


def token_bounds(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of `tokenize(text)`, without building Token objects."""
    return [match.span() for match in _TOKEN_RE.finditer(text.translate(_CLASS_CODES))]


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, as a browser counts it."""
    return len(text.encode("utf-16-le")) // 2
