"""Helpful votes on Slack: 👍 reactions on answers in a round's thread, via the real bolt app."""

from __future__ import annotations

import re

import pytest

from adapters.slack import events
from bot.model import ChannelRef, MemberRef
from bot.ports import ReactionAdded, ReactionRemoved
from bot.scoring import ScoringRules
from loopback.slack import BOT_USER, TEAM, reaction_event
from tests.slack.conftest import (
    ADMIN,
    ALICE,
    BOB,
    CHANNEL,
    GOOD_ANSWER,
    SlackRig,
    block_texts,
    thread_reply,
)

RULES = ScoringRules()
CAROL = "UCAROL"
ALICE_TS = "1800000000.000100"
BOB_TS = "1800000000.000200"
# Covers none of the key points: Bob's points are participation plus his votes.
NO_IDEA = "no idea, sorry"


async def _answered_round(rig: SlackRig) -> str:
    """Post a round; Alice and Bob answer in its thread. Return the thread's ts."""
    await rig.setup_channel()
    thread = rig.round_ts()
    await rig.event(thread_reply(ALICE, GOOD_ANSWER, ALICE_TS, thread), "EvAlice")
    await rig.event(thread_reply(BOB, NO_IDEA, BOB_TS, thread), "EvBob")
    assert [name for name, _ in await rig.answers()] == ["Alice", "Bob"]
    return thread


async def _votes(rig: SlackRig) -> dict[str, int]:
    """Return each answerer's helpful votes as the store has them now."""
    return {a.display_name: a.helpful_votes for a in await rig.app.store.round_answers(1)}


async def _react(
    rig: SlackRig,
    user: str,
    name: str,
    ts: str,
    event_id: str,
    *,
    removed: bool = False,
    retry_num: int = 0,
) -> None:
    """Send a signed reaction event on a message in the channel; check Slack got its 200."""
    author = {ALICE_TS: ALICE, BOB_TS: BOB}.get(ts, BOT_USER)
    event = reaction_event(user, name, CHANNEL, ts, item_user=author, removed=removed)
    assert await rig.event(event, event_id, retry_num=retry_num) == 200


async def _reveal_lines(rig: SlackRig, thread: str) -> list[str]:
    """Reveal the round as the admin; return the lines of the reveal posted in the thread."""
    before = len(rig.fake.of("chat.postMessage"))
    _, _, hook = await rig.command("/studybot", "reveal", user=ADMIN)
    assert "Revealed" in str(rig.responses(hook))
    posts = [p.args for p in rig.fake.of("chat.postMessage")[before:]]
    in_thread = [p for p in posts if p.get("thread_ts") == thread]
    assert in_thread, posts
    return "\n".join(block_texts(p["blocks"]) + "\n" + p["text"] for p in in_thread).splitlines()


def _line_of(lines: list[str], name: str) -> str:
    [line] = {line for line in lines if re.match(rf"^\W*{name}\W* — ", line)}
    return line


async def test_votes_in_the_thread_count_once_each_and_show_in_the_reveal(rig: SlackRig) -> None:
    rig.fake.add_user(CAROL, "Carol")
    thread = await _answered_round(rig)

    await _react(rig, ADMIN, "+1", BOB_TS, "EvR1")
    assert await _votes(rig) == {"Alice": 0, "Bob": 1}
    await _react(rig, ALICE, "thumbsup::skin-tone-2", BOB_TS, "EvR2")
    assert await _votes(rig) == {"Alice": 0, "Bob": 2}
    await _react(rig, BOB, "+1", BOB_TS, "EvR3")  # his own answer
    await _react(rig, ADMIN, "heart", BOB_TS, "EvR4")
    assert await _votes(rig) == {"Alice": 0, "Bob": 2}

    await _react(rig, ALICE, "thumbsup::skin-tone-2", BOB_TS, "EvR5", removed=True)
    assert await _votes(rig) == {"Alice": 0, "Bob": 1}
    # Slack retries Alice's vote after she took it back: handled once, it stays taken back.
    await _react(rig, ALICE, "thumbsup::skin-tone-2", BOB_TS, "EvR2", retry_num=1)
    assert await _votes(rig) == {"Alice": 0, "Bob": 1}

    await _react(rig, CAROL, "+1::skin-tone-5", BOB_TS, "EvR6")
    await _react(rig, BOB, "thumbsup", ALICE_TS, "EvR7")
    await _react(rig, BOT_USER, "+1", BOB_TS, "EvR8")  # the bot's own: not a member's vote
    assert await _votes(rig) == {"Alice": 1, "Bob": 2}
    # A reaction is never answered: no message, no ephemeral, no reaction from the bot.
    assert rig.fake.of("chat.postEphemeral") == []
    assert [c.args["name"] for c in rig.fake.of("reactions.add")] == ["white_check_mark"] * 2

    lines = await _reveal_lines(rig, thread)
    bob, alice = _line_of(lines, "Bob"), _line_of(lines, "Alice")
    assert bob.endswith("· 👍 2"), bob
    assert alice.endswith("· 👍 1"), alice
    answers = {a.display_name: a for a in await rig.app.store.round_answers(1)}
    assert answers["Bob"].points == RULES.participation + 2 * RULES.helpful_vote
    assert f"+{answers['Bob'].points}" in bob

    await _react(rig, ADMIN, "+1", ALICE_TS, "EvAfter")  # after the reveal: not counted
    assert await _votes(rig) == {"Alice": 1, "Bob": 2}


async def test_a_vote_stays_while_another_skin_tone_of_the_members_thumbs_up_remains(
    rig: SlackRig,
) -> None:
    await _answered_round(rig)
    await _react(rig, ALICE, "+1", BOB_TS, "EvT1")
    await _react(rig, ALICE, "+1::skin-tone-4", BOB_TS, "EvT2")
    assert await _votes(rig) == {"Alice": 0, "Bob": 1}  # one member, one vote
    await _react(rig, ALICE, "+1", BOB_TS, "EvT3", removed=True)
    assert await _votes(rig) == {"Alice": 0, "Bob": 1}  # the toned one still holds it
    await _react(rig, ALICE, "+1::skin-tone-4", BOB_TS, "EvT4", removed=True)
    assert await _votes(rig) == {"Alice": 0, "Bob": 0}


async def test_reactions_on_messages_that_are_not_answers_change_nothing(rig: SlackRig) -> None:
    thread = await _answered_round(rig)
    await _react(rig, ALICE, "+1", thread, "EvPost")  # the round's post itself
    await _react(rig, BOB, "+1", "1800000000.000900", "EvChat")  # some other message
    file_reaction = reaction_event(ADMIN, "+1", CHANNEL, BOB_TS) | {
        "item": {"type": "file", "file": "F0FILE"}
    }
    assert await rig.event(file_reaction, "EvFile") == 200
    assert await _votes(rig) == {"Alice": 0, "Bob": 0}

    lines = await _reveal_lines(rig, thread)
    assert not any("👍" in line for line in lines), lines
    answers = {a.display_name: a for a in await rig.app.store.round_answers(1)}
    assert answers["Bob"].points == RULES.participation


# -- the translation alone -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "emoji"),
    [
        ("+1", "👍"),
        ("thumbsup", "👍"),
        ("+1::skin-tone-2", "👍🏻"),
        ("+1::skin-tone-3", "👍🏼"),
        ("thumbsup::skin-tone-6", "👍🏿"),
        ("+1::skin-tone-9", "👍"),
        ("heart", None),
        ("-1", None),
        ("thumbsdown", None),
        ("+1000", None),
        ("white_check_mark", None),
    ],
)
def test_reaction_names_of_the_helpful_vote(name: str, emoji: str | None) -> None:
    assert events.reaction_emoji(name) == emoji


def test_a_reaction_event_becomes_the_core_event_on_the_message_in_its_channel() -> None:
    actor = MemberRef("slack", ALICE, "Alice")
    place = ChannelRef("slack", TEAM, CHANNEL)
    added = events.reaction(reaction_event(ALICE, "+1::skin-tone-2", CHANNEL, BOB_TS), TEAM)
    assert added is not None and added.user_id == ALICE
    assert added.event(actor) == ReactionAdded(place, actor, BOB_TS, "👍🏻")
    removed = events.reaction(
        reaction_event(ALICE, "thumbsup", CHANNEL, BOB_TS, removed=True), TEAM, BOT_USER
    )
    assert removed is not None
    assert removed.event(actor) == ReactionRemoved(place, actor, BOB_TS, "👍")


def test_reactions_that_mean_nothing_are_dropped() -> None:
    on_message = reaction_event(ALICE, "+1", CHANNEL, BOB_TS)
    assert events.reaction(reaction_event(BOT_USER, "+1", CHANNEL, BOB_TS), TEAM, BOT_USER) is None
    assert events.reaction(reaction_event(ALICE, "heart", CHANNEL, BOB_TS), TEAM) is None
    on_file = on_message | {"item": {"type": "file", "file": "F1"}}
    assert events.reaction(on_file, TEAM) is None
    # Only a message's ts is a message id, whatever else an item might carry.
    odd_item = {"type": "file_comment", "channel": CHANNEL, "ts": BOB_TS}
    assert events.reaction(on_message | {"item": odd_item}, TEAM) is None
    assert events.reaction(on_message | {"item": {"type": "message", "ts": BOB_TS}}, TEAM) is None
    assert events.reaction(on_message | {"type": "message"}, TEAM) is None
    assert events.reaction({k: v for k, v in on_message.items() if k != "user"}, TEAM) is None
