"""Points, streaks and leaderboard periods (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.records import MemberStats
from bot.streak_guard import freezes_after

__all__ = [
    "ALL_TIME",
    "HELPFUL",
    "PERIOD_NAMES",
    "Points",
    "ScoringRules",
    "category_key",
    "current_streak",
    "is_category_key",
    "is_helpful",
    "next_stats",
    "period_key",
    "periods_of",
    "round_points",
]

ALL_TIME = "all"
PERIOD_NAMES = ("week", "month", "all")
HELPFUL = "\N{THUMBS UP SIGN}"  # the reaction that votes an answer helpful
_CATEGORY_MARK = "/"  # between a period's key and a category: `w2026-49/nlp`
_SKIN_TONES = "".join(chr(c) for c in range(0x1F3FB, 0x1F400))


@dataclass(frozen=True, slots=True)
class ScoringRules:
    """How many points a round's answer earns."""

    participation: int = 10  # for answering before the reveal
    coverage_bonus: int = 20  # for covering every key point, pro rata
    streak_bonus: int = 2  # per consecutive answered round beyond the first
    streak_bonus_cap: int = 10
    helpful_vote: int = 2  # per other member who marked the answer helpful before the reveal
    helpful_cap: int = 10


@dataclass(frozen=True, slots=True)
class Points:
    """The points of one answer, part by part."""

    participation: int
    coverage: int
    streak: int
    helpful: int = 0

    @property
    def total(self) -> int:
        """Return the sum of the parts."""
        return self.participation + self.coverage + self.streak + self.helpful


def round_points(
    coverage: float, streak: int, rules: ScoringRules, helpful_votes: int = 0
) -> Points:
    """Return the points of an on-time answer with this coverage, on this streak and votes."""
    bonus = min(rules.streak_bonus_cap, rules.streak_bonus * max(0, streak - 1))
    helpful = min(rules.helpful_cap, rules.helpful_vote * max(0, helpful_votes))
    return Points(rules.participation, round(rules.coverage_bonus * coverage), bonus, helpful)


def is_helpful(emoji: str) -> bool:
    """Tell whether a reaction is the helpful vote (in any skin tone)."""
    return emoji.strip().rstrip(_SKIN_TONES).removesuffix("\N{VARIATION SELECTOR-16}") == HELPFUL


def next_stats(
    previous: MemberStats | None, member_id: int, seq: int, coverage: float
) -> MemberStats:
    """Return a member's totals after answering the group's revealed round number `seq`.

    The streak goes on from the round before (answered, or bridged by a freeze or
    an away day) and, at each multiple of seven, earns a streak freeze.
    """
    prev = previous or MemberStats(member_id)
    streak = prev.streak + 1 if prev.last_seq == seq - 1 else 1
    return MemberStats(
        member_id=member_id,
        streak=streak,
        best_streak=max(prev.best_streak, streak),
        last_seq=seq,
        rounds_answered=prev.rounds_answered + 1,
        coverage_sum=prev.coverage_sum + coverage,
        freezes=freezes_after(prev.freezes, streak),
        freezes_used=prev.freezes_used,
    )


def current_streak(stats: MemberStats | None, latest_seq: int) -> int:
    """Return a member's streak now: broken if they missed the latest revealed round.

    A round a freeze or an away day bridged counts as not missed (`last_seq` is its).
    """
    if stats is None or stats.last_seq < latest_seq:
        return 0
    return stats.streak


def period_key(period: str, day: date) -> str:
    """Return the leaderboard key of `week`, `month` or `all` for a local date."""
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"w{year}-{week:02d}"
    if period == "month":
        return f"m{day.year}-{day.month:02d}"
    if period == ALL_TIME:
        return ALL_TIME
    raise ValueError(f"unknown period {period!r}")


def category_key(key: str, category: str) -> str:
    """Return the key of a period's board in one category (`w2026-49/nlp`, `all/nlp`)."""
    return f"{key}{_CATEGORY_MARK}{category}"


def is_category_key(key: str) -> bool:
    """Tell whether a leaderboard key is a category's board (`all/nlp`), not a whole group's."""
    return _CATEGORY_MARK in key


def periods_of(day: date, category: str | None = None) -> tuple[str, ...]:
    """Return every leaderboard key that points earned on this local date count on.

    With the round's `category`, also that category's board of each period.
    """
    keys = tuple(period_key(p, day) for p in PERIOD_NAMES)
    if category is None:
        return keys
    return keys + tuple(category_key(k, category) for k in keys)
