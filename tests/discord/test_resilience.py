"""Failures on the loopback Discord: 429s, 5xx on thread creation, a dropped gateway, intents."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import aiohttp
import discord
import pytest

from adapters.discord.main import DiscordPlatform
from adapters.discord.settings import DEFAULT_API_BASE, DiscordSettings
from bot.config import Config
from bot.content.bank import QuestionBank
from bot.model import ChannelRef, MemberRef, Round, RoundStatus
from bot.ports import Invocation
from bot.service import PlatformError, run_service
from loopback.discord import FakeDiscord, Json
from tests.conftest import FIXTURE_CONTENT
from tests.discord.conftest import START, Bot, make_bot, start_bot, stop_bot

POSTS = r"/channels/\d+/messages"
THREADS = r"/channels/\d+/messages/\d+/threads"


async def _only_round(bot: Bot) -> Round:
    group = (await bot.app.store.list_groups())[0]
    round_ = await bot.app.store.round_on(group.id, START.date())
    assert round_ is not None
    return round_


def _round_posts(bot: Bot) -> list[Json]:
    return [m for m in bot.fake.messages_in(bot.channel_id) if m["author"]["bot"] and m["embeds"]]


async def test_a_429_on_the_post_is_retried_not_lost_not_doubled(bot: Bot) -> None:
    await bot.set_up_group()
    notices = len(bot.fake.calls_to("POST", POSTS))  # the channel's "questions start here"
    bot.fake.fail("POST", POSTS, 429, retry_after=0.05)
    await bot.post_round()
    attempts = bot.fake.calls_to("POST", POSTS)[notices:]
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[0].body == attempts[1].body, "the same message (and nonce) is sent again"
    assert len(_round_posts(bot)) == 1
    assert (await _only_round(bot)).status is RoundStatus.OPEN


async def test_a_lost_response_is_not_doubled_thanks_to_the_nonce(bot: Bot) -> None:
    await bot.set_up_group()
    await bot.post_round()
    first = bot.fake.calls_to("POST", POSTS)[-1].body
    assert first["enforce_nonce"] is True and len(first["nonce"]) <= 25
    # the same post again (as after a response lost on the way back) returns the same message
    round_ = await _only_round(bot)
    channel = bot.platform.client.get_partial_messageable(bot.channel_id)
    again = await channel.send(content="x", nonce=first["nonce"])
    assert str(again.id) == round_.message_id
    assert len(_round_posts(bot)) == 1


async def test_a_5xx_on_thread_creation_retries_on_the_same_message(bot: Bot) -> None:
    await bot.set_up_group()
    bot.fake.fail("POST", THREADS, 503)
    await bot.scheduler.run_until(START.replace(hour=9))
    round_ = await _only_round(bot)
    assert round_.status is RoundStatus.RETRY and "503" in (round_.last_error or "")
    assert len(_round_posts(bot)) == 1
    message = _round_posts(bot)[0]
    assert bot.fake.thread_of(int(message["id"])) is None

    await bot.scheduler.run_until(START.replace(hour=9) + timedelta(minutes=5))
    round_ = await _only_round(bot)
    assert round_.status is RoundStatus.OPEN
    assert len(_round_posts(bot)) == 1, "the retry must not post a second message"
    assert round_.message_id == message["id"] and round_.thread_id == message["id"]
    assert [c.status for c in bot.fake.calls_to("POST", THREADS)] == [503, 201]
    assert len(bot.fake.calls_to("PATCH", rf"{POSTS}/\d+")) == 1  # the card brought up to date


async def test_a_thread_created_before_a_lost_response_is_reused(bot: Bot) -> None:
    await bot.set_up_group()
    bot.fake.fail("POST", THREADS, 503)
    await bot.scheduler.run_until(START.replace(hour=9))
    message = _round_posts(bot)[0]
    # Discord did create the thread although the bot saw an error
    client = bot.platform.client
    await client.http.start_thread_with_message(
        bot.channel_id, int(message["id"]), name="x", auto_archive_duration=1440
    )
    await bot.scheduler.run_until(START.replace(hour=9) + timedelta(minutes=5))
    round_ = await _only_round(bot)
    assert round_.status is RoundStatus.OPEN and round_.thread_id == message["id"]
    assert len(_round_posts(bot)) == 1


async def test_a_dropped_gateway_in_the_middle_of_a_round_loses_no_answer(bot: Bot) -> None:
    await bot.set_up_group()
    _, thread = await bot.post_round()
    tid = int(thread["id"])
    await bot.fake.user_message(tid, bot.alice, "Precision is TP over predicted positives")
    await bot.until(lambda: len(bot.fake.reactions) == 1)

    await bot.fake.drop_gateway()
    await bot.fake.user_message(tid, bot.bob, "Recall is TP over actual positives")
    await bot.fake.user_message(tid, bot.admin, "F1 is their harmonic mean")
    await bot.fake.wait_ready()
    await bot.until(lambda: len(bot.fake.reactions) == 3)

    assert len(bot.fake.resumes) == 1 and len(bot.fake.identifies) == 1
    round_ = await _only_round(bot)
    answers = await bot.app.store.round_answers(round_.id)
    assert sorted(a.display_name for a in answers) == ["Ada", "Alice", "Bob"]


async def test_without_message_content_the_modal_path_still_works(
    tmp_path: Path, fixture_bank: QuestionBank, fake: FakeDiscord
) -> None:
    fake.enabled_intents = 0  # the portal's Message Content switch is off: not needed
    b = await make_bot(tmp_path, fixture_bank, fake, message_content=False)
    try:
        intents = discord.Intents._from_value(fake.identifies[0]["intents"])
        assert intents.guilds and intents.guild_messages and not intents.message_content
        await b.set_up_group()
        message, thread = await b.post_round()
        # without the intent Discord sends thread messages with empty content: not an answer
        footer = json.dumps(message["embeds"])
        assert "Answer with the Answer privately button or /answer" in footer
        assert "Answer in this message's thread" not in footer
        typed = await fake.user_message(int(thread["id"]), b.alice, "Precision, typed")
        assert typed["content"] == "Precision, typed"  # what Alice wrote, kept from the bot
        await b.until(lambda: bool(fake.dms_to(int(b.alice["id"]))))
        await fake.user_message(int(thread["id"]), b.alice, "Recall too, typed")
        await fake.user_message(int(thread["id"]), b.bob, "Bob, typed")
        await b.until(lambda: bool(fake.dms_to(int(b.bob["id"]))))
        [told_alice] = fake.dms_to(int(b.alice["id"]))  # once per member and thread
        assert "can't read messages in the question's thread" in told_alice["content"]
        round_ = await _only_round(b)
        opened = await fake.press(message, f"sb:answer:{round_.id}", user=b.alice)
        modal = opened.callback.result()["data"]
        submitted = await fake.submit_modal(
            modal["custom_id"], {"text": "Precision and recall"}, user=b.alice, channel=b.channel
        )
        told = json.dumps(submitted.callback.result())
        assert "Recorded your answer" in told and "Replaced" not in told  # her first answer
        answers = await b.app.store.round_answers(round_.id)
        assert [a.text for a in answers] == ["Precision and recall"]
        assert len(fake.dms_to(int(b.alice["id"]))) == 1 and fake.reactions == []
    finally:
        await stop_bot(b.app, b.platform, b.task)


PORTAL_SETTING = "Bot → Privileged Gateway Intents → Message Content Intent"


async def test_a_refused_message_content_intent_stops_the_bot_with_one_line(
    tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    async with FakeDiscord(enabled_intents=0) as fake:  # the portal switch is off
        fake.add_guild("g")
        app, platform, task = await start_bot(tmp_path, fixture_bank, fake)
        try:
            with pytest.raises(PlatformError) as stopped:
                await asyncio.wait_for(task, 10)
        finally:
            await platform.close()
            await app.stop()
            discord.http.Route.BASE = DEFAULT_API_BASE
        message = str(stopped.value)
        assert "\n" not in message and "4014" in message
        assert PORTAL_SETTING in message and "DISCORD_MESSAGE_CONTENT=off" in message
        assert fake.identifies and not fake.sessions, "identified, then closed by Discord"
        assert not platform.is_connected()


async def test_the_service_exits_when_the_intent_is_refused(
    tmp_path: Path, fixture_bank: QuestionBank, caplog: pytest.LogCaptureFixture
) -> None:
    async with FakeDiscord(enabled_intents=0) as fake:
        fake.add_guild("g")
        settings = DiscordSettings(token=fake.token, api_base=fake.api_base)
        config = Config(
            database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}", content_dir=FIXTURE_CONTENT
        )
        platform = DiscordPlatform(settings, guild_ready_timeout=0.05)
        try:
            status = await asyncio.wait_for(run_service(config, platform), 20)
        finally:
            discord.http.Route.BASE = DEFAULT_API_BASE
        assert status == 1
        stopped = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
        assert any(PORTAL_SETTING in line for line in stopped), stopped


async def test_shards_identify_and_each_serves_its_guilds(
    tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    async with FakeDiscord(shard_count=2) as fake:
        first = fake.add_guild("zero", shard=0)
        second = fake.add_guild("one", shard=1)
        b = await make_bot(tmp_path, fixture_bank, fake)
        try:
            assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 2), (1, 2)]
            for guild in (first, second):
                record = await b.command("help", b.alice, channel=guild["channels"][0])
                assert record.callback.result()["type"] == 4
            assert b.platform.is_connected()
        finally:
            await stop_bot(b.app, b.platform, b.task)


async def test_a_process_runs_only_its_shard_ids(
    tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    async with FakeDiscord(shard_count=4) as fake:
        fake.add_guild("two", shard=2)
        b = await make_bot(tmp_path, fixture_bank, fake, shard_count=4, shard_ids=(2,), ready=False)
        try:
            await b.until(lambda: 2 in fake.sessions and fake.sessions[2].ready.is_set())
            assert [i["shard"] for i in fake.identifies] == [[2, 4]]
            assert fake.calls_to("GET", r"/gateway/bot"), "the gateway comes from the API base"
        finally:
            await stop_bot(b.app, b.platform, b.task)


@pytest.mark.slow
async def test_a_fan_out_stays_under_the_global_limit_and_route_buckets(
    tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    async with FakeDiscord(global_limit=50, route_limit=(5, 5.0)) as fake:
        guild = fake.add_guild("many", channels=40)
        b = await make_bot(tmp_path, fixture_bank, fake)
        try:
            places = [ChannelRef("discord", guild["id"], c["id"]) for c in guild["channels"]]
            for i, place in enumerate(places):  # each channel's own admin
                admin = MemberRef("discord", str(i + 1), "Admin", can_manage=True)
                await b.app.core.handle(Invocation("studybot", "setup time=09:00", admin, place))
            await b.until(lambda: b.platform.client.command_sweep is not None)
            sweep = b.platform.client.command_sweep
            assert sweep is not None
            await asyncio.wait_for(asyncio.shield(sweep), 5)  # one GET for the guild's commands
            fake.forget_calls()  # from here: the fan-out alone
            b.clock.set(START.replace(hour=9))
            groups = await b.app.store.list_groups()
            await asyncio.gather(*(b.app.rounds.post_due(g.id) for g in groups))
            report = fake.bench_report()
            assert report["calls"] == 80 and set(report["statuses"]) <= {200, 201}
            assert report["global_violations"] == 0 and report["route_violations"] == 0
            assert sorted(report["posts"].values()) == [1] * 40
            assert sorted(report["threads"].values()) == [1] * 40
            assert report["last"] - report["first"] >= 79 / 48 - 0.05, "paced, not bursted"
        finally:
            await stop_bot(b.app, b.platform, b.task)


async def test_the_fake_refuses_a_burst_over_the_global_limit(fake: FakeDiscord) -> None:
    fake.global_limit = 3
    fake.add_guild("g")
    channel = next(iter(fake.channels))
    async with aiohttp.ClientSession() as session:
        statuses = []
        for _ in range(5):
            async with session.post(
                f"{fake.api_base}/channels/{channel}/messages",
                json={"content": "hi"},
                headers={"Authorization": f"Bot {fake.token}"},
            ) as response:
                statuses.append(response.status)
                if response.status == 429:
                    assert response.headers["Via"] and (await response.json())["global"] is True
    assert statuses == [200, 200, 200, 429, 429] and fake.global_violations == 2


async def test_an_answer_sent_in_a_crowd_counts_even_if_discord_refuses_the_late_ack(
    tmp_path: Path, fixture_bank: QuestionBank, fake: FakeDiscord
) -> None:
    b = await make_bot(tmp_path, fixture_bank, fake, busy_after=0)
    try:
        await b.set_up_group()
        posted = await b.command("studybot", b.admin, sub="post-now", admin=True)
        await b.until(lambda: "Posted" in str(posted.messages()))
        round_ = await _only_round(b)
        fake.fail("POST", r"/interactions/\d+/[^/]+/callback", 404)  # as after 3 s: 10062
        rows = [{"type": 1, "components": [{"type": 4, "custom_id": "text", "value": "Recall"}]}]
        data = {"custom_id": f"sbf:answer:{round_.id}", "components": rows}
        await fake.send_interaction(
            fake.interaction_payload(5, data, user=b.bob, channel=b.channel)
        )
        answers: list[str] = []

        async def stored() -> None:
            while not answers:
                answers.extend(a.text for a in await b.app.store.round_answers(round_.id))
                await asyncio.sleep(0.01)

        await asyncio.wait_for(stored(), 5)
        assert answers == ["Recall"]
    finally:
        await stop_bot(b.app, b.platform, b.task)
