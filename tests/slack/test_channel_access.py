"""Channels the bot may not post in: setup says what to do, a refused post stops the group."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.jobs import ManualJobScheduler
from bot.model import ChannelRef, RoundStatus
from loopback.slack import TEAM
from tests.slack.conftest import ADMIN, CHANNEL, START, SlackRig


def _said(rig: SlackRig, hook: str) -> str:
    return str(rig.responses(hook))


@pytest.mark.parametrize(
    ("where", "words"),
    [
        ("uninvited", "/invite @studybot"),
        ("hidden", "a private channel I'm not in"),
        ("archived", "the channel is archived"),
    ],
)
async def test_setup_where_the_bot_cannot_post_says_what_to_do_and_sets_nothing_up(
    rig: SlackRig, where: str, words: str
) -> None:
    getattr(rig.fake, where).add(CHANNEL)
    _, _, hook = await rig.command("/studybot", "setup days=daily", user=ADMIN)
    said = _said(rig, hook)
    assert "I can't post daily questions in this channel" in said and words in said
    assert await rig.app.store.list_groups() == []
    assert rig.fake.of("chat.postMessage") == []
    checked = [c.args["channel"] for c in rig.fake.calls if c.method == "conversations.info"]
    assert checked == [CHANNEL]


async def test_a_post_slack_refuses_pauses_the_group_and_tells_who_set_it_up(
    rig: SlackRig,
) -> None:
    _, _, hook = await rig.command("/studybot", "setup time=09:00 tz=UTC days=daily", user=ADMIN)
    assert "Daily questions are on" in _said(rig, hook)
    rig.fake.uninvited.add(CHANNEL)  # someone removed the bot from the channel
    scheduler = rig.app.scheduler
    assert isinstance(scheduler, ManualJobScheduler)
    await scheduler.run_until(START.replace(hour=9))
    await scheduler.run_until(START.replace(hour=9) + timedelta(days=2))
    await rig.settle()
    assert rig.fake.errors("chat.postMessage") == ["not_in_channel"]  # once, not retried
    group = await rig.app.store.group_for_channel(ChannelRef("slack", TEAM, CHANNEL))
    assert group is not None and group.settings.paused
    assert "I'm not a member of this channel" in (group.settings.blocked or "")
    [round_] = await rig.app.store.rounds_in([RoundStatus.FAILED])
    assert round_.group_id == group.id
    [note] = [c.args for c in rig.fake.of("chat.postMessage") if c.args["channel"] == ADMIN]
    assert "Daily questions stopped" in str(note) and "/studybot resume" in str(note)

    _, _, hook = await rig.command("/studybot", "resume", user=ADMIN)
    assert "stay paused" in _said(rig, hook)
    rig.fake.uninvited.discard(CHANNEL)  # invited again
    _, _, hook = await rig.command("/studybot", "resume", user=ADMIN)
    assert "Daily questions resumed" in _said(rig, hook)
    _, _, hook = await rig.command("/studybot", "settings", user=ADMIN)
    assert "Stopped" not in _said(rig, hook)
