"""The in-memory store's scores (as `bot.store.score_records`): reveals, boards, stats.

A leaderboard orders members by points, then by who reached their points first,
then by member id; a place counts everyone ahead in that order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from bot.model import RoundStatus
from bot.records import MemberStats, RoundResult, Standing
from tests.services.memory_base import MemoryBase

__all__ = ["MemoryScores"]


class MemoryScores(MemoryBase):
    """Scores: what a reveal writes, the leaderboards, and members' stats and history."""

    async def save_round_result(self, result: RoundResult) -> bool:
        """Write a reveal's scores, stats and totals, and mark the round revealed.

        False (and nothing written) unless the round is `revealing`. Only points
        above 0 count on the leaderboards, once on each period the score names.
        """
        round_ = self.rounds.get(result.round_id)
        if round_ is None or round_.status is not RoundStatus.REVEALING:
            return False
        self.rounds[round_.id] = replace(round_, status=RoundStatus.REVEALED)
        self.round_categories[round_.id] = result.category
        by_id = {a.answer_id: key for key, a in self.answers.items()}
        for s in result.scores:
            key = by_id[s.answer_id]
            self.answers[key] = replace(
                self.answers[key], coverage=s.coverage, covered=s.covered, points=s.points
            )
            self.attempt_of[s.answer_id] = s.attempt
            if s.points <= 0:
                continue
            for period in s.periods:
                total = (round_.group_id, period, s.member_id)
                points = self.totals[total][0] if total in self.totals else 0
                self.totals[total] = (points + s.points, s.achieved_at)
        for stats in result.stats:
            self.stats[(round_.group_id, stats.member_id)] = stats
        for b in result.bridges:
            self.bridges.setdefault((round_.group_id, b.member_id, b.seq), b)
        return True

    async def member_stats(
        self, group_id: int, member_ids: Iterable[int]
    ) -> dict[int, MemberStats]:
        """Return the running totals of these members in a group (missing: none yet)."""
        return {m: self.stats[(group_id, m)] for m in member_ids if (group_id, m) in self.stats}

    async def member_history(self, group_id: int, member_id: int) -> list[tuple[str, float, int]]:
        """Return (question id, coverage, points) of a member's real attempts scored in a group."""
        return [
            (self.rounds[r].question_id, a.coverage or 0.0, a.points)
            for (r, m), a in self.answers.items()
            if m == member_id
            and self.rounds[r].group_id == group_id
            and a.points is not None
            and self.attempt_of.get(a.answer_id, a.points > 0)
        ]

    def _board(self, group_id: int, period: str) -> list[tuple[int, datetime, int]]:
        """Return (points, reached at, member id) of a leaderboard, leader first."""
        rows = [
            (points, at, m)
            for (g, p, m), (points, at) in self.totals.items()
            if (g, p) == (group_id, period)
        ]
        return sorted(rows, key=lambda row: (-row[0], row[1], row[2]))

    async def top_scores(
        self, group_id: int, period: str, limit: int = 10, offset: int = 0
    ) -> list[Standing]:
        """Return the leaders of a group's leaderboard for a period, skipping the first `offset`."""
        board = self._board(group_id, period)[offset : offset + limit]
        return [
            Standing(offset + i + 1, m, self.name_of(m), p) for i, (p, _, m) in enumerate(board)
        ]

    async def board_size(self, group_id: int, period: str) -> int:
        """Return how many members are on a group's leaderboard for a period."""
        return len(self._board(group_id, period))

    async def board_figures(
        self,
        group_id: int,
        days: tuple[str, str] | None,
        member_ids: Iterable[int],
        category: str | None = None,
    ) -> dict[int, tuple[int, float]]:
        """Return (rounds answered, coverage sum) of these members in a group's period.

        `category`: counting the rounds of that category only.
        """
        wanted = set(member_ids)
        if days is None and category is None:
            stats = await self.member_stats(group_id, wanted)
            return {m: (s.rounds_answered, s.coverage_sum) for m, s in stats.items()}
        figures: dict[int, tuple[int, float]] = {}
        for (r, m), a in self.answers.items():
            round_ = self.rounds[r]
            day = round_.local_date.isoformat()
            if m not in wanted or round_.group_id != group_id or a.points is None:
                continue
            if days is not None and not days[0] <= day <= days[1]:
                continue
            if category is not None and self.round_categories.get(r) != category:
                continue
            if not self.attempt_of.get(a.answer_id, False):
                continue
            answered, coverage = figures.get(m, (0, 0.0))
            figures[m] = (answered + 1, coverage + (a.coverage or 0.0))
        return figures

    async def standing_of(self, group_id: int, period: str, member_id: int) -> Standing | None:
        """Return a member's place on a group's leaderboard for a period."""
        for place, (points, _, m) in enumerate(self._board(group_id, period), 1):
            if m == member_id:
                return Standing(place, m, self.name_of(m), points)
        return None
