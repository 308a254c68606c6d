"""Two replicas behind a load balancer, on one PostgreSQL database: a Slack retry is handled once.

Slack retries an event it did not see acknowledged in time, and the retry
may reach the other replica. Whichever replica gets it, the retry changes
nothing: no second ✅ or misleading 🔁, and no 👍 brought back after the
member took it away.
"""

from __future__ import annotations

from loopback.slack import reaction_event
from tests.slack.conftest import (
    ALICE,
    BOB,
    CHANNEL,
    GOOD_ANSWER,
    SlackRig,
    thread_reply,
)

BOB_TS = "1800000000.000200"


def _reactions_added(rig: SlackRig) -> list[str]:
    return [c.args["name"] for c in rig.fake.of("reactions.add")]


def _work_calls(rig: SlackRig) -> int:
    """The Web API calls that do something (bolt's auth.test is each replica's own check)."""
    return sum(1 for c in rig.fake.calls if c.method != "auth.test")


async def test_a_retry_reaching_the_other_replica_records_and_says_nothing_again(
    replicas: tuple[SlackRig, SlackRig],
) -> None:
    one, two = replicas
    await one.setup_channel()
    thread = one.round_ts()
    answer = thread_reply(BOB, GOOD_ANSWER, BOB_TS, thread)
    await one.event(answer, "EvAnswer")
    calls = _work_calls(one)
    assert await two.event(answer, "EvAnswer", retry_num=1) == 200
    assert await one.event(answer, "EvAnswer", retry_num=2) == 200
    assert await two.answers() == [("Bob", GOOD_ANSWER)]
    assert _work_calls(one) == calls  # no 🔁, no second ✅, no message
    assert _reactions_added(one) == ["white_check_mark"]


async def test_a_retried_thumbs_up_does_not_come_back_on_the_other_replica(
    replicas: tuple[SlackRig, SlackRig],
) -> None:
    one, two = replicas
    await one.setup_channel()
    thread = one.round_ts()
    await one.event(thread_reply(BOB, GOOD_ANSWER, BOB_TS, thread), "EvAnswer")
    vote = reaction_event(ALICE, "+1", CHANNEL, BOB_TS, item_user=BOB)
    taken_back = reaction_event(ALICE, "+1", CHANNEL, BOB_TS, item_user=BOB, removed=True)
    assert await one.event(vote, "EvVote") == 200
    assert await one.event(taken_back, "EvTakenBack") == 200
    assert await two.event(vote, "EvVote", retry_num=1) == 200  # late retry, elsewhere
    [answer] = await two.app.store.round_answers(1)
    assert answer.helpful_votes == 0
    # A new vote (a new event) still counts, on either replica.
    assert await two.event(vote, "EvVoteAgain") == 200
    [answer] = await one.app.store.round_answers(1)
    assert answer.helpful_votes == 1
