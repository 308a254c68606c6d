"""Row-to-record converters and the SQL fragments the store's areas share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.clock import from_micros
from bot.group_settings import settings_from_json
from bot.model import ChannelRef, Group, Round, RoundStatus
from bot.records import MemberAnswer, MemberStats, PracticeAttempt, Review
from bot.store.database import Row

__all__ = [
    "ANSWER_COLUMNS",
    "ATTEMPT_COLUMNS",
    "GROUP_COLUMNS",
    "REVIEW_COLUMNS",
    "ROUND_COLUMNS",
    "STATS_COLUMNS",
    "VOTABLE_ANSWER",
    "attempt_from_row",
    "covered_from_text",
    "covered_to_text",
    "group_from_row",
    "member_answer_from_row",
    "numbered_params",
    "review_from_row",
    "round_from_row",
    "stats_from_row",
    "time_or_none",
]

ROUND_COLUMNS = (
    "id, group_id, local_date, question_id, status, scheduled_for, reveal_at, posted_at,"
    " revealed_at, reveal_seq, attempts, last_error, message_id, thread_id, reveal_message_id,"
    " lease_owner, lease_until"
)
GROUP_COLUMNS = "id, platform, workspace_id, channel_id, settings"
# An answer (alias a) with its author's name (members m) and its helpful votes.
ANSWER_COLUMNS = (
    "a.id, a.member_id, m.display_name, a.text, a.late, a.submitted_at, a.coverage,"
    " a.covered, a.points, (SELECT COUNT(*) FROM votes v WHERE v.answer_id = a.id)"
    " AS helpful_votes"
)
# The on-time answer a message (:message_id) is a part of in a group's (:group_id) open
# round: what votes are for (a vote on any part is a vote on the whole answer).
VOTABLE_ANSWER = (
    "SELECT a.id FROM answer_parts p JOIN answers a ON a.id = p.answer_id"
    " JOIN rounds r ON r.id = a.round_id"
    " WHERE p.message_id = :message_id AND r.group_id = :group_id AND r.status = 'open'"
    " AND a.late = 0"
)
REVIEW_COLUMNS = (
    "question_id, due_at, attempts, best_coverage, state, step, stability, difficulty,"
    " last_review_at"
)
STATS_COLUMNS = (
    "member_id, streak, best_streak, last_seq, rounds_answered, coverage_sum, freezes, freezes_used"
)
ATTEMPT_COLUMNS = "id, member_id, question_id, started_at, hinted, revealed, answered_at, coverage"


def numbered_params(prefix: str, values: Sequence[object]) -> tuple[str, dict[str, object]]:
    """Return `:prefix_0, :prefix_1, ...` for an IN list, and the parameters they name."""
    names = [f"{prefix}_{i}" for i in range(len(values))]
    return ", ".join(f":{name}" for name in names), dict(zip(names, values, strict=True))


def time_or_none(value: int | None) -> datetime | None:
    """Return a stored time (microseconds since the epoch), or None where there is none."""
    return None if value is None else from_micros(value)


def round_from_row(row: Row) -> Round:
    """Return the round a row of ROUND_COLUMNS holds."""
    return Round(
        id=row["id"],
        group_id=row["group_id"],
        local_date=date.fromisoformat(row["local_date"]),
        question_id=row["question_id"],
        status=RoundStatus(row["status"]),
        scheduled_for=from_micros(row["scheduled_for"]),
        reveal_at=time_or_none(row["reveal_at"]),
        posted_at=time_or_none(row["posted_at"]),
        revealed_at=time_or_none(row["revealed_at"]),
        reveal_seq=row["reveal_seq"],
        attempts=row["attempts"],
        last_error=row["last_error"],
        message_id=row["message_id"],
        thread_id=row["thread_id"],
        reveal_message_id=row["reveal_message_id"],
        lease_owner=row["lease_owner"],
        lease_until=time_or_none(row["lease_until"]),
    )


def group_from_row(row: Row) -> Group:
    """Return the group a row of GROUP_COLUMNS holds."""
    channel = ChannelRef(row["platform"], row["workspace_id"], row["channel_id"])
    return Group(row["id"], channel, settings_from_json(row["settings"]))


def covered_to_text(covered: Sequence[bool]) -> str:
    """Return which key points an answer covered as stored: one "1" or "0" per point."""
    return "".join("1" if point else "0" for point in covered)


def covered_from_text(text: str | None) -> tuple[bool, ...] | None:
    """Return the key points an answer covered, from their stored text (None: not scored)."""
    return None if text is None else tuple(ch == "1" for ch in text)


def member_answer_from_row(row: Row) -> MemberAnswer:
    """Return the answer a row of ANSWER_COLUMNS holds."""
    return MemberAnswer(
        row["id"],
        row["member_id"],
        row["display_name"],
        row["text"],
        bool(row["late"]),
        from_micros(row["submitted_at"]),
        row["coverage"],
        covered_from_text(row["covered"]),
        row["points"],
        row["helpful_votes"],
    )


def review_from_row(row: Row) -> Review:
    """Return the review a row of REVIEW_COLUMNS holds."""
    return Review(
        row["question_id"],
        from_micros(row["due_at"]),
        row["attempts"],
        row["best_coverage"],
        state=row["state"],
        step=row["step"],
        stability=row["stability"],
        difficulty=row["difficulty"],
        last_review_at=time_or_none(row["last_review_at"]),
    )


def stats_from_row(row: Row) -> MemberStats:
    """Return the running totals a row of STATS_COLUMNS holds."""
    return MemberStats(
        row["member_id"],
        row["streak"],
        row["best_streak"],
        row["last_seq"],
        row["rounds_answered"],
        row["coverage_sum"],
        row["freezes"],
        row["freezes_used"],
    )


def attempt_from_row(row: Row) -> PracticeAttempt:
    """Return the practice attempt a row of ATTEMPT_COLUMNS holds."""
    return PracticeAttempt(
        row["id"],
        row["member_id"],
        row["question_id"],
        from_micros(row["started_at"]),
        bool(row["hinted"]),
        bool(row["revealed"]),
        time_or_none(row["answered_at"]),
        row["coverage"],
    )
