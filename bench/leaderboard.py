"""Leaderboard queries: top 10 plus the caller's rank, week and all time.

Builds one group with 100,000 members and 1,000,000 scored answers through the
store's reveal path (totals maintained incrementally), then times the queries
/leaderboard makes, for random callers; and the same at 10,000 answers.
Targets: under 10 ms per query at 1,000,000 answers, at most 1.5x the time at 10,000.

    .venv/bin/python bench/leaderboard.py [--members 100000] [--answers 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.clock import ManualClock, to_micros
from bot.model import ChannelRef, GroupSettings
from bot.scoring import period_key, periods_of
from bot.store.records import RoundResult, ScoreEntry
from bot.store.sql_store import SqlStore
from bot.store.sqlite import open_sqlite

PER_ROUND = 10_000
T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


async def build(path: Path, members: int, answers: int) -> tuple[SqlStore, date]:
    store = SqlStore(await open_sqlite(path), ManualClock(T0))
    await store.migrate()
    group = await store.create_group(ChannelRef("b", "w", "c"), GroupSettings())
    assert group is not None
    await store.db.executemany(
        "INSERT INTO members (id, platform, user_id, display_name) VALUES (:id, 'b', :u, :n)",
        [{"id": i, "u": f"u{i}", "n": f"Member {i}"} for i in range(1, members + 1)],
    )
    rng = random.Random(7)
    rounds = max(1, answers // PER_ROUND)
    day = date(2026, 1, 1)
    for r in range(rounds):
        day = date(2026, 1, 1) + timedelta(days=r)
        at = T0 + timedelta(days=r)
        round_ = await store.claim_round(group.id, day, f"q{r}", at)
        assert round_ is not None
        await store.db.execute(
            "UPDATE rounds SET status = 'revealing', reveal_seq = :s WHERE id = :id",
            {"s": r + 1, "id": round_.id},
        )
        who = rng.sample(range(1, members + 1), min(PER_ROUND, members, answers))
        rows = [
            {"r": round_.id, "m": m, "t": "answer", "a": to_micros(at) + i}
            for i, m in enumerate(who)
        ]
        await store.db.executemany(
            "INSERT INTO answers (round_id, member_id, text, source, submitted_at, late)"
            " VALUES (:r, :m, :t, 'thread', :a, 0)",
            rows,
        )
        ids = await store.db.fetch(
            "SELECT id, member_id, submitted_at FROM answers WHERE round_id = :r", {"r": round_.id}
        )
        periods = periods_of(day)
        scores = tuple(
            ScoreEntry(
                row["id"],
                row["member_id"],
                0.5,
                (True, False),
                rng.randint(10, 40),
                periods,
                at + timedelta(microseconds=row["submitted_at"] % 10_000),
            )
            for row in ids
        )
        assert await store.save_round_result(RoundResult(round_.id, scores, ()))
    return store, day


async def measure(store: SqlStore, last_day: date, samples: int) -> dict[str, list[float]]:
    rng = random.Random(11)
    timings: dict[str, list[float]] = {"week": [], "all": []}
    for period in timings:
        key = period_key(period, last_day)
        ranked = [
            r["member_id"]
            for r in await store.db.fetch(
                "SELECT member_id FROM score_totals WHERE group_id = 1 AND period = :p", {"p": key}
            )
        ]
        for _ in range(samples):
            member = rng.choice(ranked)  # callers who are on the board: the full query
            start = time.perf_counter()
            await store.top_scores(1, key, 10)
            await store.standing_of(1, key, member)
            timings[period].append((time.perf_counter() - start) * 1000)
    return timings


def summary(values: list[float]) -> str:
    values = sorted(values)
    p99 = values[int(len(values) * 0.99) - 1]
    return f"mean {statistics.mean(values):6.2f} ms, p99 {p99:6.2f} ms, max {values[-1]:6.2f} ms"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(dir=".") as tmp:
        for n in (10_000, args.answers):
            started = time.perf_counter()
            store, last_day = await build(Path(tmp) / f"lb{n}.sqlite3", args.members, n)
            built = time.perf_counter() - started
            results[n] = await measure(store, last_day, args.samples)
            await store.close()
            print(f"{n:>9,} answers, {args.members:,} members (built in {built:.0f} s):")
            for period, values in results[n].items():
                print(f"  top 10 + caller's rank, {period:>4}: {summary(values)}")
    for period in ("week", "all"):
        small = statistics.mean(results[10_000][period])
        big = statistics.mean(results[args.answers][period])
        print(f"ratio {period}: {big / small:.2f} (target <= 1.5; per query < 10 ms)")


if __name__ == "__main__":
    asyncio.run(main())
