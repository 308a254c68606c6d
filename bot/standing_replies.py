"""What a member is shown of a group's standings: leaderboards, and their own stats."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.command_refs import mention
from bot.markup import user_name
from bot.periods import BoardPeriod
from bot.replies import Button, Field, Reply, Visibility
from bot.store.records import PracticeSummary, Standing

__all__ = [
    "SHARE_LEADERBOARD",
    "leaderboard_reply",
    "leaders_text",
    "overview_card",
    "stats_reply",
]

# The Share button's action; its value names the board (`week`, `week 2026-W49`).
SHARE_LEADERBOARD = "share-leaderboard"
_PERIOD_TITLES = {"week": "this week", "month": "this month", "all": "all time"}


def leaders_text(leaders: Sequence[Standing]) -> str:
    """Return ranked members as lines: `1. Name — points`."""
    if not leaders:
        return "No points yet."
    return "\n".join(f"{s.rank}. {user_name(s.display_name)} — {s.points}" for s in leaders)


def leaderboard_reply(
    board: BoardPeriod,
    leaders: Sequence[Standing],
    mine: Standing | None,
    shared_by: str | None = None,
) -> Reply:
    """Return a group's leaderboard for a period, its title naming the period.

    For the caller alone it shows their place and a Share button; shared with
    the channel it names who shared it and no one's "you".
    """
    title = f"Leaderboard · {board.title}"
    if shared_by is not None:
        again = mention("leaderboard", board.value if board.closed else "")
        return Reply(
            title=title,
            text=leaders_text(leaders),
            footer=f"Shared by {user_name(shared_by)}. {again} shows you your own place.",
            visibility=Visibility.PUBLIC,
        )
    text = leaders_text(leaders)
    if mine is not None and all(s.member_id != mine.member_id for s in leaders):
        text += f"\n…\n{mine.rank}. {user_name(mine.display_name)} — {mine.points} (you)"
    elif mine is None and board.closed:
        text += "\n\nYou had no points in that period."
    elif mine is None:
        text += "\n\nYou have no points in this period yet: answer the next question!"
    return Reply(
        title=title,
        text=text,
        buttons=(Button(SHARE_LEADERBOARD, "Share", board.value),),
        footer="Only you see this; Share posts the top ten in the channel.",
    )


def stats_reply(
    name: str,
    places: Sequence[tuple[str, Standing | None]],
    streak: int,
    best_streak: int,
    rounds_answered: int,
    average_coverage: float | None,
    by_category: Sequence[tuple[str, int, float]],
    practice: PracticeSummary,
    regraded: Sequence[tuple[date, str, int, int]] = (),
) -> Reply:
    """Return a member's own statistics in a group.

    `by_category` names each category as it is shown (its title), with the rounds
    answered in it and their average coverage; `regraded` lists answers a human
    regraded (day, question, points before and after), latest first.
    """
    score_lines = [
        f"{_PERIOD_TITLES[p].capitalize()}: " + (f"{s.points} points, rank {s.rank}" if s else "—")
        for p, s in places
    ]
    fields = [
        Field("Points", "\n".join(score_lines)),
        Field("Streak", f"{streak} now, best {best_streak}", inline=True),
        Field("Rounds answered", str(rounds_answered), inline=True),
    ]
    if average_coverage is not None:
        fields.append(Field("Average coverage", f"{average_coverage:.0%}", inline=True))
    if by_category:
        fields.append(
            Field(
                "By category",
                "\n".join(f"{c}: {n} answered, {cov:.0%} coverage" for c, n, cov in by_category),
            )
        )
    if regraded:
        fields.append(
            Field(
                "Regraded by an admin",
                "\n".join(
                    f"{day:%a %d %b} · {about} · {old} → {new} points"
                    for day, about, old, new in regraded
                ),
            )
        )
    average = practice.average_coverage
    avg = f", {average:.0%} average coverage" if average is not None else ""
    fields.append(
        Field(
            "Practice",
            f"{practice.attempts} question{'' if practice.attempts == 1 else 's'}, "
            f"{practice.answered} answered{avg}; reviews due: {practice.due_today} today,"
            f" {practice.due_week} this week",
        )
    )
    return Reply(title=f"Stats · {user_name(name)}", fields=tuple(fields))


def overview_card(stats: Reply, leaderboard: Reply) -> Reply:
    """Return a member's stats in a group with the group's leaderboard as one more field."""
    board = Field(leaderboard.title or "Leaderboard", leaderboard.text)
    return Reply(title=stats.title, text=stats.text, fields=(*stats.fields, board))
