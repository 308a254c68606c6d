"""What every area of the in-memory store shares: its dicts, the owner of leases, reads.

The areas (groups, rounds, answers, scores, practice) are mixins over this base,
combined in `tests.services.memory_store.MemoryStore` as `SqlStore` combines its
record classes over `StoreBase`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from datetime import datetime
from typing import Any, TypeVar, overload

from bot.model import Group, Round
from bot.records import (
    Appeal,
    AwayRange,
    MemberAnswer,
    MemberStats,
    PracticeAttempt,
    Review,
    ReviewRating,
    StreakBridge,
    VoteReaction,
)
from bot.store.answer_parts import Part

__all__ = ["MemoryBase"]

T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")
D = TypeVar("D")
E = TypeVar("E")


class MemoryBase:
    """The store's tables as dicts, and the reads every area runs."""

    def __init__(self, owner: str = "local") -> None:
        self.owner = owner  # this process, as named in the leases it takes on rounds
        self.groups: dict[int, Group] = {}
        # (platform, user id) -> (member id, display name on record)
        self.members: dict[tuple[str, str], tuple[int, str]] = {}
        self.rounds: dict[int, Round] = {}
        self.round_categories: dict[int, str | None] = {}  # a revealed round's category
        self.answers: dict[tuple[int, int], MemberAnswer] = {}  # (round id, member id) ->
        self.parts: dict[int, list[Part]] = {}  # answer id -> its parts, in order
        # answer, voter, the message (part) reacted to, the reaction
        self.reactions: set[tuple[int, int, str, VoteReaction]] = set()
        self.told_closed_to: set[tuple[int, int]] = set()  # (round id, member id)
        # (platform, user id) -> (when their DMs were refused, when to try them again)
        self.private_closed: dict[tuple[str, str], tuple[datetime, datetime]] = {}
        # (group id, period, member id) -> (points, when the latest points came)
        self.totals: dict[tuple[int, str, int], tuple[int, datetime]] = {}
        self.stats: dict[tuple[int, int], MemberStats] = {}  # (group id, member id) ->
        self.attempts: dict[int, PracticeAttempt] = {}
        self.review_rows: dict[tuple[int, str], Review] = {}
        self.ratings: dict[int, ReviewRating] = {}
        self.held_back: set[str] = set()
        self.appeals: dict[int, Appeal] = {}
        # appeal id -> its peer judges' member ids -> (vote, when): None until they vote
        self.judges: dict[int, dict[int, tuple[str, datetime] | None]] = {}
        self.passed_on: dict[int, datetime] = {}  # a peer appeal passed to the admins: when
        self.attempt_of: dict[int, bool] = {}  # answer id -> counted as a real attempt (scored)
        self.regrade_counts: dict[int, int] = {}  # answer id -> times a human changed its grade
        # answer id -> (member id, when) of the latest human who changed its grade
        self.last_regrade: dict[int, tuple[int, datetime]] = {}
        # answer id -> its points before and after the latest regrade
        self.regrade_points: dict[int, tuple[int, int]] = {}
        # (round id, member id) -> the question, the note and when of their problem report
        self.reports: dict[tuple[int, int], tuple[str, str, datetime]] = {}
        # (group id, member id) -> their away ranges; their streak bridges, by round's seq
        self.away: dict[tuple[int, int], list[AwayRange]] = {}
        self.bridges: dict[tuple[int, int, int], StreakBridge] = {}

    def name_of(self, member_id: int) -> str:
        """Return the display name on record of a member."""
        return next(name for mid, name in self.members.values() if mid == member_id)

    def user_id_of(self, member_id: int) -> str:
        """Return the platform user id on record of a member."""
        return next(uid for (_, uid), (mid, _) in self.members.items() if mid == member_id)

    def votes_on(self, answer_id: int) -> int:
        """Return how many members vote an answer helpful (one each, however many reactions)."""
        return len({voter for a, voter, _, _ in self.reactions if a == answer_id})

    # -- independent reads -----------------------------------------------------

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

    async def together(self, *reads: Awaitable[Any]) -> tuple[Any, ...]:
        """Await the reads in order and return their results."""
        return tuple(await self.each(reads))

    async def each(self, reads: Iterable[Awaitable[T]]) -> list[T]:
        """Await the reads in order and return their results."""
        return [await read for read in reads]
