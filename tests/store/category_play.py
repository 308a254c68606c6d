"""A group that plays for weeks across categories, and its boards recounted by brute force.

`play` writes rounds through the store as reveals do (each round's category kept,
its points on the category boards too) and returns every scored answer;
`brute_board` ranks one board from those answers alone: points, then who got
there first, then the lower member id.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.model import AnswerSource, ChannelRef, GroupSettings, MemberRef
from bot.periods import period_days
from bot.records import AnswerWrite, MemberStats, RoundResult, ScoreEntry
from bot.scoring import next_stats, periods_of
from bot.store.sql_store import SqlStore

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
FIRST_DAY = date(2026, 11, 16)  # Monday of week 2026-W47
DAYS = 24  # to Wed 9 Dec: weeks W47 to W50, November and December
CATEGORIES = ("nlp", "evaluation", "coding")
_LEASE = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Played:
    """One scored answer as the brute force sees it."""

    member_id: int
    day: date
    category: str
    coverage: float
    points: int
    at: datetime
    attempt: bool


async def play(store: SqlStore, members: int = 60, seed: int = 18) -> tuple[int, list[Played]]:
    """Play a round a day in one group, the categories in turn; return the answers scored."""
    group = await store.create_group(ChannelRef("t", "w", "c"), GroupSettings())
    assert group is not None
    ids = [await store.member_id(MemberRef("t", f"u{i}", f"U{i:02d}")) for i in range(members)]
    rng = random.Random(seed)
    played: list[Played] = []
    stats: dict[int, MemberStats] = {}
    for n in range(DAYS):
        day = FIRST_DAY + timedelta(days=n)
        category = CATEGORIES[n % len(CATEGORIES)]  # each week has each category
        round_ = await store.claim_round(group.id, day, f"{category}-q{n}", T0)
        assert round_ is not None
        await store.round_posted(round_.id, f"m{n}", f"t{n}", T0, T0)
        scores, updated = [], []
        for m in rng.sample(ids, members * 2 // 3):
            # Few distinct times and points: many ties, broken by the hour, then the id.
            at = T0 + timedelta(days=n, seconds=rng.choice([0, 1, 3599, 3600, 7300]))
            saved = await store.save_answer(AnswerWrite(round_.id, m, "x", AnswerSource.THREAD, at))
            assert saved is not None
            coverage, points, attempt = rng.choice(
                [(0.0, 0, False), (0.0, 10, True), (0.5, 20, True), (1.0, 30, True)]
            )
            periods = periods_of(day, category)
            scores.append(
                ScoreEntry(saved.answer_id, m, coverage, (), points, periods, at, attempt)
            )
            played.append(Played(m, day, category, coverage, points, at, attempt))
            if attempt:
                stats[m] = next_stats(stats.get(m), m, n + 1, coverage)
                updated.append(stats[m])
        assert await store.claim_reveal(round_.id, T0, T0 + _LEASE) is not None
        assert await store.save_round_result(
            RoundResult(round_.id, tuple(scores), tuple(updated), category=category)
        )
    return group.id, played


def _within(key: str, category: str, played: list[Played]) -> list[Played]:
    days = period_days(key)
    return [
        p
        for p in played
        if p.category == category and (days is None or days[0] <= p.day.isoformat() <= days[1])
    ]


def brute_board(key: str, category: str, played: list[Played]) -> list[tuple[int, int]]:
    """Return (member id, points) of a category's board for a period key, first place first."""
    totals: dict[int, tuple[int, datetime]] = {}
    for p in sorted(_within(key, category, played), key=lambda p: (p.day, p.at)):
        if p.points:
            totals[p.member_id] = (totals.get(p.member_id, (0, p.at))[0] + p.points, p.at)
    ranked = sorted(totals, key=lambda m: (-totals[m][0], totals[m][1], m))
    return [(m, totals[m][0]) for m in ranked]


def brute_figures(key: str, category: str, played: list[Played]) -> dict[int, tuple[int, float]]:
    """Return each member's (real attempts, coverage sum) in a category's period."""
    figures: dict[int, tuple[int, float]] = {}
    for p in _within(key, category, played):
        if p.attempt:
            answered, covered = figures.get(p.member_id, (0, 0.0))
            figures[p.member_id] = (answered + 1, covered + p.coverage)
    return figures
