"""Arabic tokens as the recommenders see them. Pure: no Django.

Every token of `corpus.lib.text.tokenize` gets a normalised form (`normalise_for_search`:
tashkeel and tatweel removed, alef, hamza, yeh and teh marbuta folded, digits to ASCII,
case folded) and a map from each normalised character back to the code point it came from,
so a match found on the normalised form gives exact offsets into the article text.

Proclitics: a name is marked without the clitics written onto it (داعش inside وداعش,
الرقة inside بالرقة). `proclitic_cuts` lists where a word may be cut after a conjunction
(و، ف) and then a preposition (ب، ك، ل); the article ال stays with the name, as the
project's guidelines mark it (الجيش السوري), and a cut always leaves two letters or more.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from corpus.lib.text import (
    SEARCH_FAST_ALPHABET,
    Token,
    TokenKind,
    is_cluster_boundary,
    iter_tokens,
)
from corpus.lib.text import normalise_for_search as _fold

CONJUNCTIONS = "وف"
PREPOSITIONS = "بكل"
# A cut leaves a stem of at least this many normalised characters: ولد is not و + لد.
MIN_STEM = 2
_PROCLITICS = re.compile(f"[{CONJUNCTIONS}]?[{PREPOSITIONS}]?")
# Characters that folding may change: everything but the common characters it leaves as they
# are. A token without one is its own normalised form (most tokens of news text).
_KEPT = "".join(sorted(c for c in SEARCH_FAST_ALPHABET if c != "\x00" and _fold(c) == c))
_FOLDED = re.compile(f"[^{re.escape(_KEPT)}]")
# Sentence ends for the sequence model: it sees one sentence at a time.
SENTENCE_END = frozenset(".!?؟\n")


@dataclass(frozen=True, slots=True)
class NormToken:
    """A token, its normalised form, and where each normalised character starts in the text.

    `origin[i]` is the code-point offset (into the article) of the character that normalised
    character i came from; `origin` has one more entry, the token's end. None when the token
    is its own normalised form (then character i is at start + i).
    """

    start: int
    end: int
    kind: TokenKind
    norm: str
    origin: tuple[int, ...] | None

    def offset_of(self, cut: int) -> int:
        """Article offset where the token's normalised form is cut at `cut`."""
        return self.start + cut if self.origin is None else self.origin[cut]

    def cut_at(self, offset: int) -> int | None:
        """The normalised position whose character starts at article offset `offset`."""
        if self.origin is None:
            return offset - self.start if self.start <= offset <= self.end else None
        return self.origin.index(offset) if offset in self.origin else None


def norm_token(token: Token, *, plain: bool | None = None) -> NormToken:
    """The token normalised character by character (so every character maps back).

    `plain`: the caller knows whether the token holds a character folding changes.
    """
    if plain is None:
        plain = _FOLDED.search(token.text) is None
    if plain:  # most tokens: nothing to fold, the map is the identity
        return NormToken(token.start, token.end, token.kind, token.text, None)
    chars: list[str] = []
    starts: list[int] = []
    for i, char in enumerate(token.text):
        image = _fold(char)
        chars.append(image)
        starts.extend([token.start + i] * len(image))
    starts.append(token.end)
    return NormToken(token.start, token.end, token.kind, "".join(chars), tuple(starts))


def normalise_phrase(text: str) -> tuple[str, ...]:
    """A name's normalised tokens, the way the article's tokens are normalised."""
    return tuple(normed.norm for normed in norm_tokens(text))


def norm_tokens(text: str) -> list[NormToken]:
    """The article's tokens, normalised, with their maps (tokens that fold to nothing left out)."""
    changed = [match.start() for match in _FOLDED.finditer(text)]
    result = []
    for token in iter_tokens(text):
        k = bisect.bisect_left(changed, token.start)
        plain = k == len(changed) or changed[k] >= token.end
        normed = norm_token(token, plain=plain)
        if normed.norm:
            result.append(normed)
    return result


def proclitic_cuts(token: NormToken, text: str) -> list[int]:
    """Normalised positions where the token may be cut after proclitics, 0 (no cut) first.

    Only Arabic words are cut; each cut leaves MIN_STEM characters or more and falls on a
    cluster boundary of the article text (a mark never leaves its letter).
    """
    cuts = [0]
    if token.kind != "word":
        return cuts
    norm = token.norm
    match = _PROCLITICS.match(norm)
    if not match or not match.end():
        return cuts
    prefix = match.group()
    for length in range(1, len(prefix) + 1):
        if len(norm) - length < MIN_STEM:
            break
        if is_cluster_boundary(text, token.offset_of(length)):
            cuts.append(length)
    return cuts


def strip_proclitics(norm: str) -> str:
    """The normalised form without its longest proclitic cut (a feature, not a decision)."""
    match = _PROCLITICS.match(norm)
    length = match.end() if match else 0
    while length and len(norm) - length < MIN_STEM:
        length -= 1
    return norm[length:]


def gap_allows_join(text: str, left: NormToken, right: NormToken) -> bool:
    """Whether two neighbouring tokens may be parts of one name: spaces between, no line break."""
    gap = text[left.end : right.start]
    return "\n" not in gap and len(gap) <= 3
