"""The store's weekly recaps: one claim per group and week, leased while it is posted."""

from __future__ import annotations

from datetime import date, datetime

from bot.clock import to_micros
from bot.records import RecapAnswer
from bot.store.base import StoreBase

__all__ = ["RecapRecords"]

# Statuses of a round that went out on the platform (for "the week's first question").
_WENT_OUT = "('open', 'revealing', 'revealed')"


class RecapRecords(StoreBase):
    """Recaps: claimed in the database before they are posted, so each goes out once."""

    async def claim_recap(self, group_id: int, week: str, now: datetime, until: datetime) -> bool:
        """Claim a group's recap of a week, leased to this process; False if claimed already."""
        row = await self._write_fetchrow(
            "INSERT INTO recaps (group_id, week, status, lease_owner, lease_until, claimed_at)"
            " VALUES (:group_id, :week, 'posting', :owner, :until, :now)"
            " ON CONFLICT (group_id, week) DO NOTHING RETURNING group_id",
            {
                "group_id": group_id,
                "week": week,
                "owner": self.owner,
                "until": to_micros(until),
                "now": to_micros(now),
            },
        )
        return row is not None

    async def take_recap(
        self, group_id: int, week: str, now: datetime, until: datetime, include_own: bool
    ) -> bool:
        """Take over a recap left mid-post: its lease ran out (or, if `include_own`, is ours)."""
        row = await self._write_fetchrow(
            "UPDATE recaps SET lease_owner = :owner, lease_until = :until"
            " WHERE group_id = :group_id AND week = :week AND status = 'posting'"
            " AND (lease_until <= :now OR (:include_own = 1 AND lease_owner = :owner))"
            " RETURNING group_id",
            {
                "group_id": group_id,
                "week": week,
                "owner": self.owner,
                "until": to_micros(until),
                "now": to_micros(now),
                "include_own": 1 if include_own else 0,
            },
        )
        return row is not None

    async def unfinished_recaps(self, now: datetime, include_own: bool) -> list[tuple[int, str]]:
        """Return (group, week) of recaps left mid-post whose lease ran out (or is ours)."""
        rows = await self.db.fetch(
            "SELECT group_id, week FROM recaps WHERE status = 'posting'"
            " AND (lease_until <= :now OR (:include_own = 1 AND lease_owner = :owner))"
            " ORDER BY group_id, week",
            {"now": to_micros(now), "owner": self.owner, "include_own": 1 if include_own else 0},
        )
        return [(int(r["group_id"]), str(r["week"])) for r in rows]

    async def recap_done(
        self, group_id: int, week: str, message_id: str | None, error: str | None = None
    ) -> None:
        """Record a recap posted (its message), or given up (`message_id` None, the error)."""
        await self.db.execute(
            "UPDATE recaps SET status = :status, message_id = :message_id,"
            " last_error = :error, lease_owner = NULL, lease_until = NULL"
            " WHERE group_id = :group_id AND week = :week AND status = 'posting'",
            {
                "status": "failed" if message_id is None else "posted",
                "message_id": message_id,
                "error": None if error is None else error[:500],
                "group_id": group_id,
                "week": week,
            },
        )

    async def rounds_out_between(self, group_id: int, first: date, before: date) -> int:
        """Return how many of the group's rounds from `first` to before `before` went out."""
        row = await self.db.fetchrow(
            "SELECT COUNT(*) AS n FROM rounds WHERE group_id = :group_id"
            f" AND local_date >= :first AND local_date < :before AND status IN {_WENT_OUT}",
            {"group_id": group_id, "first": first.isoformat(), "before": before.isoformat()},
        )
        return int(row["n"]) if row is not None else 0

    async def recap_answers(self, group_id: int, first: date, last: date) -> list[RecapAnswer]:
        """Return the on-time, graded answers of the group's revealed rounds in a date span.

        Each with its round (date, question, reveal message), member and helpful votes.
        """
        rows = await self.db.fetch(
            "SELECT r.id AS round_id, r.local_date, r.question_id, r.reveal_message_id,"
            " a.member_id, m.display_name, a.coverage,"
            " (SELECT COUNT(*) FROM votes v WHERE v.answer_id = a.id) AS votes"
            " FROM rounds r JOIN answers a ON a.round_id = r.id"
            " JOIN members m ON m.id = a.member_id"
            " WHERE r.group_id = :group_id AND r.status = 'revealed'"
            " AND r.local_date >= :first AND r.local_date <= :last"
            " AND a.late = 0 AND a.coverage IS NOT NULL"
            " ORDER BY r.local_date, a.member_id",
            {"group_id": group_id, "first": first.isoformat(), "last": last.isoformat()},
        )
        return [
            RecapAnswer(
                int(r["round_id"]),
                date.fromisoformat(r["local_date"]),
                str(r["question_id"]),
                r["reveal_message_id"],
                int(r["member_id"]),
                str(r["display_name"]),
                float(r["coverage"]),
                int(r["votes"]),
            )
            for r in rows
        ]

    async def revealed_rounds_between(self, group_id: int, first: date, last: date) -> int:
        """Return how many of the group's rounds dated from `first` to `last` were revealed."""
        row = await self.db.fetchrow(
            "SELECT COUNT(*) AS n FROM rounds WHERE group_id = :group_id"
            " AND status = 'revealed' AND local_date >= :first AND local_date <= :last",
            {"group_id": group_id, "first": first.isoformat(), "last": last.isoformat()},
        )
        return int(row["n"]) if row is not None else 0
