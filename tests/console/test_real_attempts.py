"""Only a real attempt earns points, and feedback quotes the words that covered each point."""

from __future__ import annotations

import pytest

from bot.scoring import ScoringRules
from tests.conftest import Console

RULES = ScoringRules()
SETUP = "/studybot setup time=09:00 tz=UTC days=daily categories=algorithms difficulty=medium"
PROMPT = "Compare L1 and L2 regularization for a linear model with many correlated features."


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (".", "it has no sentence to grade"),
        ("\u200b", "it has no sentence to grade"),
        ("L1, L2, lasso, ridge, sparse, shrinkage, elastic net", "list of terms"),
        (PROMPT, "it repeats the question"),
    ],
)
async def test_no_real_attempt_is_told_at_once_and_earns_no_points(
    console: Console, answer: str, why: str
) -> None:
    await console.run(SETUP, ":at 2026-11-30T09:00")
    round_ = await console.app.store.current_round(1)
    assert round_ is not None and round_.question_id == "algorithms-l1-l2"
    out = await console.run(":as Mallory", answer)
    assert "won't earn points" in out and why in out
    await console.run(
        ":as Alice", "L1 drives some weights to exactly zero, so it selects features."
    )
    await console.run(":at 2026-11-30T10:00", ":as Alice", "/studybot reveal")
    points = {a.display_name: a.points for a in await console.app.store.round_answers(round_.id)}
    assert points["Mallory"] == 0
    assert points["Alice"] is not None and points["Alice"] >= RULES.participation
    stats = await console.app.store.member_stats(1, [await member(console, "mallory")])
    assert stats == {}  # no streak from a non-attempt
    out = await console.run(":as Mallory", ":press My feedback")
    assert "It earned no points" in out
    out = await console.run("/stats")  # no attempt: no category's coverage either
    assert "Rounds answered --\n  0" in out and "By category" not in out


async def member(console: Console, user_id: str) -> int:
    from bot.model import MemberRef

    return await console.app.store.member_id(MemberRef("console", user_id, ""))


async def test_feedback_quotes_the_words_that_covered_each_point(console: Console) -> None:
    await console.run(SETUP, ":at 2026-11-30T09:00")
    answer = (
        "With L1 many weights end up exactly zero, which is feature selection. "
        "Ridge keeps every weight but shrinks them."
    )
    await console.run(":as Bea", answer)
    await console.run(":at 2026-11-30T10:00", ":as Alice", "/studybot reveal")
    out = await console.run(":as Bea", ":press My feedback")
    assert "✓ L1 gives sparse weights" in out
    assert "you wrote: “With L1 many weights end up exactly zero" in out
    assert "✓ L2 shrinks weights smoothly" in out and "Ridge keeps every weight" in out
    assert "✗ Elastic net combines them — not in your answer" in out
