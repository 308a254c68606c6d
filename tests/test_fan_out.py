"""Many groups due at the same minute: a few claim at once, and each posts once."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapters.console.chat import ConsoleChat
from bot.app import build_app
from bot.clock import ManualClock
from bot.config import Config
from bot.content.bank import QuestionBank
from bot.model import ChannelRef, MemberRef, MessageRef, PostedRound
from bot.ports import Invocation
from bot.replies import Reply
from bot.rounds import CLAIMS_AT_ONCE
from bot.store.sql_store import SqlStore
from tests.conftest import FIXTURE_CONTENT

GROUPS = 3 * CLAIMS_AT_ONCE


class CountingChat:
    """A console chat that notes which channels it posted a round to."""

    def __init__(self) -> None:
        self.console = ConsoleChat(io.StringIO())
        self.posted: list[str] = []

    async def post_round(self, channel: ChannelRef, card: Reply) -> PostedRound:
        self.posted.append(channel.channel_id)
        return await self.console.post_round(channel, card)

    async def post(self, place: ChannelRef, reply: Reply) -> MessageRef:
        return await self.console.post(place, reply)

    async def send_private(self, member: MemberRef, reply: Reply) -> None:
        await self.console.send_private(member, reply)


class ClaimsInFlight:
    """Counts the groups between their first look-up and their claim, at most at once.

    Only for groups that go on to claim: one that stops earlier is never counted out.
    """

    def __init__(self, store: SqlStore) -> None:
        self.now = self.most = 0
        get_group, claim_round = store.get_group, store.claim_round

        async def looked_up(*args: Any, **kwargs: Any) -> Any:
            self.now += 1
            self.most = max(self.most, self.now)
            return await get_group(*args, **kwargs)

        async def claimed(*args: Any, **kwargs: Any) -> Any:
            try:
                return await claim_round(*args, **kwargs)
            finally:
                self.now -= 1

        store.get_group = looked_up  # type: ignore[method-assign]
        store.claim_round = claimed  # type: ignore[method-assign]


async def test_due_groups_claim_a_few_at_a_time_and_each_posts_once(
    tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    config = Config(
        database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        content_dir=FIXTURE_CONTENT,
        member_limits=False,  # one admin sets up 96 channels at once
    )
    chat = CountingChat()
    clock = ManualClock(datetime(2026, 11, 30, 7, 0, tzinfo=UTC))
    app = await build_app(config, chat, clock, bank=fixture_bank)
    await app.start()
    try:
        admin = MemberRef("console", "ann", "Ann", can_manage=True)
        for i in range(GROUPS):
            place = ChannelRef("console", "local", f"c{i}")
            await app.core.handle(
                Invocation("studybot", "setup time=09:00 tz=UTC days=daily", admin, place)
            )
        groups = [row["id"] for row in await app.store.db.fetch("SELECT id FROM groups")]
        assert len(groups) == GROUPS
        in_flight = ClaimsInFlight(app.store)
        clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
        # As the scheduler fires them: every group's job at once.
        await asyncio.gather(*(app.rounds.post_due(g) for g in groups))
        most_at_once = in_flight.most
        await asyncio.gather(*(app.rounds.post_due(g) for g in groups))  # a second firing
    finally:
        await app.stop()
    assert sorted(chat.posted) == sorted(f"c{i}" for i in range(GROUPS))  # each once
    # Thousands of jobs each doing their look-ups at once would hold back every post
    # (one turn of the event loop runs them all); a few at a time, the first post
    # goes out after the first claim.
    assert most_at_once == CLAIMS_AT_ONCE
