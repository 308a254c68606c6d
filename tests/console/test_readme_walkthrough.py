"""The README's console walk-through, run as written: each line does what its comment says.

The block under "Trying a round on the console" is read from README.md and
run through the console as a script, on a new database with the clock's
default start and the bundled bank, exactly as `./scripts/run --script` would.
Each line's output is checked against what its comment promises; a line of
the README with no check here, or a check whose line left the README, fails,
so the two cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from adapters.console.main import ConsoleOptions, run_console
from adapters.console.translate import without_comment
from bot.config import Config, default_content_dir

README = Path(__file__).resolve().parents[2] / "README.md"
PROMPT = re.compile(r"^\w+@#\w+> ", re.MULTILINE)

# Each line of the walk-through (its start, before any comment), and what its output shows.
EXPECTED: tuple[tuple[str, tuple[str, ...]], ...] = (
    (":admin", ("(alice may manage #general now)",)),
    ("/studybot setup time=09:00", ("Daily questions are on", "09:00 Europe/Berlin, mon-fri")),
    (":at 2026-12-01T08:00", ("Question of the day", "(it is now Tue 2026-12-01 08:00 UTC")),
    ("A constituency parse", ("[only alice sees this] ✅", "Recorded your answer")),
    ("They also degrade", ("Added to your answer",)),
    (":as bob", ("(you are now bob)",)),
    ("/hint", ("[only bob sees this]", "Hint for today's question")),
    ("/answer", ("[only bob sees this]", "form 'Your answer'")),
    ("Parsing helps information extraction", ("[only bob sees this] ✅", "Recorded")),
    (":reply alice", ()),  # discussion: stored as nobody's answer, answered with nothing
    (":like alice", ("👍 added",)),
    (
        ":advance 10h",
        ("== The answer", "alice — ✓✓✗✓✗ 3/5", "· 👍 1", "bob — ✗✗✓✗✗ 1/5", "Leaderboard"),
    ),
    ("/leaderboard week", ("Leaderboard · this week", "1. alice — 24", "2. bob — 14")),
    (
        ":press My feedback",
        ("[only bob sees this]", "✓ Parsing supports information extraction", "1 of 5"),
    ),
)


def walkthrough() -> list[str]:
    """Return the lines of the README's console walk-through block."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Trying a round on the console") :]
    block = section[section.index("```text\n") + len("```text\n") :]
    return [line for line in block[: block.index("```")].splitlines() if line.strip()]


def test_every_line_of_the_walkthrough_has_a_check_and_every_check_a_line() -> None:
    lines = [without_comment(line).strip() for line in walkthrough()]
    assert len(lines) == len(EXPECTED)
    for line, (start, _) in zip(lines, EXPECTED, strict=True):
        assert line.startswith(start), f"README line {line!r}: the test expects {start!r}"
    assert all("  # " in line for line in walkthrough() if line.startswith((":", "/"))), (
        "every command of the walk-through says what it does"
    )


async def test_the_walkthrough_does_what_each_comment_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = Config(
        database_url=f"sqlite:///{tmp_path / 'studybot.sqlite3'}",
        content_dir=default_content_dir(),
    )
    assert await run_console(config, ConsoleOptions(), walkthrough()) == 0
    printed = capsys.readouterr().out
    greeting, *outputs = PROMPT.split(printed)
    assert "the simulated clock says Mon 2026-11-30 12:00 UTC" in greeting
    assert len(outputs) == len(EXPECTED)
    for output, (start, shown) in zip(outputs, EXPECTED, strict=True):
        echoed, _, answered = output.partition("\n")
        assert echoed.startswith(start)
        errors = [line for line in answered.splitlines() if line.lstrip().startswith("! ")]
        assert not errors, f"{start!r} answered with an error: {errors}"
        for text in shown:
            assert text in answered, f"{start!r} should show {text!r}; it printed:\n{answered}"
        if not shown:
            assert not answered.strip(), f"{start!r} should be answered with nothing: {answered}"
    assert "Attachment trips me up" not in printed.split(":press My feedback", 1)[1]

    # Run again on the same database: the clock resumes at the data's last activity (the
    # reveal, 17:00 UTC), so the walk-through's move back to Tuesday morning is refused.
    again = replace(ConsoleOptions(), member="carol")
    assert await run_console(config, again, [":at 2026-12-01T08:00", "/leaderboard week"]) == 1
    printed, problems = capsys.readouterr()
    assert "1 of 2 lines failed: line 1" in problems
    assert "the simulated clock says Tue 2026-12-01 17:00 UTC" in printed
    assert "The clock only moves forward" in printed
    assert "1. alice — 24" in printed
