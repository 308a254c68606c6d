"""Every bad input gets a clear, friendly answer and changes nothing."""

from __future__ import annotations

import pytest

from bot.messages import MAX_ANSWER_CHARS
from tests.conftest import Console


async def settings_json(console: Console) -> str:
    row = await console.app.store.db.fetchrow("SELECT settings FROM groups")
    assert row is not None
    return str(row["settings"])


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/frobnicate", "There is no command called 'frobnicate'."),
        ("/leaderbord", "Did you mean /leaderboard?"),
        ("/studybot explode", "'explode' is not a subcommand of /studybot."),
        ("/leaderboard yesterday", "I don't know 'yesterday' here."),
        ("/stats now please", "/stats takes no arguments."),
        ("/practice nlp easy extra", "Too many arguments: 'extra'."),
        ("/practice astrology", "I don't know 'astrology' here."),
        ("/practice answer", "/practice answer needs your answer."),
    ],
)
async def test_bad_commands_are_explained(console: Console, line: str, expected: str) -> None:
    await console.run("/studybot setup")
    out = await console.run(line)
    assert expected in out
    assert "! " in out


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("time=25:00", "'25:00' is not a time of day. Use 24-hour HH:MM"),
        ("tz=Mars/Olympus", "'Mars/Olympus' is not a time zone I know."),
        ("tz=Europe/Berln", "Did you mean Europe/Berlin"),
        ("categories=astrology", "Unknown category: astrology."),
        ("days=funday", "is not a list of days"),
        ("difficulty=impossible", "is not a difficulty mix"),
        ("reveal=2m", "between 10 minutes and 6 days"),
        ("colour=blue", "There is no setting 'colour'."),
        ("time", "'time' needs = and a value, for example time=09:00."),
        ("time=08:00 tz=Nowhere/Land", "is not a time zone I know"),
    ],
)
async def test_bad_settings_change_nothing(console: Console, change: str, expected: str) -> None:
    await console.run("/studybot setup")
    before = await settings_json(console)
    out = await console.run(f"/studybot settings {change}")
    assert expected in out and "Nothing was changed." in out
    assert await settings_json(console) == before


async def test_setup_with_bad_settings_creates_nothing(console: Console) -> None:
    out = await console.run("/studybot setup time=9")
    assert "is not a time of day" in out
    assert await console.app.store.list_groups() == []


async def test_answers_that_are_empty_too_long_or_have_no_round(console: Console) -> None:
    out = await console.run("/answer hello")
    assert "aren't set up in this channel" in out
    await console.run("/studybot setup days=daily")
    out = await console.run("/answer hello")
    assert "There is no open question here right now. The next one comes" in out
    await console.run(":at 2026-11-30T09:00")
    out = await console.run("/answer    ")
    assert "form 'Your answer'" in out  # no text: the form opens
    out = await console.run("   \t ")
    assert "form" not in out  # a blank line is ignored, the form still waits
    out = await console.run(":cancel", "/answer " + "x" * (MAX_ANSWER_CHARS + 1))
    assert f"the limit is {MAX_ANSWER_CHARS:,}" in out
    round_ = await console.app.store.current_round(1)
    assert round_ is not None
    assert await console.app.store.round_answers(round_.id) == []


async def test_empty_form_submission_is_refused(console: Console) -> None:
    await console.run("/studybot setup days=daily", ":at 2026-11-30T09:00")
    from bot.model import ChannelRef, MemberRef
    from bot.ports import FormSubmit

    [reply] = await console.app.core.handle(
        FormSubmit(
            "answer",
            MemberRef("console", "alice", "Alice"),
            ChannelRef("console", "local", "general"),
            {"text": "  "},
            "1",
        )
    )
    assert reply.is_error and "Your answer is empty" in reply.text


async def test_non_admins_are_refused(console: Console) -> None:
    await console.run("/studybot setup")
    await console.run(":as Mallory")
    for sub in ("settings time=10:00", "pause", "resume", "skip", "post-now", "reveal", "setup"):
        out = await console.run(f"/studybot {sub}")
        assert "is for the channel's admins" in out
    assert '"post_time": "09:00"' in await settings_json(console)


async def test_listed_admins_may_use_admin_commands(console: Console) -> None:
    await console.run("/studybot setup admins=mallory")
    out = await console.run(":as Mallory", "/studybot settings time=10:00")
    assert "Settings changed: time" in out


async def test_user_text_cannot_mention_everyone_or_break_formatting(console: Console) -> None:
    await console.run("/studybot setup days=daily", ":at 2026-11-30T09:00")
    await console.run(":as @everyone **boss**", "my answer @here <@123> `code`")
    out = await console.run(":as Alice", "/studybot reveal")
    assert "@everyone" not in out
    row = await console.app.store.db.fetchrow("SELECT text FROM answers")
    assert row is not None and row["text"] == "my answer @here <@123> `code`"  # kept as sent
    from bot.messages import reveal_card

    round_ = await console.app.store.get_round(1)
    assert round_ is not None
    question = console.app.bank.get(round_.question_id)
    assert question is not None
    card = reveal_card(1, question, await console.app.store.round_answers(1), [])
    answers_field = next(f for f in card.fields if f.name.startswith("Answers"))
    assert "@\u200beveryone" in answers_field.value and r"\*\*boss\*\*" in answers_field.value


async def test_reveal_twice_and_unknown_console_commands(console: Console) -> None:
    await console.run("/studybot setup days=daily", ":at 2026-11-30T09:00")
    assert "The answer" in await console.run("/studybot reveal")
    assert "There is no open question to reveal" in await console.run("/studybot reveal")
    assert "There is no console command :fly" in await console.run(":fly")
    assert "The clock only moves forward" in await console.run(":at 2020-01-01T00:00")
    assert "is not a duration" in await console.run(":advance soon")
