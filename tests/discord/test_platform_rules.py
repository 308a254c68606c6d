"""The loopback Discord is as strict as Discord, and the adapter's flows keep within it.

Permissions from channel overwrites (50001 Missing Access, 50013 Missing
Permissions) and in interactions (`app_permissions`, the member's), forum and
voice channels, interaction tokens that expire, and the count of invalid
requests (401, 403, 429) Discord bans a bot for.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import discord
import pytest

from adapters.discord.commands import BARE_SUBCOMMAND
from adapters.discord.render import modal_for
from bot import messages
from bot.content.bank import QuestionBank
from bot.model import Round, RoundStatus
from bot.telemetry.metrics import REGISTRY
from loopback.discord import FakeDiscord, Json
from loopback.discord.permissions import (
    ADD_REACTIONS,
    CREATE_PUBLIC_THREADS,
    EMBED_LINKS,
    FORUM,
    MANAGE_CHANNELS,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    VOICE,
    overwrite,
)
from loopback.discord.rules import modal_problem
from tests.discord.conftest import START, Bot, make_bot, stop_bot

POSTS = r"/channels/\d+/messages"
THREADS = r"/channels/\d+/messages/\d+/threads"


def _platform_errors(kind: str) -> float:
    labels = {"platform": "discord", "kind": kind}
    return REGISTRY.get_sample_value("studybot_platform_errors_total", labels) or 0.0


async def _only_round(bot: Bot) -> Round:
    group = (await bot.app.store.list_groups())[0]
    round_ = await bot.app.store.round_on(group.id, START.date())
    assert round_ is not None
    return round_


async def _rest(
    fake: FakeDiscord, method: str, path: str, body: Any = None, *, token: str | None = None
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bot {token or fake.token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, f"{fake.api_base}{path}", json=body, headers=headers) as response,
    ):
        return response.status, await response.json() if response.status != 204 else None


# -- permissions from channel overwrites -----------------------------------------------


@pytest.mark.parametrize(
    ("denied", "refused_at", "code"),
    [
        (SEND_MESSAGES, POSTS, 50013),
        (VIEW_CHANNEL, POSTS, 50001),
        (EMBED_LINKS, POSTS, 50013),  # the card is embeds only: Discord refuses it
        (CREATE_PUBLIC_THREADS, THREADS, 50013),
    ],
)
async def test_a_round_where_the_bot_is_denied_stops_the_group_until_an_admin_resumes(
    bot: Bot, denied: int, refused_at: str, code: int
) -> None:
    await bot.set_up_group()
    bot_role = bot.guild["bot_role_id"]
    await bot.fake.set_overwrites(bot.channel_id, [overwrite(bot_role, deny=denied)])
    before = _platform_errors("NotAllowed")
    await bot.scheduler.run_until(START.replace(hour=9))
    await bot.scheduler.run_until(START.replace(hour=9) + timedelta(days=2))  # no retries

    round_ = await _only_round(bot)
    assert round_.status is RoundStatus.FAILED and "not allowed" in (round_.last_error or "")
    tried = [c for c in bot.fake.calls_to("POST", refused_at) if str(bot.channel_id) in c.path]
    assert tried[-1].status == 403
    assert _platform_errors("NotAllowed") == before + 1, "counted as a platform error"
    assert bot.fake.invalid_requests == 1  # one 403, and none after it
    [group] = await bot.app.store.list_groups()
    assert group.settings.paused and "Send Messages" in (group.settings.blocked or "")
    await bot.until(lambda: bool(bot.fake.dms_to(int(bot.admin["id"]))))
    told = bot.fake.dms_to(int(bot.admin["id"]))[0]
    assert "Daily questions stopped" in str(told) and "/studybot resume" in str(told)

    record = await bot.command("studybot", bot.admin, sub="resume", admin=True)
    assert "stay paused" in str(record.messages())  # setup's check sees it still denied
    await bot.fake.set_overwrites(bot.channel_id, [])  # an admin fixes the channel
    await bot.until(lambda: not _denied(bot))
    record = await bot.command("studybot", bot.admin, sub="resume", admin=True)
    assert "Daily questions resumed" in str(record.messages())
    await bot.scheduler.run_until(START.replace(hour=9) + timedelta(days=3))
    posted = [m for m in bot.fake.messages_in(bot.channel_id) if m["author"]["bot"]]
    cards = [m for m in posted if m["embeds"]]
    assert len(cards) == 1, "one card, with its question"
    notices = [m["content"] for m in posted if not m["embeds"]]
    assert [n.split(":")[0] for n in notices] == [
        "📅 Daily questions start here",
        "▶️ Daily questions are back",
    ]


def _threads_allowed(bot: Bot) -> bool:
    channel = bot.platform.client.get_channel(bot.channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel.permissions_for(channel.guild.me).create_public_threads


def _denied(bot: Bot) -> bool:
    """Tell whether the bot's cache still sees one of its permissions denied in the channel."""
    channel = bot.platform.client.get_channel(bot.channel_id)
    assert isinstance(channel, discord.TextChannel)
    granted = channel.permissions_for(channel.guild.me)
    return not (granted.send_messages and granted.embed_links and granted.view_channel)


async def test_setup_is_refused_with_the_permissions_the_bot_lacks(bot: Bot) -> None:
    bot_role = bot.guild["bot_role_id"]
    await bot.fake.set_overwrites(bot.channel_id, [overwrite(bot_role, deny=CREATE_PUBLIC_THREADS)])
    await bot.until(lambda: not _threads_allowed(bot))
    record = await bot.command(
        "studybot", bot.admin, sub="setup", options={"settings": "time=09:00"}, admin=True
    )
    said = str(record.messages())
    assert "my role lacks Create Public Threads in this channel" in said
    assert await bot.app.store.list_groups() == []
    assert bot.fake.invalid_requests == 0  # checked from the cache: no request refused


async def test_interactions_carry_the_channels_permissions(bot: Bot) -> None:
    fake = bot.fake
    admins, bot_role = bot.guild["admin_role_id"], bot.guild["bot_role_id"]
    await bot.set_up_group()
    await fake.set_overwrites(
        bot.channel_id,
        [overwrite(admins, deny=MANAGE_CHANNELS), overwrite(bot_role, deny=SEND_MESSAGES)],
    )
    fake.forget_calls()
    record = await bot.command("studybot", bot.admin, sub="pause", admin=True)
    assert not int(record.payload["member"]["permissions"]) & MANAGE_CHANNELS
    assert not int(record.payload["app_permissions"]) & SEND_MESSAGES
    # the adapter takes Manage Channels from the interaction: not an admin in this channel
    assert "for the channel's admins" in record.callback.result()["data"]["content"]
    # and the answer went back through the interaction, which needs no channel permission
    assert fake.invalid_requests == 0

    elsewhere = fake.add_channel(int(bot.guild["id"]), "open")
    record = await bot.command("help", bot.admin, channel=elsewhere, admin=True)
    assert int(record.payload["member"]["permissions"]) & MANAGE_CHANNELS
    assert int(record.payload["app_permissions"]) & SEND_MESSAGES


async def test_an_answer_where_the_bot_may_not_react_is_confirmed_privately(bot: Bot) -> None:
    await bot.set_up_group()
    _, thread = await bot.post_round()
    bot_role = bot.guild["bot_role_id"]  # a thread takes its parent's overwrites
    await bot.fake.set_overwrites(bot.channel_id, [overwrite(bot_role, deny=ADD_REACTIONS)])
    before = _platform_errors("Forbidden")

    await bot.fake.user_message(int(thread["id"]), bot.alice, "Precision is about FP")
    await bot.until(lambda: bool(bot.fake.dms_to(int(bot.alice["id"]))))
    assert "Recorded your answer" in bot.fake.dms_to(int(bot.alice["id"]))[0]["content"]
    assert bot.fake.reactions == [] and bot.fake.invalid_requests == 1
    assert _platform_errors("Forbidden") == before + 1
    answers = await bot.app.store.round_answers((await _only_round(bot)).id)
    assert [a.text for a in answers] == ["Precision is about FP"]


async def test_the_fake_applies_overwrites_as_discord_does(fake: FakeDiscord) -> None:
    guild = fake.add_guild("g")
    gid, bot_role = int(guild["id"]), guild["bot_role_id"]
    channel = fake.add_channel(gid, "locked", overwrites=[overwrite(gid, deny=SEND_MESSAGES)])
    path = f"/channels/{channel['id']}/messages"
    # @everyone may not send; the bot's role (allowed) does not override an @everyone deny...
    assert (await _rest(fake, "POST", path, {"content": "hi"}))[1]["code"] == 50013
    # ...unless an overwrite for its role allows it again; a member overwrite wins over both
    allowed = overwrite(bot_role, allow=SEND_MESSAGES)
    await fake.set_overwrites(int(channel["id"]), [overwrite(gid, deny=SEND_MESSAGES), allowed])
    assert (await _rest(fake, "POST", path, {"content": "hi"}))[0] == 200
    member_deny = overwrite(fake.bot_user["id"], deny=SEND_MESSAGES, member=True)
    await fake.set_overwrites(int(channel["id"]), [allowed, member_deny])
    assert (await _rest(fake, "POST", path, {"content": "hi"}))[1]["code"] == 50013
    # hidden: Missing Access on everything; without history: an empty list, not an error
    await fake.set_overwrites(int(channel["id"]), [overwrite(bot_role, deny=VIEW_CHANNEL)])
    status, error = await _rest(fake, "GET", f"/channels/{channel['id']}")
    assert (status, error["code"]) == (403, 50001)
    await fake.set_overwrites(int(channel["id"]), [overwrite(bot_role, deny=READ_MESSAGE_HISTORY)])
    assert await _rest(fake, "GET", path) == (200, [])
    assert fake.invalid_requests == 3


# -- forum and voice channels ------------------------------------------------------------


async def test_the_fake_refuses_what_forums_and_voice_channels_cannot_do(
    fake: FakeDiscord,
) -> None:
    guild = fake.add_guild("g")
    forum = fake.add_channel(int(guild["id"]), "questions", kind=FORUM)
    voice = fake.add_channel(int(guild["id"]), "lounge", kind=VOICE)
    status, error = await _rest(fake, "POST", f"/channels/{forum['id']}/messages", {"content": "x"})
    assert (status, error["code"]) == (400, 50008)
    status, message = await _rest(
        fake, "POST", f"/channels/{voice['id']}/messages", {"content": "x"}
    )
    assert status == 200, "a voice channel has a text chat"
    status, error = await _rest(
        fake,
        "POST",
        f"/channels/{voice['id']}/messages/{message['id']}/threads",
        {"name": "Answers", "auto_archive_duration": 1440},
    )
    assert (status, error["code"]) == (400, 50024)


@pytest.mark.parametrize("kind", ["voice", "forum post"])
async def test_no_round_is_posted_where_discord_cannot_thread_it(
    tmp_path: Path, fixture_bank: QuestionBank, fake: FakeDiscord, kind: str
) -> None:
    guild = fake.add_guild("g")
    gid = int(guild["id"])
    b = await make_bot(tmp_path, fixture_bank, fake)
    try:
        if kind == "voice":
            where = fake.add_channel(gid, "lounge", kind=VOICE)
            await fake.dispatch("CHANNEL_CREATE", where, gid)
        else:
            forum = fake.add_channel(gid, "questions", kind=FORUM)
            await fake.dispatch("CHANNEL_CREATE", forum, gid)
            where = await fake.add_forum_post(int(forum["id"]), "Daily", b.admin)
        await b.until(lambda: b.platform.client.get_channel(int(where["id"])) is not None)
        record = await b.command(
            "studybot",
            b.admin,
            channel=where,
            sub="setup",
            options={"settings": "time=09:00"},
            admin=True,
        )
        said = str(record.messages())
        assert "daily questions need a text or announcement channel" in said
        assert await b.app.store.list_groups() == []
        sent = [c for c in fake.calls if c.path.startswith("/channels/")]
        assert sent == [], "nothing sent that Discord would refuse or leave half done"
    finally:
        await stop_bot(b.app, b.platform, b.task)


# -- modals, tokens, invalid requests ---------------------------------------------------


def test_every_form_the_core_opens_is_a_modal_discord_takes() -> None:
    for form in (messages.answer_form(2**62), messages.answer_form(0, kind="practice-answer")):
        assert form.form is not None
        data = modal_for(form.form).to_dict()
        assert modal_problem(data) is None, data


async def test_the_fake_refuses_follow_ups_after_fifteen_minutes(fake: FakeDiscord) -> None:
    guild = fake.add_guild("g")
    payload = fake.interaction_payload(
        2, fake.command_data("stats"), user=fake.user("u"), channel=guild["channels"][0]
    )
    record = await fake.send_interaction(payload)
    path = f"/interactions/{record.id}/{record.token}/callback"
    assert (await _rest(fake, "POST", path, {"type": 5, "data": {"flags": 64}}))[0] == 200
    followup = f"/webhooks/{fake.app_id}/{record.token}"
    assert (await _rest(fake, "POST", followup, {"content": "in time"}))[0] == 200
    record.sent_at -= 15 * 60 + 1  # the token has lived its 15 minutes
    for method, path, body in (
        ("POST", followup, {"content": "late"}),
        ("PATCH", f"{followup}/messages/@original", {"content": "late"}),
        ("DELETE", f"{followup}/messages/@original", None),
    ):
        status, error = await _rest(fake, method, path, body)
        assert (status, error["code"]) == (401, 50027), method
    assert fake.invalid_requests == 3


async def test_the_fake_counts_the_requests_discord_bans_for(fake: FakeDiscord) -> None:
    guild = fake.add_guild("g")
    path = f"/channels/{guild['channels'][0]['id']}/messages"
    assert (await _rest(fake, "POST", path, {"content": "x"}, token="wrong"))[0] == 401
    fake.fail("POST", path, 429)
    assert (await _rest(fake, "POST", path, {"content": "x"}))[0] == 429
    fake.fail("POST", path, 500)
    assert (await _rest(fake, "POST", path, {"content": "x"}))[0] == 500  # not counted
    assert (await _rest(fake, "POST", path, {"content": ""}))[0] == 400  # not counted
    assert fake.invalid_requests == 2


async def test_a_whole_round_stays_within_the_invited_permissions(bot: Bot) -> None:
    await bot.set_up_group()
    message, thread = await bot.post_round()
    round_ = await _only_round(bot)
    await bot.fake.user_message(int(thread["id"]), bot.alice, "Precision counts FP")
    await bot.until(lambda: len(bot.fake.reactions) == 1)
    opened = await bot.fake.press(message, f"sb:answer:{round_.id}", user=bot.bob)
    modal: Json = opened.callback.result()["data"]
    await bot.fake.submit_modal(
        modal["custom_id"], {"text": "Recall"}, user=bot.bob, channel=bot.channel
    )
    await bot.command("practice", bot.alice, sub=BARE_SUBCOMMAND)
    await bot.scheduler.run_until(START.replace(hour=18) + timedelta(minutes=1))
    assert (await _only_round(bot)).status is RoundStatus.REVEALED
    refused = [c for c in bot.fake.calls if c.status >= 400]
    assert refused == [] and bot.fake.invalid_requests == 0
