"""The store calls each use-case needs, as narrow Protocols (the repository ports).

Every service names only what it uses, so a service can be tested against a
small in-memory fake of its port; `SqlStore` implements them all on SQLite
and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from datetime import date, datetime
from typing import Protocol, TypeVar, overload

from bot.model import ChannelRef, Group, GroupSettings, MemberRef, Round, RoundStatus
from bot.question_figures import RoundTally
from bot.records import (
    AnswerSaved,
    AnswerWithdrawn,
    AnswerWrite,
    AwayRange,
    MemberAnswer,
    MemberStats,
    PracticeAttempt,
    PracticeSummary,
    RegradeNote,
    Review,
    ReviewRating,
    RoundResult,
    Standing,
    VoteReaction,
)
from bot.store_streak_ports import StreakStore

__all__ = [
    "AnswerStore",
    "FeedbackStore",
    "GroupStore",
    "PracticeStore",
    "PrivateStore",
    "QuestionStatsStore",
    "RoundStore",
    "StandingsStore",
    "VoteStore",
]

T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")
D = TypeVar("D")
E = TypeVar("E")


class AnswerStore(Protocol):
    """The store calls answers need."""

    async def current_round(self, group_id: int) -> Round | None:
        """Return the group's newest round that is open for answers."""
        ...

    async def get_round(self, round_id: int) -> Round | None:
        """Return a round by id."""
        ...

    async def member_answer(self, round_id: int, member_id: int) -> MemberAnswer | None:
        """Return a member's answer to a round."""
        ...

    async def member_id(self, member: MemberRef) -> int:
        """Return the id of a member, recording them (or their new name) if needed."""
        ...

    async def round_by_thread(self, group_id: int, thread_id: str) -> Round | None:
        """Return the group's round whose answers are collected in a thread."""
        ...

    async def save_answer(self, answer: AnswerWrite) -> AnswerSaved | None:
        """Store an answer's message (a part of it, or all of it), durably, before returning.

        None if the member's answer can no longer change (on time, and the round closed).
        """
        ...

    async def told_closed(self, round_id: int, member_id: int) -> bool:
        """Record that a member was told the round's answers are closed; True the first time."""
        ...

    async def withdraw_part(
        self, round_id: int, member_id: int, message_id: str, now: datetime
    ) -> AnswerWithdrawn:
        """Take a deleted message's part out of the member's answer (the last part: all of it)."""
        ...


class VoteStore(Protocol):
    """The store calls helpful votes need."""

    async def clear_votes(self, group_id: int, message_id: str, emoji: str | None = None) -> int:
        """Take back the reactions on a message of an answer: all, or one emoji's."""
        ...

    async def member_id(self, member: MemberRef) -> int:
        """Return the id of a member, recording them (or their new name) if needed."""
        ...

    async def set_vote(
        self,
        group_id: int,
        message_id: str,
        voter_id: int,
        reaction: VoteReaction,
        helpful: bool,
        now: datetime,
    ) -> bool:
        """Add (or take back) a reaction that votes an answer helpful; True if the vote changed."""
        ...


class FeedbackStore(Protocol):
    """The store calls hints and feedback need."""

    async def get_round(self, round_id: int) -> Round | None:
        """Return a round by id."""
        ...

    async def latest_revealed_round(self, group_id: int) -> Round | None:
        """Return the group's most recently revealed round."""
        ...

    async def member_answer(self, round_id: int, member_id: int) -> MemberAnswer | None:
        """Return a member's answer to a round."""
        ...

    async def member_id(self, member: MemberRef) -> int:
        """Return the id of a member, recording them (or their new name) if needed."""
        ...


class GroupStore(Protocol):
    """The store calls setting groups up and changing them need."""

    async def create_group(self, channel: ChannelRef, settings: GroupSettings) -> Group | None:
        """Create the group of a channel; None when the channel already has one."""
        ...

    async def group_for_channel(self, channel: ChannelRef) -> Group | None:
        """Return the group of a channel, if it was set up."""
        ...

    async def save_settings(self, group_id: int, settings: GroupSettings) -> None:
        """Replace a group's settings."""
        ...


class PracticeStore(Protocol):
    """The store calls practice needs."""

    async def finish_practice(
        self,
        attempt_id: int,
        now: datetime,
        coverage: float | None,
        review: Review | None,
        member_id: int,
        rating: ReviewRating | None = None,
    ) -> None:
        """Record a practice answer (or a give-up), the question's next review and its rating."""
        ...

    async def latest_practice(self, member_id: int) -> PracticeAttempt | None:
        """Return the member's most recent practice question."""
        ...

    async def member_id(self, member: MemberRef) -> int:
        """Return the id of a member, recording them (or their new name) if needed."""
        ...

    async def practice_hinted(self, attempt_id: int) -> None:
        """Record that the member asked for the hint."""
        ...

    async def questions_held_back(
        self, member_id: int, platform: str, workspace_id: str, revealed_since: datetime
    ) -> set[str]:
        """Return the questions practice must not give a member now."""
        ...

    async def review(self, member_id: int, question_id: str) -> Review | None:
        """Return where one question stands in a member's review schedule."""
        ...

    async def reviews(self, member_id: int) -> dict[str, Review]:
        """Return the member's review schedule, by question id."""
        ...

    async def review_rating(self, attempt_id: int) -> ReviewRating | None:
        """Return how the member rated one practice attempt (None: not rated)."""
        ...

    async def rerate(self, rating: ReviewRating, review: Review) -> bool:
        """Change an attempt's rating and the review it gave; False if reviewed again since."""
        ...

    async def start_practice(
        self, member_id: int, group_id: int | None, question_id: str, now: datetime
    ) -> PracticeAttempt:
        """Record that a member took a practice question, in place of one left unfinished."""
        ...


class PrivateStore(Protocol):
    """The store calls private messages need: whose direct messages are closed, until when."""

    async def closed_private(
        self, platform: str, user_ids: Iterable[str], now: datetime
    ) -> frozenset[str]:
        """Return those of `user_ids` whose direct messages are closed, not to be tried at `now`."""
        ...

    async def mark_private_closed(
        self, platform: str, user_id: str, closed_at: datetime, retry_after: datetime
    ) -> None:
        """Note a member whose DMs were refused at `closed_at`; try them after `retry_after`."""
        ...


class StandingsStore(Protocol):
    """The store calls leaderboards and stats need."""

    async def groups_scored_in(
        self, member_id: int, platform: str, workspace_id: str
    ) -> list[Group]:
        """Return the groups of one workspace in which the member has been scored."""
        ...

    async def latest_revealed_round(self, group_id: int) -> Round | None:
        """Return the group's most recently revealed round."""
        ...

    async def member_history(self, group_id: int, member_id: int) -> list[tuple[str, float, int]]:
        """Return (question id, coverage, points) of a member's real attempts scored in a group."""
        ...

    async def member_id(self, member: MemberRef) -> int:
        """Return the id of a member, recording them (or their new name) if needed."""
        ...

    async def away_ranges(self, group_id: int, member_id: int) -> list[AwayRange]:
        """Return a member's away ranges in a group, past ones too, earliest first."""
        ...

    async def member_stats(
        self, group_id: int, member_ids: Iterable[int]
    ) -> dict[int, MemberStats]:
        """Return the running totals of these members in a group (missing: none yet)."""
        ...

    async def practice_summary(
        self, member_id: int, today_end: datetime, week_end: datetime
    ) -> PracticeSummary:
        """Return how much a member has practised, and how many reviews are due today and week."""
        ...

    async def regraded_answers(
        self, group_id: int, member_id: int, limit: int = 5
    ) -> list[RegradeNote]:
        """Return a member's answers in a group that a human regraded, the latest days first."""
        ...

    async def standing_of(self, group_id: int, period: str, member_id: int) -> Standing | None:
        """Return a member's place on a group's leaderboard for a period."""
        ...

    async def top_scores(
        self, group_id: int, period: str, limit: int = 10, offset: int = 0
    ) -> list[Standing]:
        """Return the leaders of a group's leaderboard for a period, skipping the first `offset`."""
        ...

    async def board_size(self, group_id: int, period: str) -> int:
        """Return how many members are on a group's leaderboard for a period."""
        ...

    async def board_figures(
        self,
        group_id: int,
        days: tuple[str, str] | None,
        member_ids: Iterable[int],
        category: str | None = None,
    ) -> dict[int, tuple[int, float]]:
        """Return (rounds answered, coverage sum) of these members in a group's period.

        `category`: counting the rounds of that category only.
        """
        ...

    @overload
    async def together(self, a: Awaitable[A], b: Awaitable[B], /) -> tuple[A, B]: ...

    @overload
    async def together(
        self, a: Awaitable[A], b: Awaitable[B], c: Awaitable[C], /
    ) -> tuple[A, B, C]: ...

    @overload
    async def together(
        self,
        a: Awaitable[A],
        b: Awaitable[B],
        c: Awaitable[C],
        d: Awaitable[D],
        e: Awaitable[E],
        /,
    ) -> tuple[A, B, C, D, E]: ...

    async def each(self, reads: Iterable[Awaitable[T]]) -> list[T]:
        """Run independent reads of one kind and return their results in order."""
        ...


class RoundStore(StreakStore, Protocol):
    """The store calls a round's life needs: claims, posts, reveals, scores, recovery."""

    async def asked_questions(self, group_id: int) -> list[str]:
        """Return the question ids the group was asked, oldest first."""
        ...

    async def claim_reveal(
        self, round_id: int, now: datetime, lease_until: datetime
    ) -> Round | None:
        """Start revealing an open round (answers become late); None if not open."""
        ...

    async def claim_round(
        self,
        group_id: int,
        local_date: date,
        question_id: str,
        scheduled_for: datetime,
        status: RoundStatus = RoundStatus.POSTING,
        lease_until: datetime | None = None,
    ) -> Round | None:
        """Create the group's round of a local date; None if that date is taken already."""
        ...

    async def current_round(self, group_id: int) -> Round | None:
        """Return the group's newest round that is open for answers."""
        ...

    async def get_group(self, group_id: int) -> Group | None:
        """Return a group by id."""
        ...

    async def get_round(self, round_id: int) -> Round | None:
        """Return a round by id."""
        ...

    async def list_groups(self) -> list[Group]:
        """Return every group."""
        ...

    async def member_stats(
        self, group_id: int, member_ids: Iterable[int]
    ) -> dict[int, MemberStats]:
        """Return the running totals of these members in a group (missing: none yet)."""
        ...

    async def retake_round(self, round_id: int, lease_until: datetime) -> Round | None:
        """Claim a round waiting for another post attempt; None if another took it."""
        ...

    async def reveal_posted(self, round_id: int, message_id: str) -> None:
        """Record the message that revealed a round."""
        ...

    async def round_answers(self, round_id: int) -> list[MemberAnswer]:
        """Return a round's answers with their authors, in order of submission."""
        ...

    async def round_on(self, group_id: int, local_date: date) -> Round | None:
        """Return the group's round of a local date, whatever its status."""
        ...

    async def round_post_failed(
        self, round_id: int, error: str, retry_at: datetime | None = None
    ) -> None:
        """Record a failed post attempt: retried at `retry_at` by any process, or given up."""
        ...

    async def round_posted(
        self,
        round_id: int,
        message_id: str,
        thread_id: str,
        posted_at: datetime,
        reveal_at: datetime,
    ) -> bool:
        """Record that a round is on the platform and open; False if it left `posting`."""
        ...

    async def rounds_in(self, statuses: Iterable[RoundStatus]) -> list[Round]:
        """Return every round in one of these statuses, oldest first."""
        ...

    async def save_settings(self, group_id: int, settings: GroupSettings) -> None:
        """Replace a group's settings."""
        ...

    async def save_round_result(self, result: RoundResult) -> bool:
        """Write a reveal's scores, stats and totals, and mark the round revealed."""
        ...

    async def set_round_status(
        self, round_id: int, expected: RoundStatus, status: RoundStatus, note: str | None = None
    ) -> bool:
        """Move a round from one status to another; False if it was not in `expected`."""
        ...

    async def take_lease(
        self, round_id: int, status: RoundStatus, now: datetime, until: datetime
    ) -> Round | None:
        """Take over a round's current step if its lease is ours or has run out."""
        ...

    async def top_scores(self, group_id: int, period: str, limit: int = 10) -> list[Standing]:
        """Return the leaders of a group's leaderboard for a period."""
        ...

    async def unfinished_rounds(self, now: datetime, include_own: bool) -> list[Round]:
        """Return rounds stuck mid-step whose lease ran out (or, if `include_own`, is ours)."""
        ...


class QuestionStatsStore(Protocol):
    """What question stats and problem reports use."""

    async def active_members(self, group_id: int, since: date) -> int:
        """Return how many members answered (on time or late) a round revealed since `since`."""

    async def get_round(self, round_id: int) -> Round | None:
        """Return a round by id."""

    async def member_id(self, member: MemberRef) -> int:
        """Return the member's id, creating the member on first sight."""

    async def round_tallies(self, group_id: int, since: date) -> list[RoundTally]:
        """Return the group's rounds revealed with a date from `since` on, newest first."""

    async def save_report(
        self, round_id: int, member_id: int, question_id: str, note: str, now: datetime
    ) -> bool:
        """Record a member's report on a round's question; True if it replaced their earlier one."""
