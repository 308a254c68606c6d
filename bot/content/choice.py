"""Choosing the next question: no repeats until the filtered bank is exhausted.

Within the questions asked least often so far (the current cycle), pick the
difficulty furthest below its share of the group's mix, then the category
asked least recently, then one question at random from a seed, so the choice
is deterministic for a group and a date.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence

from bot.model import Question

__all__ = ["choose_question"]

_RECENT = 30  # how many recent rounds the difficulty mix is balanced over


def choose_question(
    candidates: Sequence[Question],
    asked: Sequence[str],
    mix: Sequence[tuple[str, int]],
    seed: str,
) -> Question | None:
    """Return the next question among `candidates` given the ids asked so far."""
    weights = {name: w for name, w in mix if w > 0}
    pool_all = [q for q in candidates if q.difficulty.value in weights] or list(candidates)
    if not pool_all:
        return None
    times_asked = Counter(asked)
    fewest = min(times_asked[q.id] for q in pool_all)
    pool = [q for q in pool_all if times_asked[q.id] == fewest]
    rng = random.Random(seed)

    by_id = {q.id: q for q in candidates}
    recent = [by_id[i] for i in asked[-_RECENT:] if i in by_id]
    recent_levels = Counter(q.difficulty.value for q in recent)
    total_weight = sum(weights.values()) or 1
    levels = sorted({q.difficulty.value for q in pool})

    def deficit(level: str) -> float:
        wanted = weights.get(level, 0) / total_weight
        have = recent_levels[level] / len(recent) if recent else 0.0
        return wanted - have

    best = max(deficit(lv) for lv in levels)
    level = rng.choice([lv for lv in levels if deficit(lv) == best])
    pool = [q for q in pool if q.difficulty.value == level]

    last_seen = {q.category: i for i, q in enumerate(recent)}
    oldest = min(last_seen.get(q.category, -1) for q in pool)
    pool = [q for q in pool if last_seen.get(q.category, -1) == oldest]
    return rng.choice(sorted(pool, key=lambda q: q.id))
