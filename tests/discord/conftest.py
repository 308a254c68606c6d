"""A studybot on the real discord.py client, connected to the loopback Discord."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
import pytest

from adapters.discord.main import DiscordPlatform
from adapters.discord.settings import DEFAULT_API_BASE, DiscordSettings
from bot.app import App, build_app
from bot.clock import ManualClock
from bot.config import Config
from bot.content.bank import QuestionBank
from bot.jobs import ManualJobScheduler
from loopback.discord import FakeDiscord, Json
from tests.conftest import FIXTURE_CONTENT

START = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # a Monday


@dataclass
class Bot:
    """The fake Discord, the app and the platform running against it."""

    fake: FakeDiscord
    app: App
    platform: DiscordPlatform
    clock: ManualClock
    task: asyncio.Task[None]
    guild: Json
    channel: Json
    admin: Json
    alice: Json
    bob: Json

    @property
    def scheduler(self) -> ManualJobScheduler:
        assert isinstance(self.app.scheduler, ManualJobScheduler)
        return self.app.scheduler

    @property
    def channel_id(self) -> int:
        return int(self.channel["id"])

    async def command(self, name: str, user: Json, **kwargs: Any) -> Any:
        channel = kwargs.pop("channel", self.channel)
        return await self.fake.run_command(name, user=user, channel=channel, **kwargs)

    async def set_up_group(
        self, settings: str = "time=09:00 tz=UTC days=daily reveal=18:00"
    ) -> None:
        record = await self.command(
            "studybot", self.admin, sub="setup", options={"settings": settings}, admin=True
        )
        await self.until(lambda: "Posts" in str(record.messages()))

    async def post_round(self) -> tuple[Json, Json]:
        """Run the clock to 09:00 and return the round's message and thread."""
        await self.scheduler.run_until(START.replace(hour=9))
        posted = [
            m
            for m in self.fake.messages_in(self.channel_id)
            if m["author"]["id"] == self.fake.bot_user["id"] and m["embeds"]
        ]
        assert posted, "no round was posted"
        thread = self.fake.thread_of(int(posted[-1]["id"]))
        assert thread is not None, "the round has no thread"
        return posted[-1], thread

    async def until(self, condition: Any, within: float = 5.0) -> None:
        """Poll a condition until it holds (or fail after `within` seconds)."""
        async with asyncio.timeout(within):
            while not condition():  # noqa: ASYNC110 - a poll with a timeout, on the fake's state
                await asyncio.sleep(0.01)


async def start_bot(
    tmp_path: Path,
    bank: QuestionBank,
    fake: FakeDiscord,
    *,
    defer_after: float = 1.5,
    busy_after: int = 25,
    form_defer_after: float | None = None,
    message_content: bool = True,
    shard_count: int | None = None,
    shard_ids: tuple[int, ...] | None = None,
    guild_id: int | None = None,
) -> tuple[App, DiscordPlatform, asyncio.Task[None]]:
    settings = DiscordSettings(
        token=fake.token,
        guild_id=guild_id,
        api_base=fake.api_base,
        message_content=message_content,
        shard_count=shard_count,
        shard_ids=shard_ids,
    )
    config = Config(
        database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}", content_dir=FIXTURE_CONTENT
    )
    timing: dict[str, Any] = {"defer_after": defer_after, "busy_after": busy_after}
    if form_defer_after is not None:
        timing["form_defer_after"] = form_defer_after
    platform = DiscordPlatform(settings, guild_ready_timeout=0.05, **timing)
    app = await build_app(config, platform.chat, ManualClock(START), bank=bank)
    await app.start()
    task = asyncio.create_task(platform.run(app))
    return app, platform, task


async def stop_bot(app: App, platform: DiscordPlatform, task: asyncio.Task[None]) -> None:
    await platform.close()
    await asyncio.wait_for(task, 10)
    await app.stop()
    discord.http.Route.BASE = DEFAULT_API_BASE


async def ready_or_failed(fake: FakeDiscord, task: asyncio.Task[None]) -> None:
    """Wait until the bot is connected; raise at once what stopped it, if it stopped."""
    ready = asyncio.ensure_future(fake.wait_ready())
    await asyncio.wait({ready, task}, return_when=asyncio.FIRST_COMPLETED)
    if not ready.done():
        ready.cancel()
        task.result()  # the bot's own failure (a refused registration, say)
        raise AssertionError("the bot stopped before it connected")
    await ready


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


async def make_bot(
    tmp_path: Path, bank: QuestionBank, fake: FakeDiscord, *, ready: bool = True, **kwargs: Any
) -> Bot:
    guild = fake.add_guild("ML study") if not fake.guilds else next(iter(fake.guilds.values()))
    app, platform, task = await start_bot(tmp_path, bank, fake, **kwargs)
    if ready:
        try:
            await ready_or_failed(fake, task)
        except BaseException:
            await platform.close()
            await app.stop()
            discord.http.Route.BASE = DEFAULT_API_BASE
            raise
    clock = app.clock
    assert isinstance(clock, ManualClock)
    return Bot(
        fake,
        app,
        platform,
        clock,
        task,
        guild,
        guild["channels"][0],
        fake.user("Ada"),
        fake.user("Alice"),
        fake.user("Bob"),
    )


@pytest.fixture
async def bot(tmp_path: Path, fixture_bank: QuestionBank, fake: FakeDiscord) -> AsyncIterator[Bot]:
    b = await make_bot(tmp_path, fixture_bank, fake)
    yield b
    await stop_bot(b.app, b.platform, b.task)
