"""Values the store takes and returns, beyond the domain model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.model import AnswerSource

__all__ = [
    "AnswerSaved",
    "AnswerWrite",
    "MemberAnswer",
    "MemberStats",
    "PracticeAttempt",
    "PracticeSummary",
    "Review",
    "RoundResult",
    "ScoreEntry",
    "Standing",
    "VoteReaction",
]


@dataclass(frozen=True, slots=True)
class AnswerWrite:
    """An answer to store: inserted, or replacing the member's earlier one."""

    round_id: int
    member_id: int
    text: str
    source: AnswerSource
    submitted_at: datetime
    message_id: str | None = None


@dataclass(frozen=True, slots=True)
class AnswerSaved:
    """What storing an answer did."""

    answer_id: int
    late: bool
    replaced: bool


@dataclass(frozen=True, slots=True)
class ScoreEntry:
    """Points a member earned in a round, and which leaderboards they count on."""

    answer_id: int
    member_id: int
    coverage: float
    covered: tuple[bool, ...]
    points: int
    periods: tuple[str, ...]
    achieved_at: datetime


@dataclass(frozen=True, slots=True)
class MemberStats:
    """A member's running totals in one group."""

    member_id: int
    streak: int = 0
    best_streak: int = 0
    last_seq: int = 0
    rounds_answered: int = 0
    coverage_sum: float = 0.0


@dataclass(frozen=True, slots=True)
class RoundResult:
    """Everything a reveal writes, in one transaction."""

    round_id: int
    scores: tuple[ScoreEntry, ...]
    stats: tuple[MemberStats, ...]


@dataclass(frozen=True, slots=True)
class Standing:
    """A member's place on a leaderboard."""

    rank: int
    member_id: int
    display_name: str
    points: int


@dataclass(frozen=True, slots=True)
class MemberAnswer:
    """A stored answer with its author's name (for reveals)."""

    answer_id: int
    member_id: int
    display_name: str
    text: str
    late: bool
    submitted_at: datetime
    coverage: float | None
    covered: tuple[bool, ...] | None
    points: int | None
    helpful_votes: int = 0


@dataclass(frozen=True, slots=True)
class PracticeAttempt:
    """One on-demand practice question a member took."""

    id: int
    member_id: int
    question_id: str
    started_at: datetime
    hinted: bool
    revealed: bool
    answered_at: datetime | None
    coverage: float | None

    @property
    def finished(self) -> bool:
        """Tell whether the member answered it or asked for the answer."""
        return self.revealed or self.answered_at is not None


@dataclass(frozen=True, slots=True)
class Review:
    """Where a question stands in a member's review schedule (Leitner boxes)."""

    question_id: str
    box: int
    due_at: datetime
    attempts: int
    best_coverage: float


@dataclass(frozen=True, slots=True)
class PracticeSummary:
    """A member's practice so far."""

    attempts: int
    answered: int
    average_coverage: float | None
    due_reviews: int


@dataclass(frozen=True, slots=True)
class VoteReaction:
    """One of a member's reactions that vote an answer helpful.

    `emoji` is the exact emoji (a skin tone makes another one); `burst` tells a
    platform's emphasised kind of the same reaction (Discord's super reaction)
    from the normal one. A member may hold several at once, all one vote.
    """

    emoji: str
    burst: bool = False
