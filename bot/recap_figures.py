"""A weekly recap's figures, from last week's answers and the week before's (pure functions).

The rules are those `bot.recaps` describes: a member named as most improved or
most helpful has a figure above zero; ties go to the name, then the member id.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.records import RecapAnswer, Standing

__all__ = ["MIN_ANSWERS_FOR_HARDEST", "Hardest", "Named", "Recap", "recap_figures", "week_start"]

MIN_ANSWERS_FOR_HARDEST = 2


@dataclass(frozen=True, slots=True)
class Named:
    """A member the recap names, with the figure they are named for."""

    name: str
    figure: float
    before: float = 0.0  # the most improved member's average the week before


@dataclass(frozen=True, slots=True)
class Hardest:
    """The question most members found hardest last week."""

    round_id: int
    question_id: str
    local_date: date
    average: float
    answers: int
    reveal_message_id: str | None


@dataclass(frozen=True, slots=True)
class Recap:
    """Last week's figures."""

    first_day: date  # the week's Monday
    top: tuple[Standing, ...]
    members: int
    improved: Named | None
    helpful: Named | None
    hardest: Hardest | None


def week_start(week: str) -> date:
    """Return the Monday of a week named by its leaderboard key (`w2026-49`)."""
    year, number = week[1:].split("-")
    return date.fromisocalendar(int(year), int(number), 1)


def _averages(answers: Sequence[RecapAnswer]) -> dict[int, tuple[str, float]]:
    sums: dict[int, list[float]] = defaultdict(list)
    names: dict[int, str] = {}
    for a in answers:
        sums[a.member_id].append(a.coverage)
        names[a.member_id] = a.display_name
    return {m: (names[m], sum(c) / len(c)) for m, c in sums.items()}


def _most_improved(week: Sequence[RecapAnswer], before: Sequence[RecapAnswer]) -> Named | None:
    now, then = _averages(week), _averages(before)
    rises = [(now[m][1] - then[m][1], now[m][0], m) for m in now.keys() & then.keys()]
    rises = [r for r in rises if r[0] > 1e-9]
    if not rises:
        return None
    _, name, member = min(rises, key=lambda r: (-r[0], r[1].casefold(), r[2]))
    return Named(name, now[member][1], then[member][1])


def _most_helpful(week: Sequence[RecapAnswer]) -> Named | None:
    votes: dict[int, int] = defaultdict(int)
    names: dict[int, str] = {}
    for a in week:
        votes[a.member_id] += a.helpful_votes
        names[a.member_id] = a.display_name
    ranked = sorted(
        ((n, names[m], m) for m, n in votes.items() if n > 0),
        key=lambda r: (-r[0], r[1].casefold(), r[2]),
    )
    return Named(ranked[0][1], ranked[0][0]) if ranked else None


def _hardest(week: Sequence[RecapAnswer]) -> Hardest | None:
    rounds: dict[int, list[RecapAnswer]] = defaultdict(list)
    for a in week:
        rounds[a.round_id].append(a)
    found = [
        Hardest(
            rid,
            answers[0].question_id,
            answers[0].local_date,
            sum(a.coverage for a in answers) / len(answers),
            len(answers),
            answers[0].reveal_message_id,
        )
        for rid, answers in rounds.items()
        if len(answers) >= MIN_ANSWERS_FOR_HARDEST
    ]
    return min(found, key=lambda h: (h.average, h.local_date, h.round_id), default=None)


def recap_figures(
    first_day: date,
    top: Sequence[Standing],
    week: Sequence[RecapAnswer],
    before: Sequence[RecapAnswer],
) -> Recap:
    """Return a week's recap from its top three, its answers and the week before's."""
    return Recap(
        first_day,
        tuple(top[:3]),
        len({a.member_id for a in week}),
        _most_improved(week, before),
        _most_helpful(week),
        _hardest(week),
    )
