"""The regex-driven tokenizer gives exactly what the character-by-character one gave.

tests/text_reference.py keeps the earlier implementation verbatim as the oracle.
"""

from hypothesis import example, given, settings
from hypothesis import strategies as st

from corpus.lib.text import Token, iter_tokens, token_bounds, tokenize
from tests import text_reference

# Every class the rules tell apart, and the characters that join or split them: Arabic letters
# and marks, tatweel, ZWJ/ZWNJ, other joiners, emoji with skin tones and ZWJ sequences, flags
# and tag sequences, digits of both kinds with every separator, Latin, punctuation, spaces.
HARD_ALPHABET = (
    "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئىةٱۍڤپچگ"
    "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670\u0610\u06d6\u0653"
    "ـ\u200d\u200c\u200e\u200f\ufeff\ufe0f\ufe0e\u20e3"
    "،؛؟«»“”‘’٪.,:;!?()-\"'/%+*#…"
    "0123456789٠١٢٣٤٥٦٧٨٩۴۵٫٬²½Ⅻ"
    "👍👨👩👧😀🏻🏽🏿❤🏳🌈\U0001f1f8\U0001f1fe\U0001f1ee\U0001f1f6\U000e0067\U000e007f"
    "CNNabcXYZéßΩжא字"
    "\u0301\u0308 \n\r\t\u00a0\u2028\u3000"
)
hard_text = st.text(alphabet=HARD_ALPHABET, max_size=120)
# Short runs of the same few characters: joiners next to separators next to digits, and so on.
dense_text = st.text(alphabet="ب a1٣.,٫\u200d\u200c\u064e😀🏽\U0001f1f8ـ-", max_size=30)


def as_tuples(tokens):
    return [(t.start, t.end, t.text, t.kind) for t in tokens]


@given(st.one_of(hard_text, dense_text, st.text(max_size=60)))
@settings(max_examples=1500)
@example("\u200d.5")  # a separator joined by a ZWJ leaves the digit after it a digit
@example("1\u200d.2")
@example("1.\u200d2")
@example("\u200d1.2")
@example("a\u200dب c")
@example("\u200d\u200d a")
@example("\U0001f1f8\U0001f1fe\U0001f1ee\U0001f1f6\U0001f1fa")
@example("👨\u200d👩\u200d👧 ١٬٠٠٠٫٥ لـCNN 3.5.")
@example("\u064e x ـ\u200c")
def test_tokens_equal_the_reference_tokenizer(text):
    expected = as_tuples(text_reference.tokenize(text))
    assert as_tuples(tokenize(text)) == expected
    assert as_tuples(iter_tokens(text)) == expected


def test_tokens_are_ordinary_token_objects():
    token = tokenize("كتب")[0]
    assert token == Token(0, 3, "كتب", "word")
    assert hash(token) == hash(Token(0, 3, "كتب", "word"))
    assert repr(token) == "Token(start=0, end=3, text='كتب', kind='word')"


def test_a_sample_of_real_shaped_text_matches_the_reference():
    text = (
        "قال المرصد السوريّ لحقوق الإنسان (SOHR) إنّ ١٬٢٠٠ شخص نزحوا من الرقّة، "
        "و3.5% من السكان… «لا كهرباء» 👍🏽 🇸🇾🇮🇶 #الرقة_تذبح_بصمت\r\n" * 20
    )
    assert as_tuples(tokenize(text)) == as_tuples(text_reference.tokenize(text))


@given(st.one_of(hard_text, dense_text))
def test_token_bounds_are_the_offsets_of_tokenize(text):
    assert token_bounds(text) == [(t.start, t.end) for t in tokenize(text)]
