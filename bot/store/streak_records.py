"""The store's streak keepers: members' away days, and the streaks a reveal may bridge."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from bot.records import AwayRange, OpenStreak
from bot.store.base import StoreBase
from bot.store.database import Executor, take_turns
from bot.store.rows import STATS_COLUMNS, stats_from_row

__all__ = ["AWAY_LOCK", "StreakRecords"]

# Advisory lock key (PostgreSQL) plus a member id: one member's /away commands take turns.
AWAY_LOCK = 0x5717_A3A7_0000_0000

_STATS = ", ".join(f"s.{c.strip()}" for c in STATS_COLUMNS.split(","))


class StreakRecords(StoreBase):
    """Away days (ranges of local dates per member and group), and open streaks."""

    async def away_members(self, group_id: int, day: date) -> frozenset[int]:
        """Return the members of a group away on a local date (the group's time zone)."""
        rows = await self.db.fetch(
            "SELECT DISTINCT member_id FROM away_days WHERE group_id = :group_id"
            " AND first_day <= :day AND last_day >= :day",
            {"group_id": group_id, "day": day.isoformat()},
        )
        return frozenset(int(r["member_id"]) for r in rows)

    async def away_ranges(self, group_id: int, member_id: int) -> list[AwayRange]:
        """Return a member's away ranges in a group, past ones too, earliest first."""
        return await _away_ranges(self.db, group_id, member_id)

    async def add_away(
        self,
        group_id: int,
        member_id: int,
        days: AwayRange,
        problem: Callable[[list[AwayRange]], str | None] | None = None,
    ) -> str | None:
        """Record that a member is away on these local dates, unless `problem` finds one.

        `problem` is given the member's ranges as they stand inside the write, so two
        commands at once cannot both pass a limit that only one of them may.
        """
        async with self.db.transaction() as tx:
            await take_turns(tx, self.db.dialect, AWAY_LOCK + member_id)
            ranges = await _away_ranges(tx, group_id, member_id)
            refused = problem(ranges) if problem is not None else None
            if refused is not None:
                return refused
            await tx.execute(
                "INSERT INTO away_days (group_id, member_id, first_day, last_day)"
                " VALUES (:group_id, :member_id, :first, :last)",
                {
                    "group_id": group_id,
                    "member_id": member_id,
                    "first": days.first.isoformat(),
                    "last": days.last.isoformat(),
                },
            )
        return None

    async def cancel_away(self, group_id: int, member_id: int, after: date) -> None:
        """Cancel a member's away days in a group after a local date; earlier ones stay."""
        params = {"group_id": group_id, "member_id": member_id, "after": after.isoformat()}
        async with self.db.transaction() as tx:
            await tx.execute(
                "DELETE FROM away_days WHERE group_id = :group_id AND member_id = :member_id"
                " AND first_day > :after",
                params,
            )
            await tx.execute(
                "UPDATE away_days SET last_day = :after WHERE group_id = :group_id"
                " AND member_id = :member_id AND last_day > :after",
                params,
            )

    async def open_streaks(self, group_id: int, seq: int) -> list[OpenStreak]:
        """Return the members whose streak runs up to the group's revealed round `seq - 1`.

        Only those a bridge could keep: holding a freeze, or away on some day.
        """
        rows = await self.db.fetch(
            f"SELECT {_STATS}, m.user_id, m.display_name FROM member_stats s"
            " JOIN members m ON m.id = s.member_id"
            " WHERE s.group_id = :group_id AND s.last_seq = :last AND s.streak > 0"
            " AND (s.freezes > 0 OR EXISTS (SELECT 1 FROM away_days d"
            " WHERE d.group_id = s.group_id AND d.member_id = s.member_id))"
            " ORDER BY s.member_id",
            {"group_id": group_id, "last": seq - 1},
        )
        return [OpenStreak(stats_from_row(r), r["user_id"], r["display_name"]) for r in rows]


async def _away_ranges(db: Executor, group_id: int, member_id: int) -> list[AwayRange]:
    """Return a member's away ranges in a group, earliest first, read through `db`."""
    rows = await db.fetch(
        "SELECT first_day, last_day FROM away_days"
        " WHERE group_id = :group_id AND member_id = :member_id ORDER BY first_day",
        {"group_id": group_id, "member_id": member_id},
    )
    return [
        AwayRange(date.fromisoformat(r["first_day"]), date.fromisoformat(r["last_day"]))
        for r in rows
    ]
