"""What a member is shown of a group's standings: leaderboards, and their own stats."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from bot.away_days import range_text
from bot.command_refs import mention
from bot.markup import user_name
from bot.periods import BoardPeriod, page_value
from bot.records import AwayRange, PracticeSummary, Standing
from bot.replies import Button, Field, Reply, Visibility
from bot.streak_guard import MAX_FREEZES

__all__ = [
    "LEADERBOARD_PAGE",
    "PAGE_SIZE",
    "SHARE_LEADERBOARD",
    "leaderboard_reply",
    "leaders_text",
    "overview_card",
    "stats_reply",
]

# The Share button's action; its value names the board (`week`, `week 2026-W49`,
# `all category=nlp`).
SHARE_LEADERBOARD = "share-leaderboard"
# The Previous and Next buttons' action; the value names the board and page (`week page=2`).
LEADERBOARD_PAGE = "leaderboard-page"
PAGE_SIZE = 10
_PERIOD_TITLES = {"week": "this week", "month": "this month", "all": "all time"}


def _line(s: Standing, figures: Mapping[int, tuple[int, float]] | None) -> str:
    """Return one ranked member: `1. Name — 40`, with their rounds and coverage if given."""
    line = f"{s.rank}. {user_name(s.display_name)} — {s.points}"
    if figures is None:
        return line
    answered, coverage = figures.get(s.member_id, (0, 0.0))
    if not answered:
        return f"{line} · 0 rounds"
    rounds = "round" if answered == 1 else "rounds"
    return f"{line} · {answered} {rounds}, {coverage / answered:.0%} coverage"


def leaders_text(
    leaders: Sequence[Standing], figures: Mapping[int, tuple[int, float]] | None = None
) -> str:
    """Return ranked members as lines: `1. Name — points`.

    With `figures` (member id: rounds answered, coverage sum in the period), each
    line also shows the member's rounds and average coverage.
    """
    if not leaders:
        return "No points yet."
    return "\n".join(_line(s, figures) for s in leaders)


def _pages(size: int) -> int:
    return max(1, -(-size // PAGE_SIZE))


def _page_buttons(board: BoardPeriod, page: int, size: int) -> tuple[Button, ...]:
    """Return Previous and Next where there is such a page, and Share."""
    buttons = []
    if 1 < page <= _pages(size):
        buttons.append(Button(LEADERBOARD_PAGE, "Previous", page_value(board, page - 1)))
    if page < _pages(size):
        buttons.append(Button(LEADERBOARD_PAGE, "Next", page_value(board, page + 1)))
    buttons.append(Button(SHARE_LEADERBOARD, "Share", board.value))
    return tuple(buttons)


def _own_place(
    board: BoardPeriod,
    leaders: Sequence[Standing],
    mine: Standing | None,
    figures: Mapping[int, tuple[int, float]] | None,
) -> str:
    """Return the caller's line below the page when they are not on it, or why they have none."""
    if mine is not None and all(s.member_id != mine.member_id for s in leaders):
        return f"\n…\n{_line(mine, figures)} (you)"
    if mine is None and board.closed:
        where = " in that category" if board.category else ""
        return f"\n\nYou had no points{where} in that period."
    if mine is None:
        where = " in this category" if board.category else ""
        return f"\n\nYou have no points{where} in this period yet: answer the next question!"
    return ""


def _past_the_end(board: BoardPeriod, page: int, size: int) -> str:
    """Return why a page past the board's last is empty, and which page to ask for."""
    if not size:
        return f"Page {page} is past the end: no one has points on this board."
    pages = _pages(size)
    again = mention("leaderboard", f"{board.value} page={pages}")
    members = f"{size} member{'' if size == 1 else 's'}"
    return (
        f"Page {page} is past the end: this board has {pages} page{'s' if pages > 1 else ''}"
        f" ({members}); try {again}."
    )


def leaderboard_reply(
    board: BoardPeriod,
    leaders: Sequence[Standing],
    mine: Standing | None,
    shared_by: str | None = None,
    figures: Mapping[int, tuple[int, float]] | None = None,
    page: int = 1,
    size: int = 0,
) -> Reply:
    """Return one page of a group's leaderboard for a period, its title naming the period.

    For the caller alone it shows their place (below the page when they are not
    on it), Previous and Next where there are such pages, and a Share button
    (which shares the first page); shared with the channel it names who shared
    it and no one's "you". `size`: how many members the board has.
    """
    title = f"Leaderboard · {board.title}"
    if shared_by is not None:
        again = mention("leaderboard", board.value if board.closed or board.category else "")
        return Reply(
            title=title,
            text=leaders_text(leaders, figures),
            footer=f"Shared by {user_name(shared_by)}. {again} shows you your own place.",
            visibility=Visibility.PUBLIC,
        )
    pages = _pages(size)
    if page > pages:
        text = _past_the_end(board, page, size)
    else:
        text = leaders_text(leaders, figures)
        if pages > 1:
            title += f" · page {page} of {pages}"
    text += _own_place(board, leaders, mine, figures)
    return Reply(
        title=title,
        text=text,
        buttons=_page_buttons(board, page, size),
        footer="Only you see this; Share posts the top ten in the channel.",
    )


def _streak_fields(
    streak: int,
    best_streak: int,
    rounds_answered: int,
    freezes: tuple[int, int],
    away: Sequence[AwayRange],
) -> list[Field]:
    """Return the stats' streak, rounds answered, streak freezes and away days to come."""
    fields = [
        Field("Streak", f"{streak} now, best {best_streak}", inline=True),
        Field("Rounds answered", str(rounds_answered), inline=True),
        Field(
            "Streak freezes",
            f"{freezes[0]} held (at most {MAX_FREEZES}), {freezes[1]} used",
            inline=True,
        ),
    ]
    if away:
        fields.append(Field("Away", ", ".join(range_text(r) for r in away)))
    return fields


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
    freezes: tuple[int, int] = (0, 0),
    away: Sequence[AwayRange] = (),
) -> Reply:
    """Return a member's own statistics in a group.

    `by_category` names each category as it is shown (its title), with the rounds
    answered in it and their average coverage; `regraded` lists answers a human
    regraded (day, question, points before and after), latest first; `freezes`
    the streak freezes held and used; `away` the away days to come.
    """
    score_lines = [
        f"{_PERIOD_TITLES[p].capitalize()}: " + (f"{s.points} points, rank {s.rank}" if s else "—")
        for p, s in places
    ]
    fields = [
        Field("Points", "\n".join(score_lines)),
        *_streak_fields(streak, best_streak, rounds_answered, freezes, away),
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
