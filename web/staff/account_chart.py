"""Server-rendered SVG charts: geometry computed here, drawn by templates with SVG presentation
attributes (the CSP forbids style attributes). Every chart comes with a table of the same figures."""

from dataclasses import dataclass, field

# Ten colours told apart by people with the common colour-vision deficiencies (Okabe-Ito, extended);
# the legend and the table beside each chart carry the same figures in text.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
           "#999999", "#7F3C8D")  # fmt: skip


@dataclass
class Segment:
    y: float
    height: float
    fill: str
    title: str


@dataclass
class Bar:
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
    bars: list[Bar]
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
        bar = Bar(x=round(left + n * slot + slot * 0.15, 1), width=round(slot * 0.7, 1), label=label,
                  total=sum(values.values()))  # fmt: skip
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
