"""The label palette: any two labels of a schema stay apart, for every kind of colour vision.

CIEDE2000 is checked against the test data published with its reference implementation
(Sharma, Wu & Dalal, "The CIEDE2000 color-difference formula: implementation notes,
supplementary test data, and mathematical observations", Color Res. Appl. 30, 2005, table 1);
contrast against WCAG 2's own examples.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotate.lib.palette import (
    LINE_STYLES,
    PALETTE,
    best_ink,
    ciede2000,
    color_difference,
    contrast_ratio,
    label_styles,
    simulate,
    srgb_to_lab,
    style_at,
    styled_labels,
)
from annotate.lib.schema import default_schema, span_labels

# (Lab 1, Lab 2, ΔE00) from Sharma et al. 2005, table 1 (pairs 1, 2, 3, 7, 17-20, 25, 31, 34).
SHARMA = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
    ((50.0, 2.8361, -74.0200), (50.0, 0.0, -82.7485), 3.4412),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((50.0, 2.5, 0.0), (61.0, -5.0, 29.0), 22.8977),
    ((50.0, 2.5, 0.0), (56.0, -27.0, -3.0), 31.9030),
    ((50.0, 2.5, 0.0), (58.0, 24.0, 15.0), 19.4535),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((90.8027, -2.0831, 1.4410), (91.1528, -1.6435, 0.0447), 1.4441),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]
DEFICIENCIES = (None, "protan", "deutan", "tritan")
# Enough labels for any schema we ship (the default has 8), and then some.
SCHEMA_SIZE = 16
# ΔE00 above which two colours are told apart at a glance; under simulated dichromacy a lower
# bar, with the underline style as the second cue for anything closer.
APART = 20.0
APART_DICHROMAT = 10.0


@pytest.mark.parametrize(("lab1", "lab2", "expected"), SHARMA)
def test_ciede2000_matches_the_published_test_data(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=5e-5)
    assert ciede2000(lab2, lab1) == pytest.approx(expected, abs=5e-5)


@given(st.tuples(*[st.integers(0, 255)] * 3), st.tuples(*[st.integers(0, 255)] * 3))
def test_ciede2000_is_a_symmetric_non_negative_difference(rgb1, rgb2):
    lab1 = srgb_to_lab(tuple(c / 255 for c in rgb1))
    lab2 = srgb_to_lab(tuple(c / 255 for c in rgb2))
    assert ciede2000(lab1, lab1) == pytest.approx(0, abs=1e-9)
    assert ciede2000(lab1, lab2) >= 0
    assert ciede2000(lab1, lab2) == pytest.approx(ciede2000(lab2, lab1), abs=1e-6)


def test_lab_of_white_black_and_srgb_red():
    assert srgb_to_lab((1, 1, 1)) == pytest.approx((100, 0, 0), abs=1e-3)
    assert srgb_to_lab((0, 0, 0)) == pytest.approx((0, 0, 0), abs=1e-9)
    # sRGB red in CIELAB (D65): L 53.24, a 80.09, b 67.20.
    assert srgb_to_lab((1, 0, 0)) == pytest.approx((53.24, 80.09, 67.20), abs=0.02)


def test_simulated_dichromacy_keeps_grey_and_merges_red_and_green():
    for deficiency in ("protan", "deutan", "tritan"):
        assert simulate((0.5, 0.5, 0.5), deficiency) == pytest.approx((0.5, 0.5, 0.5), abs=2e-3)
    # The classic confusion: pure red and green are far apart normally, near for a deutan.
    assert color_difference("#ff0000", "#00ff00") > 80
    assert color_difference("#ff0000", "#00ff00", "deutan") < 40


def test_contrast_follows_wcag():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert best_ink("#000000") == "#ffffff"
    assert best_ink("#F0E442") == "#000000"


def test_any_two_palette_colours_are_apart_for_every_kind_of_colour_vision():
    for deficiency in DEFICIENCIES:
        floor = APART if deficiency is None else APART_DICHROMAT
        for first, second in itertools.combinations(PALETTE, 2):
            difference = color_difference(first, second, deficiency)
            assert difference >= floor, (first, second, deficiency, difference)


def test_any_two_labels_of_a_schema_differ_in_colour_or_underline_style():
    styles = [style_at(index) for index in range(SCHEMA_SIZE)]
    for (i, first), (j, second) in itertools.combinations(enumerate(styles), 2):
        if first.color == second.color:
            assert first.line != second.line, (i, j)
        else:
            worst = min(color_difference(first.color, second.color, d) for d in DEFICIENCIES)
            assert worst >= APART_DICHROMAT, (i, j, worst)


def test_every_tag_reads_at_wcag_aa():
    for index in range(len(PALETTE) * len(LINE_STYLES)):
        style = style_at(index)
        assert contrast_ratio(style.ink, style.color) >= 4.5, style


def test_the_default_schema_gets_eight_distinct_colours_in_schema_order():
    labels = span_labels(default_schema())
    styles = label_styles(label["key"] for label in labels)
    assert list(styles) == [label["key"] for label in labels]
    assert len({style.color for style in styles.values()}) == len(labels) == 8
    assert styles["PER"].color == PALETTE[0]
    # The colours of the old schema defaults are replaced; everything else is kept.
    page = styled_labels(labels)
    assert page["PER"]["name"] == "Person"
    assert page["PER"]["color"] == PALETTE[0]
    assert page["PER"]["line"] == "solid"
    assert page["ORG"]["line"] == "dashed"
    assert page["CLAIM"]["ink"] == "#ffffff"


def test_a_bad_colour_is_refused():
    with pytest.raises(ValueError, match="#RRGGBB"):
        color_difference("#fff", "#000000")


def test_a_schema_with_distinguishable_chosen_colours_is_drawn_in_them():
    from annotate.lib.palette import styled_labels

    chosen = ["#000000", "#e69f00", "#56b4e9"]
    labels = [{"key": k, "color": c} for k, c in zip(("PER", "ORG", "LOC"), chosen, strict=True)]
    styled = styled_labels(labels)
    assert [styled[k]["color"] for k in ("PER", "ORG", "LOC")] == chosen
    assert styled["PER"]["ink"] == "#ffffff" and styled["ORG"]["ink"] == "#000000"


def test_chosen_colours_that_a_colour_blind_reader_cannot_tell_apart_fall_back_to_the_palette():
    from annotate.lib.palette import PALETTE, styled_labels

    # Red and green: far apart for normal vision, nearly one colour for a deuteranope.
    labels = [{"key": "PER", "color": "#d62728"}, {"key": "ORG", "color": "#2ca02c"}]
    styled = styled_labels(labels)
    assert [styled["PER"]["color"], styled["ORG"]["color"]] == list(PALETTE[:2])
    broken = styled_labels([{"key": "PER", "color": "red"}, {"key": "ORG"}])
    assert [broken["PER"]["color"], broken["ORG"]["color"]] == list(PALETTE[:2])
