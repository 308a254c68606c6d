"""The store's rounds: claims, posts, leases, the status of reveals, and look-ups."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from bot.clock import to_micros
from bot.model import Round, RoundStatus
from bot.store.base import StoreBase
from bot.store.database import take_turns
from bot.store.rows import ROUND_COLUMNS, numbered_params, round_from_row, time_or_none

__all__ = ["GROUP_SCORES_LOCK", "RoundRecords"]

# Advisory lock keys (PostgreSQL) of a group's scoring: this base plus the group id. Reveals
# take turns on it (each gets the next sequence number), and so do regrades, which must not
# run while a reveal scores members from stats it read before writing them.
GROUP_SCORES_LOCK = 0x5717_0000_0000
# Statuses whose round used up its question (for "no repeat until exhausted").
_ASKED = ("posting", "retry", "open", "revealing", "revealed")


class RoundRecords(StoreBase):
    """Rounds: one per group and local date, leased to the process working on it."""

    async def claim_round(
        self,
        group_id: int,
        local_date: date,
        question_id: str,
        scheduled_for: datetime,
        status: RoundStatus = RoundStatus.POSTING,
        lease_until: datetime | None = None,
    ) -> Round | None:
        """Create the group's round of a local date; None if that date is taken already.

        A round created `posting` is leased to this process until `lease_until`;
        without one, any process's sweep may take it over at once.
        """
        posting = status is RoundStatus.POSTING
        row = await self._write_fetchrow(
            "INSERT INTO rounds (group_id, local_date, question_id, status, scheduled_for,"
            " attempts, lease_owner, lease_until) VALUES (:group_id, :local_date,"
            " :question_id, :status, :scheduled_for, :attempts, :lease_owner, :lease_until)"
            " ON CONFLICT (group_id, local_date) DO NOTHING"
            f" RETURNING {ROUND_COLUMNS}",
            {
                "group_id": group_id,
                "local_date": local_date.isoformat(),
                "question_id": question_id,
                "status": status.value,
                "scheduled_for": to_micros(scheduled_for),
                "attempts": 1 if posting else 0,
                "lease_owner": self.owner if posting else None,
                "lease_until": to_micros(lease_until) if posting and lease_until else None,
            },
        )
        return None if row is None else round_from_row(row)

    async def retake_round(self, round_id: int, lease_until: datetime) -> Round | None:
        """Claim a round waiting for another post attempt; None if another took it."""
        row = await self._write_fetchrow(
            "UPDATE rounds SET status = 'posting', attempts = attempts + 1,"
            " lease_owner = :lease_owner, lease_until = :lease_until"
            f" WHERE id = :id AND status = 'retry' RETURNING {ROUND_COLUMNS}",
            {"id": round_id, "lease_owner": self.owner, "lease_until": to_micros(lease_until)},
        )
        return None if row is None else round_from_row(row)

    async def take_lease(
        self, round_id: int, status: RoundStatus, now: datetime, until: datetime
    ) -> Round | None:
        """Take over a round's current step if its lease is ours or has run out.

        None if the round moved on, or another live process holds it.
        """
        row = await self._write_fetchrow(
            "UPDATE rounds SET lease_owner = :lease_owner, lease_until = :lease_until"
            " WHERE id = :id AND status = :status"
            " AND (lease_owner IS NULL OR lease_owner = :lease_owner OR lease_until IS NULL"
            " OR lease_until <= :now)"
            f" RETURNING {ROUND_COLUMNS}",
            {
                "id": round_id,
                "status": status.value,
                "lease_owner": self.owner,
                "lease_until": to_micros(until),
                "now": to_micros(now),
            },
        )
        return None if row is None else round_from_row(row)

    async def unfinished_rounds(self, now: datetime, include_own: bool) -> list[Round]:
        """Return rounds stuck mid-step whose lease ran out (or, if `include_own`, is ours).

        That is rounds left `posting` or `revealing`, and revealed rounds whose
        reveal was not posted, by a process that died or hung; and rounds whose
        post is to be retried (their lease runs until the retry is due).
        """
        rows = await self.db.fetch(
            f"SELECT {ROUND_COLUMNS} FROM rounds"
            " WHERE (status IN ('posting', 'retry', 'revealing')"
            "        OR (status = 'revealed' AND reveal_message_id IS NULL))"
            " AND (lease_owner IS NULL OR lease_until IS NULL OR lease_until <= :now"
            "      OR (:include_own = 1 AND lease_owner = :lease_owner))"
            " ORDER BY id",
            {
                "now": to_micros(now),
                "lease_owner": self.owner,
                "include_own": 1 if include_own else 0,
            },
        )
        return [round_from_row(r) for r in rows]

    async def round_posted(
        self,
        round_id: int,
        message_id: str,
        thread_id: str,
        posted_at: datetime,
        reveal_at: datetime,
    ) -> bool:
        """Record that a round is on the platform and open; False if it left `posting`."""
        changed = await self.db.execute(
            "UPDATE rounds SET status = 'open', message_id = :message_id,"
            " thread_id = :thread_id, posted_at = :posted_at, reveal_at = :reveal_at,"
            " last_error = NULL, lease_owner = NULL, lease_until = NULL"
            " WHERE id = :id AND status = 'posting'",
            {
                "message_id": message_id,
                "thread_id": thread_id,
                "posted_at": to_micros(posted_at),
                "reveal_at": to_micros(reveal_at),
                "id": round_id,
            },
        )
        return changed > 0

    async def round_post_failed(
        self, round_id: int, error: str, retry_at: datetime | None = None
    ) -> None:
        """Record a failed post attempt: retried at `retry_at` by any process, or given up."""
        await self.db.execute(
            "UPDATE rounds SET status = :status, last_error = :error,"
            " lease_owner = :lease_owner, lease_until = :lease_until"
            " WHERE id = :id AND status = 'posting'",
            {
                "status": "failed" if retry_at is None else "retry",
                "error": error[:500],
                "lease_owner": None if retry_at is None else self.owner,
                "lease_until": None if retry_at is None else to_micros(retry_at),
                "id": round_id,
            },
        )

    async def claim_reveal(
        self, round_id: int, now: datetime, lease_until: datetime
    ) -> Round | None:
        """Start revealing an open round (answers become late); None if not open.

        The round is leased to this process until `lease_until`.
        """
        async with self.db.transaction() as tx:
            group = await tx.fetchrow(
                "SELECT group_id FROM rounds WHERE id = :id", {"id": round_id}
            )
            if group is None:
                return None
            # Reveals of one group take turns, so each gets the next sequence number.
            await take_turns(tx, self.db.dialect, GROUP_SCORES_LOCK + int(group["group_id"]))
            row = await tx.fetchrow(
                "UPDATE rounds SET status = 'revealing', revealed_at = :now,"
                " lease_owner = :lease_owner, lease_until = :lease_until,"
                " reveal_seq = (SELECT COALESCE(MAX(r.reveal_seq), 0) + 1 FROM rounds r"
                "               WHERE r.group_id = rounds.group_id)"
                f" WHERE id = :id AND status = 'open' RETURNING {ROUND_COLUMNS}",
                {
                    "now": to_micros(now),
                    "id": round_id,
                    "lease_owner": self.owner,
                    "lease_until": to_micros(lease_until),
                },
            )
        return None if row is None else round_from_row(row)

    async def reveal_posted(self, round_id: int, message_id: str) -> None:
        """Record the message that revealed a round."""
        await self.db.execute(
            "UPDATE rounds SET reveal_message_id = :message_id, lease_owner = NULL,"
            " lease_until = NULL WHERE id = :id",
            {"message_id": message_id, "id": round_id},
        )

    async def set_round_status(
        self, round_id: int, expected: RoundStatus, status: RoundStatus, note: str | None = None
    ) -> bool:
        """Move a round from one status to another; False if it was not in `expected`."""
        changed = await self.db.execute(
            "UPDATE rounds SET status = :status, last_error = COALESCE(:note, last_error),"
            " lease_owner = NULL, lease_until = NULL WHERE id = :id AND status = :expected",
            {"status": status.value, "note": note, "id": round_id, "expected": expected.value},
        )
        return changed > 0

    # -- look-ups ---------------------------------------------------------------

    async def get_round(self, round_id: int) -> Round | None:
        """Return a round by id."""
        row = await self.db.fetchrow(
            f"SELECT {ROUND_COLUMNS} FROM rounds WHERE id = :id", {"id": round_id}
        )
        return None if row is None else round_from_row(row)

    async def round_on(self, group_id: int, local_date: date) -> Round | None:
        """Return the group's round of a local date, whatever its status."""
        row = await self.db.fetchrow(
            f"SELECT {ROUND_COLUMNS} FROM rounds"
            " WHERE group_id = :group_id AND local_date = :local_date",
            {"group_id": group_id, "local_date": local_date.isoformat()},
        )
        return None if row is None else round_from_row(row)

    async def current_round(self, group_id: int) -> Round | None:
        """Return the group's newest round that is open for answers."""
        row = await self.db.fetchrow(
            f"SELECT {ROUND_COLUMNS} FROM rounds WHERE group_id = :group_id AND status = 'open'"
            " ORDER BY local_date DESC LIMIT 1",
            {"group_id": group_id},
        )
        return None if row is None else round_from_row(row)

    async def latest_revealed_round(self, group_id: int) -> Round | None:
        """Return the group's most recently revealed round."""
        row = await self.db.fetchrow(
            f"SELECT {ROUND_COLUMNS} FROM rounds"
            " WHERE group_id = :group_id AND status = 'revealed'"
            " ORDER BY reveal_seq DESC LIMIT 1",
            {"group_id": group_id},
        )
        return None if row is None else round_from_row(row)

    async def round_by_thread(self, group_id: int, thread_id: str) -> Round | None:
        """Return the group's round whose answers are collected in a thread."""
        row = await self.db.fetchrow(
            f"SELECT {ROUND_COLUMNS} FROM rounds"
            " WHERE group_id = :group_id AND thread_id = :thread_id",
            {"group_id": group_id, "thread_id": thread_id},
        )
        return None if row is None else round_from_row(row)

    async def rounds_in(self, statuses: Iterable[RoundStatus]) -> list[Round]:
        """Return every round in one of these statuses, oldest first."""
        names, params = numbered_params("status", [s.value for s in statuses])
        rows = await self.db.fetch(
            f"SELECT {ROUND_COLUMNS} FROM rounds WHERE status IN ({names}) ORDER BY id", params
        )
        return [round_from_row(r) for r in rows]

    async def count_rounds(self, status: RoundStatus) -> int:
        """Return how many rounds are in a status now (every group's)."""
        row = await self.db.fetchrow(
            "SELECT COUNT(*) AS n FROM rounds WHERE status = :status", {"status": status.value}
        )
        return int(row["n"]) if row is not None else 0

    async def asked_questions(self, group_id: int) -> list[str]:
        """Return the question ids the group was asked, oldest first."""
        statuses = ", ".join(f"'{s}'" for s in _ASKED)
        rows = await self.db.fetch(
            f"SELECT question_id FROM rounds WHERE group_id = :group_id"
            f" AND status IN ({statuses}) ORDER BY local_date",
            {"group_id": group_id},
        )
        return [r["question_id"] for r in rows]

    async def last_moment(self) -> datetime | None:
        """Return the latest time anything was recorded: a group set up, a round, an answer.

        The console resumes its simulated clock there, so a restart never starts
        before what the data already holds.
        """
        row = await self.db.fetchrow(
            "SELECT MAX(moment) AS moment FROM ("
            " SELECT MAX(created_at) AS moment FROM groups"
            " UNION ALL SELECT MAX(posted_at) FROM rounds"
            " UNION ALL SELECT MAX(revealed_at) FROM rounds"
            " UNION ALL SELECT MAX(submitted_at) FROM answers"
            " UNION ALL SELECT MAX(edited_at) FROM answers"
            " UNION ALL SELECT MAX(voted_at) FROM votes"
            " UNION ALL SELECT MAX(started_at) FROM practice_attempts"
            " UNION ALL SELECT MAX(answered_at) FROM practice_attempts"
            ") AS moments"
        )
        return time_or_none(row["moment"]) if row is not None else None
