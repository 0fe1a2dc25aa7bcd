"""Server-rendered SVG charts: well-formed XML, escaped text, mirrored for right-to-left."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from annotate.lib.agreement.svg import bar_chart, heat_map, line_chart, value_colour

HOSTILE = '<script>alert("x")</script> & "quotes"'
SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ElementTree.Element:
    return ElementTree.fromstring(markup)  # noqa: S314 - our own output, under test


def texts(root: ElementTree.Element) -> list[ElementTree.Element]:
    return list(root.iter(f"{SVG}text"))


def test_heat_map_escapes_names_and_is_valid_xml():
    markup = heat_map([HOSTILE, "أمل"], [[None, 0.5], [0.5, None]], title=HOSTILE)
    assert "<script" not in markup
    root = parse(markup)
    assert root.find(f"{SVG}title").text == HOSTILE
    tips = [t.text for t in root.iter(f"{SVG}title")]
    assert any(tip and tip.startswith(HOSTILE + " × أمل: 0.500") for tip in tips)


def test_heat_map_mirrors_columns_right_to_left():
    names = ["amal", "badr", "huda"]
    matrix = [[None, 0.1, 0.2], [0.1, None, 0.3], [0.2, 0.3, None]]

    def first_row_cells(rtl: bool) -> list[float]:
        root = parse(heat_map(names, matrix, title="t", rtl=rtl))
        rects = list(root.iter(f"{SVG}rect"))[:3]
        return [float(r.get("x")) for r in rects]

    ltr, rtl = first_row_cells(False), first_row_cells(True)
    assert ltr == sorted(ltr)  # first annotator's column on the left
    assert rtl == sorted(rtl, reverse=True)  # and on the right when right-to-left
    root = parse(heat_map(names, matrix, title="t", rtl=True))
    name_labels = [t for t in texts(root) if t.text in names]
    assert all(t.get("direction") == "rtl" for t in name_labels)


def test_numbers_stay_left_to_right_in_rtl_charts():
    root = parse(heat_map(["a", "b"], [[None, -0.25], [-0.25, None]], title="t", rtl=True))
    numbers = [t for t in texts(root) if t.text == "-0.25"]
    assert numbers and all(t.get("direction") == "ltr" for t in numbers)
    chart = parse(line_chart(["2026-W02", "2026-W03"], [("α", [0.2, -0.1])], title="t", rtl=True))
    weeks = [t for t in texts(chart) if t.text and t.text.startswith("2026-W")]
    assert weeks and all(t.get("direction") == "ltr" for t in weeks)
    xs = [float(t.get("x")) for t in weeks]
    assert xs[0] > xs[1]  # time runs right to left in an Arabic page


def test_undefined_values_are_grey_and_labelled():
    markup = heat_map(
        ["a", "b"], [[None, None], [None, None]], title="t", undefined_text="غير معرف"
    )
    assert value_colour(None) in markup
    assert "a × b: غير معرف" in markup
    assert value_colour(1.0) == "#1f6feb" and value_colour(0.0) == "#ffffff"
    assert value_colour(-1.0) == "#c62828"


def test_line_chart_breaks_at_missing_weeks_and_escapes_series_names():
    markup = line_chart(
        ["w1", "w2", "w3", "w4"], [(HOSTILE, [0.1, None, 0.4, 0.5])], title="over time"
    )
    root = parse(markup)
    lines = list(root.iter(f"{SVG}polyline"))
    assert len(lines) == 1  # w1 stands alone; w3-w4 is one segment
    assert len(re.findall(r"<circle", markup)) == 3
    assert "<script" not in markup


def test_bar_chart_draws_each_label_and_marks_undefined():
    markup = bar_chart(
        [("PER", 0.8), ("LOC", None), (HOSTILE, 0.1)],
        title="F1",
        rtl=True,
        undefined_text="غير معرف",
    )
    root = parse(markup)
    labels = [t.text for t in texts(root)]
    assert "PER" in labels and "غير معرف" in labels
    assert "<script" not in markup
