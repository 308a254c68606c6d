"""The store's answers (written by group commit, in parts) and the helpful votes on them.

An answer is one row per round and member; its parts (`answer_parts`, one per
thread message, see `bot.store.answer_parts`) make its text. Votes belong to the
messages they were given on: a reaction on any part votes for the answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from bot.clock import Clock, to_micros
from bot.model import AnswerSource
from bot.records import (
    AnswerSaved,
    AnswerWithdrawn,
    AnswerWrite,
    MemberAnswer,
    VoteReaction,
    WithdrawOutcome,
    joined_parts,
)
from bot.store.answer_parts import AnswerParts, Part
from bot.store.base import StoreBase
from bot.store.database import Database, Executor, Params, Row
from bot.store.group_commit import GroupCommit
from bot.store.rows import ANSWER_COLUMNS, VOTABLE_ANSWER, member_answer_from_row, numbered_params

__all__ = ["AnswerRecords"]


def _first_writes(batch: Sequence[AnswerWrite]) -> list[AnswerWrite]:
    """Return each member's first write to each round in a batch, in order.

    One row per answer goes into the INSERT (PostgreSQL refuses to touch a row
    twice in one statement); every write is then applied to the answer's parts.
    """
    first: dict[tuple[int, int], AnswerWrite] = {}
    for item in batch:
        first.setdefault((item.round_id, item.member_id), item)
    return list(first.values())


def _answer_values(writes: Sequence[AnswerWrite]) -> tuple[list[str], dict[str, Any]]:
    """Return the VALUES rows that insert `writes` into answers, and their parameters.

    Write `n` has the parameters `:round_id_n`, `:member_id_n`, `:text_n`,
    `:source_n`, `:message_id_n` and `:submitted_at_n`; an answer is late when
    its round is no longer open.
    """
    rows: list[str] = []
    params: dict[str, Any] = {}
    for n, item in enumerate(writes):
        rows.append(
            f"(:round_id_{n}, :member_id_{n}, :text_{n}, :source_{n}, :message_id_{n},"
            f" :submitted_at_{n},"
            f" CASE WHEN (SELECT status FROM rounds WHERE id = :round_id_{n}) = 'open'"
            " THEN 0 ELSE 1 END)"
        )
        params.update(
            {
                f"round_id_{n}": item.round_id,
                f"member_id_{n}": item.member_id,
                f"text_{n}": item.text,
                f"source_{n}": item.source.value,
                f"message_id_{n}": item.message_id,
                f"submitted_at_{n}": to_micros(item.submitted_at),
            }
        )
    return rows, params


async def _hold_rounds(tx: Executor, round_ids: Sequence[int]) -> None:
    """Lock the rounds (PostgreSQL, FOR SHARE) so that no reveal starts until tx ends."""
    names, params = numbered_params("round", round_ids)
    await tx.execute(f"SELECT id FROM rounds WHERE id IN ({names}) FOR SHARE", params)


async def _claim_answers(tx: Executor, rows: Sequence[str], params: Params) -> Sequence[Row]:
    """Insert new answers, or take the members' existing ones; return the rows that may change.

    An existing answer is taken (and locked until tx ends) only by a write of
    the same lateness, so an on-time answer is never changed after the reveal;
    its text is written once its parts are known.
    """
    return await tx.fetch(
        "INSERT INTO answers (round_id, member_id, text, source, message_id,"
        f" submitted_at, late) VALUES {', '.join(rows)}"
        " ON CONFLICT (round_id, member_id) DO UPDATE SET late = answers.late"
        " WHERE answers.late = excluded.late"
        " RETURNING id, round_id, member_id, late",
        params,
    )


async def _stored_parts(tx: Executor, answer_ids: Sequence[int]) -> dict[int, list[Part]]:
    """Return the parts of these answers as stored, in order."""
    if not answer_ids:
        return {}
    names, params = numbered_params("answer", answer_ids)
    rows = await tx.fetch(
        "SELECT answer_id, position, message_id, body FROM answer_parts"
        f" WHERE answer_id IN ({names}) ORDER BY answer_id, position",
        params,
    )
    parts: dict[int, list[Part]] = {}
    for r in rows:
        parts.setdefault(r["answer_id"], []).append(Part(r["position"], r["message_id"], r["body"]))
    return parts


async def _write_parts(tx: Executor, answers: Sequence[AnswerParts]) -> None:
    """Write what a batch changed: parts, the answers' texts, votes on dropped parts."""
    cleared = [a.answer_id for a in answers if a.cleared]
    if cleared:
        # A replacement drops every earlier part, and the votes given on those messages.
        names, params = numbered_params("answer", cleared)
        for table in ("answer_parts", "vote_reactions", "votes"):
            await tx.execute(f"DELETE FROM {table} WHERE answer_id IN ({names})", params)
    rows: list[str] = []
    values: dict[str, Any] = {}
    for answer in answers:
        for part in answer.changed_parts():
            n = len(rows)
            rows.append(f"(:answer_{n}, :position_{n}, :message_{n}, :body_{n})")
            values.update(
                {
                    f"answer_{n}": answer.answer_id,
                    f"position_{n}": part.position,
                    f"message_{n}": part.message_id,
                    f"body_{n}": part.body,
                }
            )
    if rows:
        await tx.execute(
            "INSERT INTO answer_parts (answer_id, position, message_id, body)"
            f" VALUES {', '.join(rows)} ON CONFLICT (answer_id, position)"
            " DO UPDATE SET message_id = excluded.message_id, body = excluded.body",
            values,
        )
    empty = [a.answer_id for a in answers if not a.parts]
    if empty:  # a new answer whose every write was refused (too long): not an answer
        names, params = numbered_params("answer", empty)
        await tx.execute(f"DELETE FROM answers WHERE id IN ({names})", params)
    changed = [a for a in answers if a.edited_at is not None and a.parts]
    if changed:
        await tx.executemany(
            "UPDATE answers SET text = :text, source = :source, message_id = :message_id,"
            " edited_at = :edited_at WHERE id = :id",
            [
                {
                    "id": a.answer_id,
                    "text": a.text,
                    "source": (a.source or AnswerSource.THREAD).value,
                    "message_id": a.message_id,
                    "edited_at": to_micros(a.edited_at) if a.edited_at else None,
                }
                for a in changed
            ],
        )


async def _drop_unheld_votes(tx: Executor, answers: str, params: Params, *, of_voter: bool) -> int:
    """Delete the votes on `answers` (only the :voter's, `of_voter`) no reaction holds."""
    voter = " AND votes.voter_id = :voter" if of_voter else ""
    return await tx.execute(
        f"DELETE FROM votes WHERE answer_id IN ({answers}){voter}"
        " AND NOT EXISTS (SELECT 1 FROM vote_reactions h"
        " WHERE h.answer_id = votes.answer_id AND h.voter_id = votes.voter_id)",
        params,
    )


class AnswerRecords(StoreBase):
    """Answers, stored by group commit, and the reactions that vote them helpful."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        group_cache_seconds: float = 5.0,
        owner: str = "local",
    ) -> None:
        super().__init__(db, clock, group_cache_seconds, owner)
        self._answers: GroupCommit[AnswerWrite, AnswerSaved | None] = GroupCommit(
            self._write_answers
        )

    async def save_answer(self, answer: AnswerWrite) -> AnswerSaved | None:
        """Store an answer's message (a part of it, or all of it), durably, before returning.

        None if the member's answer can no longer change (on time, and the round
        closed). Concurrent calls share one transaction (group commit).
        """
        return await self._answers.submit(answer)

    async def _write_answers(self, batch: Sequence[AnswerWrite]) -> list[AnswerSaved | None]:
        """Write a batch of answers in one transaction; return what each write did."""
        rows, params = _answer_values(_first_writes(batch))
        async with self.db.transaction() as tx:
            if self.db.dialect == "postgresql":
                # Hold the rounds still while these answers are written: a reveal claimed
                # meanwhile waits, then sees them (SQLite's writers take turns already).
                await _hold_rounds(tx, sorted({item.round_id for item in batch}))
            claimed = await _claim_answers(tx, rows, params)
            # Read after the claim, which locks the answers: another replica's writes to
            # the same answers come before or after this batch, never in between.
            stored = await _stored_parts(tx, [r["id"] for r in claimed])
            answers = {
                (r["round_id"], r["member_id"]): AnswerParts(
                    r["id"], bool(r["late"]), stored.get(r["id"], [])
                )
                for r in claimed
            }
            results: list[AnswerSaved | None] = []
            for item in batch:
                answer = answers.get((item.round_id, item.member_id))
                results.append(None if answer is None else answer.apply(item))
            await _write_parts(tx, list(answers.values()))
        return results

    async def withdraw_part(
        self, round_id: int, member_id: int, message_id: str, now: datetime
    ) -> AnswerWithdrawn:
        """Take a deleted message's part out of the member's answer (the last part: all of it).

        Only an on-time answer of an open round changes; a part of one whose
        round is closed is kept (CLOSED); late answers stay as they are.
        """
        key = {"round_id": round_id, "member_id": member_id, "message_id": message_id}
        async with self.db.transaction() as tx:
            if self.db.dialect == "postgresql":
                await _hold_rounds(tx, [round_id])
                await tx.execute(
                    "SELECT id FROM answers WHERE round_id = :round_id"
                    " AND member_id = :member_id FOR UPDATE",
                    key,
                )
            found = await tx.fetchrow(
                "SELECT a.id, a.late, a.points, r.status FROM answer_parts p"
                " JOIN answers a ON a.id = p.answer_id JOIN rounds r ON r.id = a.round_id"
                " WHERE a.round_id = :round_id AND a.member_id = :member_id"
                " AND p.message_id = :message_id",
                key,
            )
            if found is None or found["late"]:
                return AnswerWithdrawn(WithdrawOutcome.NOT_A_PART)
            if found["status"] != "open" or found["points"] is not None:
                return AnswerWithdrawn(WithdrawOutcome.CLOSED)
            part = {"answer_id": found["id"], "message_id": message_id}
            for table in ("vote_reactions", "answer_parts"):
                await tx.execute(
                    f"DELETE FROM {table} WHERE answer_id = :answer_id"
                    " AND message_id = :message_id",
                    part,
                )
            left = await tx.fetch(
                "SELECT message_id, body FROM answer_parts WHERE answer_id = :answer_id"
                " ORDER BY position",
                part,
            )
            if not left:
                await tx.execute("DELETE FROM answers WHERE id = :id", {"id": found["id"]})
                return AnswerWithdrawn(WithdrawOutcome.WITHDRAWN)
            await tx.execute(
                "UPDATE answers SET text = :text, message_id = :first, edited_at = :now"
                " WHERE id = :id",
                {
                    "id": found["id"],
                    "text": joined_parts([r["body"] for r in left]),
                    "first": left[0]["message_id"],
                    "now": to_micros(now),
                },
            )
            await _drop_unheld_votes(tx, ":answer_id", part, of_voter=False)
        return AnswerWithdrawn(WithdrawOutcome.PART_REMOVED, len(left))

    async def told_closed(self, round_id: int, member_id: int) -> bool:
        """Record that a member was told the round's answers are closed; True the first time."""
        return (
            await self.db.execute(
                "INSERT INTO closed_notices (round_id, member_id) VALUES (:round_id, :member_id)"
                " ON CONFLICT (round_id, member_id) DO NOTHING",
                {"round_id": round_id, "member_id": member_id},
            )
            > 0
        )

    async def round_answers(self, round_id: int) -> list[MemberAnswer]:
        """Return a round's answers with their authors, in order of submission."""
        rows = await self.db.fetch(
            f"SELECT {ANSWER_COLUMNS} FROM answers a JOIN members m ON m.id = a.member_id"
            " WHERE a.round_id = :round_id ORDER BY a.submitted_at, a.id",
            {"round_id": round_id},
        )
        return [member_answer_from_row(r) for r in rows]

    async def member_answer(self, round_id: int, member_id: int) -> MemberAnswer | None:
        """Return a member's answer to a round."""
        row = await self.db.fetchrow(
            f"SELECT {ANSWER_COLUMNS} FROM answers a JOIN members m ON m.id = a.member_id"
            " WHERE a.round_id = :round_id AND a.member_id = :member_id",
            {"round_id": round_id, "member_id": member_id},
        )
        return None if row is None else member_answer_from_row(row)

    # -- helpful votes ----------------------------------------------------------

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
        own. A reaction on any part of an answer (any of the member's messages that make
        it up) votes for the whole answer. A member's vote is one however many of their
        reactions hold it (skin tones, a super reaction beside a normal one, reactions on
        several parts): taking one back leaves it while another remains.
        """
        answer = f"{VOTABLE_ANSWER} AND a.member_id <> :voter"
        params = {"group_id": group_id, "message_id": message_id, "voter": voter_id}
        held = {**params, "emoji": reaction.emoji, "burst": int(reaction.burst)}
        async with self._votes_of_open_rounds(group_id) as tx:
            if helpful:
                # "WHERE 1 = 1": SQLite reads an INSERT ... SELECT's ON CONFLICT as part of
                # the SELECT unless the SELECT has a WHERE of its own.
                await tx.execute(
                    "INSERT INTO vote_reactions (answer_id, voter_id, message_id, emoji, burst)"
                    " SELECT id, :voter, :message_id, :emoji, :burst"
                    f" FROM ({answer}) AS voted WHERE 1 = 1"
                    " ON CONFLICT (answer_id, voter_id, message_id, emoji, burst) DO NOTHING",
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
                "DELETE FROM vote_reactions WHERE voter_id = :voter AND message_id = :message_id"
                f" AND emoji = :emoji AND burst = :burst AND answer_id IN ({answer})",
                held,
            )
            return await _drop_unheld_votes(tx, answer, params, of_voter=True) > 0

    async def clear_votes(self, group_id: int, message_id: str, emoji: str | None = None) -> int:
        """Take back the reactions on a message of an answer: all, or one emoji's.

        Returns how many votes that took back (a vote another emoji, or a reaction on
        another part of the answer, holds stays).
        """
        params = {"group_id": group_id, "message_id": message_id}
        async with self._votes_of_open_rounds(group_id) as tx:
            if emoji is None:
                await tx.execute(
                    "DELETE FROM vote_reactions WHERE message_id = :message_id"
                    f" AND answer_id IN ({VOTABLE_ANSWER})",
                    params,
                )
            else:
                await tx.execute(
                    "DELETE FROM vote_reactions WHERE message_id = :message_id"
                    f" AND emoji = :emoji AND answer_id IN ({VOTABLE_ANSWER})",
                    {**params, "emoji": emoji},
                )
            return await _drop_unheld_votes(tx, VOTABLE_ANSWER, params, of_voter=False)

    @asynccontextmanager
    async def _votes_of_open_rounds(self, group_id: int) -> AsyncIterator[Executor]:
        """Open a transaction that changes votes on the group's open rounds."""
        async with self.db.transaction() as tx:
            if self.db.dialect == "postgresql":
                # As for answers: a reveal claimed meanwhile waits, then counts these votes.
                await tx.execute(
                    "SELECT id FROM rounds WHERE group_id = :group_id AND status = 'open'"
                    " FOR SHARE",
                    {"group_id": group_id},
                )
            yield tx
