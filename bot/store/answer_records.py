"""The store's answers (written by group commit) and the helpful votes on them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from bot.clock import Clock, to_micros
from bot.store.base import StoreBase
from bot.store.database import Database, Executor, Params, Row
from bot.store.group_commit import GroupCommit
from bot.store.records import AnswerSaved, AnswerWrite, MemberAnswer, VoteReaction
from bot.store.rows import ANSWER_COLUMNS, VOTABLE_ANSWER, member_answer_from_row, numbered_params

__all__ = ["AnswerRecords"]


def _latest_writes(batch: Sequence[AnswerWrite]) -> list[AnswerWrite]:
    """Return the writes of a batch that count: each member's last to each round, in order."""
    latest: dict[tuple[int, int], int] = {}
    for index, item in enumerate(batch):
        latest[(item.round_id, item.member_id)] = index  # the last write of a key wins
    return [batch[index] for index in sorted(latest.values())]


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


async def _drop_moved_votes(tx: Executor, count: int, params: Params) -> None:
    """Delete the votes (and their reactions) on answers the first `count` writes move.

    Votes belong to the message they were given on: an answer now carried by
    another message (or given privately instead) loses the old message's votes.
    """
    moved = " OR ".join(
        f"(a.round_id = :round_id_{n} AND a.member_id = :member_id_{n}"
        f" AND COALESCE(a.message_id, '') <> COALESCE(:message_id_{n}, ''))"
        for n in range(count)
    )
    for table in ("vote_reactions", "votes"):
        await tx.execute(
            f"DELETE FROM {table} WHERE answer_id IN (SELECT a.id FROM answers a WHERE {moved})",
            params,
        )


async def _upsert_answers(tx: Executor, rows: Sequence[str], params: Params) -> Sequence[Row]:
    """Insert the answers, or replace members' earlier ones; return the rows written.

    An answer replaces one of the same lateness only (an on-time answer is never
    overwritten after the reveal). It counts as edited unless it is the same
    text from the same message again.
    """
    return await tx.fetch(
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
        """Store an answer, durably, before returning; None if it can no longer change.

        Concurrent calls share one transaction (group commit).
        """
        return await self._answers.submit(answer)

    async def _write_answers(self, batch: Sequence[AnswerWrite]) -> list[AnswerSaved | None]:
        """Write a batch of answers in one transaction; return what each write did."""
        writes = _latest_writes(batch)
        rows, params = _answer_values(writes)
        async with self.db.transaction() as tx:
            if self.db.dialect == "postgresql":
                # Hold the rounds still while these answers are written: a reveal claimed
                # meanwhile waits, then sees them (SQLite's writers take turns already).
                await _hold_rounds(tx, sorted({item.round_id for item in writes}))
            await _drop_moved_votes(tx, len(writes), params)
            saved = await _upsert_answers(tx, rows, params)
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
            "DELETE FROM answers WHERE round_id = :round_id AND member_id = :member_id"
            " AND message_id = :message_id AND points IS NULL AND late = 0",
            {"round_id": round_id, "member_id": member_id, "message_id": message_id},
        )
        return changed > 0

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
        own. A member's vote is one however many of their reactions hold it (skin
        tones, a super reaction beside a normal one): taking one back leaves it while
        another remains.
        """
        answer = f"{VOTABLE_ANSWER} AND a.member_id <> :voter"
        params = {"group_id": group_id, "message_id": message_id, "voter": voter_id}
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
            return await _drop_unheld_votes(tx, answer, params, of_voter=True) > 0

    async def clear_votes(self, group_id: int, message_id: str, emoji: str | None = None) -> int:
        """Take back the reactions on the answer a message carries: all, or one emoji's.

        Returns how many votes that took back (a vote another emoji holds stays).
        """
        params = {"group_id": group_id, "message_id": message_id}
        async with self._votes_of_open_rounds(group_id) as tx:
            if emoji is None:
                await tx.execute(
                    f"DELETE FROM vote_reactions WHERE answer_id IN ({VOTABLE_ANSWER})", params
                )
            else:
                await tx.execute(
                    "DELETE FROM vote_reactions WHERE emoji = :emoji"
                    f" AND answer_id IN ({VOTABLE_ANSWER})",
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
