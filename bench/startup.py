"""Start-up to ready on the console with the full bank, and resident memory then.

Starts `studybot run` as a real process on a fresh SQLite file, sends `/help`
and times until its answer arrives; reads VmRSS while the process waits.
Targets: under 1 s, under 120 MB.

    .venv/bin/python bench/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def one_run(db: Path) -> tuple[float, float]:
    env = dict(os.environ, STUDYBOT_DATABASE_URL=f"sqlite:///{db}")
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--script", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=env,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("/help\n")
    proc.stdin.flush()
    for line in proc.stdout:
        if "== Commands ==" in line:
            break
    ready = time.perf_counter() - start
    status = Path(f"/proc/{proc.pid}/status").read_text()
    rss_kb = int(next(ln for ln in status.splitlines() if ln.startswith("VmRSS")).split()[1])
    proc.stdin.close()
    proc.wait(timeout=30)
    return ready, rss_kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from bot.config import default_content_dir
    from bot.content.bank import load_bank

    questions = len(load_bank(default_content_dir()))
    times, rss = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            t, m = one_run(Path(tmp) / f"s{i}.sqlite3")
            times.append(t)
            rss.append(m)
    print(f"bank: {questions} questions; {args.runs} runs, each on a fresh database")
    print(
        f"start-up to ready: median {statistics.median(times):.2f} s, max {max(times):.2f} s"
        " (target < 1 s)"
    )
    print(f"resident memory when ready: max {max(rss):.0f} MB (target < 120 MB)")


if __name__ == "__main__":
    main()
