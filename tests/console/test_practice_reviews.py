"""Practice with FSRS on the console: rate your recall, and /review the questions due."""

from __future__ import annotations

import pytest

from tests.conftest import Console


@pytest.fixture
def console(console_on_both: Console) -> Console:
    """The console on a real SQLite file, then on a real PostgreSQL server."""
    return console_on_both


SETUP = "/studybot setup time=09:00 tz=UTC days=daily categories=algorithms difficulty=medium"
FULL = "term frequency times inverse document frequency; common words weigh less"


async def test_practice_then_a_rating_button_sets_the_next_review(console: Console) -> None:
    await console.run(":as Alice", SETUP)
    out = await console.run(":as Ann", "/practice nlp easy")
    assert "Practice · NLP · easy" in out
    out = await console.run(f"/practice answer {FULL}")
    assert "You covered 3 of 3 key points" in out
    assert "[Again]  [Hard]  [Good]  [Easy ✓]" in out  # 100% coverage suggests Easy
    assert "Easy (from your coverage) stands unless you press another." in out
    assert "Next review: Tue 08 Dec, 07:00 (UTC)." in out  # FSRS: a first Easy, 8 days
    out = await console.run(":press Hard")
    assert "Rated **Hard**. Next review: Tue 01 Dec, 07:00 (UTC)." in out
    out = await console.run("/stats")
    assert "reviews due: 0 today, 1 this week" in out
    out = await console.run(":press Good")  # changed again, from the card before the review
    assert "Rated **Good**. Next review: Wed 02 Dec, 07:00 (UTC)." in out
    out = await console.run("/review")
    assert "No reviews are due. The next one is due Wed 02 Dec, 07:00 (UTC)" in out


async def test_an_unrated_reveal_stands_as_again_and_review_brings_it_back(
    console: Console,
) -> None:
    await console.run(":as Alice", SETUP)
    out = await console.run(":as Ann", "/review")
    assert "You have no reviews yet" in out
    out = await console.run("/practice evaluation easy", "/practice reveal")
    assert "[Again ✓]  [Hard]  [Good]  [Easy]" in out
    assert "Next review: Tue 01 Dec, 07:00 (UTC)." in out
    await console.run(":at 2026-11-30T08:00")
    out = await console.run("/practice nlp easy", "/practice reveal")  # another, unrated
    out = await console.run("/stats")
    assert "reviews due: 2 today, 2 this week" not in out  # due tomorrow, not today
    assert "reviews due: 0 today, 2 this week" in out
    out = await console.run(":at 2026-12-01T08:30", "/review")
    assert "Practice · Evaluation · easy" in out  # due first (revealed first)
    assert "1 more due after this one." in out
    out = await console.run(":press Show the answer")
    assert "[Again ✓]" in out
    out = await console.run("/review")
    assert "Practice · NLP · easy" in out and "The last review due." in out
    out = await console.run(f"/practice answer {FULL}")
    assert "[Easy ✓]" in out  # recalled this time
    out = await console.run(":press 1")  # the first: Again
    assert "Rated **Again**. Next review: Wed 02 Dec, 08:30 (UTC)." in out
    assert "Nothing else is due" in out
