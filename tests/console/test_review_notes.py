"""The daily review note on the console: on the days a review is due only, once, across restarts.

Ann practises an NLP question on Monday 30 November and rates it Good, so it is
due again on Wednesday 2 December at 07:00 (UTC, the group's zone). She turns the
note on at 08:00: Tuesday brings none, Wednesday one, whose button starts the review.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.content.bank import QuestionBank
from tests.conftest import Console, open_console

SETUP = "/studybot setup time=09:00 tz=UTC days=daily categories=algorithms difficulty=medium"
FULL = "term frequency times inverse document frequency; common words weigh less"
NOTE = "**1 review due** — it is in *NLP*"


@pytest.fixture
def console(console_on_both: Console) -> Console:
    """The console on a real SQLite file, then on a real PostgreSQL server."""
    return console_on_both


async def practised(console: Console) -> None:
    """Set up the group; Ann practises an NLP question and rates it Good (due Wed 07:00)."""
    await console.run(":as Alice", SETUP)
    await console.run(":as Ann", "/practice nlp easy", f"/practice answer {FULL}")
    out = await console.run(":press Good")
    assert "Next review: Wed 02 Dec, 07:00 (UTC)." in out


def notes(out: str) -> list[str]:
    """Return the review notes in console output: who saw each."""
    blocks = out.split("[only ")
    return [b.split(" sees this]")[0] for b in blocks[1:] if "review due" in b]


async def test_the_note_comes_on_the_due_day_only_and_its_button_starts_the_review(
    console: Console,
) -> None:
    await practised(console)
    said = await console.run("/review remind on 08:00")
    assert "Your daily review note is on: at 08:00 (UTC)" in said
    assert "The next: Mon 30 Nov, 08:00 (UTC)" in said
    assert notes(await console.run(":at 2026-12-01T23:59")) == []  # nothing due yet
    out = await console.run(":at 2026-12-02T08:00")
    assert notes(out) == ["Ann"] and NOTE in out and "[Start reviewing]" in out
    assert "/review remind off" in out
    channel = [b for b in re.split(r"\n(?=\[)", out) if b.startswith("[#")]
    assert channel and all("review due" not in b for b in channel)  # nothing in the channel
    started = await console.run(":press Start reviewing")
    assert "Practice · NLP · easy" in started and "The last review due." in started
    await console.run(f"/practice answer {FULL}")  # reviewed: not due on Thursday
    assert notes(await console.run(":at 2026-12-03T12:00")) == []
    shown = await console.run("/review remind")
    assert "Your daily review note is: at 08:00 (UTC)" in shown
    assert "Fri 04 Dec, 08:00 (UTC)" in shown
    assert "now off" in await console.run("/review remind off")
    assert notes(await console.run(":at 2027-01-31T12:00")) == []  # due again, but off
    assert "Practice · NLP" in await console.run("/review")  # due again: off held it back


async def test_bad_input_is_refused_and_changes_nothing(console: Console) -> None:
    await practised(console)
    await console.run("/review remind on 18:30")
    for line, says in [
        ("/review remind maybe", "remind takes on, off, status, not 'maybe'"),
        ("/review remind on 25:00", "'25:00' is not a time of day"),
        ("/review remind off 08:00", "A time goes with on"),
    ]:
        out = await console.run(line)
        assert says in out and out.count("! ") == 1, out
    assert "at 18:30 (UTC)" in await console.run("/review remind")


async def test_in_a_channel_without_a_group_the_note_keeps_utc_and_says_so(
    console: Console,
) -> None:
    await console.run(":as Alice", "/studybot setup tz=Europe/Berlin")
    assert "at 08:00 (Europe/Berlin)" in await console.run(":as Ann", "/review remind on 08:00")
    out = await console.run(":channel random", "/review remind on 08:00")
    assert "at 08:00 (UTC)" in out, out


async def test_a_restart_sends_a_missed_note_once_the_same_day_and_skips_a_past_day(
    tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    db = tmp_path / "bot.sqlite3"
    first = await open_console(db, fixture_bank, datetime(2026, 11, 30, 7, 0, tzinfo=UTC))
    await practised(first)
    await first.run("/review remind on 08:00", ":at 2026-12-02T07:30")
    await first.app.stop()  # down before Wednesday's note, back after it the same day

    second = await open_console(db, fixture_bank, datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    try:
        assert notes(second.out.getvalue()) == ["Ann"]  # sent at start
        assert notes(await second.run(":at 2026-12-02T23:00")) == []
    finally:
        await second.app.stop()

    third = await open_console(db, fixture_bank, datetime(2026, 12, 2, 23, 30, tzinfo=UTC))
    try:
        assert notes(third.out.getvalue()) == []  # sent already: not again
    finally:
        await third.app.stop()  # down over Thursday's note, back on Friday

    fourth = await open_console(db, fixture_bank, datetime(2026, 12, 4, 7, 0, tzinfo=UTC))
    try:
        assert notes(fourth.out.getvalue()) == []  # Thursday's: a past day, skipped
        assert notes(await fourth.run(":at 2026-12-04T08:00")) == ["Ann"]
    finally:
        await fourth.app.stop()
