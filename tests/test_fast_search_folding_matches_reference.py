"""The one-byte fast path of normalise_for_search gives exactly what the general folding gave.

tests/search_reference.py keeps the earlier implementation verbatim as the oracle.
"""

import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st

from corpus.lib import text as corpus_text
from corpus.lib.text import SEARCH_FAST_ALPHABET, normalise_for_search
from tests import search_reference
from tests.test_fast_tokenizer_matches_reference import HARD_ALPHABET

oracle = search_reference.normalise_for_search

# The alphabet with its near neighbours: the hamza and madda marks that compose, presentation
# forms, Latin letters with accents (precomposed and combining), a compatibility ellipsis,
# Persian letters the alphabet leaves out, characters beyond the Basic Multilingual Plane.
NEAR_ALPHABET = (
    SEARCH_FAST_ALPHABET
    + "\u0653\u0654\u0655\u06c0\u06c1\u06d2\u06d5\u0675\u0674"
    + "\ufefb\ufe8d\ufe83\ufb50\ufdf2"
    + "éÉßİıΣς\u0301\u0308…ﬁ²½\u2028\u3000\ufeff"
    + "😀\U0001f1f8\ud800"
)
near_text = st.text(alphabet=NEAR_ALPHABET, max_size=80)
fast_text = st.text(alphabet=SEARCH_FAST_ALPHABET, max_size=200)


def test_every_character_of_the_alphabet_folds_to_one_character_of_it_or_none():
    for char in SEARCH_FAST_ALPHABET:
        image = oracle(char)
        assert len(image) <= 1, f"U+{ord(char):04X}"
        assert image == "" or image in SEARCH_FAST_ALPHABET, f"U+{ord(char):04X}"
        assert normalise_for_search(char) == image, f"U+{ord(char):04X}"


def test_the_alphabet_has_no_compatibility_forms_but_the_no_break_space():
    changed = {c for c in SEARCH_FAST_ALPHABET if unicodedata.normalize("NFKC", c) != c}
    assert changed == {"\u00a0"}
    assert unicodedata.normalize("NFKC", "\u00a0") == " "


def test_the_combining_marks_of_the_alphabet_are_all_removed():
    for char in SEARCH_FAST_ALPHABET:
        if unicodedata.combining(char):
            assert oracle(char) == "", f"U+{ord(char):04X}"


def test_every_pair_of_characters_of_the_alphabet_folds_as_the_general_folding():
    # Composition and reordering act between neighbours; pairs are where they would show.
    for first in SEARCH_FAST_ALPHABET:
        for second in SEARCH_FAST_ALPHABET:
            pair = first + second
            assert normalise_for_search(pair) == oracle(pair), (
                f"U+{ord(first):04X} U+{ord(second):04X}"
            )


def test_the_fast_path_uses_the_encoding_map_not_a_dict():
    # A dict-based charmap is about ten times slower: the table must start with NUL.
    assert type(corpus_text._SEARCH_ENCODING).__name__ == "EncodingMap"


@given(st.one_of(fast_text, near_text, st.text(alphabet=HARD_ALPHABET, max_size=120), st.text()))
@settings(max_examples=2000)
@example("الرَّقَّة")
@example("ا\u0653")  # alef + madda composes to آ, then folds to ا
@example("ه\u0654")  # heh + hamza composes to U+06C0, which is kept
@example("e\u0301 É")
@example("\ufefb\u00a0CNN ٢٠١٩ ۲۰۱۹")
@example("…")
@example("مؤتمر رئيس مستشفى مدرسة ٱحمد")
def test_normalise_for_search_matches_the_general_folding(text):
    assert normalise_for_search(text) == oracle(text)


@given(fast_text, st.sampled_from("\u0654éß😀…\ufefb"), fast_text)
def test_one_character_outside_the_alphabet_takes_the_general_path(before, outside, after):
    text = before + outside + after
    assert normalise_for_search(text) == oracle(text)
