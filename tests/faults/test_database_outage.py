"""The database restarting or unreachable for 30 s, behind a proxy the test cuts.

Commands answer "try again shortly" (quickly, without hanging), nothing that
was acknowledged is lost, and the bot's work resumes by itself once the
database answers again: no restart, no admin.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from adapters.console.chat import ConsoleChat
from bot.app import App, build_app
from bot.clock import ManualClock
from bot.config import Config
from bot.content.bank import QuestionBank
from bot.model import ChannelRef, MemberRef, RoundStatus
from bot.ports import Invocation, ThreadReply
from bot.replies import Reply
from tests.conftest import FIXTURE_CONTENT
from tests.faults.tcp_proxy import CuttableProxy
from tests.postgres import POSTGRES_URL, postgres_schema

OUTAGE = timedelta(seconds=30)
START = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
PLACE = ChannelRef("console", "local", "general")
ADMIN = MemberRef("console", "admin", "Admin", can_manage=True)
TEXT = "we step against the gradient, scaled by a learning rate"


@pytest.fixture
async def proxied_app(fixture_bank: QuestionBank) -> AsyncIterator[tuple[App, CuttableProxy]]:
    host, port = POSTGRES_URL.split("//", 1)[1].split("/", 1)[0].rsplit("@", 1)[-1].split(":")
    async with postgres_schema() as schema:
        proxy = CuttableProxy(host, int(port))
        await proxy.start()
        database = POSTGRES_URL.rsplit("/", 1)[1]
        url = f"postgresql://root@127.0.0.1:{proxy.port}/{database}?search_path={schema}"
        # Member 100 tries again every second through the outage: no rate limit here.
        config = Config(
            database_url=url, content_dir=FIXTURE_CONTENT, cache_dir=None, member_limits=False
        )
        app = await build_app(
            config, ConsoleChat(io.StringIO()), ManualClock(START), bank=fixture_bank
        )
        await app.start()
        try:
            yield app, proxy
        finally:
            proxy.restore()
            await app.stop()
            await proxy.close()


def member(n: int) -> MemberRef:
    return MemberRef("console", f"u{n}", f"Member {n}")


async def answer(app: App, thread: ChannelRef, n: int) -> Reply:
    event = ThreadReply(thread, member(n), f"{TEXT} ({n})", f"m{n}")
    replies = await asyncio.wait_for(app.core.handle(event), 10)
    return replies[0]


def said_try_again(reply: Reply) -> bool:
    return reply.is_error and "try again shortly" in reply.text


@pytest.mark.slow
async def test_database_away_for_30_seconds(proxied_app: tuple[App, CuttableProxy]) -> None:
    app, proxy = proxied_app
    assert isinstance(app.clock, ManualClock)
    setup = "setup time=09:00 tz=UTC days=daily reveal=8h"
    assert not (await app.core.handle(Invocation("studybot", setup, ADMIN, PLACE)))[0].is_error
    await app.scheduler.run_until(START + timedelta(hours=2, minutes=1))  # type: ignore[union-attr]
    thread = await app.core.answer_thread(PLACE)
    assert thread is not None

    acked = {n for n in range(5) if (await answer(app, thread, n)).reaction == "✅"}
    assert acked == set(range(5))

    # The connection drops while 20 members answer at once: each is either acknowledged
    # (and then stored) or told to try again; nobody is left hanging.
    racing = [asyncio.create_task(answer(app, thread, n)) for n in range(5, 25)]
    await asyncio.sleep(0.005)
    proxy.cut()
    for n, reply in zip(range(5, 25), await asyncio.gather(*racing), strict=True):
        if reply.reaction == "✅":
            acked.add(n)
        else:
            assert said_try_again(reply), reply

    started = time.monotonic()
    checks = 0
    while time.monotonic() - started < OUTAGE.total_seconds():
        t0 = time.monotonic()
        assert said_try_again(await answer(app, thread, 100))
        board = await app.core.handle(Invocation("leaderboard", "", member(1), PLACE))
        assert said_try_again(board[0])
        assert time.monotonic() - t0 < 6, "a command hung while the database was away"
        checks += 1
        await asyncio.sleep(1)
    assert checks >= 5

    # The reveal falls due while the database is away: the job fails, and is logged.
    await app.scheduler.run_until(START + timedelta(hours=10, minutes=5))  # type: ignore[union-attr]
    proxy.restore()

    # Back: commands work at once, and the periodic sweep every replica runs finishes the
    # work that failed (here the reveal), without a restart.
    assert (await answer(app, thread, 200)).reaction == "✅"  # the round is not revealed yet
    acked.add(200)
    await app.rounds.sweep()
    group = await app.store.group_for_channel(PLACE)
    assert group is not None
    round_ = await app.store.latest_revealed_round(group.id)
    assert round_ is not None and round_.status is RoundStatus.REVEALED
    answers = {a.display_name: a for a in await app.store.round_answers(round_.id)}
    for n in acked:
        stored = answers.get(f"Member {n}")
        assert stored is not None, f"acknowledged answer of u{n} lost"
        assert stored.points is not None and stored.points > 0
    assert "Member 100" not in answers  # never acknowledged, never stored
    board = await app.core.handle(Invocation("leaderboard", "", member(1), PLACE))
    assert not board[0].is_error and "Member 1" in board[0].text
