"""Answer intake: members answering concurrently through the core into SQLite.

Compared, in the same run and on the same disk with the same pragmas, with a
bare aiosqlite loop that inserts and commits one row at a time. Both store
every answer durably before it is acknowledged. Target: ratio >= 2.0.

    .venv/bin/python bench/answer_intake.py [--answers 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from bot.app import build_app
from bot.clock import ManualClock
from bot.config import Config, default_content_dir
from bot.model import ChannelRef, MemberRef
from bot.ports import Invocation
from bot.store.sqlite import PRAGMAS


class NullChat:
    async def post_round(self, channel, card):  # type: ignore[no-untyped-def]
        from bot.model import MessageRef, PostedRound

        return PostedRound(
            MessageRef(channel, "m"),
            ChannelRef(channel.platform, channel.workspace_id, channel.channel_id, "t"),
        )

    async def post(self, place, reply):  # type: ignore[no-untyped-def]
        from bot.model import MessageRef

        return MessageRef(place, "m")

    async def edit(self, message, reply) -> None:  # type: ignore[no-untyped-def]
        return None

    async def send_private(self, member, reply) -> None:  # type: ignore[no-untyped-def]
        return None


async def bare_loop(path: Path, n: int) -> float:
    conn = await aiosqlite.connect(path, isolation_level=None)
    for pragma in PRAGMAS:
        await conn.execute(pragma)
    await conn.execute(
        "CREATE TABLE answers (id INTEGER PRIMARY KEY, round_id INTEGER, member_id INTEGER,"
        " text TEXT, submitted_at INTEGER, UNIQUE (round_id, member_id))"
    )
    start = time.perf_counter()
    for i in range(n):
        await conn.execute("BEGIN IMMEDIATE")
        await conn.execute(
            "INSERT INTO answers (round_id, member_id, text, submitted_at) VALUES (?, ?, ?, ?)",
            (1, i, f"answer number {i} about bias and variance", i),
        )
        await conn.commit()
    elapsed = time.perf_counter() - start
    await conn.close()
    return n / elapsed


async def through_core(path: Path, n: int) -> float:
    clock = ManualClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    config = Config(
        database_url=f"sqlite:///{path}",
        content_dir=default_content_dir(),
        member_limits=False,  # a few members answer thousands of times: the work is measured
    )
    app = await build_app(config, NullChat(), clock)
    await app.start()
    channel = ChannelRef("bench", "w", "c")
    admin = MemberRef("bench", "admin", "Admin", can_manage=True)
    await app.core.handle(Invocation("studybot", "setup days=daily", admin, channel))
    await app.core.handle(Invocation("studybot", "post-now", admin, channel))
    members = [MemberRef("bench", f"u{i}", f"Member {i}") for i in range(n)]
    for m in members:  # members known from earlier days
        await app.store.member_id(m)
    start = time.perf_counter()
    replies = await asyncio.gather(
        *(
            app.core.handle(
                Invocation("answer", f"answer number {i} about bias and variance", m, channel)
            )
            for i, m in enumerate(members)
        )
    )
    elapsed = time.perf_counter() - start
    assert all("Recorded your answer" in r[0].text for r in replies), replies[0]
    row = await app.store.db.fetchrow("SELECT COUNT(*) AS n FROM answers")
    assert row is not None and row["n"] == n
    await app.stop()
    return n / elapsed


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=".") as tmp:
        bare = await bare_loop(Path(tmp) / "bare.sqlite3", args.answers)
        core = await through_core(Path(tmp) / "core.sqlite3", args.answers)
    print(f"answers: {args.answers}, pragmas: {', '.join(p.split()[1] for p in PRAGMAS)}")
    print(f"bare aiosqlite loop, one commit per row: {bare:10.0f} answers/s")
    print(f"through the core (group commit):         {core:10.0f} answers/s")
    print(f"ratio: {core / bare:.2f} (target >= 2.0)")


if __name__ == "__main__":
    asyncio.run(main())
