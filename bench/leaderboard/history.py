"""The benchmark's history: daily rounds across categories, scored as reveals score them.

`play` makes the rounds and answers; `tables_of` computes every row the reveal
path would have written (rounds, answers, stats, totals and the counts of places,
the category boards' too), for the loader to bulk-load.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.clock import from_micros, to_micros
from bot.model import AnswerSource
from bot.records import MemberStats, RoundResult, ScoreEntry
from bot.scoring import ScoringRules, next_stats, periods_of, round_points
from bot.store.migrations import SCORE_HOUR

PER_ROUND = 10_000
T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
OPEN_FOR = timedelta(hours=8)
KEY_POINTS = 4
GROUP = 1
# The rounds' categories, in turn: each category's boards hold about one round in eight.
CATEGORIES = (
    "fundamentals",
    "nlp",
    "evaluation",
    "deep-learning",
    "system-design",
    "coding",
    "mlops",
    "data",
)

# Each table, its columns and its key (for comparing two databases row by row).
TABLES: dict[str, tuple[tuple[str, ...], str]] = {
    "members": (("id", "platform", "user_id", "display_name"), "id"),
    "rounds": (
        (
            "id",
            "group_id",
            "local_date",
            "question_id",
            "status",
            "scheduled_for",
            "reveal_at",
            "posted_at",
            "revealed_at",
            "reveal_seq",
            "attempts",
            "last_error",
            "message_id",
            "thread_id",
            "reveal_message_id",
            "category",
        ),
        "id",
    ),
    "answers": (
        (
            "id",
            "round_id",
            "member_id",
            "text",
            "source",
            "message_id",
            "submitted_at",
            "edited_at",
            "late",
            "coverage",
            "covered",
            "points",
            "attempt",
        ),
        "id",
    ),
    "member_stats": (
        (
            "group_id",
            "member_id",
            "streak",
            "best_streak",
            "last_seq",
            "rounds_answered",
            "coverage_sum",
        ),
        "group_id, member_id",
    ),
    "score_totals": (
        ("group_id", "period", "member_id", "points", "achieved_at"),
        "group_id, period, member_id",
    ),
    "score_counts": (("group_id", "period", "points", "members"), "group_id, period, points"),
    "score_hour_counts": (
        ("group_id", "period", "points", "achieved_hour", "members"),
        "group_id, period, points, achieved_hour",
    ),
}


@dataclass(frozen=True, slots=True)
class Answer:
    """One on-time answer of a round, as the intake stores it."""

    id: int
    member_id: int
    text: str
    submitted_at: int
    covered: tuple[bool, ...]


@dataclass(frozen=True, slots=True)
class PlayedRound:
    """A daily round: posted, answered, then revealed as number `seq` of the group."""

    id: int
    seq: int
    day: date
    answers: tuple[Answer, ...]

    @property
    def category(self) -> str:
        return CATEGORIES[(self.seq - 1) % len(CATEGORIES)]

    @property
    def posted_at(self) -> datetime:
        return T0 + timedelta(days=self.seq - 1)

    @property
    def reveal_at(self) -> datetime:
        return self.posted_at + OPEN_FOR


def score_round(
    played: PlayedRound, previous: Mapping[int, MemberStats], rules: ScoringRules
) -> RoundResult:
    """Score a round as RoundService._finish_reveal does, from the members' previous stats."""
    scores: list[ScoreEntry] = []
    stats: list[MemberStats] = []
    periods = periods_of(played.day, played.category)  # the same for every answer
    for a in played.answers:
        ratio = sum(a.covered) / len(a.covered)
        updated = next_stats(previous.get(a.member_id), a.member_id, played.seq, ratio)
        points = round_points(ratio, updated.streak, rules)
        scores.append(
            ScoreEntry(
                a.id,
                a.member_id,
                ratio,
                a.covered,
                points.total,
                periods,
                from_micros(a.submitted_at),
            )
        )
        stats.append(updated)
    return RoundResult(played.id, tuple(scores), tuple(stats), category=played.category)


def play(
    members: int, answers: int, per_round: int = PER_ROUND, seed: int = 7
) -> list[PlayedRound]:
    """Return a history of daily rounds with `answers` answers from random members."""
    rng = random.Random(seed)
    per_round = min(per_round, members, answers)
    rounds: list[PlayedRound] = []
    next_answer = 1
    for r in range(max(1, answers // per_round)):
        posted = to_micros(T0 + timedelta(days=r))
        who = rng.sample(range(1, members + 1), per_round)
        batch = tuple(
            Answer(
                next_answer + i,
                m,
                f"answer {i % 97} about bias and variance",
                posted + 1 + i,
                tuple(rng.random() < 0.6 for _ in range(KEY_POINTS)),
            )
            for i, m in enumerate(who)
        )
        next_answer += len(batch)
        rounds.append(PlayedRound(r + 1, r + 1, (T0 + timedelta(days=r)).date(), batch))
    return rounds


@dataclass(frozen=True, slots=True)
class Tables:
    """The rows the store holds after a history was revealed round by round."""

    rows: dict[str, list[tuple[Any, ...]]]


def covered_text(covered: Sequence[bool]) -> str:
    return "".join("1" if c else "0" for c in covered)


def round_row(played: PlayedRound) -> tuple[Any, ...]:
    return (
        played.id,
        GROUP,
        played.day.isoformat(),
        f"{played.category}-q{played.id}",
        "revealed",
        to_micros(played.posted_at),
        to_micros(played.reveal_at),
        to_micros(played.posted_at),
        to_micros(played.reveal_at),
        played.seq,
        1,
        None,
        f"m{played.id}",
        f"t{played.id}",
        f"r{played.id}",
        played.category,
    )


def tables_of(members: int, history: list[PlayedRound], rules: ScoringRules) -> Tables:
    """Compute every row the reveal path would have written, in memory."""
    stats: dict[int, MemberStats] = {}
    totals: dict[tuple[str, int], tuple[int, int]] = {}
    counts: dict[tuple[str, int], int] = {}
    hour_counts: dict[tuple[str, int, int], int] = {}
    answer_rows: list[tuple[Any, ...]] = []
    for played in history:
        result = score_round(played, stats, rules)
        by_id = {a.id: a for a in played.answers}
        for s in result.scores:
            a = by_id[s.answer_id]
            answer_rows.append(
                (
                    a.id,
                    played.id,
                    a.member_id,
                    a.text,
                    AnswerSource.THREAD.value,
                    f"msg{a.id}",
                    a.submitted_at,
                    None,
                    0,
                    s.coverage,
                    covered_text(s.covered),
                    s.points,
                    int(s.attempt),
                )
            )
            if s.points <= 0:
                continue
            for period in s.periods:
                old = totals.get((period, s.member_id))
                if old is not None:  # the count tables: one member fewer at the old place
                    counts[(period, old[0])] -= 1
                    hour_counts[(period, old[0], old[1] // SCORE_HOUR)] -= 1
                new = (old[0] if old else 0) + s.points
                totals[(period, s.member_id)] = (new, a.submitted_at)  # = achieved_at
                counts[(period, new)] = counts.get((period, new), 0) + 1
                hour = (period, new, a.submitted_at // SCORE_HOUR)
                hour_counts[hour] = hour_counts.get(hour, 0) + 1
        stats.update((s.member_id, s) for s in result.stats)
    return Tables(
        {
            "members": [(i, "b", f"u{i}", f"Member {i}") for i in range(1, members + 1)],
            "rounds": [round_row(p) for p in history],
            "answers": answer_rows,
            "member_stats": [
                (
                    GROUP,
                    m,
                    s.streak,
                    s.best_streak,
                    s.last_seq,
                    s.rounds_answered,
                    s.coverage_sum,
                )
                for m, s in stats.items()
            ],
            "score_totals": [(GROUP, p, m, pts, at) for (p, m), (pts, at) in totals.items()],
            "score_counts": [(GROUP, p, pts, n) for (p, pts), n in counts.items()],
            "score_hour_counts": [(GROUP, p, pts, h, n) for (p, pts, h), n in hour_counts.items()],
        }
    )
