"""Console scripts as checks (#16): a script whose lines fail exits 1 and says which."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.console.script import ScriptResult
from bot.cli import main
from tests.conftest import FIXTURE_CONTENT, Console

SCRIPT = """\
:admin
/frobnicate
:advance soon
# a comment does not run, nor does a blank line

/studybot setup time=09:00 tz=UTC days=daily
:nope
:at 2026-12-01T09:01
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty working folder (no .env), the fixture bank, no database URL, no cache."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STUDYBOT_DATABASE_URL", raising=False)
    monkeypatch.setenv("STUDYBOT_CONTENT_DIR", str(FIXTURE_CONTENT))
    monkeypatch.setenv("STUDYBOT_CACHE_DIR", "none")
    yield tmp_path


def test_a_script_with_failed_lines_exits_1_and_names_them(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "demo.txt").write_text(SCRIPT, encoding="utf-8")
    assert main(["run", "--start", "2026-12-01T08:00", "--script", "demo.txt"]) == 1
    captured = capsys.readouterr()
    assert "Question of the day" in captured.out  # the lines after a failure still ran
    assert captured.err.strip() == "studybot: 3 of 6 lines failed: lines 2, 3, 7"


def test_a_script_on_standard_input_counts_too(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("/help\n/leaderbord\n"))
    assert main(["run", "--script", "-"]) == 1
    assert capsys.readouterr().err.strip() == "studybot: 1 of 2 lines failed: line 2"


def test_a_clean_script_exits_0(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(":admin\n/help\n:time\n:quit\n/frobnicate\n"))
    assert main(["run"]) == 0  # a pipe is a script; nothing runs after :quit
    assert capsys.readouterr().err == ""


async def test_what_counts_as_a_failed_line(console: Console) -> None:
    lines = [
        "/studybot setup time=09:00 tz=UTC",  # 1: fine
        "/studybot setup time=25:00",  # 2: the bot's error reply
        ":advance 1h",  # 3: fine
        ":at yesterday",  # 4: a console command refused
        ":frobnicate",  # 5: no such console command
        "an answer with no question thread yet",  # 6: a hint, not an error
        "/help",  # 7: fine
    ]
    result = await console.session.run_script(lines, echo=False)
    assert result == ScriptResult(ran=7, failed=(2, 4, 5))


def test_a_long_list_of_failures_is_cut_short() -> None:
    result = ScriptResult(ran=100, failed=tuple(range(1, 31)))
    assert result.summary().endswith(
        "lines 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 and 10 more"
    )
    assert result.summary().startswith("30 of 100 lines failed: ")
