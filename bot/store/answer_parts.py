"""The rules of an answer in parts, as pure values: what each write does to the parts.

Before the reveal, every message a member writes in the round's thread is one
part of their answer, in the order the messages came: a new message adds a
part, an edit changes its own part only. A private answer (a write without a
message) replaces the whole answer with one part; after the reveal, a late
answer is one message and the next one replaces it. The same message with the
same text again is a redelivery, not an edit. The store reads an answer's parts,
applies a batch of writes here, and writes back what changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.model import AnswerSource
from bot.records import (
    ANSWER_PART_SEPARATOR,
    AnswerChange,
    AnswerSaved,
    AnswerWrite,
    joined_parts,
)

__all__ = ["AnswerParts", "Part"]

# The changes to an answer after it was first recorded: they set its edit time.
_CHANGES_TEXT = frozenset({AnswerChange.ADDED, AnswerChange.EDITED, AnswerChange.REPLACED})


@dataclass(frozen=True, slots=True)
class Part:
    """One part of an answer: the message that carries it (None: a private answer), its text."""

    position: int
    message_id: str | None
    body: str


class AnswerParts:
    """One answer's parts while writes are applied to it, in the order they came."""

    def __init__(self, answer_id: int, late: bool, parts: Sequence[Part]) -> None:
        self.answer_id = answer_id
        self.late = late
        self.before = tuple(parts)
        self.parts = list(parts)
        self.cleared = False  # every part stored before was dropped (a replacement)
        self.source: AnswerSource | None = None  # of the latest write that changed it
        self.edited_at: datetime | None = None  # when it last changed after being recorded

    @property
    def text(self) -> str:
        """Return the answer's text: its parts joined in order."""
        return joined_parts([p.body for p in self.parts])

    @property
    def message_id(self) -> str | None:
        """Return the message of the answer's first part (None: it was given privately)."""
        return self.parts[0].message_id if self.parts else None

    def changed_parts(self) -> list[Part]:
        """Return the parts to write: new or changed ones (all of them after a replacement)."""
        if self.cleared:
            return list(self.parts)
        stored = set(self.before)
        return [p for p in self.parts if p not in stored]

    def apply(self, write: AnswerWrite) -> AnswerSaved:
        """Apply one write to the parts and return what it did (nothing when too long)."""
        if self.late or write.message_id is None:
            return self._replace(write)
        for index, part in enumerate(self.parts):
            if part.message_id != write.message_id:
                continue
            if part.body == write.text:  # delivered again: the same as the first time
                return self._saved(AnswerChange.RECORDED if index == 0 else AnswerChange.ADDED)
            bodies = [p.body for p in self.parts]
            bodies[index] = write.text
            if self._too_long(write, bodies):
                return self._refused(bodies)
            self.parts[index] = Part(part.position, part.message_id, write.text)
            return self._changed(write, AnswerChange.EDITED)
        bodies = [p.body for p in self.parts] + [write.text]
        if self._too_long(write, bodies):
            return self._refused(bodies)
        position = max((p.position for p in self.parts), default=0) + 1
        change = AnswerChange.ADDED if self.parts else AnswerChange.RECORDED
        self.parts.append(Part(position, write.message_id, write.text))
        return self._changed(write, change)

    def _replace(self, write: AnswerWrite) -> AnswerSaved:
        """Make the write the whole answer (a private or a late one)."""
        if len(self.parts) == 1 and self.parts[0] == Part(
            self.parts[0].position, write.message_id, write.text
        ):
            return self._saved(AnswerChange.RECORDED)  # delivered again
        change = AnswerChange.REPLACED if self.parts else AnswerChange.RECORDED
        self.cleared = self.cleared or bool(self.before)
        self.parts = [Part(1, write.message_id, write.text)]
        return self._changed(write, change)

    @staticmethod
    def _too_long(write: AnswerWrite, bodies: Sequence[str]) -> bool:
        return write.max_chars is not None and _length(bodies) > write.max_chars

    def _refused(self, bodies: Sequence[str]) -> AnswerSaved:
        return AnswerSaved(
            self.answer_id, self.late, AnswerChange.TOO_LONG, len(self.parts), _length(bodies)
        )

    def _changed(self, write: AnswerWrite, change: AnswerChange) -> AnswerSaved:
        self.source = write.source
        if change in _CHANGES_TEXT:
            self.edited_at = write.submitted_at
        return self._saved(change)

    def _saved(self, change: AnswerChange) -> AnswerSaved:
        return AnswerSaved(self.answer_id, self.late, change, len(self.parts), len(self.text))


def _length(bodies: Sequence[str]) -> int:
    """Return the length of an answer made of these bodies."""
    return sum(len(b) for b in bodies) + len(ANSWER_PART_SEPARATOR) * max(len(bodies) - 1, 0)
