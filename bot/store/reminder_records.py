"""The store's reminders before the reveal: members' choice, a claim per round, a row per send.

A round's reminder is planned when the round is posted (`round_reminders`, due
at its time), claimed by one process with a conditional UPDATE and leased to
it while it sends; each member is recorded (`member_reminders`) before their
message goes out, so a process taking over a fan-out that died sends only to
the members not recorded, and no member is reminded twice.
"""

from __future__ import annotations

from datetime import datetime

from bot.clock import from_micros, to_micros
from bot.model import MemberRef
from bot.records import ReminderRecipient
from bot.store.base import StoreBase

__all__ = ["REMINDERS_VERSION", "REMINDER_TABLES", "ReminderRecords"]

# The schema version that brought reminders, and its statements (bot.store.migrations runs
# them once, in order; as every migration, never change them: add a migration instead).
REMINDERS_VERSION = 14
REMINDER_TABLES = (
    # A member's own choice (`/remind off|on`); without a row, reminders are on.
    """CREATE TABLE member_preferences (
        member_id {bigint} PRIMARY KEY REFERENCES members (id),
        remind INTEGER NOT NULL
    )""",
    # A round's reminder, planned when the round is posted: `status` is due (at
    # `remind_at`), sending (leased until `lease_until`), sent or skipped.
    """CREATE TABLE round_reminders (
        round_id {bigint} PRIMARY KEY REFERENCES rounds (id),
        remind_at {bigint} NOT NULL,
        status TEXT NOT NULL,
        lease_owner TEXT,
        lease_until {bigint},
        sent INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX round_reminders_due ON round_reminders (status, remind_at)",
    # Each member reminded of a round, recorded before the message goes out: a
    # process taking over a fan-out sends only to the members not recorded.
    """CREATE TABLE member_reminders (
        round_id {bigint} NOT NULL REFERENCES rounds (id),
        member_id {bigint} NOT NULL REFERENCES members (id),
        sent_at {bigint} NOT NULL,
        error TEXT,
        PRIMARY KEY (round_id, member_id)
    )""",
)

# A round's reminder that may be sent now: due, or left mid-send by a process whose
# lease ran out (or, with :include_own, by an earlier run of this one); its round still
# open and not yet due to be revealed.
_SENDABLE = (
    " rr.remind_at <= :now AND (rr.status = 'due' OR (rr.status = 'sending'"
    " AND (rr.lease_until <= :now OR (:include_own = 1 AND rr.lease_owner = :owner))))"
    " AND EXISTS (SELECT 1 FROM rounds r WHERE r.id = rr.round_id AND r.status = 'open'"
    " AND r.reveal_at > :now)"
)


class ReminderRecords(StoreBase):
    """Reminders: planned with the round, claimed once, each member recorded before the send."""

    async def plan_reminder(
        self, round_id: int, remind_at: datetime, skipped: bool = False
    ) -> None:
        """Plan a round's reminder at `remind_at`, or note it gets none; a plan made stands."""
        await self.db.execute(
            "INSERT INTO round_reminders (round_id, remind_at, status)"
            " VALUES (:round_id, :at, :status) ON CONFLICT (round_id) DO NOTHING",
            {
                "round_id": round_id,
                "at": to_micros(remind_at),
                "status": "skipped" if skipped else "due",
            },
        )

    async def unplanned_reminders(self, now: datetime) -> list[tuple[int, int, datetime, datetime]]:
        """Return (round, group, posted, reveal) of open rounds whose reminder nobody planned.

        A round found posted after a crash, or one that opened before reminders came.
        """
        rows = await self.db.fetch(
            "SELECT r.id, r.group_id, r.posted_at, r.reveal_at FROM rounds r"
            " WHERE r.status = 'open' AND r.reveal_at > :now AND r.posted_at IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM round_reminders rr WHERE rr.round_id = r.id)"
            " ORDER BY r.id",
            {"now": to_micros(now)},
        )
        return [
            (
                int(r["id"]),
                int(r["group_id"]),
                from_micros(r["posted_at"]),
                from_micros(r["reveal_at"]),
            )
            for r in rows
        ]

    async def claim_reminder(
        self, round_id: int, now: datetime, until: datetime, include_own: bool = False
    ) -> bool:
        """Claim a round's reminder that may be sent now, leased until `until`; False if not."""
        row = await self._write_fetchrow(
            "UPDATE round_reminders AS rr SET status = 'sending', lease_owner = :owner,"
            f" lease_until = :until WHERE rr.round_id = :round_id AND {_SENDABLE}"
            " RETURNING round_id",
            {
                "round_id": round_id,
                "owner": self.owner,
                "until": to_micros(until),
                "now": to_micros(now),
                "include_own": 1 if include_own else 0,
            },
        )
        return row is not None

    async def reminders_to_send(self, now: datetime, include_own: bool) -> list[int]:
        """Return the rounds whose reminder may be sent now (overdue, or left mid-send)."""
        rows = await self.db.fetch(
            f"SELECT rr.round_id FROM round_reminders rr WHERE {_SENDABLE} ORDER BY rr.round_id",
            {"now": to_micros(now), "owner": self.owner, "include_own": 1 if include_own else 0},
        )
        return [int(r["round_id"]) for r in rows]

    async def reminders_ahead(self, now: datetime) -> list[tuple[int, datetime]]:
        """Return (round, when) of the reminders still to come of open rounds."""
        rows = await self.db.fetch(
            "SELECT rr.round_id, rr.remind_at FROM round_reminders rr"
            " JOIN rounds r ON r.id = rr.round_id"
            " WHERE rr.status = 'due' AND rr.remind_at > :now AND r.status = 'open'"
            " ORDER BY rr.remind_at",
            {"now": to_micros(now)},
        )
        return [(int(r["round_id"]), from_micros(r["remind_at"])) for r in rows]

    async def reminder_recipients(
        self, round_id: int, group_id: int, since: datetime, now: datetime
    ) -> list[ReminderRecipient]:
        """Return the members to remind of a round, not reminded of it yet, in one query.

        Every rule of who is reminded is here: members of the group who made a real
        attempt at one of its rounds since `since`, have not answered this round, have
        not turned reminders off, are not away on the round's day and whose direct
        messages were not refused lately (bot.private_notes); each with their streak
        when missing this round would end it (they answered or bridged the group's
        latest revealed round and hold no streak freeze), else 0.
        """
        rows = await self.db.fetch(
            "SELECT m.id, m.platform, m.user_id, m.display_name,"
            " CASE WHEN s.freezes = 0 AND s.last_seq = (SELECT MAX(g.reveal_seq) FROM rounds g"
            " WHERE g.group_id = :group_id) THEN s.streak ELSE 0 END AS streak"
            " FROM members m"
            " LEFT JOIN member_stats s ON s.group_id = :group_id AND s.member_id = m.id"
            " WHERE m.id IN (SELECT a.member_id FROM answers a JOIN rounds r ON r.id = a.round_id"
            " WHERE r.group_id = :group_id AND a.attempt = 1 AND a.submitted_at >= :since)"
            " AND NOT EXISTS (SELECT 1 FROM answers t"
            " WHERE t.round_id = :round_id AND t.member_id = m.id)"
            " AND NOT EXISTS (SELECT 1 FROM member_preferences p"
            " WHERE p.member_id = m.id AND p.remind = 0)"
            " AND NOT EXISTS (SELECT 1 FROM away_days w JOIN rounds d ON d.id = :round_id"
            " WHERE w.group_id = :group_id AND w.member_id = m.id"
            " AND w.first_day <= d.local_date AND w.last_day >= d.local_date)"
            " AND NOT EXISTS (SELECT 1 FROM private_closed c WHERE c.platform = m.platform"
            " AND c.user_id = m.user_id AND c.retry_after > :now)"
            " AND NOT EXISTS (SELECT 1 FROM member_reminders x"
            " WHERE x.round_id = :round_id AND x.member_id = m.id)"
            " ORDER BY m.id",
            {
                "round_id": round_id,
                "group_id": group_id,
                "since": to_micros(since),
                "now": to_micros(now),
            },
        )
        return [
            ReminderRecipient(
                int(r["id"]),
                MemberRef(str(r["platform"]), str(r["user_id"]), str(r["display_name"])),
                int(r["streak"] or 0),
            )
            for r in rows
        ]

    async def mark_reminded(self, round_id: int, member_id: int, now: datetime) -> bool:
        """Record that a member is being reminded of a round; False if they were already."""
        row = await self._write_fetchrow(
            "INSERT INTO member_reminders (round_id, member_id, sent_at)"
            " VALUES (:round_id, :member_id, :now)"
            " ON CONFLICT (round_id, member_id) DO NOTHING RETURNING member_id",
            {"round_id": round_id, "member_id": member_id, "now": to_micros(now)},
        )
        return row is not None

    async def reminder_failed(self, round_id: int, member_id: int, error: str) -> None:
        """Record why a member's reminder could not be sent (it is not tried again)."""
        await self.db.execute(
            "UPDATE member_reminders SET error = :error"
            " WHERE round_id = :round_id AND member_id = :member_id",
            {"round_id": round_id, "member_id": member_id, "error": error[:500]},
        )

    async def reminder_done(self, round_id: int, sent: int, skipped: bool = False) -> None:
        """Record a round's reminder finished: `sent` members reminded, or skipped."""
        await self.db.execute(
            "UPDATE round_reminders SET status = :status, sent = sent + :sent,"
            " lease_owner = NULL, lease_until = NULL"
            " WHERE round_id = :round_id AND status = 'sending'",
            {"round_id": round_id, "sent": sent, "status": "skipped" if skipped else "sent"},
        )

    async def set_reminders(self, member_id: int, on: bool) -> None:
        """Turn a member's reminders on or off."""
        await self.db.execute(
            "INSERT INTO member_preferences (member_id, remind) VALUES (:member_id, :remind)"
            " ON CONFLICT (member_id) DO UPDATE SET remind = excluded.remind",
            {"member_id": member_id, "remind": 1 if on else 0},
        )

    async def reminders_on(self, member_id: int) -> bool:
        """Tell whether a member gets reminders (they do unless they turned them off)."""
        row = await self.db.fetchrow(
            "SELECT remind FROM member_preferences WHERE member_id = :member_id",
            {"member_id": member_id},
        )
        return row is None or bool(row["remind"])
