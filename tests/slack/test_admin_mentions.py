"""`admins=` on Slack (#16): a mention names the member by id, whatever name it shows."""

from __future__ import annotations

import json

from adapters.slack import events, text
from bot.model import ChannelRef, MemberRef
from loopback.slack import TEAM, Mention, SlackText, command_text
from tests.slack.conftest import ADMIN, ALICE, BOB, CHANNEL, SlackRig


def _said(rig: SlackRig, hook: str) -> str:
    return json.dumps(rig.responses(hook), ensure_ascii=False)


async def _admins(rig: SlackRig) -> tuple[str, ...]:
    group = await rig.app.store.group_for_channel(ChannelRef("slack", TEAM, CHANNEL))
    assert group is not None
    return group.settings.admins


async def test_a_mentioned_admin_may_administer(rig: SlackRig) -> None:
    # As Slack sends a mention picked in /studybot's text (should_escape: true).
    text = SlackText(f"setup days=daily admins=<@{ALICE}|alice>")
    _, _, hook = await rig.command("/studybot", text, user=ADMIN)
    assert "Daily questions are on" in _said(rig, hook)
    assert await _admins(rig) == (ALICE,)
    _, _, hook = await rig.command("/studybot", "pause", user=ALICE)
    assert "Daily questions paused" in _said(rig, hook)
    _, _, hook = await rig.command("/studybot", "resume", user=BOB)
    assert "for the channel's admins" in _said(rig, hook)


async def test_several_mentions_and_none(rig: SlackRig) -> None:
    await rig.command("/studybot", "setup days=daily", user=ADMIN)
    text = command_text(
        "settings admins = ", Mention(ALICE, "alice"), " ", Mention(BOB, "bob"), should_escape=True
    )
    _, _, hook = await rig.command("/studybot", text, user=ADMIN)
    assert "Settings changed: admins" in _said(rig, hook)
    assert await _admins(rig) == (ALICE, BOB)
    _, _, hook = await rig.command("/studybot", "settings admins=none", user=ADMIN)
    assert await _admins(rig) == ()


async def test_a_name_that_is_no_mention_is_refused_kindly(rig: SlackRig) -> None:
    # `@bob` typed without picking Bob from the list arrives as plain text.
    _, _, hook = await rig.command("/studybot", "setup days=daily admins=@bob", user=ADMIN)
    said = _said(rig, hook)
    assert "I cannot tell who '@bob' is. Mention each admin: type @ and pick them" in said
    assert "admins=none" in said
    assert await rig.app.store.list_groups() == []


def test_settings_text_keeps_member_ids_and_other_text_shows_names() -> None:
    actor = MemberRef("slack", ADMIN, "Ada", True)
    place = ChannelRef("slack", TEAM, CHANNEL)
    names = {ALICE: "Alice"}
    settings = events.invocation(
        "/studybot", f"settings admins=<@{ALICE}|alice>,<@{BOB}> &amp;", actor, place, names
    )
    assert settings.args == f"settings admins=<@{ALICE}>,<@{BOB}> &"
    answer = events.invocation("/answer", f"ask <@{ALICE}|alice>", actor, place, names)
    assert answer.args == "ask @Alice"
    helped = events.invocation("/studybot", f"help <@{ALICE}>", actor, place, names)
    assert helped.args == "@Alice"


def test_what_names_a_member_on_slack() -> None:
    assert text.member_mention(f"<@{ALICE}>") == ALICE
    assert text.member_mention(f"<@{ALICE}|alice>") == ALICE
    assert text.member_mention("W012ABC") == "W012ABC"  # an Enterprise Grid member, typed
    for word in ("@bob", "bob", "<#C123|general>", "<!here>", "<@UALICE", ""):
        assert text.member_mention(word) is None
