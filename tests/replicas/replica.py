"""One replica process of the fault tests: `python -m tests.replicas.replica URL REPLICA_ID`.

It runs the real app (store, scheduler, core) against the shared PostgreSQL
database, on simulated time that the test driver moves in `sim_clock`. At each
new time it runs the jobs due, sweeps for work other replicas left, and has
its own members answer the open rounds, noting each acknowledged answer in
`sim_acks` once the core has acknowledged it.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta
from pathlib import Path

from bot.app import build_app
from bot.clock import ManualClock, from_micros, to_micros
from bot.config import Config
from bot.content.bank import load_bank
from bot.core import Core
from bot.jobs import ManualJobScheduler
from bot.model import ChannelRef, MemberRef, Round, RoundStatus
from bot.ports import ThreadReply
from bot.store.database import Database
from bot.store.urls import open_database
from tests.replicas.sim_chat import SimChat

FIXTURE_CONTENT = Path(__file__).resolve().parents[1] / "fixtures" / "content"
MEMBERS_PER_REPLICA = 3
WRITES_PER_ANSWER = 2  # an answer, then one edit
ACKED = ("✅", "🔁", "🕓")
# Longer than the driver's step: replicas' simulated clocks differ by up to a step while
# they work through it, and a live replica's lease must not look expired to the others.
LEASE = timedelta(hours=6)


async def _answer(
    core: Core, sim: Database, channel: ChannelRef, member: MemberRef, round_: Round, at: int
) -> None:
    text = f"{at} the gradient points uphill so we step against it with a learning rate"
    place = ChannelRef(channel.platform, channel.workspace_id, channel.channel_id, round_.thread_id)
    event = ThreadReply(place, member, text, f"{member.user_id}:{round_.id}")
    replies = await core.handle(event)
    if replies and replies[0].reaction in ACKED:
        await sim.execute(
            "INSERT INTO sim_acks (round_id, user_id, text, late) VALUES (:r, :u, :t, :l)",
            {"r": round_.id, "u": member.user_id, "t": text, "l": int(replies[0].reaction == "🕓")},
        )


async def main(url: str, replica: str) -> None:
    sim = await open_database(url)
    row = await sim.fetchrow("SELECT at FROM sim_clock WHERE id = 1")
    assert row is not None
    clock = ManualClock(from_micros(row["at"]))
    config = Config(
        database_url=url,
        content_dir=FIXTURE_CONTENT,
        cache_dir=None,
        replica_id=replica,
        lease=LEASE,
        member_limits=False,  # a simulated day passes in milliseconds; limits are real time
    )
    app = await build_app(config, SimChat(sim, replica), clock, bank=load_bank(FIXTURE_CONTENT))
    await app.start()
    assert isinstance(app.scheduler, ManualJobScheduler)
    members = [
        MemberRef("sim", f"{replica}-m{k}", f"{replica} member {k}")
        for k in range(MEMBERS_PER_REPLICA)
    ]
    done = to_micros(clock.now())
    writes: dict[tuple[int, str], int] = {}
    await _report(sim, replica, done)
    while True:
        row = await sim.fetchrow("SELECT at, stop FROM sim_clock WHERE id = 1")
        assert row is not None
        if row["stop"]:
            break
        if row["at"] <= done:
            await asyncio.sleep(0.005)
            continue
        target = from_micros(row["at"])
        await app.scheduler.run_until(target)
        await app.rounds.sweep()
        open_rounds = await app.store.rounds_in([RoundStatus.OPEN])
        channels = {g.id: g.channel for g in await app.store.list_groups()}
        due = [
            (r, m)
            for r in open_rounds
            if r.thread_id is not None
            for m in members
            if writes.get((r.id, m.user_id), 0) < WRITES_PER_ANSWER
        ]
        for r, m in due:
            writes[(r.id, m.user_id)] = writes.get((r.id, m.user_id), 0) + 1
        await asyncio.gather(
            *(_answer(app.core, sim, channels[r.group_id], m, r, row["at"]) for r, m in due)
        )
        done = row["at"]
        await _report(sim, replica, done)
    await app.stop()
    await sim.close()


async def _report(sim: Database, replica: str, at: int) -> None:
    await sim.execute(
        "INSERT INTO sim_progress (replica, at) VALUES (:r, :a)"
        " ON CONFLICT (replica) DO UPDATE SET at = excluded.at",
        {"r": replica, "a": at},
    )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
