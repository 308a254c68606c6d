"""The weekly recap through the console: posted once, before Monday's question, figures recounted.

A group in UTC plays Mon, Wed and Fri for two weeks (2026-W49 and W50). Each
Monday after that opens with a recap of the week before; its figures are
checked against a recount from the answers the database holds.
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.content.bank import QuestionBank
from bot.model import ChannelRef, MessageRef, RoundStatus
from bot.replies import Reply
from tests.conftest import Console, open_console
from tests.png import assert_drawn, png_size
from tests.recount_check import recounted_board

GROUP = 1
SETUP = "/studybot setup time=09:00 tz=UTC days=mon,wed,fri reveal=17:00"
RECAP = "Last week's recap"
QUESTION = "Question of the day"

# Day of month -> member -> how they answer; and the day's helpful votes (voter, author).
WEEK49: dict[int, dict[str, str]] = {
    30: {"Alice": "full", "Bob": "part", "Carol": "part"},
    2: {"Alice": "part", "Bob": "part"},
    4: {"Alice": "full", "Carol": "part", "Dan": "full"},
}
WEEK50: dict[int, dict[str, str]] = {
    7: {"Bob": "full", "Carol": "full", "Alice": "part"},
    9: {"Bob": "full", "Alice": "part", "Erin": "part"},
    11: {"Carol": "full", "Bob": "full"},
}
VOTES = {2: [("Carol", "Bob")], 9: [("Alice", "Bob"), ("Carol", "Bob"), ("Bob", "Erin")]}


def stamp(day: int, at: str) -> str:
    month = 11 if day >= 28 else 12
    return f":at 2026-{month:02d}-{day:02d}T{at}"


async def play_day(console: Console, day: int, answers: dict[str, str]) -> str:
    """Post the day's question at 09:00, take answers and votes, reveal at 17:00.

    Return what the post at 09:00 printed.
    """
    posted = await console.run(stamp(day, "09:00"))
    round_ = await console.app.store.current_round(GROUP)
    assert round_ is not None and round_.status is RoundStatus.OPEN
    question = console.app.bank.get(round_.question_id)
    assert question is not None
    term = question.key_points[0].match[0]
    texts = {
        "full": question.answer,
        "part": f"I think the key idea here is {term}, as far as I remember.",
    }
    for member, kind in answers.items():
        out = await console.run(f":as {member}", texts[kind])
        assert "Recorded your answer" in out, out
    for voter, author in VOTES.get(day, []):
        assert "👍 added" in await console.run(f":as {voter}", f":like {author}")
    assert "The answer" in await console.run(stamp(day, "17:00"))
    return posted


async def recount(console: Console, first: str, last: str) -> dict[str, Any]:
    """Recount a week's recap from the answers stored: took part, improved, helpful, hardest."""
    rows = await console.app.store.db.fetch(
        "SELECT r.id, r.local_date, r.question_id, m.display_name AS name, a.coverage,"
        " (SELECT COUNT(*) FROM votes v WHERE v.answer_id = a.id) AS votes"
        " FROM answers a JOIN rounds r ON r.id = a.round_id JOIN members m ON m.id = a.member_id"
        " WHERE r.group_id = :g AND r.status = 'revealed' AND a.late = 0",
        {"g": GROUP},
    )
    rows = [dict(r) for r in rows] if rows else []
    week = [r for r in rows if first <= r["local_date"] <= last]
    before_first = (date.fromisoformat(first) - timedelta(days=7)).isoformat()
    before = [r for r in rows if before_first <= r["local_date"] < first]

    def average(part: list[dict[str, Any]]) -> dict[str, float]:
        per: dict[str, list[float]] = defaultdict(list)
        for r in part:
            per[r["name"]].append(r["coverage"])
        return {n: sum(c) / len(c) for n, c in per.items()}

    now, then = average(week), average(before)
    rises = sorted((then[n] - now[n], n) for n in now if n in then and now[n] > then[n])
    votes: dict[str, int] = defaultdict(int)
    per_round: dict[int, list[float]] = defaultdict(list)
    days: dict[int, str] = {}
    for r in week:
        votes[r["name"]] += r["votes"]
        per_round[r["id"]].append(r["coverage"])
        days[r["id"]] = r["local_date"]
    hardest = min((sum(c) / len(c), days[rid], rid) for rid, c in per_round.items() if len(c) >= 2)
    return {
        "members": len(now),
        "improved": (rises[0][1], then[rises[0][1]], now[rises[0][1]]) if rises else None,
        "helpful": max(votes.items(), key=lambda kv: (kv[1], kv[0])) if votes else None,
        "hardest": hardest,
    }


def pct(x: float) -> str:
    return f"{round(x * 100)}%"


def _read(path: str) -> bytes:
    return Path(path).read_bytes()


async def test_the_recap_opens_each_week_once_with_recounted_figures(console: Console) -> None:
    await console.run(SETUP)
    for day, answers in WEEK49.items():
        assert RECAP not in await play_day(console, day, answers)  # no week before: no recap

    posted = await play_day(console, 7, WEEK50[7])
    assert posted.count(RECAP) == 1 and posted.count(QUESTION) == 1
    assert posted.index(RECAP) < posted.index(QUESTION)  # before Monday's question
    assert "Last week's recap · 2026-W49 (30 Nov – 6 Dec 2026)" in posted
    # with a chart of the top ten's points per week, up to the recapped week
    [chart] = re.findall(r"\[picture: ([^\]]+)\]", posted[: posted.index(QUESTION)])
    assert Path(chart).name.startswith("leaderboard-") and png_size(_read(chart))[0] == 800
    assert_drawn(_read(chart))
    facts = await recount(console, "2026-11-30", "2026-12-06")
    assert f"{facts['members']} members took part." in posted
    top = (await recounted_board(console.app.store.db, GROUP, "w2026-49"))[:3]
    for (name, points), medal in zip(top, "🥇🥈🥉", strict=True):
        assert f"{medal} {name} — {points} points" in posted
    assert "Most improved" not in posted  # nobody answered in the week before
    helper, votes = facts["helpful"]
    assert (helper, votes) == ("Bob", 1)
    assert f"-- Most helpful --\n  {helper}: 1 helpful vote on last week's answers" in posted
    average, day, _ = facts["hardest"]
    assert "Wednesday 2 Dec's question, Evaluation: “A spam filter" in posted
    assert f"average coverage {pct(average)} over 2 answers" in posted
    assert day == "2026-12-02"

    for day in (9, 11):
        assert RECAP not in await play_day(console, day, WEEK50[day])
    posted = await console.run(stamp(14, "09:00"))
    assert posted.count(RECAP) == 1 and posted.index(RECAP) < posted.index(QUESTION)
    facts = await recount(console, "2026-12-07", "2026-12-13")
    name, then, now = facts["improved"]
    assert name == "Bob"  # the largest rise: from partial answers to full ones
    assert f"-- Most improved --\n  {name}: average coverage {pct(then)} → {pct(now)}" in posted
    assert facts["helpful"] == ("Bob", 2)
    assert "-- Most helpful --\n  Bob: 2 helpful votes" in posted
    average, day, _ = facts["hardest"]
    assert day == "2026-12-09" and f"average coverage {pct(average)} over 3 answers" in posted
    assert f"{facts['members']} members took part." in posted
    # Nobody is named for doing badly: Erin, the one partial answer of her week, is not.
    assert "Erin" not in posted
    assert RECAP not in await console.run(stamp(16, "09:00"), stamp(18, "09:00"))


async def test_recap_off_posts_no_recap(console: Console) -> None:
    await console.run(SETUP)
    for day, answers in WEEK49.items():
        await play_day(console, day, answers)
    out = await console.run(":as Alice", "/studybot settings recap=off")
    assert "-- Weekly recap --\n  off" in out, out
    posted = await console.run(stamp(7, "09:00"))
    assert QUESTION in posted and RECAP not in posted
    out = await console.run("/studybot settings recap=on")
    assert "-- Weekly recap --\n  on" in out, out
    posted = await console.run(stamp(9, "09:00"))
    assert QUESTION in posted and RECAP not in posted  # Monday's question went out: not now
    count = await console.app.store.db.fetchrow("SELECT COUNT(*) AS n FROM recaps")
    assert count is not None and count["n"] == 0


async def test_no_recap_after_a_week_without_a_revealed_round(console: Console) -> None:
    await console.run(SETUP, "/studybot pause")
    await console.run(stamp(6, "12:00"), "/studybot resume")
    posted = await console.run(stamp(7, "09:00"))
    assert QUESTION in posted and RECAP not in posted
    # W50's questions are revealed, unanswered: its recap says so, and names nobody.
    posted = await console.run(stamp(14, "09:00"))
    assert posted.count(RECAP) == 1 and "2026-W50" in posted
    assert "Nobody answered last week's questions on time." in posted
    assert "Top three" not in posted and "Most helpful" not in posted


class Crash(BaseException):
    """The process dies: nothing below catches this (as nothing catches a SIGKILL)."""


async def test_a_crash_between_the_claim_and_the_post_then_a_restart_posts_it_once(
    tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    db = tmp_path / "bot.sqlite3"
    console = await open_console(db, fixture_bank, datetime(2026, 11, 30, 7, 0, tzinfo=UTC))
    await console.run(SETUP)
    for day, answers in WEEK49.items():
        await play_day(console, day, answers)
    posted = console.chat.post

    async def dies_on_the_recap(place: ChannelRef, reply: Reply) -> MessageRef:
        if reply.key is not None and reply.key.startswith("recap-"):
            raise Crash
        return await posted(place, reply)

    console.chat.post = dies_on_the_recap  # type: ignore[method-assign]
    with pytest.raises(Crash):
        await console.run(stamp(7, "09:00"))
    await console.app.stop()
    claimed = recap_rows(db)
    assert claimed == [("w2026-49", "posting", None)]  # claimed, never posted

    again = await open_console(db, fixture_bank, datetime(2026, 12, 7, 9, 2, tzinfo=UTC))
    try:
        started = again.out.getvalue()
        assert started.count(RECAP) == 1 and "2026-W49" in started
        later = await again.run(stamp(9, "09:00"), stamp(14, "08:00"))
        assert QUESTION in later and RECAP not in later
    finally:
        await again.app.stop()
    [(week, status, message)] = recap_rows(db)
    assert (week, status) == ("w2026-49", "posted") and message is not None


def recap_rows(db: Path) -> list[tuple[str, str, str | None]]:
    """Return the recaps table of a SQLite file: week, status, message."""
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT week, status, message_id FROM recaps ORDER BY week").fetchall()


async def test_a_refused_recap_does_not_hold_up_the_question(console: Console) -> None:
    await console.run(SETUP)
    for day, answers in WEEK49.items():
        await play_day(console, day, answers)
    posted = console.chat.post

    async def refuses_the_recap(place: ChannelRef, reply: Reply) -> MessageRef:
        if reply.key is not None and reply.key.startswith("recap-"):
            raise RuntimeError("the platform is down")
        return await posted(place, reply)

    console.chat.post = refuses_the_recap  # type: ignore[method-assign]
    out = await console.run(stamp(7, "09:00"))
    assert QUESTION in out and RECAP not in out
    row = await console.app.store.db.fetchrow("SELECT status, last_error FROM recaps")
    assert row is not None and row["status"] == "failed" and "down" in row["last_error"]
    console.chat.post = posted  # type: ignore[method-assign]
    assert RECAP not in await console.run(stamp(9, "09:00"))  # given up: never after the question
