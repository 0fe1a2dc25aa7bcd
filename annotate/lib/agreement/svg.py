"""Server-rendered SVG charts for the agreement dashboard. Pure: no Django.

Plain string building: every piece of text (annotator names, labels, titles) goes through
`escape`, so the output is safe to insert into a page as it is. No scripts, no inline
styles (the pages' Content-Security-Policy forbids them): only presentation attributes.

Right-to-left: with `rtl=True` the x axis is mirrored (the first annotator, the first week,
the label column sit on the right, as an Arabic reader starts there), and text carries
`direction="rtl"` so that text-anchor "start"/"end" follow the reading direction.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape as _html_escape

FONT_SIZE = 12
NEUTRAL = (255, 255, 255)
POSITIVE = (31, 111, 235)  # --accent
NEGATIVE = (198, 40, 40)  # --danger
UNDEFINED_FILL = "#e3e6ea"
SERIES_COLOURS = ("#1f6feb", "#c2410c", "#2e7d32", "#7b1fa2")


def escape(text: object) -> str:
    """Text for XML content or a double-quoted attribute."""
    return _html_escape(str(text), quote=True)


def fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> str:
    t = max(0.0, min(1.0, t))
    r, g, bl = (round(x + (y - x) * t) for x, y in zip(a, b, strict=True))
    return f"#{r:02x}{g:02x}{bl:02x}"


def value_colour(value: float | None) -> str:
    """White at 0, blue towards 1, red towards -1; grey when undefined."""
    if value is None:
        return UNDEFINED_FILL
    return _mix(NEUTRAL, POSITIVE, value) if value >= 0 else _mix(NEUTRAL, NEGATIVE, -value)


def _ink(value: float | None) -> str:
    return "#ffffff" if value is not None and abs(value) > 0.6 else "#1d232b"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Canvas:
    """Collects elements; `x()` mirrors horizontal positions when right-to-left."""

    def __init__(self, width: float, height: float, *, rtl: bool, title: str, desc: str = ""):
        self.width = width
        self.height = height
        self.rtl = rtl
        self.parts: list[str] = []
        self.title = title
        self.desc = desc
        self.has_links = False

    def x(self, x: float) -> float:
        return self.width - x if self.rtl else x

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        fill: str,
        tip: str = "",
        stroke: str = "#ffffff",
    ) -> None:
        left = self.x(x + w) if self.rtl else x
        inner = f"<title>{escape(tip)}</title>" if tip else ""
        self.parts.append(
            f'<rect x="{left:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
            f'fill="{fill}" stroke="{stroke}">{inner}</rect>'
        )

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        anchor: str = "start",
        size: int = FONT_SIZE,
        fill: str = "#1d232b",
        weight: str = "normal",
        tip: str = "",
        ltr: bool = False,
    ) -> None:
        """`anchor` is relative to the page's reading direction ("start" = where reading
        begins). `ltr` lays out numbers and codes (-0.25, 2026-W03) left to right whatever
        the page direction, at the same place."""
        direction = "rtl" if self.rtl else "ltr"
        if ltr and self.rtl:
            direction = "ltr"
            anchor = {"start": "end", "end": "start"}.get(anchor, anchor)
        inner = escape(text) + (f"<title>{escape(tip)}</title>" if tip else "")
        self.parts.append(
            f'<text x="{self.x(x):.1f}" y="{y:.1f}" direction="{direction}" '
            f'text-anchor="{anchor}" font-size="{size}" font-weight="{weight}" '
            f'fill="{fill}">{inner}</text>'
        )

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        *,
        stroke: str = "#d9dee5",
        width: float = 1,
        dash: str = "",
    ) -> None:
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(
            f'<line x1="{self.x(x1):.1f}" y1="{y1:.1f}" x2="{self.x(x2):.1f}" y2="{y2:.1f}" '
            f'stroke="{stroke}" stroke-width="{width}"{dashes}/>'
        )

    def polyline(self, points: Sequence[tuple[float, float]], *, stroke: str) -> None:
        coords = " ".join(f"{self.x(px):.1f},{py:.1f}" for px, py in points)
        self.parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{stroke}" stroke-width="2"/>'
        )

    def circle(self, cx: float, cy: float, *, fill: str, tip: str) -> None:
        self.parts.append(
            f'<circle cx="{self.x(cx):.1f}" cy="{cy:.1f}" r="4" fill="{fill}">'
            f"<title>{escape(tip)}</title></circle>"
        )

    def open_link(self, href: str, label: str) -> None:
        """The elements drawn until close_link() are one link (e.g. a heat-map cell)."""
        self.parts.append(f'<a href="{escape(href)}" aria-label="{escape(label)}">')
        self.has_links = True

    def close_link(self) -> None:
        self.parts.append("</a>")

    def render(self, css_class: str) -> str:
        desc = f"<desc>{escape(self.desc)}</desc>" if self.desc else ""
        # A chart with links is a group of them (an image has no interactive parts).
        role = "group" if self.has_links else "img"
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="{escape(css_class)}" '
            f'viewBox="0 0 {self.width:.0f} {self.height:.0f}" width="{self.width:.0f}" '
            f'height="{self.height:.0f}" role="{role}" aria-label="{escape(self.title)}" '
            f'direction="{"rtl" if self.rtl else "ltr"}">'
            f"<title>{escape(self.title)}</title>{desc}" + "".join(self.parts) + "</svg>"
        )


def heat_map(
    names: Sequence[str],
    matrix: Sequence[Sequence[float | None]],
    *,
    title: str,
    rtl: bool = False,
    undefined_text: str = "undefined",
    self_text: str = "same annotator",
    links: Sequence[Sequence[str | None]] | None = None,
) -> str:
    """An annotator x annotator matrix of values in [-1, 1], one coloured cell each; with
    `links`, each cell that has one is a link to it (what lies behind the number)."""
    n = len(names)
    cell = 64
    label_width = 130
    top = 40
    width = label_width + max(n, 1) * cell + 10
    height = top + max(n, 1) * cell + 10
    canvas = _Canvas(width, height, rtl=rtl, title=title)
    for j, name in enumerate(names):
        canvas.text(
            label_width + j * cell + cell / 2, top - 10, _short(name, 9), anchor="middle", tip=name
        )
    for i, row_name in enumerate(names):
        y = top + i * cell
        canvas.text(
            label_width - 8, y + cell / 2 + 4, _short(row_name, 16), anchor="end", tip=row_name
        )
        for j in range(n):
            x = label_width + j * cell
            value = matrix[i][j]
            if i == j:
                canvas.rect(x, y, cell, cell, fill="#f6f7f9", tip=f"{row_name}: {self_text}")
                continue
            tip = f"{row_name} × {names[j]}: " + (
                fmt(value, 3) if value is not None else undefined_text
            )
            href = links[i][j] if links else None
            if href:
                canvas.open_link(href, tip)
            canvas.rect(x, y, cell, cell, fill=value_colour(value), tip=tip)
            canvas.text(
                x + cell / 2,
                y + cell / 2 + 4,
                fmt(value),
                anchor="middle",
                fill=_ink(value),
                tip=tip,
                ltr=True,
            )
            if href:
                canvas.close_link()
    return canvas.render("chart heat-map")


def line_chart(
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    title: str,
    rtl: bool = False,
) -> str:
    """Values over categories (weeks), one line per series; gaps where a value is None."""
    width, height = 760, 300
    left, right, top, bottom = 48, 40, 16, 80
    plot_w = width - left - right
    plot_h = height - top - bottom
    values = [v for _, vs in series for v in vs if v is not None]
    low = min([0.0, *values])
    low = -1.0 if low < -0.5 else (-0.5 if low < 0 else 0.0)
    high = 1.0
    canvas = _Canvas(width, height, rtl=rtl, title=title)

    def y_of(v: float) -> float:
        return top + plot_h * (high - v) / (high - low)

    steps = 4 if low == 0 else 6 if low == -0.5 else 8
    for k in range(steps + 1):
        tick = low + (high - low) * k / steps
        canvas.line(left, y_of(tick), left + plot_w, y_of(tick), dash="" if tick == 0 else "3 3")
        canvas.text(
            left - 6, y_of(tick) + 4, f"{tick:.2f}", anchor="end", size=11, fill="#5a6472", ltr=True
        )
    n = len(x_labels)
    step = plot_w / max(n - 1, 1)

    def x_of(i: int) -> float:
        return left + (i * step if n > 1 else plot_w / 2)

    every = max(1, n // 8)
    for i, label in enumerate(x_labels):
        if i % every == 0 or i == n - 1:
            canvas.text(
                x_of(i),
                top + plot_h + 18,
                label,
                anchor="middle",
                size=11,
                fill="#5a6472",
                ltr=True,
            )
    for s, (name, vs) in enumerate(series):
        colour = SERIES_COLOURS[s % len(SERIES_COLOURS)]
        run: list[tuple[float, float]] = []
        for i, v in enumerate(vs):
            if v is None:
                if len(run) > 1:
                    canvas.polyline(run, stroke=colour)
                run = []
                continue
            run.append((x_of(i), y_of(v)))
        if len(run) > 1:
            canvas.polyline(run, stroke=colour)
        for i, v in enumerate(vs):
            if v is not None:
                canvas.circle(
                    x_of(i), y_of(v), fill=colour, tip=f"{name}, {x_labels[i]}: {fmt(v, 3)}"
                )
        legend_y = height - 30 + 0 * s
        legend_x = left + s * 230
        canvas.rect(legend_x, legend_y - 10, 14, 14, fill=colour, stroke=colour)
        canvas.text(legend_x + 20, legend_y + 2, _short(name, 30), tip=name)
    return canvas.render("chart line-chart")


def bar_chart(
    rows: Sequence[tuple[str, float | None]],
    *,
    title: str,
    rtl: bool = False,
    undefined_text: str = "undefined",
) -> str:
    """Horizontal bars for values in [0, 1] (e.g. F1 per label), label column first."""
    label_width, bar_width, row_h = 150, 360, 26
    width = label_width + bar_width + 60
    height = 10 + row_h * max(len(rows), 1)
    canvas = _Canvas(width, height, rtl=rtl, title=title)
    for i, (label, value) in enumerate(rows):
        y = 5 + i * row_h
        canvas.text(label_width - 8, y + row_h / 2 + 4, _short(label, 20), anchor="end", tip=label)
        canvas.rect(label_width, y + 4, bar_width, row_h - 8, fill="#f0f2f5", stroke="#f0f2f5")
        if value is None:
            canvas.text(label_width + 6, y + row_h / 2 + 4, undefined_text, size=11, fill="#5a6472")
            continue
        length = bar_width * max(0.0, min(1.0, value))
        canvas.rect(
            label_width,
            y + 4,
            length,
            row_h - 8,
            fill=value_colour(value),
            tip=f"{label}: {fmt(value, 3)}",
            stroke=value_colour(value),
        )
        canvas.text(label_width + bar_width + 6, y + row_h / 2 + 4, fmt(value), size=11, ltr=True)
    return canvas.render("chart bar-chart")
