"""Leaderboard pages and columns on real SQLite and PostgreSQL, against a brute-force recount."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.model import AnswerSource, ChannelRef, GroupSettings, MemberRef
from bot.periods import period_days
from bot.records import AnswerWrite, MemberStats, RoundResult, ScoreEntry
from bot.scoring import next_stats, periods_of
from bot.store.sql_store import SqlStore
from tests.store.conftest import store_on

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=10)


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlStore]:
    """The same store on a real SQLite file and on a real PostgreSQL server."""
    async with store_on(request.param, tmp_path, T0) as s:
        yield s


async def test_pages_and_columns_match_a_brute_force_recount(store: SqlStore) -> None:
    """Random rounds across two months; each page and each member's figures are recounted."""
    group = await store.create_group(ChannelRef("t", "w", "c"), GroupSettings())
    other = await store.create_group(ChannelRef("t", "w", "d"), GroupSettings())
    assert group is not None and other is not None
    ids = [await store.member_id(MemberRef("t", f"u{i}", f"U{i}")) for i in range(35)]
    rng = random.Random(18)
    # group, member, day, coverage, points, when, a real attempt
    answers: list[tuple[int, int, str, float, int, datetime, bool]] = []
    stats: dict[tuple[int, int], MemberStats] = {}
    for n, day in enumerate(date(2026, 11, 20) + timedelta(days=d) for d in range(16)):
        for g in (group.id, other.id):
            round_ = await store.claim_round(g, day, "q", T0)
            assert round_ is not None
            await store.round_posted(round_.id, f"m{g}{n}", f"t{g}{n}", T0, T0)
            scores, updated = [], []
            for m in rng.sample(ids, 12):
                at = T0 + timedelta(days=n, seconds=rng.choice([0, 1, 3599, 3600, 7300]))
                saved = await store.save_answer(
                    AnswerWrite(round_.id, m, "x", AnswerSource.THREAD, at)
                )
                assert saved is not None
                coverage, points, attempt = rng.choice(
                    [(0.0, 0, False), (0.0, 10, True), (0.5, 20, True), (1.0, 30, True)]
                )
                scores.append(
                    ScoreEntry(
                        saved.answer_id, m, coverage, (True,), points, periods_of(day), at, attempt
                    )
                )
                answers.append((g, m, day.isoformat(), coverage, points, at, attempt))
                if attempt:  # as the reveal: only a real attempt counts in the running totals
                    stats[(g, m)] = next_stats(stats.get((g, m)), m, n + 1, coverage)
                    updated.append(stats[(g, m)])
            assert await store.claim_reveal(round_.id, T0, T0 + LEASE) is not None
            result = RoundResult(round_.id, tuple(scores), tuple(updated))
            assert await store.save_round_result(result)

    for key in ("all", "m2026-11", "w2026-49", "m2026-12"):
        days = period_days(key)
        mine = [
            a for a in answers if a[0] == group.id and (days is None or days[0] <= a[2] <= days[1])
        ]
        totals: dict[int, tuple[int, datetime]] = {}
        figures: dict[int, tuple[int, float]] = {}
        for _, m, _, coverage, points, at, attempt in sorted(mine, key=lambda a: a[5]):
            if attempt:
                answered, covered = figures.get(m, (0, 0.0))
                figures[m] = (answered + 1, covered + coverage)
            if points:
                totals[m] = (totals.get(m, (0, at))[0] + points, at)
        board = sorted(totals, key=lambda m: (-totals[m][0], totals[m][1], m))
        assert await store.board_size(group.id, key) == len(board)
        for offset in range(0, len(board) + 10, 10):
            page = await store.top_scores(group.id, key, 10, offset)
            assert [(s.rank, s.member_id, s.points) for s in page] == [
                (offset + i + 1, m, totals[m][0]) for i, m in enumerate(board[offset : offset + 10])
            ], (key, offset)
        got = await store.board_figures(group.id, days, ids)
        assert {m: (n, round(c, 6)) for m, (n, c) in got.items()} == {
            m: (n, round(c, 6)) for m, (n, c) in figures.items()
        }, key
    assert await store.board_figures(group.id, None, []) == {}
