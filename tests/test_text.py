"""corpus.lib.text: canonical form, strict decoding, search folding, tokens, cluster boundaries."""

import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from corpus.lib.text import (
    DecodeError,
    _is_joiner,
    _is_regional_indicator,
    canonicalise,
    content_hash,
    decode_strict,
    is_cluster_boundary,
    is_mark,
    normalise_for_search,
    tokenize,
    utf16_length,
)

# Characters the hard cases are made of: Arabic letters, tashkeel, tatweel, Arabic and Latin
# punctuation, both digit sets and their separators, emoji with skin tones and joiners, flags,
# joiners and direction marks, Latin letters, and every kind of line break and space.
ARABIC_ALPHABET = (
    "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئىةٱ"
    "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670"
    "ـ"
    "،؛؟«»“”‘’٪.,:;!?()-\"'"
    "0123456789٠١٢٣٤٥٦٧٨٩٫٬"
    "👍🏽😀👨👩👧\u200d\ufe0f\u20e3🇸🇾🇮🇶"
    "\u200c\u200e\u200f\ufeff"
    "CNNabcXYZ"
    " \n\r\t\u00a0\u2028"
)
arabic_text = st.text(alphabet=ARABIC_ALPHABET, max_size=80)
any_text = st.one_of(arabic_text, st.text(max_size=40))


# --- canonicalise and decode_strict -------------------------------------------------------


def test_canonicalise_removes_bom_and_unifies_line_ends():
    assert canonicalise("\ufeffسطر\r\nسطر\rسطر\n") == "سطر\nسطر\nسطر\n"


def test_canonicalise_keeps_a_bom_inside_the_text():
    assert canonicalise("أ\ufeffب") == "أ\ufeffب"


def test_canonicalise_composes_to_nfc():
    decomposed = "\u0627\u0653"  # alef + combining madda
    assert canonicalise(decomposed) == "\u0622"  # alef with madda above
    assert canonicalise("e\u0301") == "\u00e9"


@given(any_text)
def test_canonicalise_is_idempotent_and_nfc(text):
    once = canonicalise(text)
    assert canonicalise(once) == once
    assert "\r" not in once
    assert not once.startswith("\ufeff")
    assert unicodedata.is_normalized("NFC", once)


def test_decode_strict_names_the_byte_position():
    data = "قال".encode() + b"\xff" + "ت".encode()
    with pytest.raises(DecodeError) as caught:
        decode_strict(data)
    assert caught.value.position == 6
    assert str(caught.value) == "not valid UTF-8 at byte 6: invalid start byte"


def test_decode_strict_reports_a_truncated_sequence():
    data = b"abc" + "ق".encode()[:1]
    with pytest.raises(DecodeError, match="not valid UTF-8 at byte 3: unexpected end of data"):
        decode_strict(data)


def test_decode_strict_keeps_the_bom_for_canonicalise_to_remove():
    assert decode_strict(b"\xef\xbb\xbfabc") == "\ufeffabc"


def test_content_hash_is_sha256_of_utf8():
    assert content_hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert content_hash("داعش") != content_hash("داعش ")


# --- normalise_for_search -------------------------------------------------------------------


def test_search_form_ignores_tashkeel():
    assert normalise_for_search("الرَّقَّة") == normalise_for_search("الرقة")
    assert normalise_for_search("الرقة") in normalise_for_search("دخلت القوات مدينة الرَّقَّة")


@pytest.mark.parametrize("variant", ["أحمد", "إحمد", "آحمد", "ٱحمد", "احمد"])
def test_search_form_unifies_alef_variants(variant):
    assert normalise_for_search(variant) == "احمد"


def test_search_form_drops_tatweel_and_superscript_alef():
    assert normalise_for_search("العـــــربية") == normalise_for_search("العربية")
    assert normalise_for_search("هٰذا") == "هذا"


def test_search_form_folds_hamza_seats_yeh_teh_marbuta_and_ligatures():
    assert normalise_for_search("مؤتمر") == "موتمر"
    assert normalise_for_search("رئيس") == "رييس"
    assert normalise_for_search("مستشفى") == normalise_for_search("مستشفي")
    assert normalise_for_search("مدرسة") == normalise_for_search("مدرسه")
    assert normalise_for_search("\ufefb") == "لا"  # lam-alef ligature presentation form


def test_search_form_folds_digits_and_case():
    assert normalise_for_search("عام ٢٠١٩ و۲۰۱۹") == "عام 2019 و2019"
    assert normalise_for_search("CNN") == "cnn"


@given(any_text)
def test_search_form_is_idempotent(text):
    once = normalise_for_search(text)
    assert normalise_for_search(once) == once


# --- tokenize: properties ---------------------------------------------------------------------


@given(any_text)
@example("\u064e x")  # a mark with no letter before it
@example("ب\u200d😀")
@example("🇸🇾🇮🇶🇺")
def test_tokens_slice_the_text_in_order_without_overlap_or_whitespace(text):
    tokens = tokenize(text)
    previous_end = 0
    for token in tokens:
        assert 0 <= token.start < token.end <= len(text)
        assert token.start >= previous_end
        assert text[token.start : token.end] == token.text
        assert not any(char.isspace() for char in token.text)
        previous_end = token.end


@given(any_text)
def test_tokens_cover_every_non_space_character(text):
    covered = set()
    for token in tokenize(text):
        covered.update(range(token.start, token.end))
    for i, char in enumerate(text):
        assert (i in covered) == (not char.isspace()), (i, char)


@given(arabic_text)
def test_token_ends_never_split_a_visible_character(text):
    for token in tokenize(text):
        assert is_cluster_boundary(text, token.end)
        if token.start > 0 and not text[token.start - 1].isspace():
            assert is_cluster_boundary(text, token.start)


# --- tokenize: concrete cases -------------------------------------------------------------


def texts(text):
    return [token.text for token in tokenize(text)]


def test_arabic_punctuation_and_quotes_are_separate_tokens():
    assert texts("قال: «داعش»، “انتهى”؛ لماذا؟") == [
        "قال",
        ":",
        "«",
        "داعش",
        "»",
        "،",
        "“",
        "انتهى",
        "”",
        "؛",
        "لماذا",
        "؟",
    ]


@pytest.mark.parametrize("number", ["3.5", "١٬٠٠٠", "1,000.50", "٣٫٥", "2019"])
def test_a_number_with_separators_is_one_token(number):
    tokens = tokenize(f"بلغ {number} دولار.")
    assert [t.text for t in tokens] == ["بلغ", number, "دولار", "."]
    assert tokens[1].kind == "number"


def test_a_trailing_full_stop_is_not_part_of_the_number():
    assert texts("عام 2019.") == ["عام", "2019", "."]


@pytest.mark.parametrize("emoji", ["👍🏽", "👨\u200d👩\u200d👧", "❤\ufe0f", "🇸🇾", "1\ufe0f\u20e3"])
def test_an_emoji_with_modifiers_is_one_token(emoji):
    tokens = tokenize(f"رائع {emoji} جدا")
    assert [t.text for t in tokens] == ["رائع", emoji, "جدا"]


def test_two_flags_are_two_tokens():
    assert texts("🇸🇾🇮🇶") == ["🇸🇾", "🇮🇶"]


def test_diacritics_and_tatweel_stay_in_their_word():
    tokens = tokenize("دخلت الرَّقَّة العـــربية")
    assert [t.text for t in tokens] == ["دخلت", "الرَّقَّة", "العـــربية"]
    assert all(t.kind == "word" for t in tokens)


def test_offsets_are_code_points_after_astral_characters():
    text = "😀 وداعش"
    token = tokenize(text)[1]
    assert (token.start, token.end) == (2, 7)
    assert utf16_length(text[: token.start]) == 3


def test_a_clitic_attached_name_is_one_token():
    assert texts("وداعش والرقة") == ["وداعش", "والرقة"]


def test_a_change_between_arabic_and_latin_letters_splits_the_word():
    assert texts("قال لـCNN وF16") == ["قال", "لـ", "CNN", "و", "F16"]


def test_mixed_latin_digits_and_arabic():
    tokens = tokenize("أعلن Donald Trump في 18 آذار/مارس 2019إن")
    assert [(t.text, t.kind) for t in tokens] == [
        ("أعلن", "word"),
        ("Donald", "word"),
        ("Trump", "word"),
        ("في", "word"),
        ("18", "number"),
        ("آذار", "word"),
        ("/", "punct"),
        ("مارس", "word"),
        ("2019إن", "word"),
    ]


def test_whitespace_only_text_has_no_tokens():
    assert tokenize(" \n\t\u00a0") == []


# --- is_cluster_boundary -------------------------------------------------------------------


def test_boundary_never_between_a_letter_and_its_marks():
    text = "الر\u0651\u064eقة"  # reh, shadda, fatha
    assert not is_cluster_boundary(text, 3)  # before the shadda
    assert not is_cluster_boundary(text, 4)  # between shadda and fatha
    assert is_cluster_boundary(text, 5)  # after the marks


def test_boundary_rules_for_emoji():
    text = "a👍🏽b👨\u200d👩c"
    assert not is_cluster_boundary(text, 2)  # before the skin tone
    assert is_cluster_boundary(text, 3)
    zwj = text.index("\u200d")
    assert not is_cluster_boundary(text, zwj)
    assert not is_cluster_boundary(text, zwj + 1)


def test_boundary_between_flags_but_not_inside_one():
    text = "🇸🇾🇮🇶"
    assert [is_cluster_boundary(text, i) for i in range(5)] == [True, False, True, False, True]


def test_boundary_at_the_ends_and_outside():
    assert is_cluster_boundary("abc", 0)
    assert is_cluster_boundary("abc", 3)
    assert not is_cluster_boundary("abc", 4)
    assert not is_cluster_boundary("abc", -1)


def test_no_letter_digit_or_space_is_a_mark_joiner_or_regional_indicator():
    """is_cluster_boundary answers letters, digits and spaces without Unicode lookups; that
    shortcut holds for every code point."""
    for code in range(0x110000):
        char = chr(code)
        if char.isalnum() or char.isspace():
            assert not (is_mark(char) or _is_joiner(char) or _is_regional_indicator(char)), hex(
                code
            )
