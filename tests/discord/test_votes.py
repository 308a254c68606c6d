"""Helpful votes on the loopback Discord: 👍 reactions in a round's thread, through the gateway."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import discord
import pytest

from adapters.discord.client import intents_for
from adapters.discord.events import reaction_event, reactions_cleared
from adapters.discord.settings import DEFAULT_API_BASE, DiscordSettings
from bot.model import ChannelRef, MemberRef
from bot.ports import ReactionRemoved, ReactionsCleared
from bot.records import MemberAnswer
from bot.scoring import ScoringRules
from loopback.discord import GUILD_MESSAGE_REACTIONS, FakeDiscord, Json
from tests.discord.conftest import START, Bot

RULES = ScoringRules()
ANSWER = "Precision is the share of predicted positives that are right"
PARTY_PARROT = 777_000_000_000_000_001  # a custom emoji's id


async def _answers(bot: Bot) -> dict[str, MemberAnswer]:
    group = (await bot.app.store.list_groups())[0]
    round_ = await bot.app.store.round_on(group.id, START.date())
    assert round_ is not None
    return {a.display_name: a for a in await bot.app.store.round_answers(round_.id)}


async def _votes_are(bot: Bot, expected: dict[str, int]) -> None:
    """Wait until the answers have these helpful votes (the core shows nothing for a vote)."""
    async with asyncio.timeout(5):
        while True:
            answers = await _answers(bot)
            if {name: a.helpful_votes for name, a in answers.items()} == expected:
                return
            await asyncio.sleep(0.01)


async def _stored_name(bot: Bot, user: Json) -> str:
    rows = await bot.app.store.db.fetch(
        "SELECT display_name FROM members WHERE platform = 'discord' AND user_id = :u",
        {"u": user["id"]},
    )
    return str(rows[0]["display_name"])


def _answer_lines(bot: Bot) -> list[str]:
    """Return the "Answers" lines of the reveal embed(s) the bot posted in the channel."""
    lines = []
    for message in bot.fake.messages_in(bot.channel_id):
        if not message["author"]["bot"]:
            continue
        for embed in message["embeds"]:
            for f in embed.get("fields", []):
                if f["name"].startswith("Answers ("):
                    lines += f["value"].splitlines()
    return lines


async def _two_answers_in_the_thread(bot: Bot) -> tuple[Json, Json, Json]:
    """Post a round; Alice and Bob answer it alike in its thread. Return thread and answers."""
    await bot.set_up_group()
    card, thread = await bot.post_round()
    tid = int(thread["id"])
    alice = await bot.fake.user_message(tid, bot.alice, ANSWER)
    bob = await bot.fake.user_message(tid, bot.bob, ANSWER)
    await bot.until(lambda: len(bot.fake.reactions) == 2)  # both recorded (✅)
    return card, alice, bob


async def test_thumbs_up_in_the_thread_are_votes_counted_at_the_reveal(bot: Bot) -> None:
    fake = bot.fake
    carol, dan = fake.user("Carol"), fake.user("Dan")
    card, alice_answer, bob_answer = await _two_answers_in_the_thread(bot)

    # not votes: a custom emoji and a 🎉, the author's 👍 on their own answer, a 👍 on
    # the round's card (in the channel, not a thread), and a 👍 by the bot itself
    assert await fake.react(bob_answer, carol, "thumbsup", custom_id=PARTY_PARROT)
    assert await fake.react(bob_answer, dan, "🎉")
    assert await fake.react(alice_answer, bot.alice, "👍")
    assert await fake.react(card, carol, "👍")
    assert await fake.react(alice_answer, fake.bot_user, "👍", admin=True)
    # votes: Carol's 👍 and Dan's skin-toned 👍 on Alice's answer, Carol's 👍 on Bob's
    assert await fake.react(alice_answer, carol, "👍")
    assert await fake.react(alice_answer, dan, "👍🏽")
    assert await fake.react(bob_answer, carol, "👍")
    await _votes_are(bot, {"Alice": 2, "Bob": 1})
    assert not await fake.react(alice_answer, carol, "👍")  # Discord sends a repeat nothing

    # Carol takes hers back from Bob's answer (Discord does not say who she is by name)
    assert await fake.unreact(bob_answer, carol, "👍")
    await _votes_are(bot, {"Alice": 2, "Bob": 0})
    assert not await fake.unreact(bob_answer, carol, "👍")  # nor a second removal
    assert await _stored_name(bot, carol) == "Carol"  # the name on record stays

    await bot.scheduler.run_until(START.replace(hour=18) + timedelta(minutes=1))
    answers = await _answers(bot)
    alice, bob = answers["Alice"], answers["Bob"]
    assert alice.points is not None and bob.points is not None
    # the same answer text, the same first round: only the votes set them apart
    assert alice.points == bob.points + 2 * RULES.helpful_vote
    lines = _answer_lines(bot)
    assert len(lines) == 2, lines
    alice_line = next(line for line in lines if line.startswith("Alice"))
    bob_line = next(line for line in lines if line.startswith("Bob"))
    assert alice_line.endswith(f"+{alice.points} · 👍 2"), alice_line
    assert bob_line.endswith(f"+{bob.points}") and "👍" not in bob_line, bob_line


async def test_a_vote_after_the_reveal_changes_nothing(bot: Bot) -> None:
    fake = bot.fake
    dan = fake.user("Dan")
    _, alice_answer, bob_answer = await _two_answers_in_the_thread(bot)
    assert await fake.react(alice_answer, dan, "👍")
    await _votes_are(bot, {"Alice": 1, "Bob": 0})
    await bot.scheduler.run_until(START.replace(hour=18) + timedelta(minutes=1))
    before = await _answers(bot)

    assert await fake.react(bob_answer, dan, "👍")
    assert await fake.unreact(alice_answer, dan, "👍")
    # a late answer after them is handled (🕓), so the two reactions were too
    await fake.user_message(int(bob_answer["channel_id"]), dan, ANSWER)
    await bot.until(lambda: fake.reactions[-1][2] == "🕓")
    after = await _answers(bot)
    assert [(a.points, a.helpful_votes) for a in (after["Alice"], after["Bob"])] == [
        (before["Alice"].points, 1),
        (before["Bob"].points, 0),
    ]


async def test_a_vote_counts_once_while_any_of_the_members_thumbs_up_remains(bot: Bot) -> None:
    """A super (burst) 👍 beside a normal one, or two skin tones: one vote, kept by either."""
    fake = bot.fake
    carol, dan = fake.user("Carol"), fake.user("Dan")
    _, alice_answer, bob_answer = await _two_answers_in_the_thread(bot)
    assert await fake.react(alice_answer, carol, "👍")
    assert await fake.react(alice_answer, carol, "👍", burst=True)  # Discord sends both
    assert await fake.react(bob_answer, dan, "👍")
    assert await fake.react(bob_answer, dan, "👍🏽")
    await _votes_are(bot, {"Alice": 1, "Bob": 1})

    assert await fake.unreact(alice_answer, carol, "👍", burst=True)
    assert await fake.unreact(bob_answer, dan, "👍")
    # Erin's votes after them: 2 each only if the removals kept what the others hold.
    erin = fake.user("Erin")
    assert await fake.react(alice_answer, erin, "👍")
    assert await fake.react(bob_answer, erin, "👍")
    await _votes_are(bot, {"Alice": 2, "Bob": 2})

    assert await fake.unreact(alice_answer, carol, "👍")  # the last of Carol's: gone
    await _votes_are(bot, {"Alice": 1, "Bob": 2})
    assert await fake.react(alice_answer, carol, "👍", burst=True)  # a super 👍 alone counts
    await _votes_are(bot, {"Alice": 2, "Bob": 2})
    await fake.clear_reactions(bob_answer, "👍")  # Dan's 👍🏽 still holds his vote
    await _votes_are(bot, {"Alice": 2, "Bob": 1})
    assert await fake.unreact(bob_answer, dan, "👍🏽")
    await _votes_are(bot, {"Alice": 2, "Bob": 0})


async def test_votes_go_when_a_moderator_clears_the_reactions(bot: Bot) -> None:
    fake = bot.fake
    carol, dan = fake.user("Carol"), fake.user("Dan")
    _, alice_answer, bob_answer = await _two_answers_in_the_thread(bot)
    for voter in (carol, dan):
        assert await fake.react(alice_answer, voter, "👍")
        assert await fake.react(bob_answer, voter, "👍")
    await _votes_are(bot, {"Alice": 2, "Bob": 2})
    await fake.clear_reactions(alice_answer, "🎉")  # another emoji's: the votes stay
    await fake.clear_reactions(bob_answer, "👍")  # (handled after the 🎉, in order)
    await _votes_are(bot, {"Alice": 2, "Bob": 0})
    await fake.clear_reactions(alice_answer)  # every reaction
    await _votes_are(bot, {"Alice": 0, "Bob": 0})
    assert await fake.react(bob_answer, dan, "👍")  # and voting again counts again
    await _votes_are(bot, {"Alice": 0, "Bob": 1})


def _raw(data: Json, added: bool) -> discord.RawReactionActionEvent:
    """discord.py's parse of a reaction event's data (without the member it builds apart)."""
    emoji = discord.PartialEmoji.from_dict(data["emoji"])
    return discord.RawReactionActionEvent(
        data,  # type: ignore[arg-type]
        emoji,
        "REACTION_ADD" if added else "REACTION_REMOVE",
    )


def test_reactions_that_are_not_votes_are_not_events(fake: FakeDiscord) -> None:
    """The filters the gateway tests cannot tell apart (the core would ignore these too)."""
    guild = fake.add_guild()
    channel = guild["channels"][0]
    bot_id, parent, thread = fake.app_id, int(channel["id"]), fake.snowflake()
    message = {
        "id": str(fake.snowflake()),
        "channel_id": str(thread),
        "guild_id": guild["id"],
        "author": fake.user("Alice"),
    }
    carol = fake.user("Carol")
    taken_back = fake.reaction_payload(message, carol, "👍", added=False)

    event = reaction_event(_raw(taken_back, False), parent, None, bot_id)
    assert event == ReactionRemoved(
        ChannelRef("discord", guild["id"], str(parent), str(thread)),
        MemberRef("discord", carol["id"], ""),  # Discord does not say her name
        message["id"],
        "👍",
    )
    custom = fake.reaction_payload(message, carol, "thumbsup", PARTY_PARROT, added=False)
    assert reaction_event(_raw(custom, False), parent, None, bot_id) is None
    assert reaction_event(_raw(taken_back, False), 0, None, bot_id) is None  # not a thread
    own = fake.reaction_payload(message, fake.bot_user, "👍", added=False)
    assert reaction_event(_raw(own, False), parent, None, bot_id) is None
    in_a_dm = {k: v for k, v in taken_back.items() if k != "guild_id"}
    assert reaction_event(_raw(in_a_dm, False), parent, None, bot_id) is None

    cleared: Json = {k: taken_back[k] for k in ("channel_id", "message_id", "guild_id")}
    place = ChannelRef("discord", guild["id"], str(parent), str(thread))
    every = discord.RawReactionClearEvent(cleared)  # type: ignore[arg-type]
    assert reactions_cleared(every, parent) == ReactionsCleared(place, message["id"])
    assert reactions_cleared(every, 0) is None  # not a thread
    custom_emoji = discord.PartialEmoji(name="thumbsup", id=PARTY_PARROT)
    one = discord.RawReactionClearEmojiEvent(cleared, custom_emoji)  # type: ignore[arg-type]
    assert reactions_cleared(one, parent) is None


def test_the_bot_asks_for_reaction_events() -> None:
    intents = intents_for(DiscordSettings(token="t"))
    assert intents.guild_reactions and not intents.dm_reactions
    assert intents.guilds and intents.guild_messages
    assert not (intents.members or intents.presences)  # still no other privileged intent


async def test_the_bot_identifies_with_the_reactions_intent(bot: Bot) -> None:
    assert bot.fake.identifies[0]["intents"] & GUILD_MESSAGE_REACTIONS


class _Listener(discord.AutoShardedClient):
    """A bare discord.py client that records the reactions and messages it is sent."""

    def __init__(self, intents: discord.Intents) -> None:
        super().__init__(intents=intents, guild_ready_timeout=0.05)
        self.reactions: list[discord.RawReactionActionEvent] = []
        self.messages: list[discord.Message] = []

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        self.reactions.append(payload)

    async def on_message(self, message: discord.Message) -> None:
        self.messages.append(message)


@pytest.mark.parametrize("with_reactions", [True, False])
async def test_reactions_go_only_to_sessions_that_ask_for_them(
    fake: FakeDiscord, with_reactions: bool
) -> None:
    guild = fake.add_guild()
    channel = int(guild["channels"][0]["id"])
    alice, bob = fake.user("Alice"), fake.user("Bob")
    intents = discord.Intents(guilds=True, guild_messages=True, guild_reactions=with_reactions)
    discord.http.Route.BASE = fake.api_base
    client = _Listener(intents)
    task = asyncio.create_task(client.start(fake.token))
    try:
        await fake.wait_ready()
        message = await fake.user_message(channel, alice, "hello")
        assert await fake.react(message, bob, "👍")
        await fake.user_message(channel, alice, "after the reaction")
        async with asyncio.timeout(5):
            while len(client.messages) < 2:  # noqa: ASYNC110 - a poll with a timeout
                await asyncio.sleep(0.01)
    finally:
        await client.close()
        await asyncio.wait_for(task, 10)
        discord.http.Route.BASE = DEFAULT_API_BASE
    sent = [p["t"] for _, p in fake.sessions[0].buffer]
    if with_reactions:
        assert [(r.user_id, r.message_id, str(r.emoji)) for r in client.reactions] == [
            (int(bob["id"]), int(message["id"]), "👍")
        ]
        assert client.reactions[0].member is not None
        assert client.reactions[0].member.display_name == "Bob"
        assert "MESSAGE_REACTION_ADD" in sent
    else:
        assert client.reactions == [] and "MESSAGE_REACTION_ADD" not in sent
