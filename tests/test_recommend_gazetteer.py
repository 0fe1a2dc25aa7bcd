"""The gazetteer recommender: clitic-aware matches on normalised text, exact code-point offsets."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.lib.recommend.arabic import norm_tokens, normalise_phrase, proclitic_cuts
from annotate.lib.recommend.gazetteer import (
    Gazetteer,
    GazetteerListError,
    build_entries,
    parse_name_list,
)
from corpus.lib.text import canonicalise, is_cluster_boundary

LABELS = ["PER", "GPE", "LOC", "MILITARY_GROUP"]


def gazetteer(*pairs, rejected=()):
    return Gazetteer(build_entries(pairs, labels=LABELS, rejected=rejected))


def found(g, text):
    return [(s.start, s.end, s.label, s.text) for s in g.suggest(text)]


def test_it_suggests_the_bare_word_inside_a_word_with_proclitics():
    g = gazetteer(("داعش", "MILITARY_GROUP"))
    text = "هاجم وداعش ثم لداعش وفبداعش داعش"
    assert found(g, text) == [
        (6, 10, "MILITARY_GROUP", "داعش"),
        (15, 19, "MILITARY_GROUP", "داعش"),
        (28, 32, "MILITARY_GROUP", "داعش"),
    ]
    # وفب is not a proclitic sequence (two conjunctions): no suggestion inside وفبداعش.


def test_it_matches_across_tashkeel_tatweel_and_hamza_variants():
    g = gazetteer(("الرَّقَّة", "GPE"), ("إدلب", "GPE"))
    text = "في الرقه وبـالـرّقة وادلب"
    assert found(g, text) == [
        (3, 8, "GPE", "الرقه"),
        (12, 19, "GPE", "الـرّقة"),
        (21, 25, "GPE", "ادلب"),
    ]


def test_the_longest_entry_wins_and_matches_never_overlap():
    g = gazetteer(("الجيش", "LOC"), ("الجيش السوري", "MILITARY_GROUP"))
    text = "قال الجيش السوري إن الجيش"
    assert found(g, text) == [
        (4, 16, "MILITARY_GROUP", "الجيش السوري"),
        (20, 25, "LOC", "الجيش"),
    ]


def test_it_never_matches_part_of_a_token_or_across_a_line_break():
    g = gazetteer(("داعش", "MILITARY_GROUP"), ("دير الزور", "GPE"))
    # داعشي (an adjective), جداعش (no proclitic), دير\nالزور (a line break between)
    assert found(g, "داعشي جداعش دير\nالزور") == []


def test_a_latin_name_matches_case_folded():
    g = gazetteer(("Mark Ellison", "PER"))
    assert found(g, "said MARK ellison.") == [(5, 17, "PER", "MARK ellison")]


def test_the_majority_label_wins_and_rejections_count_against_it():
    g = gazetteer(("حلب", "GPE"), ("حلب", "GPE"), ("حلب", "LOC"))
    (suggestion,) = g.suggest("في حلب")
    assert (suggestion.label, round(suggestion.score, 3)) == ("GPE", 0.667)
    g = gazetteer(("حلب", "GPE"), ("حلب", "LOC"), rejected=[("حلب", "GPE")])
    assert found(g, "حلب") == [(0, 3, "LOC", "حلب")]
    g = gazetteer(("حلب", "GPE"), rejected=[("حلب", "GPE")])
    assert found(g, "حلب") == []


def test_labels_outside_the_schema_are_never_entries_or_suggestions():
    g = gazetteer(("حلب", "RETIRED"), ("دمشق", "GPE"))
    assert found(g, "حلب دمشق") == [(4, 8, "GPE", "دمشق")]
    assert g.suggest("حلب دمشق", labels=["LOC"]) == []


def test_the_gazetteer_round_trips_through_json():
    g = gazetteer(("داعش", "MILITARY_GROUP"), ("الجيش السوري", "MILITARY_GROUP"))
    again = Gazetteer.from_json(g.to_json())
    assert found(again, "والجيش السوري وداعش") == found(g, "والجيش السوري وداعش")


def test_a_cut_leaves_at_least_two_letters_and_ال_stays_with_the_name():
    (token,) = norm_tokens("ولد")
    assert proclitic_cuts(token, "ولد") == [0, 1]  # ل + د would leave one letter
    (token,) = norm_tokens("والجيش")
    assert proclitic_cuts(token, "والجيش") == [0, 1]  # ال is not cut off


def test_a_name_list_reads_csv_and_plain_lines():
    data = "# names\nداعش,MILITARY_GROUP\n\nحلب\n"
    assert parse_name_list(data, labels=LABELS, default_label="GPE") == [
        ("داعش", "MILITARY_GROUP"),
        ("حلب", "GPE"),
    ]


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        ("حلب,NOPE\n", 1, "unknown label 'NOPE'"),
        ("حلب\n", 1, "no label"),
        ("a,b,c\n", 1, "3 cells"),
        ("حلب,GPE\n...,GPE\n", 2, "no letters"),
    ],
)
def test_a_bad_name_list_names_the_line(data, line, message):
    default = None if message == "no label" else "GPE"
    with pytest.raises(GazetteerListError) as caught:
        parse_name_list(data, labels=LABELS, default_label=default)
    assert caught.value.line == line
    assert message in caught.value.message


# --- generated words with proclitics, diacritics and tatweel ----------------------------------

# Names are written in letters that are never proclitics; filler words in other letters, so a
# filler never contains a name.
NAME_LETTERS = "دعشحرقتنمسأإآ"
FILLER_LETTERS = "جخذزصضطظغهي"
PROCLITICS = ["", "و", "ف", "ب", "ل", "ك", "وب", "فل", "ول", "وك"]
MARKS = ["", "", "", "\u064e", "\u064f", "\u0650", "\u0651", "\u0652", "\u064e\u0651", "\u064b"]
TATWEEL = "\u0640"


@st.composite
def decorated(draw, letters):
    """Letters with random marks after them and random tatweel between them."""
    out = ""
    for k, letter in enumerate(letters):
        if k and draw(st.booleans()) and draw(st.booleans()):
            out += TATWEEL
        out += letter + draw(st.sampled_from(MARKS))
    return out


@st.composite
def article(draw):
    names = draw(
        st.lists(st.text(alphabet=NAME_LETTERS, min_size=2, max_size=6), min_size=1, max_size=3)
    )
    text = ""
    expected = []
    for _ in range(draw(st.integers(1, 8))):
        if draw(st.booleans()):
            text += draw(st.text(alphabet=FILLER_LETTERS, min_size=1, max_size=5)) + " "
        name = draw(st.sampled_from(names))
        proclitic = draw(decorated(draw(st.sampled_from(PROCLITICS))))
        if proclitic and draw(st.booleans()):
            proclitic += TATWEEL
        body = draw(decorated(name))
        start = len(text) + len(proclitic)
        text += proclitic + body
        expected.append((start, len(text), name))
        text += draw(st.sampled_from([" ", "، ", " و ", "\n"]))
    return names, text, expected


@settings(max_examples=300, deadline=None)
@given(article())
def test_generated_names_are_found_on_the_bare_word_with_exact_offsets(case):
    names, text, expected = case
    assert canonicalise(text) == text  # as an article is stored
    g = gazetteer(*[(name, "GPE") for name in names])
    got = g.suggest(text)
    assert [(s.start, s.end) for s in got] == [(start, end) for start, end, _ in expected]
    for suggestion, (_, _, name) in zip(got, expected, strict=True):
        assert suggestion.text == text[suggestion.start : suggestion.end]
        assert normalise_phrase(suggestion.text) == normalise_phrase(name)
        assert is_cluster_boundary(text, suggestion.start)
        assert is_cluster_boundary(text, suggestion.end)


TOKEN_ALPHABET = NAME_LETTERS + FILLER_LETTERS + "".join(MARKS) + TATWEEL + "وفبلك ،.Ab1١\n"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=TOKEN_ALPHABET, max_size=60))
def test_normalised_tokens_map_every_character_back_to_the_text(text):
    from corpus.lib.text import normalise_for_search, tokenize

    text = canonicalise(text)
    tokens = {(t.start, t.end): t for t in tokenize(text)}
    for normed in norm_tokens(text):
        token = tokens[(normed.start, normed.end)]
        assert normed.norm == "".join(normalise_for_search(c) for c in token.text)
        assert normed.norm == normalise_for_search(token.text)
        for cut in range(len(normed.norm)):
            offset = normed.offset_of(cut)
            assert normalise_for_search(text[offset]) == normed.norm[cut]
            assert normed.cut_at(offset) == cut
        assert normed.offset_of(len(normed.norm)) == normed.end
