"""Loading the whole question bank, as start-up does. Target: under 300 ms.

Times, in fresh processes, parsing and validating every file (the first start,
or after an edit) and reading the parsed-bank cache (every later start).

    .venv/bin/python bench/bank_load.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile

from bot.config import default_content_dir
from bot.content.bank import load_bank

PROGRAM = (
    "import sys, time; from pathlib import Path;"
    "from bot.config import default_content_dir; from bot.content.cache import load_bank_cached;"
    "cache = Path(sys.argv[1]) if sys.argv[1] != '-' else None;"
    "t = time.perf_counter(); b = load_bank_cached(default_content_dir(), cache);"
    "print(len(b), time.perf_counter() - t)"
)


def fresh_process_ms(cache: str, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", PROGRAM, cache], capture_output=True, text=True, check=True
        ).stdout.split()
        times.append(float(out[1]) * 1000)
    return statistics.median(times)


def main() -> None:
    questions = len(load_bank(default_content_dir()))
    parsed = fresh_process_ms("-")
    with tempfile.TemporaryDirectory() as cache:
        fresh_process_ms(cache, runs=1)  # writes the cache
        cached = fresh_process_ms(cache)
    print(f"bank: {questions} questions (median of 5 fresh processes each, imports excluded)")
    print(f"parse and validate every file (first start, or after an edit): {parsed:.0f} ms")
    print(f"from the parsed-bank cache (every later start): {cached:.0f} ms (target < 300 ms)")


if __name__ == "__main__":
    main()
