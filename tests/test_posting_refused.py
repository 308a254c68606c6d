"""A channel the bot may not post in: setup refuses it, and a refused post stops the group."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.console.chat import ConsoleChat
from bot.app import App, build_app
from bot.clock import ManualClock
from bot.config import Config
from bot.content.bank import QuestionBank
from bot.jobs import ManualJobScheduler
from bot.model import ChannelRef, MemberRef, MessageRef, PostedRound, RoundStatus
from bot.ports import Invocation, NotAllowed, PrivateClosed
from bot.replies import Reply
from tests.conftest import FIXTURE_CONTENT

PLACE = ChannelRef("console", "local", "general")
FOUNDER = MemberRef("console", "org", "Olga")  # not a platform admin: a founder
PROBLEM = "I'm not a member of this channel; invite me first."


class GuardedChat:
    """A console chat whose channel may refuse the bot, as a platform would."""

    def __init__(self) -> None:
        self.console = ConsoleChat(io.StringIO())
        self.problem: str | None = None  # what the platform would refuse posts with
        self.round_posts = 0
        self.private: list[tuple[str, Reply]] = []
        self.dms_closed = False  # the platform refuses every private message (PrivateClosed)
        self.posts = 0

    async def posting_problem(self, channel: ChannelRef) -> str | None:
        return self.problem

    async def post_round(self, channel: ChannelRef, card: Reply) -> PostedRound:
        self.round_posts += 1
        if self.problem is not None:
            raise NotAllowed(self.problem)
        return await self.console.post_round(channel, card)

    async def post(self, place: ChannelRef, reply: Reply) -> MessageRef:
        self.posts += 1
        return await self.console.post(place, reply)

    async def send_private(self, member: MemberRef, reply: Reply) -> None:
        if self.dms_closed:
            raise PrivateClosed("closed")
        self.private.append((member.user_id, reply))


@pytest.fixture
async def rig(tmp_path: Path, fixture_bank: QuestionBank) -> AsyncIterator[tuple[App, GuardedChat]]:
    """The bot on a guarded chat and a manual clock, before anyone set up the channel."""
    config = Config(
        database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}", content_dir=FIXTURE_CONTENT
    )
    chat = GuardedChat()
    app = await build_app(
        config, chat, ManualClock(datetime(2026, 11, 30, 7, 0, tzinfo=UTC)), bank=fixture_bank
    )
    await app.start()
    yield app, chat
    await app.stop()


async def command(app: App, text: str, actor: MemberRef = FOUNDER) -> Reply:
    """Run a /studybot command in the channel and return its one reply."""
    [reply] = await app.core.handle(Invocation("studybot", text, actor, PLACE))
    return reply


async def test_setup_is_refused_with_what_to_do_where_the_bot_cannot_post(
    rig: tuple[App, GuardedChat],
) -> None:
    app, chat = rig
    chat.problem = PROBLEM
    reply = await command(app, "setup time=09:00 days=daily")
    assert reply.is_error and "invite me first" in (reply.text or "")
    assert await app.store.list_groups() == []


async def test_a_refused_post_pauses_the_group_tells_its_founder_and_shows_in_settings(
    rig: tuple[App, GuardedChat],
) -> None:
    app, chat = rig
    assert not (await command(app, "setup time=09:00 days=daily")).is_error
    chat.problem = PROBLEM  # the bot was removed from the channel since
    assert isinstance(app.scheduler, ManualJobScheduler)
    await app.scheduler.run_until(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    await app.scheduler.run_until(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))  # two days on
    assert chat.round_posts == 1  # no retry, no next day: Discord counts every 403
    [group] = await app.store.list_groups()
    assert group.settings.paused and group.settings.blocked == PROBLEM
    [(told, note)] = chat.private
    assert (
        told == "org" and PROBLEM in (note.text or "") and "/studybot resume" in (note.text or "")
    )
    [round_] = await app.store.rounds_in([RoundStatus.FAILED, RoundStatus.RETRY])
    assert round_.status is RoundStatus.FAILED
    settings = await command(app, "settings")
    assert any(f.name == "Stopped" and PROBLEM in f.value for f in settings.fields)


async def test_a_founder_whose_dms_are_closed_is_noted_and_nothing_is_posted(
    rig: tuple[App, GuardedChat],
) -> None:
    app, chat = rig
    assert not (await command(app, "setup time=09:00 days=daily")).is_error
    chat.problem, chat.dms_closed, chat.posts = PROBLEM, True, 0
    assert isinstance(app.scheduler, ManualJobScheduler)
    await app.scheduler.run_until(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    [group] = await app.store.list_groups()
    assert group.settings.paused and chat.private == [] and chat.posts == 0
    assert await app.notes.closed("console", ["org"]) == {"org"}


async def test_resume_checks_again_and_clears_the_stop(rig: tuple[App, GuardedChat]) -> None:
    app, chat = rig
    await command(app, "setup time=09:00 days=daily")
    chat.problem = PROBLEM
    reply = await command(app, "post-now")
    assert reply.is_error and "invite me first" in (reply.text or "")
    still = await command(app, "resume")
    assert still.is_error and "stay paused" in (still.text or "")
    chat.problem = None  # invited again
    resumed = await command(app, "resume")
    assert not resumed.is_error
    [group] = await app.store.list_groups()
    assert not group.settings.paused and group.settings.blocked is None
    assert not any(f.name == "Stopped" for f in resumed.fields)
