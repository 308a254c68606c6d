"""The charts drawn as PNG images, with matplotlib's Agg backend (offline, no display).

The only module that imports matplotlib, and only when a chart is drawn, so
that starting the bot never pays for it. Each chart is a dark card (a neutral
dark grey, GitHub's "dimmed" palette): light text and saturated bars keep a
contrast of at least 4.5:1 on it, and a card that brings its own background
reads the same in a chat app's light and dark themes, where a transparent
figure would lose either its black or its white text. Sizes suit a phone: 800
pixels wide, text at 11 points or more.
"""

from __future__ import annotations

import gc
import io
import textwrap
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.chart_data import BoardChart, StatsChart, Week

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["BACKGROUND", "draw_board", "draw_stats"]

BACKGROUND = "#22272e"
_TEXT = "#e6edf3"
_MUTED = "#9da7b3"
_GRID = "#3a424d"
_BAR = "#58a6ff"
_WEAK = "#f0883e"  # a category below half coverage
_WEAK_BELOW = 0.5
_HEAT = ("#2d333b", "#0e4429", "#006d32", "#26a641", "#39d353")  # 0, 1, 2, 3, 4+ answers
_LINES = (
    "#58a6ff",
    "#f0883e",
    "#3fb950",
    "#db61a2",
    "#d2a8ff",
    "#e3b341",
    "#56d4dd",
    "#ff7b72",
    "#a5d6ff",
    "#b1bac4",
)
_DPI = 100
_WIDTH = 8.0  # inches: 800 pixels
_WEEKDAYS = 7
_CELL = 10  # pixels of a day's square in the activity grid, before scaling
_GAP = 2
_NAME_LENGTH = 24
_LABEL_WIDTH = 16  # characters of a category's name on one line; longer ones take two
_LEFT = 0.2  # of the width: the category names' room
# matplotlib is not thread-safe (its font and text caches are shared): the charts, drawn in
# worker threads, are drawn one at a time.
_DRAWING = threading.Lock()
# Set once the first chart is drawn and what is alive then is frozen (see `_settle`).
_SETTLED = threading.Event()


def _plain(text: str) -> str:
    """Return text matplotlib shows as it is (a `$` would start math); at most 24 characters."""
    return text[:_NAME_LENGTH].replace("$", r"\$")


def _label(name: str) -> str:
    """Return a category's name on at most two lines of 16 characters (cut with `…`)."""
    lines = textwrap.wrap(_plain(name), _LABEL_WIDTH, max_lines=2, placeholder="…")
    return "\n".join(lines)


def _settle() -> None:
    """After the first chart, keep the collector's full passes off what lives on (gc.freeze).

    matplotlib's modules, fonts and text caches, loaded by the first chart, stay for the
    life of the process; a full collection would walk them all again in a later chart,
    which was most of a chart's slowest times (p99 about 300 ms against 120 ms).
    """
    if not _SETTLED.is_set():
        _SETTLED.set()
        gc.collect()  # the first chart's own garbage goes first, not into the frozen set
        gc.freeze()


def _figure(height: float) -> Figure:
    # imported on demand: starting the bot never imports matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(_WIDTH, height), dpi=_DPI, facecolor=BACKGROUND)
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(
        buffer,
        format="png",
        facecolor=BACKGROUND,
        metadata={"Software": None},
        pil_kwargs={"compress_level": 1},  # flat colours pack well even so, and it is 3x quicker
    )
    return buffer.getvalue()


def _style(axes: Axes, title: str) -> None:
    axes.set_facecolor(BACKGROUND)
    axes.set_title(title, color=_TEXT, fontsize=14, loc="left", pad=10)
    axes.tick_params(colors=_MUTED, labelsize=11, length=0)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color(_GRID)


def _week_ticks(axes: Axes, weeks: Sequence[Week], every: int) -> None:
    shown = range(0, len(weeks), every)
    axes.set_xticks(list(shown), [weeks[i].label for i in shown])


def _points_panel(axes: Axes, chart: StatsChart) -> None:
    _style(axes, f"Points per week (last {len(chart.weeks)} weeks)")
    bars = axes.bar(range(len(chart.weeks)), chart.points, color=_BAR, width=0.7)
    axes.bar_label(bars, [str(p) if p else "" for p in chart.points], color=_TEXT, fontsize=10)
    axes.set_ylim(0, max(max(chart.points), 1) * 1.2)
    axes.set_yticks([])  # each bar says its points: no scale to read across
    _week_ticks(axes, chart.weeks, 2)


def _coverage_panel(axes: Axes, chart: StatsChart) -> None:
    _style(axes, "Coverage by category (weakest first)")
    if not chart.coverage:
        axes.set_axis_off()
        axes.text(0.5, 0.5, "No graded answers yet", color=_MUTED, ha="center", fontsize=12)
        return
    names = [_label(name) for name, _ in chart.coverage]
    values = [average * 100 for _, average in chart.coverage]
    colours = [_WEAK if a < _WEAK_BELOW else _BAR for _, a in chart.coverage]
    bars = axes.barh(range(len(names)), values, color=colours, height=0.65)
    axes.bar_label(bars, [f"{v:.0f}%" for v in values], color=_TEXT, fontsize=11, padding=4)
    axes.set_yticks([])  # names as plain text: a tick each costs more to draw than its label
    for row, name in enumerate(names):
        axes.text(-2, row, name, color=_TEXT, fontsize=11, ha="right", va="center")
    axes.invert_yaxis()
    axes.set_xlim(0, 112)
    axes.set_xticks([])  # each bar says its coverage; the half-way mark is the one that matters
    axes.axvline(_WEAK_BELOW * 100, color=_MUTED, linewidth=1, linestyle=(0, (3, 3)), zorder=0)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _calendar_pixels(grid: Sequence[Sequence[int | None]]) -> Any:
    """Return the grid as an RGB image: a square per day, parted by gaps of the background."""
    import numpy as np  # on demand, as matplotlib

    step = _CELL + _GAP
    rows, columns = len(grid), len(grid[0])
    pixels = np.full((rows * step, columns * step, 3), _rgb(BACKGROUND), dtype=np.uint8)
    for d, row in enumerate(grid):
        for w, count in enumerate(row):
            if count is not None:
                y, x = d * step + _GAP // 2, w * step + _GAP // 2
                pixels[y : y + _CELL, x : x + _CELL] = _rgb(_HEAT[min(count, len(_HEAT) - 1)])
    return pixels


def _activity_panel(axes: Axes, chart: StatsChart) -> None:
    _style(axes, f"Answers per day (last {len(chart.grid_weeks)} weeks)")
    weeks = len(chart.grid_weeks)
    axes.imshow(
        _calendar_pixels(chart.grid),
        extent=(-0.5, weeks - 0.5, _WEEKDAYS - 0.5, -0.5),
        interpolation="nearest",
    )
    axes.set_yticks([0, 2, 4], ["Mon", "Wed", "Fri"])
    months = [
        (i, f"{w.monday:%b}")
        for i, w in enumerate(chart.grid_weeks)
        if i == 0 or w.monday.month != chart.grid_weeks[i - 1].monday.month
    ]
    axes.set_xticks([i for i, _ in months], [m for _, m in months])
    axes.spines["bottom"].set_visible(False)


def draw_stats(chart: StatsChart) -> bytes:
    """Return a member's `/stats` chart as a PNG: three panels stacked for a phone's screen."""
    with _DRAWING:
        png = _stats_png(chart)
        _settle()
        return png


def _stats_png(chart: StatsChart) -> bytes:
    panels = (2.4, 0.45 * max(len(chart.coverage), 2), 1.7)  # inches of each panel
    top, gap, bottom = 1.0, 0.95, 0.45  # above the first (title), between, below the last
    height = top + sum(panels) + gap * (len(panels) - 1) + bottom
    figure = _figure(height)
    figure.suptitle(
        f"{_plain(chart.name)}'s progress",
        color=_TEXT,
        fontsize=16,
        x=0.04,
        y=1 - 0.25 / height,
        ha="left",
        va="top",
    )
    axes = []
    above = top
    for inches in panels:  # stacked from the top, gaps in inches whatever the panels' sizes
        bottom_edge = 1 - (above + inches) / height
        axes.append(figure.add_axes((_LEFT, bottom_edge, 0.96 - _LEFT, inches / height)))
        above += inches + gap
    _points_panel(axes[0], chart)
    _coverage_panel(axes[1], chart)
    _activity_panel(axes[2], chart)
    return _png(figure)


def draw_board(chart: BoardChart) -> bytes:
    """Return the leaders' points per week as a PNG: one line per member, the legend below."""
    with _DRAWING:
        png = _board_png(chart)
        _settle()
        return png


def _board_png(chart: BoardChart) -> bytes:
    figure = _figure(6.4)
    axes = figure.add_subplot()
    _style(axes, _plain(chart.title))
    weeks = range(len(chart.weeks))
    for i, series in enumerate(chart.series):
        axes.plot(
            weeks,
            series.points,
            color=_LINES[i % len(_LINES)],
            linewidth=2.2,
            marker="o",
            markersize=5,
            label=f"{i + 1}. {_plain(series.name)}",
        )
    axes.yaxis.grid(True, color=_GRID, linewidth=0.8)
    axes.set_ylim(bottom=0)
    _week_ticks(axes, chart.weeks, 1)
    legend = axes.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncols=2,
        frameon=False,
        fontsize=11,
        labelcolor=_TEXT,
    )
    legend.set_in_layout(False)
    figure.subplots_adjust(left=0.08, right=0.97, top=0.92, bottom=0.36)
    return _png(figure)
