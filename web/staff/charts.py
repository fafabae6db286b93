"""Server-rendered SVG charts: geometry computed here, drawn by templates/staff/includes/*.svg.

No JavaScript and no inline styles (the CSP forbids them): only SVG presentation attributes. Every
chart is drawn beside a table of the same figures, which is its text alternative; the SVG carries
role="img" with a title and a description for screen readers.
"""

from dataclasses import dataclass, field

# Colours with at least 3:1 contrast on white (WCAG 1.4.11), never the only carrier of meaning.
BLUE = "#005ea2"
OUTCOME_COLOURS = {
    "allowed": "#00703c",
    "allowed_in_part": "#7a5700",
    "denied": "#b50909",
    "accepted": "#00703c",
    "rejected": "#b50909",
    "deemed_denied": "#6f3331",
}
OTHER_COLOUR = "#565c65"


@dataclass
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    fill: str = BLUE
    # Where the value is written: beside a horizontal bar, above a vertical one.
    text_x: float = 0
    text_y: float = 0


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    label_width: int = 0
    axis_y: float = 0


def horizontal(
    items: list[tuple[str, int]], *, width: int = 520, label_width: int = 200, row: int = 26
) -> Chart:
    """One bar per item, longest = full width; labels on the left, values at the bar's end."""
    room = width - label_width - 50
    top = max((v for _, v in items), default=0) or 1
    chart = Chart(width=width, height=max(row * len(items), row), label_width=label_width)
    for n, (label, value) in enumerate(items):
        length = room * value / top
        y = n * row + 4
        chart.bars.append(
            Bar(
                label,
                value,
                label_width,
                y,
                length,
                row - 8,
                text_x=label_width + length + 6,
                text_y=y + row / 2,
            )
        )
    return chart


def vertical(items: list[tuple[str, int]], *, width: int = 560, height: int = 200, bottom: int = 36) -> Chart:
    """A column per item (a histogram or a time series); labels under the columns, values above."""
    plot = height - bottom - 18
    top = max((v for _, v in items), default=0) or 1
    step = width / max(len(items), 1)
    chart = Chart(width=width, height=height, axis_y=height - bottom)
    for n, (label, value) in enumerate(items):
        length = plot * value / top
        x = n * step + step * 0.15
        chart.bars.append(
            Bar(
                label,
                value,
                x,
                height - bottom - length,
                step * 0.7,
                length,
                text_x=x + step * 0.35,
                text_y=height - bottom - length - 4,
            )
        )
    return chart


@dataclass
class StackedRow:
    label: str
    total: int
    y: float
    segments: list[Bar]


def stacked_shares(
    rows: list[tuple[str, dict[str, int]]],
    order: list[str],
    *,
    width: int = 520,
    label_width: int = 200,
    row: int = 26,
) -> tuple[Chart, list[StackedRow]]:
    """Each row a 100% bar split by outcome: ports side by side for one category of decision."""
    room = width - label_width - 10
    out = []
    for n, (label, counts) in enumerate(rows):
        total = sum(counts.values()) or 1
        x, y, segments = float(label_width), n * row + 4, []
        for key in [*order, *sorted(set(counts) - set(order))]:
            value = counts.get(key, 0)
            if not value:
                continue
            length = room * value / total
            segments.append(
                Bar(key, value, x, y, length, row - 8, fill=OUTCOME_COLOURS.get(key, OTHER_COLOUR))
            )
            x += length
        out.append(StackedRow(label, sum(counts.values()), y, segments))
    return Chart(width=width, height=max(row * len(rows), row), label_width=label_width), out
