"""The weekly recap with two replicas on one PostgreSQL database: posted exactly once.

Both replicas run the real app against the same database and a platform kept in
it (`SimChat`, whose `sim_posts` shows every post whichever replica sent it).
On the Monday both fire the group's post at once: one recap, before the question.
A week later the replica that claimed the recap dies before posting it; the
other's sweep takes it over once the lease runs out, and posts it once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import App, build_app
from bot.clock import ManualClock
from bot.config import Config
from bot.content.bank import QuestionBank
from bot.jobs import ManualJobScheduler
from bot.model import ChannelRef, MemberRef, MessageRef, RoundStatus
from bot.ports import Invocation, ThreadReply
from bot.replies import Reply
from bot.store.database import Database
from bot.store.urls import open_database
from tests.conftest import FIXTURE_CONTENT
from tests.postgres import postgres_database
from tests.replicas.sim_chat import SIM_TABLES, SimChat

START = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # a Monday, week 2026-W49
LEASE = timedelta(minutes=10)
PLACE = ChannelRef("sim", "w", "c0")


class Crash(BaseException):
    """The replica dies: nothing below catches this."""


@pytest.fixture
async def shared() -> AsyncIterator[tuple[str, Database]]:
    async with postgres_database() as url:
        sim = await open_database(url)
        for statement in SIM_TABLES:
            await sim.execute(statement)
        yield url, sim
        await sim.close()


async def replica(
    url: str, sim: Database, name: str, bank: QuestionBank, chat: type[SimChat] = SimChat
) -> App:
    config = Config(
        database_url=url,
        content_dir=FIXTURE_CONTENT,
        cache_dir=None,
        replica_id=name,
        lease=LEASE,
        member_limits=False,
    )
    app = await build_app(config, chat(sim, name), ManualClock(START), bank=bank)
    await app.start()
    return app


async def run_until(apps: list[App], at: datetime) -> None:
    """Move every replica's clock to `at` at once, running their due jobs side by side."""

    async def one(app: App) -> None:
        assert isinstance(app.scheduler, ManualJobScheduler)
        await app.scheduler.run_until(at)

    await asyncio.gather(*(one(app) for app in apps))


async def play_week(apps: list[App], first: datetime) -> None:
    """Mon, Wed, Fri: two members answer each question before the 17:00 reveal."""
    for offset in (0, 2, 4):
        day = first + timedelta(days=offset)
        await run_until(apps, day.replace(hour=9))
        round_ = await apps[0].store.current_round(1)
        assert round_ is not None and round_.thread_id is not None
        place = ChannelRef("sim", "w", "c0", round_.thread_id)
        for k, text in enumerate(("the gradient points uphill", "a learning rate and a step")):
            member = MemberRef("sim", f"m{k}", f"Member {k}")
            await apps[k % len(apps)].core.handle(ThreadReply(place, member, text, f"{k}:{day}"))
        await run_until(apps, day.replace(hour=17))


async def posts(sim: Database) -> list[tuple[str, str | None]]:
    rows = await sim.fetch("SELECT replica, post_key FROM sim_posts ORDER BY id")
    return [(r["replica"], r["post_key"]) for r in rows]


async def test_two_replicas_post_each_recap_once_even_when_the_claimer_dies(
    shared: tuple[str, Database], fixture_bank: QuestionBank
) -> None:
    url, sim = shared
    r1 = await replica(url, sim, "r1", fixture_bank)
    r2 = await replica(url, sim, "r2", fixture_bank)
    admin = MemberRef("sim", "admin", "Admin", can_manage=True)
    setup = "setup time=09:00 tz=UTC days=mon,wed,fri reveal=17:00"
    replies = await r1.core.handle(Invocation("studybot", setup, admin, PLACE))
    assert not replies[0].is_error, replies[0].text
    for app in (r1, r2):
        await app.rounds.sweep()  # arms the group set up through the other replica
    await play_week([r1, r2], START)
    before = len(await posts(sim))

    await run_until([r1, r2], datetime(2026, 12, 7, 9, 0, tzinfo=UTC))  # both fire at once
    monday = (await posts(sim))[before:]
    keys = [key for _, key in monday]
    assert keys.count("recap-1-w2026-49") == 1
    round_ = await r1.store.current_round(1)
    assert round_ is not None
    assert keys == ["recap-1-w2026-49", f"round-{round_.id}"]  # the recap, then the question
    await play_week([r1, r2], datetime(2026, 12, 7, 7, 0, tzinfo=UTC))  # the rest of W50

    # Mon 14 Dec: r1 alone fires the post, claims the recap, and dies before posting it.
    chat = r1.rounds._chat  # the SimChat r1 posts through
    posted = chat.post

    async def dies_on_the_recap(place: ChannelRef, reply: Reply) -> MessageRef:
        if reply.key is not None and reply.key.startswith("recap-"):
            raise Crash
        return await posted(place, reply)

    chat.post = dies_on_the_recap  # type: ignore[method-assign]
    with pytest.raises(Crash):
        await run_until([r1], datetime(2026, 12, 14, 9, 0, tzinfo=UTC))
    row = await sim.fetchrow("SELECT status, lease_owner FROM recaps WHERE week = 'w2026-50'")
    assert row is not None and (row["status"], row["lease_owner"]) == ("posting", "r1")
    # r2 at the same time: its post job finds the round claimed, the recap leased to r1.
    await run_until([r2], datetime(2026, 12, 14, 9, 1, tzinfo=UTC))
    await r2.rounds.sweep()
    assert "recap-1-w2026-50" not in [key for _, key in await posts(sim)]
    # The lease runs out: r2's sweep takes the recap over (and the round r1 left posting).
    await run_until([r2], datetime(2026, 12, 14, 9, 15, tzinfo=UTC))
    await r2.rounds.sweep()
    await r2.rounds.sweep()
    keys = [key for _, key in await posts(sim)]
    assert keys.count("recap-1-w2026-50") == 1 and keys.count("recap-1-w2026-49") == 1
    recap_at = keys.index("recap-1-w2026-50")
    monday_round = await r2.store.round_on(1, datetime(2026, 12, 14).date())
    assert monday_round is not None and monday_round.status is RoundStatus.OPEN
    assert keys.index(f"round-{monday_round.id}") > recap_at  # still before the question
    rows = await sim.fetch("SELECT week, status, lease_owner FROM recaps ORDER BY week")
    assert [(r["week"], r["status"], r["lease_owner"]) for r in rows] == [
        ("w2026-49", "posted", None),
        ("w2026-50", "posted", None),
    ]
    await r2.stop()
    await r1.store.close()
