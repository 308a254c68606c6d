"""Streak freezes and away days: which missed rounds a member's streak goes over (pure rules).

A member earns a freeze each time their streak reaches a multiple of
`FREEZE_EVERY` answered rounds, holding at most `MAX_FREEZES`. A revealed
round they did not answer with a real attempt is bridged (their streak goes
on over it, neither growing nor earning) if they said they would be away that
day, else by one of their freezes; with neither, the streak breaks. Bridges are
stored, and a recount replays them with the answers (`bridged`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace

from bot.records import BridgeKind, MemberStats, StreakBridge

__all__ = [
    "FREEZE_EVERY",
    "MAX_FREEZES",
    "Missed",
    "bridged",
    "cover_missed",
    "freezes_after",
]

FREEZE_EVERY = 7  # answered rounds in a row that earn a freeze
MAX_FREEZES = 2


def freezes_after(held: int, streak: int) -> int:
    """Return the freezes a member holds once their streak reaches `streak` answered rounds."""
    earned = streak > 0 and streak % FREEZE_EVERY == 0
    return min(MAX_FREEZES, held + 1) if earned else held


def bridged(stats: MemberStats | None, seq: int, kind: BridgeKind) -> MemberStats | None:
    """Return a member's stats once a bridge carries their streak over round `seq`.

    None if it carries nothing: no streak up to the round before, or (a freeze)
    no freeze left. The streak keeps its length; a freeze is spent.
    """
    if stats is None or stats.streak == 0 or stats.last_seq != seq - 1:
        return None
    if kind is BridgeKind.AWAY:
        return replace(stats, last_seq=seq)
    if stats.freezes == 0:
        return None
    return replace(
        stats, last_seq=seq, freezes=stats.freezes - 1, freezes_used=stats.freezes_used + 1
    )


@dataclass(frozen=True, slots=True)
class Missed:
    """What a reveal writes for the members who did not answer it: kept streaks, bridges."""

    stats: tuple[MemberStats, ...] = ()  # streaks a bridge kept, after it
    bridges: tuple[StreakBridge, ...] = ()

    def frozen(self) -> tuple[MemberStats, ...]:
        """Return the kept streaks that spent a freeze (their members are told)."""
        spent = {b.member_id for b in self.bridges if b.kind is BridgeKind.FREEZE}
        return tuple(s for s in self.stats if s.member_id in spent)


def cover_missed(
    seq: int,
    open_streaks: Iterable[MemberStats],
    away: Collection[int],
    attempted: Collection[int],
) -> Missed:
    """Return the bridges of revealed round `seq` and the streaks they keep.

    `open_streaks`: the members whose streak runs up to the round before;
    `away`: the members away on the round's date; `attempted`: those who answered
    it with a real attempt. Every away member who did not answer gets an away
    bridge, streak or not; a member with a streak and no away day spends a freeze
    if they hold one.
    """
    bridges = [StreakBridge(m, seq, BridgeKind.AWAY) for m in sorted(set(away) - set(attempted))]
    kept: list[MemberStats] = []
    for stats in open_streaks:
        if stats.member_id in attempted:
            continue
        kind = BridgeKind.AWAY if stats.member_id in away else BridgeKind.FREEZE
        after = bridged(stats, seq, kind)
        if after is None:
            continue
        kept.append(after)
        if kind is BridgeKind.FREEZE:
            bridges.append(StreakBridge(stats.member_id, seq, kind))
    return Missed(tuple(kept), tuple(bridges))
