"""A whole round through the console: post, three answers, reveal, leaderboard."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from bot.content.bank import QuestionBank
from bot.model import RoundStatus
from tests.conftest import Console, open_console


async def test_full_round_with_three_members(console: Console) -> None:
    out = await console.run("/studybot setup time=09:00 tz=UTC days=daily reveal=17:00")
    assert "Daily questions are on" in out
    out = await console.run(":at 2026-11-30T09:00")
    assert "Question of the day" in out and "1 job(s) ran" in out
    round_ = await console.app.store.current_round(1)
    assert round_ is not None and round_.status is RoundStatus.OPEN
    question = console.app.bank.get(round_.question_id)
    assert question is not None

    full = question.answer  # the reference answer covers every key point
    out = await console.run(full)
    assert "Recorded your answer" in out
    out = await console.run(":as Bob", "I have no idea, sorry")
    assert "Recorded your answer" in out
    term = question.key_points[0].match[0]
    assert isinstance(term, str)
    out = await console.run(":as Carol", "/answer", f"The key idea here is {term}, I believe.")
    assert "form 'Your answer'" in out and "Recorded your answer" in out

    out = await console.run(":at 2026-11-30T17:00")
    assert "The answer" in out
    answers = await console.app.store.round_answers(round_.id)
    points = {a.display_name: a.points for a in answers}
    n = len(question.key_points)
    assert points["Alice"] == 30  # 10 for answering + 20 for full coverage
    assert points["Bob"] == 10
    assert points["Carol"] == 10 + round(20 * 1 / n)
    assert re.search(r"Alice — ✓+ " + f"{n}/{n}", out)

    out = await console.run(":as Alice", "/leaderboard all")
    lines = [line.strip() for line in out.splitlines()]
    carol = answers[[a.display_name for a in answers].index("Carol")].coverage
    assert carol is not None
    assert lines.index("1. Alice — 30 · 1 round, 100% coverage") < lines.index(
        f"2. Carol — {points['Carol']} · 1 round, {carol:.0%} coverage"
    )
    out = await console.run(":press My feedback")
    assert f"You covered {n} of {n} key points" in out


async def test_edit_before_reveal_replaces_and_late_answers_score_nothing(console: Console) -> None:
    await console.run("/studybot setup time=09:00 days=daily reveal=12h", ":at 2026-11-30T09:00")
    out = await console.run("first try")
    assert "Recorded your answer" in out
    out = await console.run(":edit second, better try")
    assert "Updated that part of your answer" in out
    round_ = await console.app.store.current_round(1)
    assert round_ is not None
    [answer] = await console.app.store.round_answers(round_.id)
    assert answer.text == "second, better try"

    await console.run(":at 2026-11-30T21:00")
    out = await console.run(":as Dan", "/answer too late?")
    assert "! There is no open question" in out
    out = await console.run("a thread answer after the reveal")
    assert "late answer" in out
    answers = await console.app.store.round_answers(round_.id)
    dan = next(a for a in answers if a.display_name == "Dan")
    assert dan.late and dan.points is None
    out = await console.run(":as Alice", ":edit changing it after the reveal")
    assert "Recorded" not in out and "Replaced" not in out  # talk after the reveal is no answer
    assert "your on-time answer stands" in out
    [alice] = [
        a for a in await console.app.store.round_answers(round_.id) if a.display_name == "Alice"
    ]
    assert alice.text == "second, better try" and alice.points is not None


async def test_deleting_the_thread_message_withdraws_the_answer(console: Console) -> None:
    await console.run("/studybot setup time=09:00 days=daily", ":at 2026-11-30T09:00")
    await console.run("an answer I regret")
    out = await console.run(":delete")
    assert "withdrawn" in out
    round_ = await console.app.store.current_round(1)
    assert round_ is not None
    assert await console.app.store.round_answers(round_.id) == []


async def test_several_days_no_repeat_and_streaks(console: Console) -> None:
    await console.run("/studybot setup time=08:00 days=daily reveal=10h")
    seen = []
    for day in ["2026-11-30"] + [f"2026-12-0{d}" for d in range(1, 8)]:  # 8 questions
        await console.run(f":at {day}T08:00", "my answer is that it depends on the data")
        round_ = await console.app.store.current_round(1)
        assert round_ is not None
        seen.append(round_.question_id)
        await console.run(f":at {day}T18:00")
    assert len(set(seen)) == 8, seen
    stats = await console.app.store.member_stats(1, [1])
    assert stats[1].streak == 8 and stats[1].rounds_answered == 8
    assert stats[1].freezes == 1  # earned at seven in a row
    await console.run(":at 2026-12-08T08:00")  # a ninth question starts the bank over
    round_ = await console.app.store.current_round(1)
    assert round_ is not None and round_.question_id in seen
    await console.run(":at 2026-12-08T18:00", ":at 2026-12-09T08:00", "back again with an answer")
    await console.run(":at 2026-12-09T18:00")
    stats = await console.app.store.member_stats(1, [1])
    # The missed ninth round spent the freeze: the streak went on over it.
    assert stats[1].streak == 9 and stats[1].best_streak == 9
    assert (stats[1].freezes, stats[1].freezes_used, stats[1].rounds_answered) == (0, 1, 9)


async def test_groups_in_several_time_zones_across_a_dst_change(
    tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    # Europe/Berlin leaves summer time on 2026-10-25; New York on 2026-11-01.
    c = await open_console(
        tmp_path / "tz.sqlite3", fixture_bank, datetime(2026, 10, 22, 0, 0, tzinfo=UTC)
    )
    try:
        await c.run(":channel berlin", "/studybot setup time=09:00 tz=Europe/Berlin days=daily")
        await c.run(":channel nyc", "/studybot setup time=09:00 tz=America/New_York days=daily")
        await c.run(":at 2026-11-03T00:00")
        posted = {}
        for group_id in (1, 2):
            rows = await c.app.store.db.fetch(
                "SELECT local_date, posted_at FROM rounds WHERE group_id = :g ORDER BY local_date",
                {"g": group_id},
            )
            posted[group_id] = {r["local_date"]: r["posted_at"] for r in rows}
        from bot.clock import from_micros

        def utc_hour(group: int, day: str) -> int:
            return from_micros(posted[group][day]).hour

        assert len(posted[1]) == 12 and len(posted[2]) == 12  # one a day, none twice
        assert utc_hour(1, "2026-10-24") == 7 and utc_hour(1, "2026-10-26") == 8  # CEST -> CET
        assert utc_hour(2, "2026-10-31") == 13 and utc_hour(2, "2026-11-02") == 14  # EDT -> EST
    finally:
        await c.app.stop()


async def test_weekdays_are_honoured(console: Console) -> None:
    await console.run("/studybot setup time=09:00 days=mon,wed")
    await console.run(":at 2026-12-07T00:00")  # Mon 30 Nov .. Sun 6 Dec
    rows = await console.app.store.db.fetch("SELECT local_date FROM rounds ORDER BY local_date")
    assert [r["local_date"] for r in rows] == ["2026-11-30", "2026-12-02"]


async def test_failed_post_is_retried_and_posted_once(console: Console) -> None:
    await console.run("/studybot setup time=09:00 days=daily", ":fail-posts 2")
    out = await console.run(":at 2026-11-30T09:00")
    assert "Question of the day" not in out
    out = await console.run(":at 2026-11-30T09:05")
    assert out.count("Question of the day") == 1
    rows = await console.app.store.db.fetch("SELECT status, attempts FROM rounds")
    assert [(r["status"], r["attempts"]) for r in rows] == [("open", 3)]


async def test_admin_controls(console: Console) -> None:
    await console.run("/studybot setup days=daily")
    out = await console.run("/studybot skip")
    assert "Monday 30 November will be skipped" in out
    out = await console.run(":at 2026-11-30T10:00")
    assert "Question of the day" not in out
    out = await console.run("/studybot post-now")
    assert "Today's question was skipped" in out
    out = await console.run("/studybot pause")
    assert "paused" in out
    out = await console.run(":at 2026-12-03T10:00")
    assert "Question of the day" not in out
    out = await console.run("/studybot resume", "/studybot post-now")
    assert "Question of the day" in out and "Posted today's question" in out
    out = await console.run("/studybot post-now")
    assert "already posted" in out
    out = await console.run("/studybot reveal")
    assert "The answer" in out
    out = await console.run("/studybot reveal")
    assert "! There is no open question to reveal." in out


async def test_practice_hint_answer_and_review(console: Console) -> None:
    await console.run("/studybot setup")
    out = await console.run("/practice nlp easy")
    assert "Practice · NLP · easy" in out
    out = await console.run("/hint")
    assert "Hint for your practice question" in out
    out = await console.run(
        "/practice answer term frequency times inverse document frequency; common words weigh less"
    )
    assert "You covered 3 of 3" in out and "Next review" in out
    out = await console.run("/practice answer again")
    assert "no practice question open" in out
    out = await console.run("/stats")
    assert "1 question, 1 answered" in out


async def test_thread_messages_add_up_to_one_answer_and_replies_are_discussion(
    console: Console,
) -> None:
    # Issue #16: a second message replaced the answer ("🔁 Replaced your earlier answer").
    await console.run("/studybot setup time=09:00 days=daily reveal=12h", ":at 2026-11-30T09:00")
    out = await console.run("Bias is the error from wrong assumptions in the model.")
    assert "[only Alice sees this] ✅" in out and "Recorded your answer" in out
    out = await console.run("Variance is how much the fit changes with the training data.")
    assert "[only Alice sees this] ➕" in out and "Added to your answer (now 2 parts" in out
    assert "Replaced" not in out
    out = await console.run(":as Bob", "Both trade off against each other.")
    assert "Recorded your answer" in out
    out = await console.run(":reply alice I think variance also grows with model size.")
    assert out.strip() == ""  # discussion: no reply at all
    out = await console.run(":edit Variance grows with model complexity, I'd say.")
    assert out.strip() == ""  # an edit of discussion is discussion too
    out = await console.run(":as Alice", "/answer Regularisation lowers variance.")
    assert "Replaced your whole earlier answer" in out
    out = await console.run("It costs some bias.")
    assert "Added to your answer (now 2 parts" in out
    round_ = await console.app.store.current_round(1)
    assert round_ is not None
    texts = {a.display_name: a.text for a in await console.app.store.round_answers(round_.id)}
    assert texts == {
        "Alice": "Regularisation lowers variance.\nIt costs some bias.",
        "Bob": "Both trade off against each other.",
    }
    out = await console.run(":help")
    assert ":reply NAME TEXT" in out
    out = await console.run("/help")
    assert "everything you write in the question's thread is your answer" in out
    assert "A reply to someone else's message" in out and "is discussion" in out
    assert "`/answer` replaces your whole answer" in out or "/answer replaces your whole" in out


async def test_after_the_reveal_an_on_time_answerer_is_told_once_that_it_stands(
    tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    # Issue #16: writing, editing or deleting after the reveal got no word at all.
    db = tmp_path / "closed.sqlite3"
    start = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    console = await open_console(db, fixture_bank, start)
    await console.run("/studybot setup time=09:00 days=daily reveal=12h", ":at 2026-11-30T09:00")
    await console.run("Bias is the error from wrong assumptions in the model.")
    await console.run(":at 2026-11-30T21:30")
    out = await console.run("thanks, that makes sense")
    assert out.count("Answers to this question are closed; your on-time answer stands") == 1
    assert "[only Alice sees this]" in out
    out = await console.run(":edit thanks!", ":delete", "one more thought")
    assert "closed" not in out
    await console.app.stop()
    again = await open_console(db, fixture_bank, datetime(2026, 11, 30, 22, 0, tzinfo=UTC))
    out = await again.run("and after a restart")
    assert "closed" not in out  # told once per round, restarts included
    await again.app.stop()
