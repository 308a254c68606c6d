"""The store, written once in SQL that SQLite and PostgreSQL both run."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any, TypeVar, overload

from bot.clock import Clock, from_micros, to_micros
from bot.group_settings import settings_from_json, settings_to_json
from bot.markup import visible_name
from bot.model import (
    ChannelRef,
    Group,
    GroupSettings,
    MemberRef,
    Round,
    RoundStatus,
)
from bot.store.database import Database, Executor, Params, Row, take_turns
from bot.store.group_commit import GroupCommit
from bot.store.migrations import SCORE_HOUR, migrate
from bot.store.records import (
    AnswerSaved,
    AnswerWrite,
    MemberAnswer,
    MemberStats,
    PracticeAttempt,
    PracticeSummary,
    Review,
    RoundResult,
    Standing,
    VoteReaction,
)

__all__ = ["ROUND_COLUMNS", "SqlStore"]

_NAME_CHARS = 100  # a display name is stored this long at most (Discord's: 32, Slack's: 80)

log = logging.getLogger(__name__)

T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")
D = TypeVar("D")
E = TypeVar("E")

ROUND_COLUMNS = (
    "id, group_id, local_date, question_id, status, scheduled_for, reveal_at, posted_at,"
    " revealed_at, reveal_seq, attempts, last_error, message_id, thread_id, reveal_message_id,"
    " lease_owner, lease_until"
)
# Advisory lock keys (PostgreSQL) of a group's reveals: this base plus the group id.
_REVEAL_LOCK = 0x5717_0000_0000
# Statuses whose round used up its question (for "no repeat until exhausted").
_ASKED = ("posting", "retry", "open", "revealing", "revealed")


def _t(value: int | None) -> datetime | None:
    return None if value is None else from_micros(value)


def _round(row: Row) -> Round:
    return Round(
        id=row["id"],
        group_id=row["group_id"],
        local_date=date.fromisoformat(row["local_date"]),
        question_id=row["question_id"],
        status=RoundStatus(row["status"]),
        scheduled_for=from_micros(row["scheduled_for"]),
        reveal_at=_t(row["reveal_at"]),
        posted_at=_t(row["posted_at"]),
        revealed_at=_t(row["revealed_at"]),
        reveal_seq=row["reveal_seq"],
        attempts=row["attempts"],
        last_error=row["last_error"],
        message_id=row["message_id"],
        thread_id=row["thread_id"],
        reveal_message_id=row["reveal_message_id"],
        lease_owner=row["lease_owner"],
        lease_until=_t(row["lease_until"]),
    )


def _group(row: Row) -> Group:
    channel = ChannelRef(row["platform"], row["workspace_id"], row["channel_id"])
    return Group(row["id"], channel, settings_from_json(row["settings"]))


def _covered_text(covered: Sequence[bool]) -> str:
    return "".join("1" if c else "0" for c in covered)


def _covered(text: str | None) -> tuple[bool, ...] | None:
    return None if text is None else tuple(ch == "1" for ch in text)


def _member_answer(row: Row) -> MemberAnswer:
    return MemberAnswer(
        row["id"],
        row["member_id"],
        row["display_name"],
        row["text"],
        bool(row["late"]),
        from_micros(row["submitted_at"]),
        row["coverage"],
        _covered(row["covered"]),
        row["points"],
        row["helpful_votes"],
    )


_ANSWER_COLUMNS = (
    "a.id, a.member_id, m.display_name, a.text, a.late, a.submitted_at, a.coverage,"
    " a.covered, a.points, (SELECT COUNT(*) FROM votes v WHERE v.answer_id = a.id)"
    " AS helpful_votes"
)
# The on-time answer a message (:msg) carries in a group's (:g) open round: what votes are for.
_VOTABLE = (
    "SELECT a.id FROM answers a JOIN rounds r ON r.id = a.round_id"
    " WHERE r.group_id = :g AND r.status = 'open' AND a.message_id = :msg AND a.late = 0"
)
_REVIEW_COLUMNS = "question_id, box, due_at, attempts, best_coverage"


def _review(row: Row) -> Review:
    return Review(
        row["question_id"],
        row["box"],
        from_micros(row["due_at"]),
        row["attempts"],
        row["best_coverage"],
    )


def _stats(row: Row) -> MemberStats:
    return MemberStats(
        row["member_id"],
        row["streak"],
        row["best_streak"],
        row["last_seq"],
        row["rounds_answered"],
        row["coverage_sum"],
    )


def _attempt(row: Row) -> PracticeAttempt:
    return PracticeAttempt(
        row["id"],
        row["member_id"],
        row["question_id"],
        from_micros(row["started_at"]),
        bool(row["hinted"]),
        bool(row["revealed"]),
        _t(row["answered_at"]),
        row["coverage"],
    )


class SqlStore:
    """Groups, rounds, answers, scores and practice, in a SQL database."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        group_cache_seconds: float = 5.0,
        owner: str = "local",
    ) -> None:
        self.db = db
        self.owner = owner  # this process, as named in the leases it takes on rounds
        self._clock = clock
        self._members: dict[tuple[str, str], tuple[int, str]] = {}
        # Every event looks its channel's group up; settings change rarely. Changes made
        # here are seen at once, changes made by another replica within a few seconds.
        self._groups: dict[tuple[str, str, str], tuple[float, Group | None]] = {}
        self._group_cache_seconds = group_cache_seconds
        self._group_lookups: dict[tuple[str, str, str], asyncio.Future[Group | None]] = {}
        self._answers: GroupCommit[AnswerWrite, AnswerSaved | None] = GroupCommit(
            self._write_answers
        )

    async def migrate(self) -> list[int]:
        """Bring the schema up to date; return the migrations applied."""
        return await migrate(self.db, self._clock)

    # -- independent reads -----------------------------------------------------

    @overload
    async def together(self, a: Awaitable[A], b: Awaitable[B], /) -> tuple[A, B]: ...

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
        """Run independent reads and return their results in order."""
        return tuple(await self.each(reads))

    async def each(self, reads: Iterable[Awaitable[T]]) -> list[T]:
        """Run independent reads of one kind and return their results in order.

        On PostgreSQL they are issued at once (the pool serves them in parallel);
        on SQLite one after the other, so that quick reads finish on the event
        loop without giving it up (other work would run in between and add its
        time to this command's).
        """
        pending = list(reads)
        if self.db.parallel_reads:
            return list(await asyncio.gather(*pending))
        results: list[T] = []
        try:
            for read in pending:
                results.append(await read)
        finally:
            for left in pending[len(results) + 1 :]:  # a read failed: the rest never ran
                if inspect.iscoroutine(left):
                    left.close()
        return results

    async def close(self) -> None:
        """Finish pending writes and close the database."""
        await self._answers.drain()
        await self.db.close()

    # -- groups ---------------------------------------------------------------

    async def create_group(self, channel: ChannelRef, settings: GroupSettings) -> Group | None:
        """Create the group of a channel; None when the channel already has one."""
        row = await self._write_fetchrow(
            "INSERT INTO groups (platform, workspace_id, channel_id, settings, created_at)"
            " VALUES (:p, :w, :c, :s, :t)"
            " ON CONFLICT (platform, workspace_id, channel_id) DO NOTHING"
            " RETURNING id, platform, workspace_id, channel_id, settings",
            {
                "p": channel.platform,
                "w": channel.workspace_id,
                "c": channel.channel_id,
                "s": settings_to_json(settings),
                "t": to_micros(self._clock.now()),
            },
        )
        self._groups.clear()
        return None if row is None else _group(row)

    async def group_for_channel(self, channel: ChannelRef) -> Group | None:
        """Return the group of a channel, if it was set up."""
        key = (channel.platform, channel.workspace_id, channel.channel_id)
        cached = self._groups.get(key)
        if cached is not None and time.monotonic() - cached[0] < self._group_cache_seconds:
            return cached[1]
        # Events arriving together for a channel share one lookup (no stampede on expiry).
        lookup = self._group_lookups.get(key)
        if lookup is None:
            lookup = asyncio.ensure_future(self._load_group(channel))
            self._group_lookups[key] = lookup
            lookup.add_done_callback(lambda _: self._group_lookups.pop(key, None))
        return await asyncio.shield(lookup)

    async def _load_group(self, channel: ChannelRef) -> Group | None:
        row = await self.db.fetchrow(
            "SELECT id, platform, workspace_id, channel_id, settings FROM groups"
            " WHERE platform = :p AND workspace_id = :w AND channel_id = :c",
            {"p": channel.platform, "w": channel.workspace_id, "c": channel.channel_id},
        )
        group = None if row is None else _group(row)
        key = (channel.platform, channel.workspace_id, channel.channel_id)
        self._groups[key] = (time.monotonic(), group)
        return group

    async def get_group(self, group_id: int) -> Group | None:
        """Return a group by id."""
        row = await self.db.fetchrow(
            "SELECT id, platform, workspace_id, channel_id, settings FROM groups WHERE id = :id",
            {"id": group_id},
        )
        return None if row is None else _group(row)

    async def list_groups(self) -> list[Group]:
        """Return every group."""
        rows = await self.db.fetch(
            "SELECT id, platform, workspace_id, channel_id, settings FROM groups ORDER BY id"
        )
        return [_group(r) for r in rows]

    async def groups_scored_in(
        self, member_id: int, platform: str, workspace_id: str
    ) -> list[Group]:
        """Return the groups of one workspace in which the member has been scored."""
        rows = await self.db.fetch(
            "SELECT g.id, g.platform, g.workspace_id, g.channel_id, g.settings FROM groups g"
            " JOIN member_stats s ON s.group_id = g.id AND s.member_id = :member"
            " WHERE g.platform = :platform AND g.workspace_id = :workspace ORDER BY g.id",
            {"member": member_id, "platform": platform, "workspace": workspace_id},
        )
        return [_group(r) for r in rows]

    async def save_settings(self, group_id: int, settings: GroupSettings) -> None:
        """Replace a group's settings."""
        await self.db.execute(
            "UPDATE groups SET settings = :s WHERE id = :id",
            {"s": settings_to_json(settings), "id": group_id},
        )
        self._groups.clear()

    # -- members --------------------------------------------------------------

    async def member_id(self, member: MemberRef) -> int:
        """Return the id of a member, recording them (or their new name) if needed.

        An empty display name means the platform did not say (a reaction taken
        back, say): the name on record stays.
        """
        key = (member.platform, member.user_id)
        name = visible_name(member.display_name)[:_NAME_CHARS]
        known = self._members.get(key)
        if known is not None and name in (known[1], ""):
            return known[0]
        row = await self._write_fetchrow(
            "INSERT INTO members (platform, user_id, display_name) VALUES (:p, :u, :n)"
            " ON CONFLICT (platform, user_id) DO UPDATE SET display_name = CASE"
            " WHEN excluded.display_name = '' THEN members.display_name"
            " ELSE excluded.display_name END"
            " RETURNING id, display_name",
            {"p": member.platform, "u": member.user_id, "n": name},
        )
        assert row is not None  # an upsert always returns its row
        self._members[key] = (row["id"], row["display_name"])
        return int(row["id"])

    # -- rounds ---------------------------------------------------------------

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
            " attempts, lease_owner, lease_until) VALUES (:g, :d, :q, :s, :at, :n, :o, :lu)"
            " ON CONFLICT (group_id, local_date) DO NOTHING"
            f" RETURNING {ROUND_COLUMNS}",
            {
                "g": group_id,
                "d": local_date.isoformat(),
                "q": question_id,
                "s": status.value,
                "at": to_micros(scheduled_for),
                "n": 1 if posting else 0,
                "o": self.owner if posting else None,
                "lu": to_micros(lease_until) if posting and lease_until else None,
            },
        )
        return None if row is None else _round(row)

    async def retake_round(self, round_id: int, lease_until: datetime) -> Round | None:
        """Claim a round waiting for another post attempt; None if another took it."""
        row = await self._write_fetchrow(
            "UPDATE rounds SET status = 'posting', attempts = attempts + 1,"
            " lease_owner = :o, lease_until = :lu"
            f" WHERE id = :id AND status = 'retry' RETURNING {ROUND_COLUMNS}",
            {"id": round_id, "o": self.owner, "lu": to_micros(lease_until)},
        )
        return None if row is None else _round(row)

    async def take_lease(
        self, round_id: int, status: RoundStatus, now: datetime, until: datetime
    ) -> Round | None:
        """Take over a round's current step if its lease is ours or has run out.

        None if the round moved on, or another live process holds it.
        """
        row = await self._write_fetchrow(
            "UPDATE rounds SET lease_owner = :o, lease_until = :lu"
            " WHERE id = :id AND status = :s"
            " AND (lease_owner IS NULL OR lease_owner = :o OR lease_until IS NULL"
            " OR lease_until <= :now)"
            f" RETURNING {ROUND_COLUMNS}",
            {
                "id": round_id,
                "s": status.value,
                "o": self.owner,
                "lu": to_micros(until),
                "now": to_micros(now),
            },
        )
        return None if row is None else _round(row)

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
            "      OR (:own = 1 AND lease_owner = :o))"
            " ORDER BY id",
            {"now": to_micros(now), "o": self.owner, "own": 1 if include_own else 0},
        )
        return [_round(r) for r in rows]

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
            "UPDATE rounds SET status = 'open', message_id = :m, thread_id = :th,"
            " posted_at = :p, reveal_at = :r, last_error = NULL,"
            " lease_owner = NULL, lease_until = NULL"
            " WHERE id = :id AND status = 'posting'",
            {
                "m": message_id,
                "th": thread_id,
                "p": to_micros(posted_at),
                "r": to_micros(reveal_at),
                "id": round_id,
            },
        )
        return changed > 0

    async def round_post_failed(
        self, round_id: int, error: str, retry_at: datetime | None = None
    ) -> None:
        """Record a failed post attempt: retried at `retry_at` by any process, or given up."""
        await self.db.execute(
            "UPDATE rounds SET status = :s, last_error = :e, lease_owner = :o, lease_until = :lu"
            " WHERE id = :id AND status = 'posting'",
            {
                "s": "failed" if retry_at is None else "retry",
                "e": error[:500],
                "o": None if retry_at is None else self.owner,
                "lu": None if retry_at is None else to_micros(retry_at),
                "id": round_id,
            },
        )

    async def get_round(self, round_id: int) -> Round | None:
        """Return a round by id."""
        row = await self.db.fetchrow(
            f"SELECT {ROUND_COLUMNS} FROM rounds WHERE id = :id", {"id": round_id}
        )
        return None if row is None else _round(row)

    async def round_on(self, group_id: int, local_date: date) -> Round | None:
        """Return the group's round of a local date, whatever its status."""
        row = await self.db.fetchrow(
            f"SELECT {ROUND_COLUMNS} FROM rounds WHERE group_id = :g AND local_date = :d",
            {"g": group_id, "d": local_date.isoformat()},
        )
        return None if row is None else _round(row)

    async def current_round(self, group_id: int) -> Round | None:
        """Return the group's newest round that is open for answers."""
        row = await self.db.fetchrow(
            f"SELECT {ROUND_COLUMNS} FROM rounds WHERE group_id = :g AND status = 'open'"
            " ORDER BY local_date DESC LIMIT 1",
            {"g": group_id},
        )
        return None if row is None else _round(row)

    async def latest_revealed_round(self, group_id: int) -> Round | None:
        """Return the group's most recently revealed round."""
        row = await self.db.fetchrow(
            f"SELECT {ROUND_COLUMNS} FROM rounds WHERE group_id = :g AND status = 'revealed'"
            " ORDER BY reveal_seq DESC LIMIT 1",
            {"g": group_id},
        )
        return None if row is None else _round(row)

    async def round_by_thread(self, group_id: int, thread_id: str) -> Round | None:
        """Return the group's round whose answers are collected in a thread."""
        row = await self.db.fetchrow(
            f"SELECT {ROUND_COLUMNS} FROM rounds WHERE group_id = :g AND thread_id = :t",
            {"g": group_id, "t": thread_id},
        )
        return None if row is None else _round(row)

    async def rounds_in(self, statuses: Iterable[RoundStatus]) -> list[Round]:
        """Return every round in one of these statuses, oldest first."""
        wanted = [s.value for s in statuses]
        names = ", ".join(f":s{i}" for i in range(len(wanted)))
        rows = await self.db.fetch(
            f"SELECT {ROUND_COLUMNS} FROM rounds WHERE status IN ({names}) ORDER BY id",
            {f"s{i}": s for i, s in enumerate(wanted)},
        )
        return [_round(r) for r in rows]

    async def count_rounds(self, status: RoundStatus) -> int:
        """Return how many rounds are in a status now (every group's)."""
        row = await self.db.fetchrow(
            "SELECT COUNT(*) AS n FROM rounds WHERE status = :status", {"status": status.value}
        )
        return int(row["n"]) if row is not None else 0

    async def asked_questions(self, group_id: int) -> list[str]:
        """Return the question ids the group was asked, oldest first."""
        names = ", ".join(f"'{s}'" for s in _ASKED)
        rows = await self.db.fetch(
            f"SELECT question_id FROM rounds WHERE group_id = :g AND status IN ({names})"
            " ORDER BY local_date",
            {"g": group_id},
        )
        return [r["question_id"] for r in rows]

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
            await take_turns(tx, self.db.dialect, _REVEAL_LOCK + int(group["group_id"]))
            row = await tx.fetchrow(
                "UPDATE rounds SET status = 'revealing', revealed_at = :now,"
                " lease_owner = :o, lease_until = :lu,"
                " reveal_seq = (SELECT COALESCE(MAX(r.reveal_seq), 0) + 1 FROM rounds r"
                "               WHERE r.group_id = rounds.group_id)"
                f" WHERE id = :id AND status = 'open' RETURNING {ROUND_COLUMNS}",
                {
                    "now": to_micros(now),
                    "id": round_id,
                    "o": self.owner,
                    "lu": to_micros(lease_until),
                },
            )
        return None if row is None else _round(row)

    async def save_round_result(self, result: RoundResult) -> bool:
        """Write a reveal's scores, stats and totals, and mark the round revealed."""
        async with self.db.transaction() as tx:
            done = await tx.execute(
                "UPDATE rounds SET status = 'revealed' WHERE id = :id AND status = 'revealing'",
                {"id": result.round_id},
            )
            if not done:
                return False
            await self._save_scores(tx, result)
        return True

    async def _save_scores(self, tx: Executor, result: RoundResult) -> None:
        round_row = await tx.fetchrow(
            "SELECT group_id FROM rounds WHERE id = :id", {"id": result.round_id}
        )
        assert round_row is not None
        group_id = round_row["group_id"]
        if result.scores:
            await tx.executemany(
                "UPDATE answers SET coverage = :c, covered = :cv, points = :p WHERE id = :id",
                [
                    {
                        "c": s.coverage,
                        "cv": _covered_text(s.covered),
                        "p": s.points,
                        "id": s.answer_id,
                    }
                    for s in result.scores
                ],
            )
        totals = [
            {
                "g": group_id,
                "per": period,
                "m": s.member_id,
                "p": s.points,
                "at": to_micros(s.achieved_at),
            }
            for s in result.scores
            if s.points > 0
            for period in s.periods
        ]
        if totals:
            # Keep score_counts (members per points value) and score_hour_counts (per points
            # value and hour reached) in step with the totals: leave the old place, then join
            # the new one.
            where = "FROM score_totals WHERE group_id = :g AND period = :per AND member_id = :m"
            current = f"(SELECT points {where})"
            current_hour = f"(SELECT points, achieved_at / {SCORE_HOUR} {where})"
            await tx.executemany(
                "UPDATE score_counts SET members = members - 1"
                f" WHERE group_id = :g AND period = :per AND points = {current}",
                totals,
            )
            await tx.executemany(
                "UPDATE score_hour_counts SET members = members - 1"
                " WHERE group_id = :g AND period = :per"
                f" AND (points, achieved_hour) = {current_hour}",
                totals,
            )
            places = [{"g": t["g"], "per": t["per"], "m": t["m"]} for t in totals]
            await tx.executemany(
                "INSERT INTO score_totals (group_id, period, member_id, points, achieved_at)"
                " VALUES (:g, :per, :m, :p, :at)"
                " ON CONFLICT (group_id, period, member_id) DO UPDATE"
                " SET points = score_totals.points + excluded.points,"
                " achieved_at = excluded.achieved_at",
                totals,
            )
            await tx.executemany(
                "INSERT INTO score_counts (group_id, period, points, members)"
                f" VALUES (:g, :per, {current}, 1)"
                " ON CONFLICT (group_id, period, points) DO UPDATE"
                " SET members = score_counts.members + 1",
                places,
            )
            await tx.executemany(
                "INSERT INTO score_hour_counts (group_id, period, points, achieved_hour, members)"
                f" SELECT group_id, period, points, achieved_at / {SCORE_HOUR}, 1 {where}"
                " ON CONFLICT (group_id, period, points, achieved_hour) DO UPDATE"
                " SET members = score_hour_counts.members + 1",
                places,
            )
        if result.stats:
            await tx.executemany(
                "INSERT INTO member_stats (group_id, member_id, streak, best_streak, last_seq,"
                " rounds_answered, coverage_sum) VALUES (:g, :m, :s, :b, :l, :n, :c)"
                " ON CONFLICT (group_id, member_id) DO UPDATE SET streak = excluded.streak,"
                " best_streak = excluded.best_streak, last_seq = excluded.last_seq,"
                " rounds_answered = excluded.rounds_answered, coverage_sum = excluded.coverage_sum",
                [
                    {
                        "g": group_id,
                        "m": s.member_id,
                        "s": s.streak,
                        "b": s.best_streak,
                        "l": s.last_seq,
                        "n": s.rounds_answered,
                        "c": s.coverage_sum,
                    }
                    for s in result.stats
                ],
            )

    async def reveal_posted(self, round_id: int, message_id: str) -> None:
        """Record the message that revealed a round."""
        await self.db.execute(
            "UPDATE rounds SET reveal_message_id = :m, lease_owner = NULL, lease_until = NULL"
            " WHERE id = :id",
            {"m": message_id, "id": round_id},
        )

    async def set_round_status(
        self, round_id: int, expected: RoundStatus, status: RoundStatus, note: str | None = None
    ) -> bool:
        """Move a round from one status to another; False if it was not in `expected`."""
        changed = await self.db.execute(
            "UPDATE rounds SET status = :s, last_error = COALESCE(:n, last_error),"
            " lease_owner = NULL, lease_until = NULL WHERE id = :id AND status = :e",
            {"s": status.value, "n": note, "id": round_id, "e": expected.value},
        )
        return changed > 0

    # -- answers --------------------------------------------------------------

    async def save_answer(self, answer: AnswerWrite) -> AnswerSaved | None:
        """Store an answer, durably, before returning; None if it can no longer change.

        Concurrent calls share one transaction (group commit).
        """
        return await self._answers.submit(answer)

    async def _write_answers(self, batch: Sequence[AnswerWrite]) -> list[AnswerSaved | None]:
        latest: dict[tuple[int, int], int] = {}
        for index, item in enumerate(batch):
            latest[(item.round_id, item.member_id)] = index  # the last write of a key wins
        rows: list[str] = []
        params: dict[str, Any] = {}
        for n, index in enumerate(sorted(latest.values())):
            item = batch[index]
            rows.append(
                f"(:r{n}, :m{n}, :t{n}, :s{n}, :g{n}, :a{n},"
                f" CASE WHEN (SELECT status FROM rounds WHERE id = :r{n}) = 'open'"
                " THEN 0 ELSE 1 END)"
            )
            params.update(
                {
                    f"r{n}": item.round_id,
                    f"m{n}": item.member_id,
                    f"t{n}": item.text,
                    f"s{n}": item.source.value,
                    f"g{n}": item.message_id,
                    f"a{n}": to_micros(item.submitted_at),
                }
            )
        async with self.db.transaction() as tx:
            if self.db.dialect == "postgresql":
                # Hold the rounds still while these answers are written: a reveal claimed
                # meanwhile waits, then sees them (SQLite's writers take turns already).
                round_ids = sorted({batch[i].round_id for i in latest.values()})
                await tx.execute(
                    "SELECT id FROM rounds WHERE id IN ("
                    + ", ".join(f":k{i}" for i in range(len(round_ids)))
                    + ") FOR SHARE",
                    {f"k{i}": r for i, r in enumerate(round_ids)},
                )
            # Votes belong to the message they were given on: an answer now carried by
            # another message (or given privately instead) loses the old message's votes.
            moved = " OR ".join(
                f"(a.round_id = :r{n} AND a.member_id = :m{n}"
                f" AND COALESCE(a.message_id, '') <> COALESCE(:g{n}, ''))"
                for n in range(len(rows))
            )
            for table in ("vote_reactions", "votes"):
                await tx.execute(
                    f"DELETE FROM {table} WHERE answer_id IN"
                    f" (SELECT a.id FROM answers a WHERE {moved})",
                    params,
                )
            saved = await tx.fetch(
                "INSERT INTO answers (round_id, member_id, text, source, message_id,"
                f" submitted_at, late) VALUES {', '.join(rows)}"
                " ON CONFLICT (round_id, member_id) DO UPDATE SET text = excluded.text,"
                " source = excluded.source, message_id = excluded.message_id,"
                # The same message with the same text again is a redelivery (a Slack retry
                # that reached another replica, a gateway replay), not an edit.
                " edited_at = CASE WHEN answers.text = excluded.text"
                " AND COALESCE(answers.message_id, '') = COALESCE(excluded.message_id, '')"
                " THEN answers.edited_at ELSE excluded.submitted_at END"
                " WHERE answers.late = excluded.late"
                " RETURNING id, round_id, member_id, late, edited_at",
                params,
            )
        by_key = {
            (r["round_id"], r["member_id"]): AnswerSaved(
                r["id"], bool(r["late"]), r["edited_at"] is not None
            )
            for r in saved
        }
        return [by_key.get((item.round_id, item.member_id)) for item in batch]

    async def withdraw_answer(self, round_id: int, member_id: int, message_id: str) -> bool:
        """Delete a member's unscored answer carried by a message; True if one was."""
        changed = await self.db.execute(
            "DELETE FROM answers WHERE round_id = :r AND member_id = :m AND message_id = :g"
            " AND points IS NULL AND late = 0",
            {"r": round_id, "m": member_id, "g": message_id},
        )
        return changed > 0

    async def set_vote(
        self,
        group_id: int,
        message_id: str,
        voter_id: int,
        reaction: VoteReaction,
        helpful: bool,
        now: datetime,
    ) -> bool:
        """Add (or take back) a reaction that votes an answer helpful; True if the vote changed.

        Only an on-time answer of the group's open round counts, and never its author's
        own. A member's vote is one however many of their reactions hold it (skin
        tones, a super reaction beside a normal one): taking one back leaves it while
        another remains.
        """
        answer = f"{_VOTABLE} AND a.member_id <> :voter"
        params = {"g": group_id, "msg": message_id, "voter": voter_id}
        held = {**params, "emoji": reaction.emoji, "burst": int(reaction.burst)}
        async with self._votes_of_open_rounds(group_id) as tx:
            if helpful:
                # "WHERE 1 = 1": SQLite reads an INSERT ... SELECT's ON CONFLICT as part of
                # the SELECT unless the SELECT has a WHERE of its own.
                await tx.execute(
                    "INSERT INTO vote_reactions (answer_id, voter_id, emoji, burst)"
                    f" SELECT id, :voter, :emoji, :burst FROM ({answer}) AS voted WHERE 1 = 1"
                    " ON CONFLICT (answer_id, voter_id, emoji, burst) DO NOTHING",
                    held,
                )
                return (
                    await tx.execute(
                        "INSERT INTO votes (answer_id, voter_id, voted_at)"
                        f" SELECT id, :voter, :voted_at FROM ({answer}) AS voted WHERE 1 = 1"
                        " ON CONFLICT (answer_id, voter_id) DO NOTHING",
                        {**params, "voted_at": to_micros(now)},
                    )
                    > 0
                )
            await tx.execute(
                "DELETE FROM vote_reactions WHERE voter_id = :voter AND emoji = :emoji"
                f" AND burst = :burst AND answer_id IN ({answer})",
                held,
            )
            return await self._drop_unheld_votes(tx, answer, params, of_voter=True) > 0

    async def clear_votes(self, group_id: int, message_id: str, emoji: str | None = None) -> int:
        """Take back the reactions on the answer a message carries: all, or one emoji's.

        Returns how many votes that took back (a vote another emoji holds stays).
        """
        params = {"g": group_id, "msg": message_id}
        async with self._votes_of_open_rounds(group_id) as tx:
            if emoji is None:
                await tx.execute(
                    f"DELETE FROM vote_reactions WHERE answer_id IN ({_VOTABLE})", params
                )
            else:
                await tx.execute(
                    "DELETE FROM vote_reactions WHERE emoji = :emoji"
                    f" AND answer_id IN ({_VOTABLE})",
                    {**params, "emoji": emoji},
                )
            return await self._drop_unheld_votes(tx, _VOTABLE, params, of_voter=False)

    @staticmethod
    async def _drop_unheld_votes(
        tx: Executor, answers: str, params: Params, *, of_voter: bool
    ) -> int:
        """Delete the votes on `answers` (only the :voter's, `of_voter`) no reaction holds."""
        voter = " AND votes.voter_id = :voter" if of_voter else ""
        return await tx.execute(
            f"DELETE FROM votes WHERE answer_id IN ({answers}){voter}"
            " AND NOT EXISTS (SELECT 1 FROM vote_reactions h"
            " WHERE h.answer_id = votes.answer_id AND h.voter_id = votes.voter_id)",
            params,
        )

    # -- deliveries ------------------------------------------------------------

    async def first_delivery(self, key: str, now: datetime, expires_at: datetime) -> bool:
        """Record a platform delivery until `expires_at`; tell whether it was new.

        A key seen before tells False until its record expires, for every replica
        on this database alike.
        """
        return (
            await self.db.execute(
                "INSERT INTO deliveries (delivery_key, expires_at) VALUES (:key, :expires)"
                " ON CONFLICT (delivery_key) DO UPDATE SET expires_at = :expires"
                " WHERE deliveries.expires_at <= :now",
                {"key": key, "expires": to_micros(expires_at), "now": to_micros(now)},
            )
            > 0
        )

    async def forget_deliveries(self, now: datetime) -> int:
        """Delete the records of deliveries that expired by `now`; return how many."""
        return await self.db.execute(
            "DELETE FROM deliveries WHERE expires_at <= :now", {"now": to_micros(now)}
        )

    @asynccontextmanager
    async def _votes_of_open_rounds(self, group_id: int) -> AsyncIterator[Executor]:
        """Open a transaction that changes votes on the group's open rounds."""
        async with self.db.transaction() as tx:
            if self.db.dialect == "postgresql":
                # As for answers: a reveal claimed meanwhile waits, then counts these votes.
                await tx.execute(
                    "SELECT id FROM rounds WHERE group_id = :g AND status = 'open' FOR SHARE",
                    {"g": group_id},
                )
            yield tx

    async def round_answers(self, round_id: int) -> list[MemberAnswer]:
        """Return a round's answers with their authors, in order of submission."""
        rows = await self.db.fetch(
            f"SELECT {_ANSWER_COLUMNS} FROM answers a JOIN members m ON m.id = a.member_id"
            " WHERE a.round_id = :r ORDER BY a.submitted_at, a.id",
            {"r": round_id},
        )
        return [_member_answer(r) for r in rows]

    async def member_answer(self, round_id: int, member_id: int) -> MemberAnswer | None:
        """Return a member's answer to a round."""
        row = await self.db.fetchrow(
            f"SELECT {_ANSWER_COLUMNS} FROM answers a JOIN members m ON m.id = a.member_id"
            " WHERE a.round_id = :r AND a.member_id = :m",
            {"r": round_id, "m": member_id},
        )
        return None if row is None else _member_answer(row)

    async def member_history(self, group_id: int, member_id: int) -> list[tuple[str, float, int]]:
        """Return (question id, coverage, points) of a member's scored answers in a group."""
        rows = await self.db.fetch(
            "SELECT r.question_id, a.coverage, a.points FROM answers a"
            " JOIN rounds r ON r.id = a.round_id"
            " WHERE r.group_id = :g AND a.member_id = :m AND a.points IS NOT NULL",
            {"g": group_id, "m": member_id},
        )
        return [(r["question_id"], float(r["coverage"]), int(r["points"])) for r in rows]

    # -- scores ---------------------------------------------------------------

    async def member_stats(
        self, group_id: int, member_ids: Iterable[int]
    ) -> dict[int, MemberStats]:
        """Return the running totals of these members in a group (missing: none yet)."""
        ids = list(member_ids)
        if not ids:
            return {}
        names = ", ".join(f":m{i}" for i in range(len(ids)))
        rows = await self.db.fetch(
            "SELECT member_id, streak, best_streak, last_seq, rounds_answered, coverage_sum"
            f" FROM member_stats WHERE group_id = :g AND member_id IN ({names})",
            {"g": group_id, **{f"m{i}": m for i, m in enumerate(ids)}},
        )
        return {r["member_id"]: _stats(r) for r in rows}

    async def top_scores(self, group_id: int, period: str, limit: int = 10) -> list[Standing]:
        """Return the leaders of a group's leaderboard for a period."""
        rows = await self.db.fetch(
            "SELECT s.member_id, m.display_name, s.points FROM score_totals s"
            " JOIN members m ON m.id = s.member_id"
            " WHERE s.group_id = :g AND s.period = :p"
            " ORDER BY s.points DESC, s.achieved_at, s.member_id LIMIT :n",
            {"g": group_id, "p": period, "n": limit},
        )
        return [
            Standing(i + 1, r["member_id"], r["display_name"], r["points"])
            for i, r in enumerate(rows)
        ]

    async def standing_of(self, group_id: int, period: str, member_id: int) -> Standing | None:
        """Return a member's place on a group's leaderboard for a period."""
        row = await self.db.fetchrow(
            "SELECT s.points, m.display_name,"
            " (SELECT COALESCE(SUM(c.members), 0) FROM score_counts c WHERE c.group_id ="
            "  s.group_id AND c.period = s.period AND c.points > s.points)"
            " + (SELECT COALESCE(SUM(h.members), 0) FROM score_hour_counts h"
            "  WHERE h.group_id = s.group_id AND h.period = s.period AND h.points = s.points"
            f"  AND h.achieved_hour < s.achieved_at / {SCORE_HOUR})"
            " + (SELECT COUNT(*) FROM score_totals t WHERE t.group_id = s.group_id"
            "  AND t.period = s.period AND t.points = s.points"
            f"  AND t.achieved_at >= s.achieved_at / {SCORE_HOUR} * {SCORE_HOUR}"
            "  AND (t.achieved_at, t.member_id) < (s.achieved_at, s.member_id)) AS ahead"
            " FROM score_totals s JOIN members m ON m.id = s.member_id"
            " WHERE s.group_id = :g AND s.period = :p AND s.member_id = :m",
            {"g": group_id, "p": period, "m": member_id},
        )
        if row is None:
            return None
        return Standing(int(row["ahead"]) + 1, member_id, row["display_name"], row["points"])

    # -- practice -------------------------------------------------------------

    async def start_practice(
        self, member_id: int, group_id: int | None, question_id: str, now: datetime
    ) -> PracticeAttempt:
        """Record that a member took a practice question, in place of one left unfinished.

        Only the latest attempt can still be answered, so an earlier unfinished
        one is history nobody reads: asking again and again keeps one row.
        """
        async with self.db.transaction() as tx:
            await tx.execute(
                "DELETE FROM practice_attempts WHERE member_id = :m"
                " AND answered_at IS NULL AND revealed = 0",
                {"m": member_id},
            )
            row = await tx.fetchrow(
                "INSERT INTO practice_attempts (member_id, group_id, question_id, started_at)"
                " VALUES (:m, :g, :q, :t) RETURNING id, member_id, question_id, started_at,"
                " hinted, revealed, answered_at, coverage",
                {"m": member_id, "g": group_id, "q": question_id, "t": to_micros(now)},
            )
        assert row is not None
        return _attempt(row)

    async def latest_practice(self, member_id: int) -> PracticeAttempt | None:
        """Return the member's most recent practice question."""
        row = await self.db.fetchrow(
            "SELECT id, member_id, question_id, started_at, hinted, revealed, answered_at,"
            " coverage FROM practice_attempts WHERE member_id = :m"
            " ORDER BY started_at DESC, id DESC LIMIT 1",
            {"m": member_id},
        )
        return None if row is None else _attempt(row)

    async def practice_hinted(self, attempt_id: int) -> None:
        """Record that the member asked for the hint."""
        await self.db.execute(
            "UPDATE practice_attempts SET hinted = 1 WHERE id = :id", {"id": attempt_id}
        )

    async def finish_practice(
        self,
        attempt_id: int,
        now: datetime,
        coverage: float | None,
        review: Review | None,
        member_id: int,
    ) -> None:
        """Record a practice answer (or a give-up) and the question's next review."""
        async with self.db.transaction() as tx:
            if coverage is None:
                await tx.execute(
                    "UPDATE practice_attempts SET revealed = 1 WHERE id = :id", {"id": attempt_id}
                )
            else:
                await tx.execute(
                    "UPDATE practice_attempts SET answered_at = :t, coverage = :c WHERE id = :id",
                    {"t": to_micros(now), "c": coverage, "id": attempt_id},
                )
            if review is not None:
                await tx.execute(
                    "INSERT INTO practice_reviews (member_id, question_id, box, due_at, attempts,"
                    " best_coverage) VALUES (:m, :q, :b, :d, :a, :c)"
                    " ON CONFLICT (member_id, question_id) DO UPDATE SET box = excluded.box,"
                    " due_at = excluded.due_at, attempts = excluded.attempts,"
                    " best_coverage = excluded.best_coverage",
                    {
                        "m": member_id,
                        "q": review.question_id,
                        "b": review.box,
                        "d": to_micros(review.due_at),
                        "a": review.attempts,
                        "c": review.best_coverage,
                    },
                )

    async def review(self, member_id: int, question_id: str) -> Review | None:
        """Return where one question stands in a member's review schedule."""
        row = await self.db.fetchrow(
            f"SELECT {_REVIEW_COLUMNS} FROM practice_reviews"
            " WHERE member_id = :m AND question_id = :q",
            {"m": member_id, "q": question_id},
        )
        return None if row is None else _review(row)

    async def questions_held_back(
        self, member_id: int, platform: str, workspace_id: str, revealed_since: datetime
    ) -> set[str]:
        """Return the questions practice must not give a member now.

        Those of rounds not yet revealed, and of rounds revealed after
        `revealed_since`, in the groups of the member's workspace and in every
        group the member has answered in.
        """
        rows = await self.db.fetch(
            "SELECT DISTINCT r.question_id FROM rounds r JOIN groups g ON g.id = r.group_id"
            " WHERE (r.status IN ('posting', 'retry', 'open', 'revealing')"
            " OR (r.status = 'revealed' AND r.revealed_at > :revealed_since))"
            " AND ((g.platform = :platform AND g.workspace_id = :workspace)"
            " OR g.id IN (SELECT answered.group_id FROM answers a"
            " JOIN rounds answered ON answered.id = a.round_id WHERE a.member_id = :member))",
            {
                "member": member_id,
                "platform": platform,
                "workspace": workspace_id,
                "revealed_since": to_micros(revealed_since),
            },
        )
        return {r["question_id"] for r in rows if r["question_id"]}

    async def reviews(self, member_id: int) -> dict[str, Review]:
        """Return the member's review schedule, by question id."""
        rows = await self.db.fetch(
            f"SELECT {_REVIEW_COLUMNS} FROM practice_reviews WHERE member_id = :m",
            {"m": member_id},
        )
        return {r["question_id"]: _review(r) for r in rows}

    async def practice_summary(self, member_id: int, now: datetime) -> PracticeSummary:
        """Return how much a member has practised, and how many reviews are due."""
        row = await self.db.fetchrow(
            "SELECT COUNT(*) AS n, COUNT(answered_at) AS answered, AVG(coverage) AS avg,"
            " (SELECT COUNT(*) FROM practice_reviews WHERE member_id = :m AND due_at <= :t)"
            " AS due FROM practice_attempts WHERE member_id = :m",
            {"m": member_id, "t": to_micros(now)},
        )
        assert row is not None  # an aggregate always returns its row
        average = None if row["avg"] is None else float(row["avg"])
        return PracticeSummary(int(row["n"]), int(row["answered"]), average, int(row["due"]))

    # -- helpers --------------------------------------------------------------

    async def _write_fetchrow(self, sql: str, params: dict[str, Any]) -> Row | None:
        async with self.db.transaction() as tx:
            return await tx.fetchrow(sql, params)
