"""Loading the whole question bank, as start-up does. Target: under 300 ms.

.venv/bin/python bench/bank_load.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from bot.config import default_content_dir
from bot.content.bank import load_bank

COLD = (
    "import time; t0 = time.perf_counter();"
    "from bot.config import default_content_dir; from bot.content.bank import load_bank;"
    "t1 = time.perf_counter(); b = load_bank(default_content_dir());"
    "print(len(b), t1 - t0, time.perf_counter() - t1)"
)


def main() -> None:
    warm = []
    for _ in range(5):
        start = time.perf_counter()
        bank = load_bank(default_content_dir())
        warm.append(time.perf_counter() - start)
    cold, imports = [], []
    for _ in range(5):
        out = subprocess.run(
            [sys.executable, "-c", COLD], capture_output=True, text=True, check=True
        ).stdout.split()
        imports.append(float(out[1]))
        cold.append(float(out[2]))
    print(f"bank: {len(bank)} questions")
    cold_ms = statistics.median(cold) * 1000
    warm_ms = statistics.median(warm) * 1000
    imports_ms = statistics.median(imports) * 1000
    print(
        f"load in a fresh process: median {cold_ms:.0f} ms (target < 300 ms);"
        f" its imports before that: {imports_ms:.0f} ms"
    )
    print(f"load again in the same process: median {warm_ms:.0f} ms")


if __name__ == "__main__":
    main()
