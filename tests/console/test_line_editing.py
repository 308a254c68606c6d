"""The console in a terminal (#16): lines can be edited and recalled, kept between runs."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import time
from pathlib import Path

import pytest

from adapters.console.terminal import HISTORY_FILE, HISTORY_LINES
from bot.cli import main
from tests.conftest import FIXTURE_CONTENT, REPO

UP = "\x1b[A"  # the terminal's up arrow
LEFT = "\x1b[D"
STUDYBOT = REPO / ".venv" / "bin" / "studybot"


class Terminal:
    """`studybot run` on a pseudo-terminal: type into it and read what it shows."""

    def __init__(self, cwd: Path) -> None:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(cwd),
            "TERM": "xterm",
            "STUDYBOT_CONTENT_DIR": str(FIXTURE_CONTENT),
            "STUDYBOT_CACHE_DIR": "none",
        }
        self._master, slave = pty.openpty()
        self._process = subprocess.Popen(
            [str(STUDYBOT), "run", "--start", "2026-12-01T08:00"],
            cwd=cwd,
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
        )
        os.close(slave)
        self.shown = ""

    def wait_for(self, text: str, seconds: float = 30.0) -> None:
        """Read what the terminal shows until `text` appears."""
        deadline = time.monotonic() + seconds
        while text not in self.shown:
            left = deadline - time.monotonic()
            assert left > 0, f"{text!r} never showed; the terminal shows:\n{self.shown}"
            ready, _, _ = select.select([self._master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self._master, 4096)
                except OSError:  # the process closed the terminal
                    chunk = b""
                assert chunk, f"{text!r} never showed before the end:\n{self.shown}"
                self.shown += chunk.decode("utf-8", "replace")

    def type(self, keys: str) -> None:
        """Type keys (a line ends with a carriage return, as Enter sends)."""
        os.write(self._master, keys.encode())

    def close(self) -> int:
        """Wait for the console to end; return its exit status."""
        try:
            return self._process.wait(timeout=30)
        finally:
            os.close(self._master)


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_lines_are_recalled_and_edited_across_runs(tmp_path: Path) -> None:
    first = Terminal(tmp_path)
    first.wait_for("alice@#general> ")
    first.type(":as bob\r")
    first.wait_for("bob@#general> ")
    first.type(":quit\r")
    assert first.close() == 0
    history = tmp_path / "studybot-data" / HISTORY_FILE
    assert history.read_text(encoding="utf-8").splitlines() == [":as bob", ":quit"]
    assert history.stat().st_mode & 0o077 == 0  # answers typed are the user's own

    second = Terminal(tmp_path)
    second.wait_for("alice@#general> ")
    second.type(UP + UP + "\r")  # the line before :quit, from the earlier run
    second.wait_for("bob@#general> ")
    second.type(UP + LEFT * 3 + "carol" + "\x7f" * 3 + "\r")  # ":as carolbob", less "rol"
    second.wait_for("(you are now cabob)")
    second.wait_for("cabob@#general> ")
    second.type(":quit\r")
    assert second.close() == 0
    assert history.read_text(encoding="utf-8").splitlines()[-2:] == [":as cabob", ":quit"]


def test_a_script_or_a_pipe_keeps_no_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STUDYBOT_DATABASE_URL", raising=False)
    monkeypatch.setenv("STUDYBOT_CONTENT_DIR", str(FIXTURE_CONTENT))
    monkeypatch.setenv("STUDYBOT_CACHE_DIR", "none")
    monkeypatch.setattr("sys.stdin", io.StringIO(":as bob\n"))
    assert main(["run"]) == 0
    (tmp_path / "demo.txt").write_text(":as bob\n", encoding="utf-8")
    assert main(["run", "--script", "demo.txt"]) == 0
    assert (tmp_path / "studybot-data").is_dir()
    assert not (tmp_path / "studybot-data" / HISTORY_FILE).exists()
    assert HISTORY_LINES == 1000
