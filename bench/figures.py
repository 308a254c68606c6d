"""What the benchmarks print: percentiles, latency lines, verdicts and the machine's load."""

from __future__ import annotations

import math
import os
import statistics
from collections.abc import Sequence

__all__ = ["latency_line", "load_average", "percentile", "verdict"]


def percentile(values: Sequence[float], q: float) -> float:
    """Return the nearest-rank `q` quantile (0 < q <= 1) of a sample."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def latency_line(name: str, seconds: Sequence[float]) -> str:
    """Return one line with the count, median, 99th percentile and maximum, in milliseconds."""
    ms = [x * 1000 for x in seconds]
    return (
        f"{name:<34} n={len(ms):5d}  p50={statistics.median(ms):7.2f} ms  "
        f"p99={percentile(ms, 0.99):7.2f} ms  max={max(ms):7.2f} ms"
    )


def verdict(met: bool) -> str:
    """Return how a target fared, as the benchmarks print it."""
    return "met" if met else "NOT met"


def load_average() -> str:
    """Return the machine's load averages over 1, 5 and 15 minutes, for the record."""
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())
