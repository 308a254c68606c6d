"""The in-memory store with daily review notes (as `bot.store.review_note_records`).

Two services may share one `MemoryReviewNotes`, as two replicas share a database:
the claim moves `next_at` only from the value it was due at, so one of them wins.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.store.review_note_records import ReviewNote
from tests.services.memory_store import MemoryStore

__all__ = ["MemoryReviewNotes"]


class MemoryReviewNotes(MemoryStore):
    """Every port of MemoryStore, and `bot.review_notes.ReviewNoteStore`."""

    def __init__(self, owner: str = "local") -> None:
        super().__init__(owner)
        self.review_note_rows: dict[int, ReviewNote] = {}

    async def set_review_note(self, note: ReviewNote) -> None:
        """Turn a member's daily note on (or move it)."""
        self.review_note_rows[note.member_id] = note

    async def stop_review_note(self, member_id: int) -> bool:
        """Turn a member's daily note off; False if it was not on."""
        return self.review_note_rows.pop(member_id, None) is not None

    async def review_note(self, member_id: int) -> ReviewNote | None:
        """Return a member's daily note, or None if it is off."""
        return self.review_note_rows.get(member_id)

    async def review_notes(self, due_by: datetime | None = None) -> list[ReviewNote]:
        """Return every daily note that is on, or those due by `due_by`, the earliest first."""
        notes = [n for n in self.review_note_rows.values() if due_by is None or n.next_at <= due_by]
        return sorted(notes, key=lambda n: (n.next_at, n.member_id))

    async def claim_review_note(self, member_id: int, due: datetime, then: datetime) -> bool:
        """Claim the note due at `due`, moving the next one to `then`; False if lost."""
        note = self.review_note_rows.get(member_id)
        if note is None or note.next_at != due:
            return False
        self.review_note_rows[member_id] = replace(note, next_at=then)
        return True
