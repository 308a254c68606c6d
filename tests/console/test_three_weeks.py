"""Three weeks of a study group on the console: reminders, freezes, away days, a holiday.

Four members over 21 days (Monday 30 November to Sunday 20 December 2026,
daily at 09:00 UTC, the answer at 17:00, reminders at 15:00):

- Alice answers every round in the morning: never reminded.
- Bob answers every round but turns reminders off on day 1; he misses Tuesday
  15 December, which spends one of the freezes his run earned.
- Carol answers the first seven rounds, misses Monday 7 December (reminded at
  15:00, then her freeze keeps her streak, privately told), and answers again.
- Dan is away Monday 14 to Wednesday 16 December: not reminded, streak kept.
- Thursday 10 December is a holiday: no question, no reminder, no streak broken.
- The bot is down from 14:00 to 16:00 on Friday 18 December: the reminder it
  missed (to Carol, who has not answered) is sent once when it starts again, the
  reveal comes once at 17:00, and Carol's second freeze keeps her streak.

Nobody is ever named in the channel by a reminder or a freeze; every score,
streak and freeze ends equal to a recount from the answers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from adapters.console.adapter import PLATFORM
from bot.content.bank import QuestionBank
from bot.model import MemberRef
from tests.conftest import Console, open_console
from tests.console.test_reminders import reminded
from tests.recount_check import assert_scores_recount

START = date(2026, 11, 30)  # Monday
SETUP = "/studybot setup time=09:00 tz=UTC days=daily reveal=17:00 holidays=2026-12-10"
HOLIDAY = 10  # Thursday 10 December
CAROL_MISSES = 7  # Monday 7 December
DAN_AWAY = range(14, 17)  # Monday 14 to Wednesday 16 December
BOB_MISSES = 15  # Tuesday 15 December
DOWN = 18  # Friday 18 December: down from 14:00 to 16:00, Carol not answered by then
FREEZE_KEPT = "a streak freeze kept your streak of"
MEMBERS = ("Alice", "Bob", "Carol", "Dan")


def at(day: int, hour: int) -> str:
    """Return the console's `:at` line for a day of the three weeks and an hour (UTC)."""
    return f":at {START + timedelta(days=day)}T{hour:02d}:00"


def who_answers(day: int) -> list[str]:
    """Return who answers a day's question in the morning."""
    members = list(MEMBERS)
    if day in (CAROL_MISSES, DOWN):
        members.remove("Carol")
    if day in DAN_AWAY:
        members.remove("Dan")
    if day == BOB_MISSES:
        members.remove("Bob")
    return members


async def answer(console: Console, members: list[str]) -> None:
    """Each member answers the open question with its reference answer (a real attempt)."""
    round_ = await console.app.store.current_round(1)
    assert round_ is not None and round_.status.value == "open"
    question = console.app.bank.get(round_.question_id)
    assert question is not None
    for member in members:
        out = await console.run(f":as {member}", " ".join(question.answer.split()))
        assert "Recorded your answer" in out, (member, out)


def private_to(out: str, member: str) -> list[str]:
    """Return the private messages a member was shown in console output."""
    return [part.split("[only ")[0] for part in out.split(f"[only {member} sees this]")[1:]]


async def test_three_weeks_of_reminders_freezes_away_days_and_a_holiday(
    tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    db = tmp_path / "bot.sqlite3"
    console = await open_console(db, fixture_bank, datetime(2026, 11, 30, 7, 0, tzinfo=UTC))
    try:
        await console.run(SETUP)
        posted: list[int] = []
        for day in range(21):
            morning = await console.run(at(day, 9))
            if day == HOLIDAY:
                assert "Question of the day" not in morning
                assert reminded(await console.run(at(day, 15))) == []
                assert "Answer:" not in await console.run(at(day, 17))
                continue
            posted.append(day)
            await answer(console, who_answers(day))
            if day == 0:
                said = await console.run(":as Dan", "/away 2026-12-14..2026-12-16")
                assert "You're away 2026-12-14 to 2026-12-16 (3 days)" in said
            if day == 1:
                assert "reminders are now off" in await console.run(":as Bob", "/remind off")
            if day == DOWN:
                await console.run(at(day, 14))
                await console.app.stop()  # down over the reminder's time, back before the reveal
                console = await open_console(
                    db, fixture_bank, datetime(2026, 12, 18, 16, 0, tzinfo=UTC)
                )
                assert reminded(console.out.getvalue()) == ["Carol"]  # sent once, at start
                afternoon = await console.run(at(day, 17))
                assert reminded(afternoon) == []
                assert any(FREEZE_KEPT in note for note in private_to(afternoon, "Carol"))
                continue
            afternoon = await console.run(at(day, 15))
            expected = {
                CAROL_MISSES: ["Carol"],  # Bob is off; Dan and Alice answered
                BOB_MISSES: [],  # Bob turned reminders off; Dan is away
            }.get(day, [])
            assert reminded(afternoon) == expected, day
            assert "[#" not in afternoon  # a reminder says nothing in the channel
            revealed = await console.run(at(day, 17))
            told = [m for m in MEMBERS if any(FREEZE_KEPT in n for n in private_to(revealed, m))]
            assert told == {CAROL_MISSES: ["Carol"], BOB_MISSES: ["Bob"]}.get(day, []), day
            assert revealed.count(FREEZE_KEPT) == len(told)  # only in private, never in the channel

        assert len(posted) == 20  # every day but the holiday
        store = console.app.store
        ids = {m: await store.member_id(MemberRef(PLATFORM, m.lower(), m)) for m in MEMBERS}
        stats = await store.member_stats(1, list(ids.values()))
        kept = {
            m: (stats[i].streak, stats[i].freezes, stats[i].freezes_used) for m, i in ids.items()
        }
        # (streak, freezes held, freezes used): a freeze each 7 answered in a row, 2 at most
        assert kept == {
            "Alice": (20, 2, 0),  # every round answered
            "Bob": (19, 1, 1),  # freezes at 7 and 14 answered; one spent on the 15th
            "Carol": (18, 0, 2),  # freezes at 7 and 14: spent on the 7th and the 18th
            "Dan": (17, 2, 0),  # three away days bridged: no freeze spent
        }
        await assert_scores_recount(store.db)
    finally:
        await console.app.stop()
