"""Streak freezes and away days in the store, on SQLite and PostgreSQL.

A reveal's bridges and kept streaks are written with its scores; away ranges
are added, listed, looked up by date and cancelled after a day; migration 16
gives members the freezes their history earned.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.model import AnswerSource, ChannelRef, GroupSettings, MemberRef
from bot.records import (
    AnswerWrite,
    AwayRange,
    BridgeKind,
    MemberStats,
    OpenStreak,
    RoundResult,
    StreakBridge,
)
from bot.store import migrations
from bot.store.sql_store import SqlStore
from tests.store.conftest import store_on

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=10)
DAY = date(2026, 12, 1)


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlStore]:
    """The same store on a real SQLite file and on a real PostgreSQL server."""
    async with store_on(request.param, tmp_path, T0) as s:
        yield s


@pytest.fixture(params=["sqlite", "postgresql"])
async def unmigrated(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlStore]:
    """A store on an empty database of each kind, not migrated yet."""
    async with store_on(request.param, tmp_path, T0, migrated=False, file="u.sqlite3") as s:
        yield s


async def a_group(store: SqlStore) -> int:
    group = await store.create_group(ChannelRef("t", "w", "c"), GroupSettings())
    assert group is not None
    return group.id


async def revealing(store: SqlStore, group_id: int, day: date) -> int:
    """Return a round of `day` posted and claimed for its reveal (the next reveal number)."""
    round_ = await store.claim_round(group_id, day, "q1", T0)
    assert round_ is not None
    await store.round_posted(round_.id, f"m{round_.id}", f"t{round_.id}", T0, T0 + LEASE)
    assert await store.claim_reveal(round_.id, T0, T0 + LEASE) is not None
    return round_.id


async def test_away_ranges_are_added_listed_found_by_date_and_cancelled_after_a_day(
    store: SqlStore,
) -> None:
    group = await a_group(store)
    ann, ben = [await store.member_id(MemberRef("t", u, u.title())) for u in ("ann", "ben")]
    await store.add_away(group, ann, AwayRange(date(2026, 12, 24), date(2026, 12, 24)))
    await store.add_away(group, ann, AwayRange(DAY, date(2026, 12, 5)))
    await store.add_away(group, ben, AwayRange(date(2026, 12, 4), date(2026, 12, 6)))
    assert await store.away_ranges(group, ann) == [
        AwayRange(DAY, date(2026, 12, 5)),
        AwayRange(date(2026, 12, 24), date(2026, 12, 24)),
    ]
    assert await store.away_members(group, date(2026, 11, 30)) == frozenset()
    assert await store.away_members(group, DAY) == frozenset({ann})
    assert await store.away_members(group, date(2026, 12, 5)) == frozenset({ann, ben})
    assert await store.away_members(group + 1, date(2026, 12, 5)) == frozenset()
    await store.cancel_away(group, ann, date(2026, 12, 2))
    assert await store.away_ranges(group, ann) == [AwayRange(DAY, date(2026, 12, 2))]
    assert await store.away_ranges(group, ben) == [AwayRange(date(2026, 12, 4), date(2026, 12, 6))]


async def test_away_commands_at_once_check_the_limit_against_each_other(store: SqlStore) -> None:
    group = await a_group(store)
    ann = await store.member_id(MemberRef("t", "ann", "Ann"))

    def one_range_only(ranges: list[AwayRange]) -> str | None:
        return "one range at most" if ranges else None

    wanted = [AwayRange(DAY + timedelta(days=3 * i), DAY + timedelta(days=3 * i)) for i in range(6)]
    said = await asyncio.gather(*(store.add_away(group, ann, w, one_range_only) for w in wanted))
    assert sorted(said, key=str) == [None] + ["one range at most"] * 5
    assert len(await store.away_ranges(group, ann)) == 1


async def test_a_reveal_writes_bridges_and_kept_streaks_and_open_streaks_find_them(
    store: SqlStore,
) -> None:
    group = await a_group(store)
    ann, ben, cid = [
        await store.member_id(MemberRef("t", u, u.title())) for u in ("ann", "ben", "cid")
    ]
    first = await revealing(store, group, DAY)
    stats = (
        MemberStats(ann, 7, 7, 1, 7, 3.5, freezes=1),
        MemberStats(ben, 3, 3, 1, 3, 1.0),
        MemberStats(cid, 9, 9, 1, 9, 4.0, freezes=2, freezes_used=1),
    )
    assert await store.save_round_result(RoundResult(first, (), stats))
    await store.add_away(group, ben, AwayRange(DAY, DAY))
    # Ann holds a freeze, Ben has away days, Cid holds two: all three could be kept.
    assert [(s.stats, s.user_id) for s in await store.open_streaks(group, 2)] == [
        (stats[0], "ann"),
        (stats[1], "ben"),
        (stats[2], "cid"),
    ]
    assert await store.open_streaks(group, 3) == []
    second = await revealing(store, group, DAY + timedelta(days=1))
    kept = MemberStats(ann, 7, 7, 2, 7, 3.5, freezes=0, freezes_used=1)
    bridges = (StreakBridge(ann, 2, BridgeKind.FREEZE), StreakBridge(ben, 2, BridgeKind.AWAY))
    assert await store.save_round_result(RoundResult(second, (), (kept,), bridges))
    assert (await store.member_stats(group, [ann]))[ann] == kept
    rows = await store.db.fetch(
        "SELECT member_id, seq, kind FROM streak_bridges ORDER BY member_id"
    )
    assert [(r["member_id"], r["seq"], r["kind"]) for r in rows] == [
        (ann, 2, "freeze"),
        (ben, 2, "away"),
    ]
    assert await store.open_streaks(group, 3) == []  # Ann has no freeze left
    assert await store.open_streaks(group, 2) == [
        OpenStreak(stats[1], "ben", "Ben"),
        OpenStreak(stats[2], "cid", "Cid"),
    ]


async def test_the_upgrade_gives_each_member_the_freezes_their_runs_earned(
    unmigrated: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = unmigrated
    everything = migrations.MIGRATIONS
    monkeypatch.setattr(migrations, "MIGRATIONS", tuple(m for m in everything if m[0] < 16))
    await store.migrate()
    group = await a_group(store)
    ann, ben, cid = [
        await store.member_id(MemberRef("t", u, u.title())) for u in ("ann", "ben", "cid")
    ]
    # Ann: 1-7 and 9-14 (her answer to 8 came after its reveal); Ben: 1-3; Cid: three runs
    # of seven (1-7, 9-15, 17-23), and a lone term (no real attempt) at 8.
    attempts = {ann: set(range(1, 8)) | set(range(9, 15)), ben: {1, 2, 3}}
    attempts[cid] = set(range(1, 24)) - {8, 16}
    for seq in range(1, 24):
        round_ = await store.claim_round(group, DAY + timedelta(days=seq), "q1", T0)
        assert round_ is not None
        await store.round_posted(round_.id, f"m{seq}", f"t{seq}", T0, T0 + LEASE)
        for member, seqs in attempts.items():
            if seq in seqs or (member, seq) == (cid, 8):
                write = AnswerWrite(round_.id, member, "x", AnswerSource.THREAD, T0)
                await store.save_answer(write)
        await store.claim_reveal(round_.id, T0, T0 + LEASE)
        if seq == 8:
            write = AnswerWrite(round_.id, ann, "late", AnswerSource.THREAD, T0)
            await store.save_answer(write)
    await store.db.execute("UPDATE answers SET points = 10, attempt = 1 WHERE late = 0")
    await store.db.execute(
        "UPDATE answers SET points = 0, attempt = 0 WHERE member_id = :m AND round_id ="
        " (SELECT id FROM rounds WHERE reveal_seq = 8)",
        {"m": cid},
    )
    await store.db.execute("UPDATE answers SET points = 10, attempt = 1 WHERE late = 1")
    for member in (ann, ben, cid):
        await store.db.execute(
            "INSERT INTO member_stats (group_id, member_id, streak, best_streak, last_seq,"
            " rounds_answered, coverage_sum) VALUES (:g, :m, 1, 1, 1, 1, 0.0)",
            {"g": group, "m": member},
        )
    monkeypatch.setattr(migrations, "MIGRATIONS", tuple(m for m in everything if m[0] <= 16))
    assert await store.migrate() == [16]
    stats = await store.member_stats(group, [ann, ben, cid])
    assert {m: (s.freezes, s.freezes_used) for m, s in stats.items()} == {
        ann: (1, 0),
        ben: (0, 0),
        cid: (2, 0),
    }
    assert await store.migrate() == []
