"""Modals and acks when Slack is slow: trigger_ids, slow users.info, 429s, response_url limits."""

from __future__ import annotations

import asyncio
import json

import pytest
from slack_sdk.errors import SlackApiError

from loopback.slack import (
    TRIGGER_LIFETIME,
    block_actions,
    new_trigger_id,
    trigger_issued,
    view_submission,
)
from tests.slack.conftest import (
    ADMIN,
    ALICE,
    BOB,
    CHANNEL,
    GOOD_ANSWER,
    SlackRig,
    block_texts,
    thread_reply,
    wait_until,
)

BUSY = [f"UBUSY{i}" for i in range(4)]  # as many as the adapter's workers
PRESSER = "UPRIA"


def _inputs(view: dict[str, object]) -> list[str]:
    blocks = view.get("blocks")
    assert isinstance(blocks, list)
    return [b["block_id"] for b in blocks if b.get("type") == "input"]


async def _busy_workers(rig: SlackRig) -> None:
    """Keep every worker busy: commands of members whose users.info takes 2.5 s."""
    for user in [*BUSY, PRESSER]:
        rig.fake.add_user(user, user.title())
    rig.fake.slow("users.info", 2.5)
    sent = [
        rig.sender.command("/stats", "", user=user, channel=CHANNEL, response_url=rig.hook())
        for user in BUSY
    ]
    assert [status for status, _ in await asyncio.gather(*sent)] == [200] * len(BUSY)


async def test_answer_privately_opens_its_modal_at_once_with_slow_lookups_and_busy_workers(
    rig: SlackRig,
) -> None:
    await rig.setup_channel()
    thread = rig.round_ts()
    await _busy_workers(rig)
    payload = block_actions(PRESSER, CHANNEL, thread, "answer", "1", rig.hook())
    status, _ = await rig.sender.interactive(payload)
    assert status == 200
    await wait_until(
        lambda: any(c.method == "views.open" for c in rig.fake.calls), within=2 * TRIGGER_LIFETIME
    )
    assert rig.fake.errors("views.open") == []
    [opened] = rig.fake.of("views.open")
    issued = trigger_issued(payload["trigger_id"])
    assert issued is not None and opened.at - issued < 1.0  # Slack allows 3 s
    assert opened.args["view"]["callback_id"] == "answer"
    await rig.settle()
    assert rig.fake.of("views.update") == []  # the core's form is the one shown
    submit = view_submission(PRESSER, rig.fake.modal(), {_inputs(rig.fake.modal())[0]: "k-fold"})
    await rig.sender.interactive(submit)
    await rig.settle()
    assert await rig.answers() == [("Upria", "k-fold")]


async def test_answer_without_text_opens_at_once_and_the_core_fills_the_modal_in(
    rig: SlackRig,
) -> None:
    await rig.setup_channel()
    await _busy_workers(rig)
    hook = rig.hook()
    status, _ = await rig.sender.command(
        "/answer", "", user=PRESSER, channel=CHANNEL, response_url=hook
    )
    assert status == 200
    await wait_until(
        lambda: any(c.method == "views.open" for c in rig.fake.calls), within=2 * TRIGGER_LIFETIME
    )
    assert rig.fake.errors("views.open") == []
    [opened] = rig.fake.of("views.open")
    issued = trigger_issued(opened.args["trigger_id"])
    assert issued is not None and opened.at - issued < 1.0
    assert _inputs(opened.args["view"]) == []  # not known yet: which round is open
    await rig.settle()
    view = rig.fake.modal()
    assert view["callback_id"] == "answer" and len(_inputs(view)) == 2
    assert json.loads(view["private_metadata"])["value"] == "1"


async def test_a_submission_is_acknowledged_in_time_while_users_info_is_slower_than_that(
    rig: SlackRig,
) -> None:
    await rig.setup_channel()
    await rig.command("/answer", "", user=BOB)
    view = rig.fake.modal()
    rig.fake.add_user("UCAROL", "Carol")  # not looked up yet
    rig.fake.slow("users.info", 3.5)
    submit = view_submission("UCAROL", view, {_inputs(view)[0]: GOOD_ANSWER})
    loop = asyncio.get_running_loop()
    sent = loop.time()
    status, body = await rig.sender.interactive(submit)
    acked = loop.time() - sent
    assert status == 200 and body == ""  # the modal closes ...
    assert acked < TRIGGER_LIFETIME, acked  # Slack waits 3 s (users.info alone takes 3.5)
    await rig.settle()  # ... and the answer is recorded and confirmed after
    assert await rig.answers() == [("Carol", GOOD_ANSWER)]
    [confirm] = rig.fake.of("chat.postEphemeral")
    assert confirm.args["user"] == "UCAROL"
    assert "Recorded your answer" in block_texts(confirm.args["blocks"])


async def test_a_429_does_not_hold_a_worker_while_it_waits(rig: SlackRig) -> None:
    await rig.setup_channel()
    thread = rig.round_ts()
    members = [ALICE, BOB, "UCAROL", "UDAN"]
    for user in members[2:]:
        rig.fake.add_user(user, user.title())
    for user in members:  # looked up once: the work below only meets the 429s
        await rig.command("/stats", "", user=user)
    rig.fake.fail_next("reactions.add", times=len(members), retry_after=2)
    for i, user in enumerate(members):
        reply = thread_reply(user, GOOD_ANSWER, f"1800000000.00010{i}", thread)
        assert (await rig.sender.event(reply, f"Ev{i}"))[0] == 200
    await wait_until(lambda: len(rig.fake.rejected) == len(members))
    # Every worker's ✅ now waits 2 s for Slack; a command still gets its answer at once.
    loop = asyncio.get_running_loop()
    sent = loop.time()
    hook = rig.hook()
    await rig.sender.command("/stats", "", user=ADMIN, channel=CHANNEL, response_url=hook)
    await wait_until(lambda: rig.responses(hook.rsplit("/", 1)[1]), within=5)
    assert loop.time() - sent < 1.0
    await rig.settle()
    assert len(rig.fake.of("reactions.add")) == len(members)


async def test_a_button_on_a_closed_round_says_so_in_the_modal(rig: SlackRig) -> None:
    await rig.setup_channel()
    thread = rig.round_ts()
    await rig.command("/studybot", "reveal", user=ADMIN)
    await rig.sender.interactive(block_actions(BOB, CHANNEL, thread, "answer", "1", rig.hook()))
    await rig.settle()
    [opened] = rig.fake.of("views.open")
    assert opened.args["view"]["callback_id"] == "answer"  # opened at once ...
    [updated] = rig.fake.of("views.update")  # ... and the core's answer replaced it
    view = rig.fake.modal()
    assert updated.args["view_id"] == view["id"]
    assert _inputs(view) == [] and "submit" not in view
    assert "closed" in block_texts(view["blocks"])


async def test_a_modal_slack_will_not_open_in_time_is_not_retried_and_the_member_is_told(
    rig: SlackRig,
) -> None:
    await rig.setup_channel()
    thread = rig.round_ts()
    rig.fake.fail_next("views.open", retry_after=5)  # longer than a trigger_id lives
    hook = rig.hook()
    await rig.sender.interactive(block_actions(BOB, CHANNEL, thread, "answer", "1", hook))
    await rig.settle()
    assert [c.method for c in rig.fake.calls].count("views.open") == 1  # no retry after 5 s
    [told] = rig.responses(hook.rsplit("/", 1)[1])
    assert told["response_type"] == "ephemeral"
    assert "did not open the form" in block_texts(told["blocks"])


@pytest.mark.parametrize(
    ("command", "text", "method", "expected"),
    [
        ("/stats", "", "chat.postEphemeral", "Stats"),
        ("/leaderboard", "", "chat.postEphemeral", "Leader"),
        ("/leaderboard", "public", "chat.postMessage", "Shared by"),
    ],
)
async def test_a_reply_whose_response_url_is_used_up_is_posted_another_way(
    rig: SlackRig, command: str, text: str, method: str, expected: str
) -> None:
    await rig.setup_channel()
    rig.fake.response_url_ttl = 0.0  # the command waited longer than Slack keeps it
    before = len(rig.fake.of(method))
    _, _, hook = await rig.command(command, text, user=ALICE)
    assert rig.responses(hook) == []
    assert [c.error for c in rig.fake.calls if c.token == hook] == ["expired_url"]
    [posted] = rig.fake.of(method)[before:]
    assert posted.args["channel"] == CHANNEL and expected in block_texts(posted.args["blocks"])


# -- the fake is as strict as Slack ---------------------------------------------------


async def test_the_fakes_trigger_ids_open_one_modal_within_three_seconds(rig: SlackRig) -> None:
    client = rig.platform.client
    view = {"type": "modal", "title": {"type": "plain_text", "text": "t"}, "blocks": []}
    fresh = new_trigger_id(BOB)
    assert (await client.views_open(trigger_id=fresh, view=view))["ok"]
    for trigger, error in [
        (fresh, "exchanged_trigger_id"),
        (new_trigger_id(BOB, age=TRIGGER_LIFETIME + 0.1), "expired_trigger_id"),
        ("12345.98765.abcd", "invalid_trigger_id"),
    ]:
        with pytest.raises(SlackApiError) as refused:
            await client.views_open(trigger_id=trigger, view=view)
        assert refused.value.response["error"] == error


async def test_the_fakes_response_urls_take_five_posts(rig: SlackRig) -> None:
    url = rig.hook()
    statuses = []
    for _ in range(6):
        async with rig.session.post(url, json={"text": "hi"}) as response:
            statuses.append((response.status, await response.text()))
    assert statuses == [(200, "ok")] * 5 + [(404, "used_url")]
