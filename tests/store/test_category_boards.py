"""Leaderboards per category on real SQLite and PostgreSQL, against a brute-force recount.

Sixty members play a round a day for three weeks and more, each round in one of
three categories; every category's board of every period (weeks, months, all
time), every page and every member's place is ranked again from the answers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.charts import ChartService
from bot.clock import ManualClock
from bot.content.bank import QuestionBank
from bot.model import MemberRef
from bot.periods import period_days
from bot.records import Standing
from bot.scoring import category_key
from bot.standing_replies import leaders_text
from bot.standings import StandingsService
from bot.store.sql_store import SqlStore
from tests.store.category_play import CATEGORIES, T0, Played, brute_board, brute_figures, play
from tests.store.conftest import store_on

PERIOD_KEYS = ("all", "m2026-11", "m2026-12", "w2026-47", "w2026-48", "w2026-49", "w2026-50")
NOW = datetime(2026, 12, 9, 20, 0, tzinfo=UTC)  # Wed 9 Dec: week W50 and December are current


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlStore]:
    """The same store on a real SQLite file and on a real PostgreSQL server."""
    async with store_on(request.param, tmp_path, T0) as s:
        yield s


def rounded(figures: dict[int, tuple[int, float]]) -> dict[int, tuple[int, float]]:
    return {m: (n, round(c, 6)) for m, (n, c) in figures.items()}


async def test_every_category_board_matches_a_brute_force_recount(store: SqlStore) -> None:
    group, played = await play(store)
    ids = sorted({p.member_id for p in played})
    for category in CATEGORIES:
        for period in PERIOD_KEYS:
            key = category_key(period, category)
            board = brute_board(period, category, played)
            assert board, key  # every board has members, and ties on points
            assert len({points for _, points in board}) < len(board), key
            assert await store.board_size(group, key) == len(board), key
            for offset in range(0, len(board) + 10, 10):
                page = await store.top_scores(group, key, 10, offset)
                assert [(s.rank, s.member_id, s.points) for s in page] == [
                    (offset + i + 1, m, points)
                    for i, (m, points) in enumerate(board[offset : offset + 10])
                ], (key, offset)
            places = {m: (rank, points) for rank, (m, points) in enumerate(board, 1)}
            for m in ids:
                mine = await store.standing_of(group, key, m)
                assert ((mine.rank, mine.points) if mine else None) == places.get(m), (key, m)
            figures = await store.board_figures(group, period_days(period), ids, category)
            assert rounded(figures) == rounded(brute_figures(period, category, played)), key


def expected_reply_lines(
    period: str, category: str, played: list[Played], page: int, caller: int
) -> str:
    """Return the lines of one page of a category's board, the caller's place below if off it."""
    board = brute_board(period, category, played)
    names = {m: f"U{m - 1:02d}" for m, _ in board}  # members were made in order u0, u1, ...
    standings = [Standing(r, m, names[m], p) for r, (m, p) in enumerate(board, 1)]
    shown = standings[(page - 1) * 10 : page * 10]
    figures = brute_figures(period, category, played)
    text = leaders_text(shown, figures)
    mine = next((s for s in standings if s.member_id == caller), None)
    if mine is not None and mine not in shown:
        text += f"\n…\n{leaders_text([mine], figures)} (you)"
    return text


async def test_the_category_boards_a_member_asks_for_are_the_recounted_ones(
    store: SqlStore, fixture_bank: QuestionBank
) -> None:
    group_id, played = await play(store)
    group = await store.get_group(group_id)
    assert group is not None
    clock = ManualClock(NOW)
    standings = StandingsService(store, fixture_bank, clock, ChartService(store, clock))
    asks = [  # period, when, page, category as typed: the board's key and its page
        ("all", None, None, "category=nlp", "all", "nlp", 1),
        ("all", None, "page=2", "category=NLP", "all", "nlp", 2),
        ("week", None, None, "category=evaluation", "w2026-50", "evaluation", 1),
        ("week", "last", "2", "evaluation", "w2026-49", "evaluation", 2),
        ("week", "2026-W47", None, "category=nlp", "w2026-47", "nlp", 1),
        ("month", "2026-11", "page=3", "category=nlp", "m2026-11", "nlp", 3),
        (None, "2026-12", None, "category=evaluation", "m2026-12", "evaluation", 1),
    ]
    for caller in (1, 30, 59):
        member = MemberRef("t", f"u{caller - 1}", f"U{caller - 1:02d}")
        for period, when, page, typed, key, category, number in asks:
            reply = await standings.leaderboard(
                group, member, period, when=when, page=page, category=typed
            )
            assert not reply.is_error, reply.text
            expected = expected_reply_lines(key, category, played, number, caller)
            assert reply.text.startswith(expected), (key, category, number, caller)
            title = fixture_bank.category_title(category)
            assert reply.title is not None and f"Leaderboard · {title} · " in reply.title
            paging = [b.value for b in reply.buttons if b.action == "leaderboard-page"]
            assert all(v.endswith(f"category={category} page={number + 1}") for v in paging[1:])
            assert any(f"category={category} page=" in v for v in paging)


async def test_an_unknown_category_is_refused_naming_the_bank_s(
    store: SqlStore, fixture_bank: QuestionBank
) -> None:
    group_id, _ = await play(store, members=6)
    group = await store.get_group(group_id)
    assert group is not None
    clock = ManualClock(NOW)
    standings = StandingsService(store, fixture_bank, clock, ChartService(store, clock))
    member = MemberRef("t", "u0", "U00")
    listed = ", ".join(f"category={c}" for c in fixture_bank.categories)
    assert "category=nlp" in listed and "category=evaluation" in listed
    for typed in ("category=astro", "category=@everyone", "category="):
        reply = await standings.leaderboard(group, member, "all", category=typed)
        assert reply.is_error
        assert f"try one of {listed}." in reply.text
        assert "@everyone" not in reply.text.replace("@\u200beveryone", "")
    # `coding` has a board in the store, but the bank has no such category to show.
    reply = await standings.leaderboard(group, member, "week", category="category=coding")
    assert reply.is_error and "There is no category 'coding'" in reply.text
