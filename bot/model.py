"""The domain model: frozen, typed values shared by the core and the adapters."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

__all__ = [
    "AllOf",
    "AnswerSource",
    "ChannelRef",
    "CodeTest",
    "Difficulty",
    "Group",
    "GroupSettings",
    "KeyPoint",
    "MemberRef",
    "MessageRef",
    "PostedRound",
    "Question",
    "Round",
    "RoundStatus",
    "WrongSolution",
]


class Difficulty(enum.StrEnum):
    """How hard a question is."""

    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


@dataclass(frozen=True, slots=True)
class AllOf:
    """Words that must meet in one clause: one phrase of each group of alternatives.

    `(("max_features", "features per split"), ("decorrelate", "less alike"))` is
    covered by a clause that names the subject and says what is claimed of it.
    """

    groups: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class KeyPoint:
    """One claim a good answer makes, with what recognises it in an answer.

    Any one `match` rule covers it: a phrase, or an AllOf whose groups meet in
    one clause. A clause that states one of the `against` phrases (the contrary
    claim) gives no credit. `not_covered_by` holds answers that commit a pitfall
    the point warns about: the content lint checks that none of them covers it.
    """

    text: str
    match: tuple[str | AllOf, ...]
    against: tuple[str, ...] = ()
    not_covered_by: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CodeTest:
    """One call of a coding question's function and its expected result."""

    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...]
    expected: Any
    compare: str = "approx"
    raises: str | None = None  # an exception class name: the call must raise it instead


@dataclass(frozen=True, slots=True)
class WrongSolution:
    """A plausible but wrong solution of a coding question: some test must fail it."""

    why: str  # the mistake, in one line
    code: str


@dataclass(frozen=True, slots=True)
class Question:
    """An interview question of the bank."""

    id: str
    category: str
    difficulty: Difficulty
    topics: tuple[str, ...]
    tags: tuple[str, ...]
    prompt: str
    hint: str
    answer: str
    key_points: tuple[KeyPoint, ...]
    follow_ups: tuple[str, ...] = ()
    signature: str | None = None
    solution: str | None = None
    tests: tuple[CodeTest, ...] = ()
    wrong_solutions: tuple[WrongSolution, ...] = ()  # lint fixtures, never shown
    # Lint fixtures, never shown: fluent answers that get every key point wrong
    # (none may cover one), and correct answers in other words than the
    # reference (each must cover every key point).
    wrong_answers: tuple[str, ...] = ()
    paraphrases: tuple[str, ...] = ()
    category_title: str = ""  # how its category is shown (`NLP`), from the syllabus


@dataclass(frozen=True, slots=True)
class MemberRef:
    """A person on a platform, as the adapter saw them in one event."""

    platform: str
    user_id: str
    display_name: str
    can_manage: bool = False


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """A channel (and optionally a thread in it) on a platform."""

    platform: str
    workspace_id: str
    channel_id: str
    thread_id: str | None = None

    def channel(self) -> ChannelRef:
        """Return the same place without its thread."""
        if self.thread_id is None:
            return self
        return ChannelRef(self.platform, self.workspace_id, self.channel_id)


@dataclass(frozen=True, slots=True)
class MessageRef:
    """A message that was posted, so that it can be edited later."""

    place: ChannelRef
    message_id: str


@dataclass(frozen=True, slots=True)
class PostedRound:
    """Where a round's question was posted and where its answers are collected."""

    message: MessageRef
    thread: ChannelRef


@dataclass(frozen=True, slots=True)
class GroupSettings:
    """How one channel runs its daily round."""

    post_time: time = time(9, 0)
    timezone: str = "UTC"
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday is 0
    categories: tuple[str, ...] = ()  # empty: every category
    difficulty_mix: tuple[tuple[str, int], ...] = (("easy", 1), ("medium", 2), ("hard", 1))
    reveal_after: timedelta | None = timedelta(hours=23)
    reveal_time: time | None = None  # when set, wins over reveal_after
    paused: bool = False
    admins: tuple[str, ...] = ()  # platform user ids allowed admin commands
    founder: str | None = None  # the platform user id of the member who set the group up
    blocked: str | None = None  # why posting stopped (the platform refused); cleared on resume
    appeals: str = "admins"  # who decides appeals: the admins, or three peers (`peers`)
    recap: bool = True  # a recap of last week before the week's first question
    holidays: frozenset[date] = frozenset()  # local dates with no question
    # How long before the reveal members who have not answered get a private reminder
    # (None: no reminders).
    remind_before: timedelta | None = timedelta(hours=2)

    @property
    def zone(self) -> ZoneInfo:
        """Return the group's time zone."""
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class Group:
    """A study group: one channel and its settings."""

    id: int
    channel: ChannelRef
    settings: GroupSettings = field(default_factory=GroupSettings)


class RoundStatus(enum.StrEnum):
    """Where a round is in its life."""

    POSTING = "posting"  # claimed; the platform call is under way
    RETRY = "retry"  # the last post attempt failed; it will be tried again
    OPEN = "open"  # posted; answers are collected
    REVEALING = "revealing"  # the reveal is claimed; answers are now late
    REVEALED = "revealed"
    FAILED = "failed"  # gave up posting
    SKIPPED = "skipped"  # an admin skipped it
    MISSED = "missed"  # its time passed while the bot was down, beyond the grace window


@dataclass(frozen=True, slots=True)
class Round:
    """One daily question in one group."""

    id: int
    group_id: int
    local_date: date
    question_id: str
    status: RoundStatus
    scheduled_for: datetime
    reveal_at: datetime | None = None
    posted_at: datetime | None = None
    revealed_at: datetime | None = None
    reveal_seq: int | None = None
    attempts: int = 0
    last_error: str | None = None
    message_id: str | None = None
    thread_id: str | None = None
    reveal_message_id: str | None = None
    lease_owner: str | None = None  # the process doing the round's current step
    lease_until: datetime | None = None  # after which another process may take it over


class AnswerSource(enum.StrEnum):
    """Where an answer came from."""

    THREAD = "thread"
    PRIVATE = "private"
