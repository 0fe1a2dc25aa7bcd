"""Label colours: the one place that decides how a label looks on every page.

Labels get colours by their position in the schema from a colour-blind-safe qualitative
palette (Okabe & Ito, "Color Universal Design", 2008: the eight colours that stay apart for
protanopes, deuteranopes and tritanopes), and a second cue that needs no colour at all: the
underline style (solid, dashed, dotted) cycles with a period prime to the palette's, so two
labels with the same colour (the ninth label and the first) never share a style.

Also here, pure maths to check that: sRGB to CIELAB, the CIEDE2000 colour difference (Sharma,
Wu & Dalal 2005), simulation of dichromacy (Machado, Oliveira & Fernandes 2009, severity 1),
and WCAG 2 contrast, which picks black or white ink for each label's tag.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

RGB = tuple[float, float, float]
Lab = tuple[float, float, float]
Deficiency = Literal["protan", "deutan", "tritan"]

# Okabe-Ito, ordered so that neighbours in a schema differ most (blue, vermillion, green...).
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
LINE_STYLES: tuple[str, ...] = ("solid", "dashed", "dotted")
INKS = ("#000000", "#ffffff")
# The tint behind marked text, as a two-digit hex alpha appended to the colour (about 20%).
FILL_ALPHA = "33"

# Machado et al. 2009, severity 1.0, applied to linear RGB.
CVD_MATRICES: dict[Deficiency, tuple[RGB, RGB, RGB]] = {
    "protan": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deutan": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritan": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}


@dataclass(frozen=True)
class LabelStyle:
    """How one label is drawn: colour, tag ink (black or white), underline style."""

    color: str
    ink: str
    line: str

    def as_dict(self) -> dict[str, str]:
        return {"color": self.color, "ink": self.ink, "line": self.line}


def style_at(index: int) -> LabelStyle:
    """The style of the label at position `index` of its schema."""
    color = PALETTE[index % len(PALETTE)]
    return LabelStyle(color=color, ink=best_ink(color), line=LINE_STYLES[index % len(LINE_STYLES)])


def label_styles(label_keys: Iterable[str]) -> dict[str, LabelStyle]:
    """{label key: style} for a schema's labels in schema order (retired ones included, so a
    label keeps its look while old spans still carry it)."""
    return {key: style_at(index) for index, key in enumerate(label_keys)}


# Chosen colours are drawn only when every two of them stay this far apart (CIEDE2000) for
# normal vision and each simulated colour-vision deficiency; the palette's own worst pair is 10.9.
CHOSEN_APART = 10.0


def chosen_colors_apart(colors: Sequence[str]) -> bool:
    """Whether a schema's own colours are all valid and pairwise distinguishable."""
    try:
        for rgb in colors:
            hex_to_rgb(rgb)
    except (ValueError, AttributeError):
        return False
    deficiencies: tuple[Deficiency | None, ...] = (None, "protan", "deutan", "tritan")
    return all(
        color_difference(first, second, deficiency) >= CHOSEN_APART
        for i, first in enumerate(colors)
        for second in colors[i + 1 :]
        for deficiency in deficiencies
    )


def styled_labels(labels: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """{key: the label's fields with color, ink and line}, for page data.

    The colours the schema's managers chose, when every two stay distinguishable (also for
    colour-blind readers); otherwise the palette's, by position. The underline style is always
    the position's, the tag ink the one with the better contrast."""
    styles = label_styles(str(label["key"]) for label in labels)
    chosen = [label.get("color") for label in labels]
    if all(isinstance(c, str) for c in chosen) and chosen_colors_apart(chosen):  # type: ignore[arg-type]
        for label, color in zip(labels, chosen, strict=True):
            key = str(label["key"])
            styles[key] = LabelStyle(
                color=str(color), ink=best_ink(str(color)), line=styles[key].line
            )
    return {str(label["key"]): {**label, **styles[str(label["key"])].as_dict()} for label in labels}


# ---- colour maths ----------------------------------------------------------------------


def hex_to_rgb(color: str) -> RGB:
    """'#RRGGBB' -> sRGB components in 0..1."""
    value = color.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"not a #RRGGBB colour: {color!r}")
    return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)


def _to_linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _to_gamma(c: float) -> float:
    c = min(1.0, max(0.0, c))
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def linear_rgb(rgb: RGB) -> RGB:
    return (_to_linear(rgb[0]), _to_linear(rgb[1]), _to_linear(rgb[2]))


def relative_luminance(color: str) -> float:
    """WCAG 2 relative luminance of a '#RRGGBB' colour."""
    r, g, b = linear_rgb(hex_to_rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    a, b = relative_luminance(first), relative_luminance(second)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def best_ink(background: str) -> str:
    """Black or white, whichever reads better on `background`."""
    return max(INKS, key=lambda ink: contrast_ratio(ink, background))


def srgb_to_lab(rgb: RGB) -> Lab:
    """sRGB (0..1) to CIELAB under D65."""
    r, g, b = linear_rgb(rgb)
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = f(x), f(y), f(z)
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def simulate(rgb: RGB, deficiency: Deficiency) -> RGB:
    """How a dichromat of the given kind sees an sRGB colour (Machado et al. 2009)."""
    lin = linear_rgb(rgb)
    rows = CVD_MATRICES[deficiency]
    return (
        _to_gamma(sum(m * c for m, c in zip(rows[0], lin, strict=True))),
        _to_gamma(sum(m * c for m, c in zip(rows[1], lin, strict=True))),
        _to_gamma(sum(m * c for m, c in zip(rows[2], lin, strict=True))),
    )


def ciede2000(lab1: Lab, lab2: Lab) -> float:
    """The CIEDE2000 colour difference (kL = kC = kH = 1), as in Sharma, Wu & Dalal 2005."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c1 = math.hypot(a1, b1)
    c2 = math.hypot(a2, b2)
    c_mean7 = ((c1 + c2) / 2) ** 7
    g = 0.5 * (1 - math.sqrt(c_mean7 / (c_mean7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0

    dl = l2 - l1
    dc = c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    elif h2p - h1p > 180:
        dh = h2p - h1p - 360
    else:
        dh = h2p - h1p + 360
    dhh = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))

    l_mean = (l1 + l2) / 2
    c_mean = (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_mean = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        h_mean = (h1p + h2p + 360) / 2
    else:
        h_mean = (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_mean - 30))
        + 0.24 * math.cos(math.radians(2 * h_mean))
        + 0.32 * math.cos(math.radians(3 * h_mean + 6))
        - 0.20 * math.cos(math.radians(4 * h_mean - 63))
    )
    d_theta = 30 * math.exp(-(((h_mean - 275) / 25) ** 2))
    c_mean7p = c_mean**7
    rc = 2 * math.sqrt(c_mean7p / (c_mean7p + 25**7))
    sl = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    sc = 1 + 0.045 * c_mean
    sh = 1 + 0.015 * c_mean * t
    rt = -math.sin(math.radians(2 * d_theta)) * rc
    return math.sqrt(
        (dl / sl) ** 2 + (dc / sc) ** 2 + (dhh / sh) ** 2 + rt * (dc / sc) * (dhh / sh)
    )


def color_difference(first: str, second: str, deficiency: Deficiency | None = None) -> float:
    """CIEDE2000 between two '#RRGGBB' colours, as seen normally or by a dichromat."""
    rgb1, rgb2 = hex_to_rgb(first), hex_to_rgb(second)
    if deficiency is not None:
        rgb1, rgb2 = simulate(rgb1, deficiency), simulate(rgb2, deficiency)
    return ciede2000(srgb_to_lab(rgb1), srgb_to_lab(rgb2))
