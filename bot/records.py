"""Values the store takes and returns, beyond the domain model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.model import AnswerSource, MemberRef

__all__ = [
    "ANSWER_PART_SEPARATOR",
    "AnswerChange",
    "AnswerSaved",
    "AnswerUnderReview",
    "AnswerWithdrawn",
    "AnswerWrite",
    "Appeal",
    "AppealStatus",
    "ArchiveLink",
    "ArchivedRound",
    "AwayRange",
    "BridgeKind",
    "MemberAnswer",
    "MemberStats",
    "OpenStreak",
    "PracticeAttempt",
    "PracticeSummary",
    "RecapAnswer",
    "RegradeNote",
    "RegradeOutcome",
    "RegradeWrite",
    "ReminderRecipient",
    "Review",
    "ReviewRating",
    "RoundResult",
    "ScoreEntry",
    "Standing",
    "StreakBridge",
    "VoteReaction",
    "WithdrawOutcome",
    "joined_parts",
]

# An answer written in several thread messages is graded as one text: its parts, in
# order, one per line (a sentence may go on in the next message; the grader still ends
# a clause at a full stop).
ANSWER_PART_SEPARATOR = "\n"


def joined_parts(bodies: list[str]) -> str:
    """Return an answer's text from the bodies of its parts, in order."""
    return ANSWER_PART_SEPARATOR.join(bodies)


@dataclass(frozen=True, slots=True)
class AnswerWrite:
    """A message or form that answers a round, to store.

    Before the reveal a thread message (`message_id`) is one part of the
    member's answer: a new message adds a part, the same message again (an
    edit) changes its part only. A private answer (no `message_id`) replaces
    the whole answer with one part; after the reveal a late answer is one
    message and the next replaces it. `max_chars` bounds the whole answer: a
    write that would pass it changes nothing.
    """

    round_id: int
    member_id: int
    text: str
    source: AnswerSource
    submitted_at: datetime
    message_id: str | None = None
    max_chars: int | None = None


class AnswerChange(StrEnum):
    """What storing an answer's message did to the answer."""

    RECORDED = "recorded"  # the answer's first part (or the same message again)
    ADDED = "added"  # a further message became the answer's next part
    EDITED = "edited"  # an edited message changed its part, and only it
    REPLACED = "replaced"  # a private (or late) answer took the place of the whole answer
    TOO_LONG = "too_long"  # nothing changed: the answer would pass `max_chars`


@dataclass(frozen=True, slots=True)
class AnswerSaved:
    """What storing an answer did: the change, and the answer's parts and length after it.

    With TOO_LONG, `chars` is the length the answer would have had.
    """

    answer_id: int
    late: bool
    change: AnswerChange
    parts: int = 1
    chars: int = 0


class WithdrawOutcome(StrEnum):
    """What deleting a thread message did to its author's answer."""

    NOT_A_PART = "not_a_part"  # the message carried no part of an answer that may change
    PART_REMOVED = "part_removed"  # its part went; the rest of the answer stands
    WITHDRAWN = "withdrawn"  # it was the last part: the answer is gone
    CLOSED = "closed"  # it is part of an on-time answer whose round is closed: kept


@dataclass(frozen=True, slots=True)
class AnswerWithdrawn:
    """What deleting a thread message did, and how many parts the answer has left."""

    outcome: WithdrawOutcome
    parts_left: int = 0


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
    attempt: bool = True  # a real attempt (else no points, and the streak does not grow)


@dataclass(frozen=True, slots=True)
class MemberStats:
    """A member's running totals in one group."""

    member_id: int
    streak: int = 0
    best_streak: int = 0
    last_seq: int = 0  # the last revealed round the streak covers: answered, or bridged
    rounds_answered: int = 0
    coverage_sum: float = 0.0
    freezes: int = 0  # streak freezes held (earned every 7 answered rounds in a row)
    freezes_used: int = 0


@dataclass(frozen=True, slots=True)
class OpenStreak:
    """A member whose streak runs up to a group's latest revealed round, and who they are."""

    stats: MemberStats
    user_id: str
    display_name: str


class BridgeKind(StrEnum):
    """What kept a member's streak over a revealed round they did not answer."""

    FREEZE = "freeze"  # one of their streak freezes
    AWAY = "away"  # a day they said they would be away (no freeze used)


@dataclass(frozen=True, slots=True)
class StreakBridge:
    """A revealed round (its reveal number) a member's streak goes over without an answer."""

    member_id: int
    seq: int
    kind: BridgeKind


@dataclass(frozen=True, slots=True)
class AwayRange:
    """Local dates, first to last inclusive, a member said they are away from a group."""

    first: date
    last: date

    @property
    def days(self) -> int:
        """Return how many days the range holds."""
        return (self.last - self.first).days + 1


@dataclass(frozen=True, slots=True)
class RoundResult:
    """Everything a reveal writes, in one transaction.

    `stats` holds the members who answered and those a bridge kept the streak of;
    `bridges` every bridge of the round, kept or not (an away day is stored even
    without a streak to keep, so a recount that revives one keeps it too).
    """

    round_id: int
    scores: tuple[ScoreEntry, ...]
    stats: tuple[MemberStats, ...]
    bridges: tuple[StreakBridge, ...] = ()
    category: str | None = None  # the question's category, kept on the round


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
class RecapAnswer:
    """An on-time, graded answer of a revealed round, as a weekly recap counts it."""

    round_id: int
    local_date: date
    question_id: str
    reveal_message_id: str | None
    member_id: int
    display_name: str
    coverage: float
    helpful_votes: int


@dataclass(frozen=True, slots=True)
class ReminderRecipient:
    """A member to remind of a round, and the streak they would lose by missing it (or 0)."""

    member_id: int
    member: MemberRef
    streak: int


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
    """Where a question stands in a member's review schedule: an FSRS card.

    `state` is FSRS's (1 learning, 2 review, 3 relearning), `step` its learning
    step (None in review), `stability` in days and `difficulty` (1 to 10) its
    memory model; `last_review_at` is None before the first review.
    """

    question_id: str
    due_at: datetime
    attempts: int
    best_coverage: float
    state: int = 2
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    last_review_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReviewRating:
    """How a member rated their recall of one practice attempt, and the card before it.

    The rating first stands as the one their coverage suggests; pressing another
    button schedules the question again from `before` (None: never reviewed).
    """

    attempt_id: int
    member_id: int
    question_id: str
    coverage: float | None
    rating: int
    reviewed_at: datetime
    before: Review | None


@dataclass(frozen=True, slots=True)
class PracticeSummary:
    """A member's practice so far."""

    attempts: int
    answered: int
    average_coverage: float | None
    due_today: int  # reviews due by the end of the member's day
    due_week: int  # and by the end of the seventh day, today included


@dataclass(frozen=True, slots=True)
class VoteReaction:
    """One of a member's reactions that vote an answer helpful.

    `emoji` is the exact emoji (a skin tone makes another one); `burst` tells a
    platform's emphasised kind of the same reaction (Discord's super reaction)
    from the normal one. A member may hold several at once, all one vote.
    """

    emoji: str
    burst: bool = False


class AppealStatus(StrEnum):
    """Where an appeal stands."""

    OPEN = "open"
    CHANGED = "changed"  # an admin changed the grade
    KEPT = "kept"  # an admin kept the grade as it was


@dataclass(frozen=True, slots=True)
class Appeal:
    """A member's request that a human look at the grade of their answer."""

    id: int
    group_id: int
    answer_id: int
    note: str
    opened_at: datetime
    status: AppealStatus
    decided_by: str | None = None  # the deciding admin's name
    decided_at: datetime | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class AnswerUnderReview:
    """A revealed round's answer as an admin regrades it: whose, what, how it was graded."""

    answer_id: int
    round_id: int
    group_id: int
    question_id: str
    local_date: date
    revealed_at: datetime | None
    member_id: int
    member_user_id: str
    member_name: str
    text: str
    late: bool
    covered: tuple[bool, ...] | None  # None: not scored (the round is not revealed)
    coverage: float | None
    points: int | None
    attempt: bool
    regrades: int = 0  # how many times a human changed its grade


@dataclass(frozen=True, slots=True)
class RegradeWrite:
    """A human's new grade of an answer, and what they saw when they decided."""

    answer_id: int
    group_id: int
    member_id: int
    covered: tuple[bool, ...]
    attempt: bool
    seen_covered: tuple[bool, ...]  # the grade the decider saw: if it changed since, refused
    decided_by: int
    reason: str
    now: datetime
    appeal_id: int | None = None
    by_peers: bool = False  # three peer judges decided: the appeal names no decider


@dataclass(frozen=True, slots=True)
class RegradeNote:
    """A member's answer whose grade a human changed: its question, day and points then."""

    question_id: str
    local_date: date
    old_points: int
    new_points: int


@dataclass(frozen=True, slots=True)
class RegradeOutcome:
    """What a regrade did: the answer's points before and after, the boards it changed.

    Not `done` when someone decided first (`decided_by` and `decided_at` say who and
    when), or when a reveal of the group was scoring (`busy`).
    """

    done: bool
    old_points: int = 0
    new_points: int = 0
    periods: tuple[str, ...] = ()  # the leaderboards whose totals changed
    decided_by: str | None = None
    decided_at: datetime | None = None
    busy: bool = False  # refused: a reveal of the group is scoring; nothing was changed


@dataclass(frozen=True, slots=True)
class ArchiveLink:
    """A group's live web archive link: the SHA-256 of its token, never the token."""

    group_id: int
    token_hash: str
    created_at: datetime
    show_answers: bool


@dataclass(frozen=True, slots=True)
class ArchivedRound:
    """A revealed round as the web archive lists it, with its on-time answers counted."""

    round_id: int
    local_date: date
    question_id: str
    category: str | None
    answered: int
