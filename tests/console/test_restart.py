"""A real process killed with SIGKILL mid-round loses no answer; the round reveals once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_CONTENT, REPO

SETUP = [
    ":admin",
    "/studybot setup time=09:00 days=daily reveal=17:00",
    ":at 2026-11-30T09:00",
    "Precision and recall trade off; bias and variance too.",
    ":as Bob",
    "My answer mentions variance and a bootstrap.",
    ":as Carol",
    "/answer",
    "Carol answers privately about cosine similarity.",
]


def start(db: Path, when: str) -> subprocess.Popen[str]:
    env = dict(
        os.environ,
        STUDYBOT_DATABASE_URL=f"sqlite:///{db}",
        STUDYBOT_CONTENT_DIR=str(FIXTURE_CONTENT),
        STUDYBOT_CACHE_DIR="none",
        STUDYBOT_LOG_LEVEL="WARNING",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--script", "-", "--start", when],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=env,
    )


def run_to_end(db: Path, when: str, lines: list[str]) -> str:
    proc = start(db, when)
    out, err = proc.communicate("\n".join(lines) + "\n", timeout=60)
    assert proc.returncode == 0, err
    return out


def kill_after_answers(db: Path) -> None:
    proc = start(db, "2026-11-30T08:00")
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("\n".join(SETUP) + "\n")
    proc.stdin.flush()
    recorded = 0
    for line in proc.stdout:  # blocks until the bot says each answer is stored
        recorded += "Recorded your answer" in line
        if recorded == 3:
            break
    assert recorded == 3
    proc.send_signal(signal.SIGKILL)  # no clean shutdown, mid-round
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL


def answers_in(db: Path) -> list[tuple[str, int | None]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT m.display_name, a.points FROM answers a JOIN members m ON m.id = a.member_id"
            " ORDER BY m.display_name"
        ).fetchall()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_killed_mid_round_then_restarted_before_the_reveal(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    kill_after_answers(db)
    assert [name for name, _ in answers_in(db)] == ["Bob", "Carol", "alice"]

    out = run_to_end(
        db,
        "2026-11-30T12:00",
        [":as Dan", "Dan answers in the thread after the restart", ":at 2026-11-30T17:00"],
    )
    assert "Recorded your answer" in out
    assert out.count("== The answer") == 1 and "Answers (4)" in out
    scored = [name for name, points in answers_in(db) if points is not None]
    assert scored == ["Bob", "Carol", "Dan", "alice"]

    out = run_to_end(db, "2026-11-30T18:00", [":advance 2h"])
    assert "== The answer" not in out and "Question of the day" not in out


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_killed_mid_round_then_restarted_after_the_reveal_time(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    kill_after_answers(db)
    out = run_to_end(db, "2026-11-30T20:00", [":advance 1h"])
    assert out.count("== The answer") == 1 and "Answers (3)" in out  # revealed at start-up
    out = run_to_end(db, "2026-11-30T22:00", [":advance 1h"])
    assert "== The answer" not in out
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM rounds").fetchone() == (1,)
