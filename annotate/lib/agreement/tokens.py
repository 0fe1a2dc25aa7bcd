"""Token boundaries of `corpus.lib.text.tokenize`, fast enough for whole projects. Pure.

`corpus.lib.text.tokenize` costs about a millisecond per 1,500-character article; agreement needs
the tokens of every multiply-annotated article at once. Two facts make a fast, exact shortcut
possible (tests/test_agreement_batch.py checks both, and the equality of the results, on random
and real texts):

- tokens never contain whitespace and whitespace always ends a token, so the tokens of a text
  are the tokens of its whitespace-separated chunks, shifted by each chunk's offset;
- a chunk made only of Arabic letters and Arabic combining marks is one token.

So most chunks (plain Arabic words) are found with array operations, and only the others
(punctuation, digits, Latin, emoji) go through `corpus.lib.text.token_bounds`, once per distinct
chunk.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from itertools import chain

import numpy as np

from corpus.lib.text import token_bounds as corpus_token_bounds

_MEMO_LIMIT = 1_000_000
SPACE, WORD, OTHER = 0, 1, 2


class _ChunkMemo(dict[str, tuple[int, ...]]):
    """chunk -> flat (start, end, start, end, ...) offsets of its tokens, filled on demand."""

    def __missing__(self, chunk: str) -> tuple[int, ...]:
        if len(self) >= _MEMO_LIMIT:
            self.clear()
        value = tuple(offset for bounds in corpus_token_bounds(chunk) for offset in bounds)
        self[chunk] = value
        return value


_MEMO = _ChunkMemo()


def ranks(counts: np.ndarray) -> np.ndarray:
    """0..c-1 for each c in counts, concatenated."""
    counts = np.asarray(counts, dtype=np.int64)
    within: np.ndarray = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(
        np.cumsum(counts) - counts, counts
    )
    return within


def is_word_char(char: str) -> bool:
    """An Arabic letter or Arabic combining mark (runs of these are one token)."""
    return 0x0600 <= ord(char) <= 0x06FF and unicodedata.category(char)[0] in "LM"


@cache
def char_kinds() -> np.ndarray:
    """SPACE, WORD or OTHER for every code point.

    SPACE is str.isspace() (the tokenizer's whitespace); every whitespace character is in
    the Basic Multilingual Plane (a test checks it), so the scan stops there.
    """
    table = np.full(0x110000, OTHER, dtype=np.uint8)
    table[[code for code in range(0x10000) if chr(code).isspace()]] = SPACE
    table[[code for code in range(0x0600, 0x0700) if is_word_char(chr(code))]] = WORD
    return table


def token_bounds(text: str) -> np.ndarray:
    """(n, 2) int array of token [start, end) offsets, equal to those of tokenize(text)."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    kinds = char_kinds()[codes]
    space = np.ones(len(codes) + 2, dtype=np.int8)
    space[1:-1] = kinds == SPACE
    # Alternating chunk starts and ends: where whitespace turns into text and back.
    edges = np.flatnonzero(np.diff(space)).astype(np.int64)
    starts, ends = edges[0::2], edges[1::2]
    other = np.concatenate(([0], np.cumsum(kinds == OTHER, dtype=np.int64)))
    mixed = np.flatnonzero(other[ends] - other[starts])
    if len(mixed) == 0:
        return edges.reshape(-1, 2)
    # Chunks such as «word» or word، hold several tokens; place their offsets in between.
    rels = [
        _MEMO[text[s:e]] for s, e in zip(starts[mixed].tolist(), ends[mixed].tolist(), strict=True)
    ]
    sizes = np.fromiter(map(len, rels), dtype=np.int64, count=len(rels))
    counts = np.ones(len(starts), dtype=np.int64)
    counts[mixed] = sizes // 2
    first = np.cumsum(counts) - counts
    out = np.empty((int(counts.sum()), 2), dtype=np.int64)
    plain = np.ones(len(starts), dtype=bool)
    plain[mixed] = False
    out[first[plain], 0] = starts[plain]
    out[first[plain], 1] = ends[plain]
    flat = np.fromiter(chain.from_iterable(rels), dtype=np.int64, count=int(sizes.sum()))
    flat += np.repeat(starts[mixed], sizes)
    positions = np.repeat(first[mixed], counts[mixed]) + ranks(counts[mixed])
    out[positions] = flat.reshape(-1, 2)
    return out
