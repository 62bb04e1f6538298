"""Geometry of the server-rendered SVG charts of a platform's page: reports against the
baseline over 24 hours, and 90 days of uptime as daily bars. Templates draw what these
functions compute, so the pages need no script."""

from dataclasses import dataclass

from babillard.outages.queries import ChartBar, UptimeDay

WIDTH, HEIGHT = 480, 120
UPTIME_HEIGHT = 28


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str


@dataclass
class ReportsChart:
    bars: list[Bar]
    baseline_points: str
    peak: int
    width: int = WIDTH
    height: int = HEIGHT


def reports_chart(data: list[ChartBar]) -> ReportsChart:
    """One bar per quarter hour, and the baseline as a line, on a common scale."""
    peak = max([1, *(b.reports for b in data), *(int(b.baseline + 0.999) for b in data)])
    step = WIDTH / max(len(data), 1)
    bars, points = [], []
    for index, item in enumerate(data):
        height = HEIGHT * item.reports / peak
        x = round(index * step, 2)
        label = f"{item.at:%H:%M} UTC: {item.reports} / {item.baseline:g}"
        bars.append(
            Bar(x, round(HEIGHT - height, 2), round(step * 0.8, 2), round(height, 2), label)
        )
        y = round(HEIGHT - HEIGHT * item.baseline / peak, 2)
        points.append(f"{round(x + step / 2, 2)},{y}")
    return ReportsChart(bars=bars, baseline_points=" ".join(points), peak=peak)


@dataclass
class UptimeBar:
    x: float
    day: str
    percent: float | None
    colour: str


def uptime_bars(days: list[UptimeDay]) -> list[UptimeBar]:
    """A bar per day: green at 99.5 % and above, amber above 95 %, red below, grey without data."""
    step = WIDTH / max(len(days), 1)
    bars = []
    for index, day in enumerate(days):
        percent = day.percent
        if percent is None:
            colour = "#8a939b"
        elif percent >= 99.5:
            colour = "#1d6b2f"
        elif percent > 95:
            colour = "#8a6100"
        else:
            colour = "#a4161a"
        bars.append(UptimeBar(round(index * step, 2), day.day.isoformat(), percent, colour))
    return bars
