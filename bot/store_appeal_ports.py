"""The store calls appeals, regrades and peer judges need, as narrow Protocols.

Beside `bot.store_ports` (the other use-cases' ports), in the same spirit: each
service names just what it uses, so it can be tested against an in-memory fake.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Protocol

from bot.model import Group, MemberRef, Round
from bot.records import (
    AnswerUnderReview,
    Appeal,
    RegradeOutcome,
    RegradeWrite,
)
from bot.recount import RecountOf

__all__ = ["AppealScheduler", "AppealStore", "PeerStore"]


class PeerStore(Protocol):
    """The store calls peer judges need."""

    async def add_judges(self, appeal_id: int, judge_ids: Sequence[int]) -> None:
        """Record the members asked to judge an appeal."""
        ...

    async def answer_by_id(self, answer_id: int) -> AnswerUnderReview | None:
        """Return an answer by id, as an admin regrades it."""
        ...

    async def appeal(self, appeal_id: int) -> Appeal | None:
        """Return an appeal by id."""
        ...

    async def cast_vote(
        self, appeal_id: int, judge_id: int, covered: str, now: datetime
    ) -> list[str] | None:
        """Record a judge's vote on an open appeal; return every vote cast, None if refused."""
        ...

    async def judges_votes(self, appeal_id: int) -> dict[int, str | None]:
        """Return an appeal's judges (member id) and their votes (None: not cast yet)."""
        ...

    async def member_id(self, member: MemberRef) -> int:
        """Return the id of a member, recording them (or their new name) if needed."""
        ...

    async def peer_candidates(self, round_id: int, appellant_id: int) -> list[tuple[int, str]]:
        """Return (member id, user id) of who may judge an appeal: the round's on-time attempts."""
        ...


class AppealStore(PeerStore, Protocol):
    """The store calls appeals and regrades need (peer judges' too)."""

    async def answer_by_id(self, answer_id: int) -> AnswerUnderReview | None:
        """Return an answer by id, as an admin regrades it."""
        ...

    async def answer_under_review(self, round_id: int, member_id: int) -> AnswerUnderReview | None:
        """Return a member's answer to a round, as an admin regrades it."""
        ...

    async def appeal(self, appeal_id: int) -> Appeal | None:
        """Return an appeal by id."""
        ...

    async def appeal_of_answer(self, answer_id: int) -> Appeal | None:
        """Return the appeal of an answer, if it was appealed."""
        ...

    async def get_round(self, round_id: int) -> Round | None:
        """Return a round by id."""
        ...

    async def get_group(self, group_id: int) -> Group | None:
        """Return a group by id."""
        ...

    async def keep_grade(
        self, appeal_id: int, decided_by: int | None, reason: str, now: datetime
    ) -> Appeal | None:
        """Close an appeal with the grade kept; None if it was decided already."""
        ...

    async def latest_revealed_round(self, group_id: int) -> Round | None:
        """Return the group's most recently revealed round."""
        ...

    async def member_id(self, member: MemberRef) -> int:
        """Return the id of a member, recording them (or their new name) if needed."""
        ...

    async def open_appeal(
        self, answer_id: int, group_id: int, note: str, now: datetime
    ) -> Appeal | None:
        """Record a member's appeal of their answer's grade; None if it was appealed before."""
        ...

    async def open_appeals(self, group_id: int) -> list[Appeal]:
        """Return a group's undecided appeals, oldest first."""
        ...

    async def pass_to_admins(self, appeal_id: int, now: datetime) -> bool:
        """Mark an open peer appeal as passed to the admins; False if it was, or was decided."""
        ...

    async def regrade(
        self,
        write: RegradeWrite,
        recount_of: RecountOf,
        periods_of: Callable[[date, str | None], tuple[str, ...]],
    ) -> RegradeOutcome:
        """Give an answer a human's grade and rescore what follows; refused if decided first."""
        ...

    async def round_on(self, group_id: int, local_date: date) -> Round | None:
        """Return the group's round of a local date, whatever its status."""
        ...

    async def waiting_peer_appeals(self) -> list[Appeal]:
        """Return the open appeals judged by peers that were not passed to the admins."""
        ...


class AppealScheduler(Protocol):
    """Arms the job that passes a peer appeal to the admins (`bot.jobs.JobScheduler` does)."""

    def arm_appeal(self, appeal_id: int, at: datetime) -> None:
        """Schedule the check of a peer appeal that may still be undecided then."""
        ...
