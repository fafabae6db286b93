"""Server-rendered SVG charts of the staff pages: geometry computed here, drawn by templates
(templates/staff/includes/*.svg.html for the dashboard, templates/staff/account.html for the mix).

No JavaScript and no inline styles (the CSP forbids them): only SVG presentation attributes. Every
chart is drawn beside a table of the same figures, which is its text alternative; the SVG carries
role="img" with a title and a description for screen readers.

Dashboard: `horizontal` bars, `vertical` columns, `stacked_shares` (100% bars by outcome).
Account page: `stacked_bars` (columns per month stacked by Center, with an axis from `nice_ceiling`).
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
# Ten colours told apart by people with the common colour-vision deficiencies (Okabe-Ito, extended),
# for series without a meaning of their own (the Centers of an account's mix); the legend and the
# table beside each chart carry the same figures in text.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
           "#999999", "#7F3C8D")  # fmt: skip


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

    def __post_init__(self) -> None:
        # Tenths of a pixel are plenty; rounded here, the templates print them as they are (a
        # floatformat filter per coordinate cost a third of the dashboard's rendering).
        for name in ("x", "y", "width", "height", "text_x", "text_y"):
            setattr(self, name, round(getattr(self, name), 1))


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    label_width: int = 0
    axis_y: float = 0

    def __post_init__(self) -> None:
        self.axis_y = round(self.axis_y, 1)


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
        x, column_width = _column(n, step)
        chart.bars.append(
            Bar(
                label,
                value,
                x,
                height - bottom - length,
                column_width,
                length,
                text_x=x + step * 0.35,
                text_y=height - bottom - length - 4,
            )
        )
    return chart


def _column(n: int, step: float, left: float = 0) -> tuple[float, float]:
    """The n-th column of a column chart: its x and width, 70% of its slot, centred in it."""
    return left + n * step + step * 0.15, step * 0.7


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


# --- Stacked columns (the account page's commodity mix by Center over time) -----------------------------


@dataclass
class Segment:
    y: float
    height: float
    fill: str
    title: str


@dataclass
class Column:
    x: float
    width: float
    label: str
    total: int
    segments: list[Segment] = field(default_factory=list)


@dataclass
class StackedBars:
    width: int
    height: int
    plot_top: int
    plot_bottom: int
    max_total: int
    bars: list[Column]
    legend: list[tuple[str, str]]  # (colour, name)
    ticks: list[tuple[float, int]]  # (y, value)


def nice_ceiling(value: int) -> int:
    """The axis top: the value rounded up to 1, 2, 4 or 5 times a power of ten, divisible into 4 ticks."""
    if value <= 8:
        return 4 if value <= 4 else 8
    power = 10 ** (len(str(int(value))) - 1)
    return next(
        step * power for step in (1, 2, 4, 5, 10, 20) if step * power >= value and step * power % 4 == 0
    )


def stacked_bars(
    columns: list[tuple[str, dict[str, int]]], *, width: int = 720, height: int = 260, unit: str = "lines"
) -> StackedBars | None:
    """Bars per column (e.g. a month), stacked by series (e.g. a Center), scaled to the largest total."""
    if not columns:
        return None
    series = sorted({name for _, values in columns for name in values})
    colours = {name: PALETTE[n % len(PALETTE)] for n, name in enumerate(series)}
    top, bottom, left, right = 12, height - 28, 48, width - 8
    max_total = nice_ceiling(max(sum(values.values()) for _, values in columns))
    slot = (right - left) / len(columns)
    bars = []
    for n, (label, values) in enumerate(columns):
        x, column_width = _column(n, slot, left)
        bar = Column(x=round(x, 1), width=round(column_width, 1), label=label, total=sum(values.values()))
        y = bottom
        for name in series:
            value = values.get(name, 0)
            if not value:
                continue
            h = (bottom - top) * value / max_total
            y -= h
            bar.segments.append(
                Segment(round(y, 1), round(h, 1), colours[name], f"{label}, {name}: {value} {unit}")
            )
        bars.append(bar)
    ticks = [(round(bottom - (bottom - top) * k / 4, 1), max_total * k // 4) for k in range(5)]
    return StackedBars(width, height, top, bottom, max_total, bars, [(colours[s], s) for s in series], ticks)
