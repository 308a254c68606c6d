"""Helpful votes: a 👍 on someone else's answer before the reveal adds to its points."""

from __future__ import annotations

from bot.scoring import ScoringRules
from tests.conftest import Console

RULES = ScoringRules()


async def open_round_with_answers(console: Console) -> int:
    await console.run("/studybot setup time=09:00 tz=UTC days=daily reveal=17:00")
    await console.run(":at 2026-11-30T09:00")
    await console.run(":as Alice", "bias is error from wrong assumptions")
    await console.run(":as Bob", "it is about how many layers the network has")
    round_ = await console.app.store.current_round(1)
    assert round_ is not None
    return round_.id


async def points_of(console: Console, round_id: int) -> dict[str, tuple[int | None, int]]:
    answers = await console.app.store.round_answers(round_id)
    return {a.display_name: (a.points, a.helpful_votes) for a in answers}


async def test_votes_before_the_reveal_add_points_and_show_in_the_reveal(console: Console) -> None:
    round_id = await open_round_with_answers(console)
    before = await points_of(console, round_id)
    assert before["Alice"][1] == 0
    for voter in ("Bob", "Carol", "Dan"):
        out = await console.run(f":as {voter}", ":like Alice")
        assert "👍 added" in out and "!" not in out  # no reply from the bot: a reaction
    await console.run(":as Carol", ":unlike Alice")  # taken back
    await console.run(":as Bob", ":like Alice")  # twice by one voter counts once
    assert (await points_of(console, round_id))["Alice"][1] == 2

    out = await console.run(":at 2026-11-30T17:00")
    after = await points_of(console, round_id)
    bob_points = after["Bob"][0]
    alice_points = after["Alice"][0]
    assert alice_points is not None and bob_points is not None
    assert after["Alice"][1] == 2 and after["Bob"][1] == 0
    # Alice's points are Bob's-style participation plus her coverage plus two votes.
    without_votes = alice_points - 2 * RULES.helpful_vote
    assert without_votes >= RULES.participation
    assert "Alice — " in out and "· 👍 2" in out
    assert "Bob — " in out and out.count("👍") == 1  # only Alice's line shows votes

    await console.run(":as Dan", ":like Bob")  # after the reveal: not counted
    assert (await points_of(console, round_id))["Bob"] == (bob_points, 0)
    out = await console.run(":as Alice", ":press My feedback")
    assert f"It earned {alice_points} points, with 2 👍 helpful votes." in out
    out = await console.run(":as Bob", ":press My feedback")
    assert f"It earned {bob_points} points." in out


async def test_no_self_votes_no_unknown_messages_and_votes_are_capped(console: Console) -> None:
    round_id = await open_round_with_answers(console)
    await console.run(":as Alice", ":like Alice")
    assert (await points_of(console, round_id))["Alice"][1] == 0
    out = await console.run(":like Zed")
    assert "Zed has no message in this thread" in out
    voters = 8  # 2 points a vote, "at most 10" (README): 16 would be over
    for i in range(voters):
        await console.run(f":as Voter{i}", ":like Bob")
    await console.run(":at 2026-11-30T17:00")
    points, votes = (await points_of(console, round_id))["Bob"]
    assert votes == voters
    assert points == RULES.participation + 10  # "no idea" covers nothing


async def test_a_withdrawn_answer_takes_its_votes_with_it(console: Console) -> None:
    round_id = await open_round_with_answers(console)
    await console.run(":as Bob", ":like Alice")
    await console.run(":as Alice", ":delete")
    assert "Alice" not in await points_of(console, round_id)
    await console.run("a second answer")
    assert (await points_of(console, round_id))["Alice"] == (None, 0)


async def test_scoring_help_explains_votes(console: Console) -> None:
    out = await console.run("/help scoring")
    assert "Helpful votes" in out and "👍" in out
