"""The store's daily review notes: who gets one, at what local time, and when the next is due.

A member who turned the note on (`/review remind on 18:30`) has a row with where
to send it (their platform ref), the local time and zone, and `next_at`, the
instant of the next note. A day's note is claimed by moving `next_at` from the
value it was due at to the next day's with a conditional UPDATE: one process
wins, across restarts and replicas, and only the winner sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from bot.clock import from_micros, to_micros
from bot.model import MemberRef
from bot.store.base import StoreBase

__all__ = ["REVIEW_NOTES_VERSION", "REVIEW_NOTE_TABLES", "ReviewNote", "ReviewNoteRecords"]

# The schema version that brought review notes, and its statements (never change them:
# add a migration instead).
REVIEW_NOTES_VERSION = 19
REVIEW_NOTE_TABLES = (
    # A member's daily note of reviews due, while it is on (off: no row). `local_time`
    # is HH:MM in `timezone`; `next_at` the next note's instant.
    """CREATE TABLE review_notes (
        member_id {bigint} PRIMARY KEY REFERENCES members (id),
        platform TEXT NOT NULL,
        user_id TEXT NOT NULL,
        display_name TEXT NOT NULL,
        local_time TEXT NOT NULL,
        timezone TEXT NOT NULL,
        next_at {bigint} NOT NULL
    )""",
    "CREATE INDEX review_notes_due ON review_notes (next_at)",
)

_COLUMNS = "member_id, platform, user_id, display_name, local_time, timezone, next_at"


@dataclass(frozen=True, slots=True)
class ReviewNote:
    """A member's daily review note: where it goes, its local time and zone, the next one."""

    member_id: int
    member: MemberRef
    at: time
    timezone: str
    next_at: datetime


def _note(row: Any) -> ReviewNote:
    return ReviewNote(
        int(row["member_id"]),
        MemberRef(str(row["platform"]), str(row["user_id"]), str(row["display_name"])),
        time.fromisoformat(str(row["local_time"])),
        str(row["timezone"]),
        from_micros(row["next_at"]),
    )


class ReviewNoteRecords(StoreBase):
    """Daily review notes: turned on and off, claimed one day at a time."""

    async def set_review_note(self, note: ReviewNote) -> None:
        """Turn a member's daily note on (or move it to another time or zone)."""
        await self.db.execute(
            f"INSERT INTO review_notes ({_COLUMNS}) VALUES (:member_id, :platform, :user_id,"
            " :name, :at, :tz, :next_at) ON CONFLICT (member_id) DO UPDATE SET"
            " platform = excluded.platform, user_id = excluded.user_id,"
            " display_name = excluded.display_name, local_time = excluded.local_time,"
            " timezone = excluded.timezone, next_at = excluded.next_at",
            {
                "member_id": note.member_id,
                "platform": note.member.platform,
                "user_id": note.member.user_id,
                "name": note.member.display_name,
                "at": note.at.strftime("%H:%M"),
                "tz": note.timezone,
                "next_at": to_micros(note.next_at),
            },
        )

    async def stop_review_note(self, member_id: int) -> bool:
        """Turn a member's daily note off; False if it was not on."""
        row = await self._write_fetchrow(
            "DELETE FROM review_notes WHERE member_id = :member_id RETURNING member_id",
            {"member_id": member_id},
        )
        return row is not None

    async def review_note(self, member_id: int) -> ReviewNote | None:
        """Return a member's daily note, or None if it is off."""
        row = await self.db.fetchrow(
            f"SELECT {_COLUMNS} FROM review_notes WHERE member_id = :member_id",
            {"member_id": member_id},
        )
        return None if row is None else _note(row)

    async def review_notes(self, due_by: datetime | None = None) -> list[ReviewNote]:
        """Return every daily note that is on, or those due by `due_by`, the earliest first."""
        where = "" if due_by is None else " WHERE next_at <= :due_by"
        rows = await self.db.fetch(
            f"SELECT {_COLUMNS} FROM review_notes{where} ORDER BY next_at, member_id",
            {} if due_by is None else {"due_by": to_micros(due_by)},
        )
        return [_note(r) for r in rows]

    async def claim_review_note(self, member_id: int, due: datetime, then: datetime) -> bool:
        """Claim the note due at `due`, moving the member's next one to `then`; False if lost."""
        row = await self._write_fetchrow(
            "UPDATE review_notes SET next_at = :then"
            " WHERE member_id = :member_id AND next_at = :due RETURNING member_id",
            {"member_id": member_id, "due": to_micros(due), "then": to_micros(then)},
        )
        return row is not None
