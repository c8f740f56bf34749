"""Server-drawn SVG charts: geometry computed here, markup in `templates/admin/_charts.html`.

No chart library and no JavaScript: the CSP allows neither inline script nor inline style, so the
charts are plain SVG shapes coloured by CSS classes from admin.css. The data come in buckets
(`buckets`): one bar or point per day, week or month, so the chart reads the same with one day of
data and with three years. Axes are rounded to 1, 2 or 5 times a power of ten; bars are never
wider than `MAX_BAR` (one day is a bar, not a slab), and every rate is also a dot (a line needs two
points; a single day has one).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from ..consentlog.queries import METHODS
from .buckets import Bucket

WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_BOTTOM, PAD_TOP = 720, 230, 52, 12, 28, 12
MAX_BAR = 48
MAX_X_LABELS = 8


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    left: int = PAD_LEFT
    bars: list[Bar] = field(default_factory=list)
    lines: list[tuple[str, str, str]] = field(default_factory=list)  # (css, points, label)
    dots: list[tuple[float, float, str, str]] = field(default_factory=list)  # (x, y, css, title)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    empty: bool = False


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5, 5 × 10^n at or above `value` (whole numbers only): the top of a count
    axis, using at least 40 % of the plot's height."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10) if power >= 10 else (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def count_ticks(top: float) -> list[float]:
    """Whole-number ticks from 0 to `top` (a nice ceiling): 0, 5, 10, 15, 20 or 0, 10, … 50."""
    choices = (5, 4, 2, 1) if f"{top:.0f}".startswith("25") else (4, 2, 1) if f"{top:.0f}".startswith("2") \
        else (5, 2, 1)
    steps = next(n for n in choices if (top / n).is_integer())
    return [top * i / steps for i in range(steps + 1)]


def _plot() -> tuple[float, float, float]:
    """Plot width, height and the y of the baseline."""
    return WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_BOTTOM - PAD_TOP, HEIGHT - PAD_BOTTOM


def x_label(start: date, unit: str, previous: date | None) -> str:
    """Months as 2026-03; days and weeks as 03-12, with the year where it changes (and first)."""
    if unit == "month":
        return start.strftime("%Y-%m")
    if previous is None or previous.year != start.year:
        return start.isoformat()
    return start.strftime("%m-%d")


def _x_ticks(buckets: list[Bucket], unit: str, step: float) -> list[tuple[float, str]]:
    every = max(1, math.ceil(len(buckets) / MAX_X_LABELS))
    ticks, previous = [], None
    for i, bucket in enumerate(buckets):
        if i % every == 0:
            ticks.append((round(PAD_LEFT + (i + 0.5) * step, 1), x_label(bucket.start, unit, previous)))
            previous = bucket.start
    return ticks


def methods_chart(buckets: list[Bucket], unit: str) -> Chart:
    """Stacked bars: records per bucket, one colour per consent method."""
    plot_w, plot_h, base_y = _plot()
    top = nice_ceiling(max((b.stats.total for b in buckets), default=0))
    step = plot_w / max(1, len(buckets))
    width = min(step * 0.8, MAX_BAR)
    chart = Chart(legend=[(f"m-{m}", m) for m in METHODS],
                  empty=not any(b.stats.total for b in buckets))
    for i, bucket in enumerate(buckets):
        base = base_y
        for method in METHODS:
            count = bucket.stats.methods.get(method, 0)
            if not count:
                continue
            h = plot_h * count / top
            base -= h
            chart.bars.append(Bar(round(PAD_LEFT + (i + 0.5) * step - width / 2, 1), round(base, 1),
                                  round(width, 1), round(h, 1), f"m-{method}",
                                  f"{_span(bucket)}: {count:,} {method}"))
    chart.y_ticks = [(round(base_y - plot_h * v / top, 1), f"{v:,.0f}")
                     for v in count_ticks(top)]
    chart.x_ticks = _x_ticks(buckets, unit, step)
    return chart


def rates_chart(buckets: list[Bucket], unit: str, categories: list[str]) -> Chart:
    """Lines with a dot per bucket: the share of visitors asked who accepted each category (0-100 %)."""
    plot_w, plot_h, base_y = _plot()
    step = plot_w / max(1, len(buckets))
    chart = Chart(legend=[(f"c-{c}", c) for c in categories])
    for cat in categories:
        points = []
        for i, bucket in enumerate(buckets):
            rate = bucket.stats.rate(cat)
            if rate is None:
                continue
            x, y = round(PAD_LEFT + (i + 0.5) * step, 1), round(base_y - plot_h * rate, 1)
            points.append(f"{x},{y}")
            chart.dots.append((x, y, f"c-{cat}", f"{_span(bucket)}: {cat} {rate * 100:.1f} %"))
        if len(points) > 1:
            chart.lines.append((f"c-{cat}", " ".join(points), cat))
    chart.empty = not chart.dots
    chart.y_ticks = [(round(base_y - plot_h * f, 1), f"{int(f * 100)} %") for f in (0, 0.25, 0.5, 0.75, 1)]
    chart.x_ticks = _x_ticks(buckets, unit, step)
    return chart


def _span(bucket: Bucket) -> str:
    if bucket.start == bucket.end:
        return bucket.start.isoformat()
    return f"{bucket.start.isoformat()} to {bucket.end.isoformat()}"
