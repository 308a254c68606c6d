"""A studybot on Slack, in HTTP mode, against the loopback fake of Slack."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.slack.main import EVENTS_PATH, SlackPlatform
from adapters.slack.settings import SlackSettings
from bot.app import App, build_app
from bot.clock import ManualClock
from bot.config import Config
from bot.content.bank import QuestionBank
from loopback.slack import (
    TEAM,
    FakeSlack,
    SignedSender,
    SlackText,
    message_text,
    new_trigger_id,
)
from tests.conftest import FIXTURE_CONTENT
from tests.postgres import POSTGRES_URL, postgres_schema

SECRET = "test-signing-secret"
ADMIN = "UADMIN"
ALICE = "UALICE"
BOB = "UBOB"
CHANNEL = "C0GENERAL"
START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


async def wait_until(predicate: Any, within: float = 5.0) -> None:
    """Poll `predicate` until it is true (or fail after `within` seconds)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.005)


@dataclass
class SlackRig:
    """The bot on Slack: the fake, the platform, the app, and a signed-request sender."""

    fake: FakeSlack
    platform: SlackPlatform
    app: App
    clock: ManualClock
    sender: SignedSender
    session: aiohttp.ClientSession
    _hooks: int = 0

    def hook(self) -> str:
        """Return a fresh response_url on the fake."""
        self._hooks += 1
        return self.fake.response_url(f"h{self._hooks}")

    async def settle(self) -> None:
        """Wait until the work the adapter started after its acks is done."""
        assert self.platform.bot is not None
        await self.platform.bot.background.drain()

    async def command(
        self,
        command: str,
        text: str = "",
        user: str = ALICE,
        channel: str = CHANNEL,
        team: str = TEAM,
    ) -> tuple[int, str, str]:
        """Send a signed slash command; return status, body and its response_url's hook."""
        url = self.hook()
        status, body = await self.sender.command(
            command, text, user=user, channel=channel, response_url=url, team=team
        )
        await self.settle()
        return status, body, url.rsplit("/", 1)[1]

    def responses(self, hook: str) -> list[dict[str, Any]]:
        """Return what the adapter posted to one response_url."""
        return [c.args for c in self.fake.of("response_url") if c.token == hook]

    async def setup_channel(self, settings: str = "days=daily") -> None:
        """Set the channel up for daily questions and post today's (as the admin)."""
        status, _, hook = await self.command("/studybot", f"setup {settings}", user=ADMIN)
        assert status == 200, hook
        status, _, hook = await self.command("/studybot", "post-now", user=ADMIN)
        assert status == 200
        assert "Posted" in str(self.responses(hook)), self.responses(hook)

    def round_post(self) -> dict[str, Any]:
        """Return the chat.postMessage call that posted the latest round."""
        posts = [
            c.args
            for c in self.fake.of("chat.postMessage")
            if str(
                (c.args.get("metadata") or {}).get("event_payload", {}).get("key", "")
            ).startswith("round-")
        ]
        assert posts, "no round was posted"
        return posts[-1]

    def round_ts(self) -> str:
        """Return the ts of the latest round's message (its thread)."""
        channel = self.round_post()["channel"]
        for message in self.fake.messages[channel]:
            if (
                (message.get("metadata") or {})
                .get("event_payload", {})
                .get("key", "")
                .startswith("round-")
            ):
                ts = str(message["ts"])
        return ts

    async def answers(self, round_id: int = 1) -> list[tuple[str, str]]:
        """Return the stored answers of a round: (display name, text)."""
        return [(a.display_name, a.text) for a in await self.app.store.round_answers(round_id)]

    async def event(
        self, event: dict[str, Any], event_id: str, retry_num: int = 0, user_team: str = TEAM
    ) -> int:
        """Send a signed event callback and wait for the work it started."""
        status, _ = await self.sender.event(
            event, event_id, retry_num=retry_num, user_team=user_team
        )
        await self.settle()
        return status


# An answer that covers the fixture bank's cross-validation question well.
GOOD_ANSWER = (
    "With little data a single split is noisy: k-fold uses every example for validation once "
    "and averages the folds, giving a lower-variance estimate of generalisation."
)


def block_texts(blocks: list[dict[str, Any]]) -> str:
    """Return the text a member reads in Block Kit blocks, one line per text object."""
    parts: list[str] = []
    for block in blocks:
        text = block.get("text")
        if isinstance(text, dict):
            parts.append(str(text.get("text", "")))
        for element in block.get("elements", []) + block.get("fields", []):
            parts.append(str(element.get("text", "")))
    return "\n".join(parts)


def thread_reply(user: str, text: str, ts: str, thread_ts: str) -> dict[str, Any]:
    """Return a `message` event: a member's reply in a thread (plain text encoded as Slack does)."""
    return {
        "type": "message",
        "channel": CHANNEL,
        "user": user,
        "text": text if isinstance(text, SlackText) else message_text(text),
        "ts": ts,
        "thread_ts": thread_ts,
        "event_ts": ts,
        "channel_type": "channel",
    }


def rig_settings(fake: FakeSlack, **changes: Any) -> SlackSettings:
    values: dict[str, Any] = {
        "bot_token": "xoxb-test-token",
        "signing_secret": SECRET,
        "port": 0,
        "api_url": fake.api_url,
        "posts_per_second": 1000.0,
        "channel_interval": 0.0,
    }
    values.update(changes)
    return SlackSettings(**values)


async def start_platform(platform: SlackPlatform, app: App) -> asyncio.Task[None]:
    task = asyncio.create_task(platform.run(app))
    await wait_until(lambda: platform.is_connected() or task.done())
    if task.done():
        task.result()
    return task


@asynccontextmanager
async def open_rig(
    fake: FakeSlack, database_url: str, bank: QuestionBank, clock: ManualClock
) -> AsyncIterator[SlackRig]:
    """One studybot replica on Slack in HTTP mode, on `database_url`, against `fake`."""
    config = Config(database_url=database_url, content_dir=FIXTURE_CONTENT)
    platform = SlackPlatform(rig_settings(fake), host="127.0.0.1")
    app = await build_app(config, platform.chat, clock, bank=bank)
    await app.start()
    task = await start_platform(platform, app)
    try:
        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{platform.port}{EVENTS_PATH}"
            sender = SignedSender(session, url, SECRET)
            yield SlackRig(fake, platform, app, clock, sender, session)
    finally:
        await platform.close()
        await task
        await app.stop()


def add_members(fake: FakeSlack) -> None:
    """Add the tests' members to the fake workspace: an admin, Alice and Bob."""
    fake.add_user(ADMIN, "Ada", admin=True)
    fake.add_user(ALICE, "Alice")
    fake.add_user(BOB, "Bob")


@pytest.fixture
async def rig(tmp_path: Path, fixture_bank: QuestionBank) -> AsyncIterator[SlackRig]:
    async with FakeSlack() as fake:
        add_members(fake)
        url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
        async with open_rig(fake, url, fixture_bank, ManualClock(START)) as rig:
            yield rig


@pytest.fixture
async def replicas(fixture_bank: QuestionBank) -> AsyncIterator[tuple[SlackRig, SlackRig]]:
    """Two replicas of the bot on one PostgreSQL schema and one fake Slack."""
    async with postgres_schema() as schema, FakeSlack() as fake, AsyncExitStack() as stack:
        add_members(fake)
        url = f"{POSTGRES_URL}?search_path={schema}"
        clock = ManualClock(START)
        first = await stack.enter_async_context(open_rig(fake, url, fixture_bank, clock))
        second = await stack.enter_async_context(open_rig(fake, url, fixture_bank, clock))
        yield first, second


APP_TOKEN = "xapp-1-test"


@dataclass
class SocketRig:
    """The bot on Slack in Socket Mode: the fake (and its websocket), the platform, the app."""

    fake: FakeSlack
    platform: SlackPlatform
    app: App

    async def settle(self) -> None:
        """Wait until the work the adapter started after its acks is done."""
        assert self.platform.bot is not None
        await self.platform.bot.background.drain()

    async def command(self, command: str, text: str, user: str) -> tuple[dict[str, object], str]:
        """Send a slash command over the socket; return its ack and its response_url's hook."""
        hook = f"sock-{time.monotonic_ns()}"
        payload = {
            "team_id": TEAM,
            "channel_id": CHANNEL,
            "user_id": user,
            "command": command,
            "text": text,
            "response_url": self.fake.response_url(hook),
            "trigger_id": new_trigger_id(user),
        }
        ack = await self.fake.send_envelope("slash_commands", payload)
        await self.settle()
        return ack, hook


@pytest.fixture
async def socket_rig(tmp_path: Path, fixture_bank: QuestionBank) -> AsyncIterator[SocketRig]:
    """One studybot on Slack in Socket Mode (no HTTP port), against the fake's websocket."""
    async with FakeSlack() as fake:
        fake.add_user(ADMIN, "Ada", admin=True)
        fake.add_user(BOB, "Bob")
        settings = rig_settings(fake, app_token=APP_TOKEN, signing_secret=None)
        platform = SlackPlatform(settings, host="127.0.0.1")
        config = Config(
            database_url=f"sqlite:///{tmp_path / 'b.sqlite3'}", content_dir=FIXTURE_CONTENT
        )
        app = await build_app(config, platform.chat, ManualClock(START), bank=fixture_bank)
        await app.start()
        task = await start_platform(platform, app)
        await fake.wait_for_socket()
        yield SocketRig(fake, platform, app)
        await platform.close()
        await task
        await app.stop()
        assert not platform.is_connected()
