"""How long drawing a chart takes: a process's first (matplotlib's import included), and warm.

The first drawing is timed in fresh processes (importing `bot.chart_drawing`,
which imports nothing heavy, then drawing, which imports matplotlib); warm
drawings in this process after one to warm up. `/stats` is drawn with 16
categories (every category of the bank: its tallest picture) and with 6;
`/leaderboard chart` with ten members over 8 weeks. Target: a warm chart in
under 150 ms. Warm drawings are timed on the wall clock and in CPU time (this
process's): on a machine busy with other work the wall clock counts the waits
for a core, the CPU time only the drawing.

    .venv/bin/python bench/charts.py [--runs 50] [--cold 3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.figures import latency_line, load_average, percentile, verdict  # noqa: E402
from bot.chart_data import (  # noqa: E402
    BoardChart,
    Series,
    StatsChart,
    activity_grid,
    last_weeks,
    weakest_first,
)

TARGET = 0.150
TODAY = date(2026, 12, 8)
CATEGORIES = (
    "Algorithms",
    "Applied modeling",
    "Behavioral",
    "Case studies",
    "Coding",
    "Computer vision",
    "Data",
    "Deep learning",
    "Evaluation",
    "Fundamentals",
    "LLMs and GenAI",
    "MLOps",
    "NLP",
    "Recsys and search",
    "Reinforcement learning",
    "System design",
)
_COLD = """
import time
start = time.perf_counter()
from bench.charts import stats_chart
from bot.chart_drawing import draw_stats
draw_stats(stats_chart(16))
print(time.perf_counter() - start)
"""


def stats_chart(categories: int) -> StatsChart:
    """Return a busy member's /stats chart: points every week, answers most days."""
    weeks = last_weeks(TODAY, 12)
    points = tuple(15 + (i * 37) % 60 for i in range(12))
    coverage = weakest_first(
        (name, 3, ((i * 29) % 100) / 100) for i, name in enumerate(CATEGORIES[:categories])
    )
    days = Counter({TODAY - timedelta(days=d): (d * 7) % 5 for d in range(182)})
    grid = activity_grid(days, TODAY)
    return StatsChart("Alexandra Q. Member", weeks, points, coverage, grid, last_weeks(TODAY, 26))


def board_chart() -> BoardChart:
    """Return a board chart of ten members over 8 weeks."""
    series = tuple(
        Series(f"Member number {i}", tuple((i * 13 + w * 29) % 90 for w in range(8)))
        for i in range(10)
    )
    return BoardChart("The leaders' points per week", last_weeks(TODAY, 8), series)


def _timed(draw: Callable[[], bytes], runs: int) -> tuple[list[float], list[float]]:
    """Return the wall-clock and CPU seconds of each of `runs` drawings, after one to warm up."""
    draw()  # warm up: the import, and matplotlib's caches (fonts, text layout)
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        draw()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def _cold(runs: int) -> list[float]:
    """Return the seconds of a fresh process's first drawing (import included)."""
    found = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", _COLD], cwd=REPO, capture_output=True, text=True, check=True
        )
        found.append(float(out.stdout.strip()))
    return found


def main() -> None:
    """Time the first chart of fresh processes, then warm charts; print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--cold", type=int, default=3)
    args = parser.parse_args()
    print(load_average())
    cold = _cold(args.cold)
    print(latency_line("first /stats chart (with import)", cold))
    from bot.chart_drawing import draw_board, draw_stats

    tall, typical, board = stats_chart(16), stats_chart(6), board_chart()
    warm = {
        "/stats chart, 16 categories": _timed(lambda: draw_stats(tall), args.runs),
        "/stats chart, 6 categories": _timed(lambda: draw_stats(typical), args.runs),
        "/leaderboard chart, ten members": _timed(lambda: draw_board(board), args.runs),
    }
    for name, (wall, cpu) in warm.items():
        print(latency_line(name, wall))
        print(latency_line(f"  {name.split(',')[0]}, CPU time", cpu))
    worst = max(percentile(wall, 0.5) for wall, _ in warm.values())
    worst_cpu = max(percentile(cpu, 0.5) for _, cpu in warm.values())
    print(f"warm chart p50 under {TARGET * 1000:.0f} ms: {verdict(worst < TARGET)} (wall clock)")
    print(f"warm chart p50 under {TARGET * 1000:.0f} ms: {verdict(worst_cpu < TARGET)} (CPU time)")
    print(load_average())


if __name__ == "__main__":
    main()
