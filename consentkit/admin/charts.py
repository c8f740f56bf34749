"""Server-drawn SVG charts: geometry computed here, markup in `templates/admin/_charts.html`.

No chart library and no JavaScript: the CSP allows neither inline script nor inline style, so the
charts are plain SVG shapes coloured by CSS classes from admin.css.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..queries import METHODS, Stats

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 720, 220, 44, 24, 10


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
    bars: list[Bar] = field(default_factory=list)
    lines: list[tuple[str, str, str]] = field(default_factory=list)  # (css, points, label)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)


def _plot_area() -> tuple[float, float]:
    return WIDTH - PAD_LEFT - 8, HEIGHT - PAD_BOTTOM - PAD_TOP


def _x_ticks(stats: Stats, step: float) -> list[tuple[float, str]]:
    every = max(1, len(stats.days) // 8)
    return [(PAD_LEFT + (i + 0.5) * step, d.day.strftime("%m-%d"))
            for i, d in enumerate(stats.days) if i % every == 0]


def methods_chart(stats: Stats) -> Chart:
    """Stacked bars: records per day, one colour per consent method."""
    plot_w, plot_h = _plot_area()
    top = max((d.total for d in stats.days), default=0) or 1
    step = plot_w / max(1, len(stats.days))
    chart = Chart(legend=[(f"m-{m}", m) for m in METHODS])
    for i, day in enumerate(stats.days):
        base = HEIGHT - PAD_BOTTOM
        for method in METHODS:
            count = day.methods.get(method, 0)
            if not count:
                continue
            h = plot_h * count / top
            base -= h
            chart.bars.append(Bar(round(PAD_LEFT + i * step + step * 0.1, 1), round(base, 1),
                                  round(step * 0.8, 1), round(h, 1), f"m-{method}",
                                  f"{day.day}: {count} {method}"))
    chart.y_ticks = [(HEIGHT - PAD_BOTTOM - plot_h * f, f"{round(top * f):,}") for f in (0, 0.5, 1)]
    chart.x_ticks = _x_ticks(stats, step)
    return chart


def rates_chart(stats: Stats, categories: list[str]) -> Chart:
    """Lines: the share of visitors asked who accepted each category, per day (0-100 %)."""
    plot_w, plot_h = _plot_area()
    step = plot_w / max(1, len(stats.days))
    chart = Chart(legend=[(f"c-{c}", c) for c in categories])
    for cat in categories:
        points = []
        for i, day in enumerate(stats.days):
            rate = day.rate(cat)
            if rate is not None:
                points.append(f"{PAD_LEFT + (i + 0.5) * step:.1f},{HEIGHT - PAD_BOTTOM - plot_h * rate:.1f}")
        if points:
            chart.lines.append((f"c-{cat}", " ".join(points), cat))
    chart.y_ticks = [(HEIGHT - PAD_BOTTOM - plot_h * f, f"{int(f * 100)} %") for f in (0, 0.5, 1)]
    chart.x_ticks = _x_ticks(stats, step)
    return chart
