"""The geometry of the figures' SVG charts, in viewBox units; templates/figures/ draws them.

Drawn on the server with SVG attributes and app.css classes only: the Content Security Policy
allows no inline style or script. The viewBox is narrow, so that on a 375 px phone (where the
chart takes the whole width) its text stays about the size of the page's small print.
"""

import math
from dataclasses import dataclass

WIDTH = 360
FONT = 13  # keep in step with `.chart text` in app.css


@dataclass(frozen=True)
class Bar:
    """One bar and its value, inside one link; `name` is the link's accessible name."""

    y: float
    width: float
    css: str
    href: str
    name: str
    value: str

    height = 14

    @property
    def value_x(self) -> float:
        return round(self.width + 4, 1)

    @property
    def value_y(self) -> float:
        return self.y + self.height - 2


@dataclass(frozen=True)
class BarGroup:
    label: str
    label_y: float
    bars: list[Bar]


@dataclass(frozen=True)
class BarChart:
    groups: list[BarGroup]
    legend: list[tuple[str, str]]  # (css class, words)
    height: float
    width: int = WIDTH


@dataclass(frozen=True)
class Series:
    css: str
    words: str  # in the legend and in each bar's name: "applications"
    word: str  # in the name of a bar of one: "application"

    def count(self, value: int) -> str:
        return f"{value} {self.word if value == 1 else self.words}"


# Room for the value after the longest bar ("12345").
VALUE_ROOM = 40
LEGEND_HEIGHT = 24


def bar_chart(rows: list[tuple[str, list[tuple[int, str]]]], series: list[Series]) -> BarChart:
    """Horizontal bars: `rows` is (label, [(value, href) per series]); each label sits above its bars,
    so the bars keep the whole width on a phone."""
    largest = max([value for _, values in rows for value, _ in values], default=0) or 1
    scale = (WIDTH - VALUE_ROOM) / largest
    y = LEGEND_HEIGHT if len(series) > 1 else 0
    groups = []
    for label, values in rows:
        label_y, y = y + FONT + 2, y + FONT + 6
        bars = []
        for (value, href), kind in zip(values, series, strict=True):
            bars.append(Bar(y, round(value * scale, 1), kind.css, href, f"{label}: {kind.count(value)}", str(value)))
            y += Bar.height + 3
        groups.append(BarGroup(label, label_y, bars))
        y += 8
    return BarChart(groups, [(kind.css, kind.words.capitalize()) for kind in series] if len(series) > 1 else [], y)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    href: str
    name: str


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class LineChart:
    paths: list[str]  # one `d` per run of months with a value: a month without any breaks the line
    points: list[Point]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    left: float
    right: float
    height: int
    width: int = WIDTH


LEFT, RIGHT, TOP, PLOT_HEIGHT = 42, WIDTH - 6, 10, 150
# Beyond this many months, only every second (third…) month is named, so the names never overlap.
MOST_X_LABELS = 7


def line_chart(points: list[tuple[str, str, float | None, str, str]]) -> LineChart:
    """A percentage (0 to 100) per period: `points` is (short label, year, value, href, name); a
    named month shows its year under it where the year changes."""
    step = (RIGHT - LEFT) / max(len(points), 1)
    every = math.ceil(len(points) / MOST_X_LABELS)
    drawn, paths, run, x_ticks, last_year = [], [], [], [], ""
    for index, (short, year, value, href, name) in enumerate(points):
        x = round(LEFT + (index + 0.5) * step, 1)
        if index % every == 0:
            x_ticks.append(Tick(x, TOP + PLOT_HEIGHT + FONT + 4, short))
            if year != last_year:
                x_ticks.append(Tick(x, TOP + PLOT_HEIGHT + 2 * FONT + 6, year))
                last_year = year
        if value is None:
            paths, run = _close(paths, run), []
            continue
        point = Point(x, round(TOP + PLOT_HEIGHT * (1 - value / 100), 1), href, name)
        drawn.append(point)
        run.append(point)
    paths = _close(paths, run)
    y_ticks = [Tick(LEFT - 4, round(TOP + PLOT_HEIGHT * (1 - share / 100), 1), f"{share}%") for share in (0, 50, 100)]
    return LineChart(paths, drawn, x_ticks, y_ticks, LEFT, RIGHT, TOP + PLOT_HEIGHT + 2 * FONT + 10)


def _close(paths: list[str], run: list[Point]) -> list[str]:
    if len(run) > 1:
        paths.append("M" + " L".join(f"{p.x} {p.y}" for p in run))
    return paths
