"""The in-memory store's question figures and problem reports (as `bot.store.question_records`).

Figures count each revealed round's on-time, scored answers per stored grade;
one report per member and round, a later one replacing the earlier.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.question_figures import RoundTally
from bot.store.rows import covered_to_text
from tests.services.memory_base import MemoryBase

__all__ = ["MemoryQuestions"]


class MemoryQuestions(MemoryBase):
    """Rounds' figures, and members' reports on questions."""

    def _revealed_since(self, group_id: int, since: date) -> list[int]:
        return [
            r.id
            for r in self.rounds.values()
            if r.group_id == group_id and r.revealed_at is not None and r.local_date >= since
        ]

    async def round_tallies(self, group_id: int, since: date) -> list[RoundTally]:
        """Return the group's rounds revealed with a date from `since` on, newest first."""
        tallies = []
        for round_id in self._revealed_since(group_id, since):
            round_ = self.rounds[round_id]
            scored = [
                a
                for (r, _), a in self.answers.items()
                if r == round_id and not a.late and a.covered is not None
            ]
            covered: dict[str, int] = {}
            for a in scored:
                text = covered_to_text(a.covered or ())
                covered[text] = covered.get(text, 0) + 1
            coverage = sum(a.coverage or 0.0 for a in scored)
            tallies.append(
                RoundTally(
                    round_id, round_.local_date, round_.question_id, len(scored), coverage, covered
                )
            )
        return sorted(tallies, key=lambda t: (-t.local_date.toordinal(), t.round_id))

    async def active_members(self, group_id: int, since: date) -> int:
        """Return how many members answered (on time or late) a round revealed since `since`."""
        rounds = set(self._revealed_since(group_id, since))
        return len({m for (r, m) in self.answers if r in rounds})

    async def save_report(
        self, round_id: int, member_id: int, question_id: str, note: str, now: datetime
    ) -> bool:
        """Record a member's report on a round's question; True if it replaced their earlier one."""
        replaced = (round_id, member_id) in self.reports
        self.reports[(round_id, member_id)] = (question_id, note, now)
        return replaced
