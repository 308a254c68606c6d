"""The console's words (#16): subcommands listed, Slack's help taken, practice said right."""

from __future__ import annotations

from bot.commands import group_commands
from bot.content.bank import QuestionBank
from tests.conftest import Console


async def test_studybot_alone_lists_its_subcommands_each_with_its_summary(console: Console) -> None:
    out = await console.run("/studybot")
    assert "! " not in out and "needs a subcommand" not in out
    assert "== Admin commands for this channel's daily questions ==" in out
    for command in group_commands("studybot"):
        usage = f"/{command.name} {command.placeholders}".rstrip()
        assert f"`{usage}` — {command.summary}" in out
    assert "`/help` explains every command, and how scoring works." in out


async def test_studybot_help_is_help_on_the_console(console: Console) -> None:
    out = await console.run("/studybot help")
    assert "== Commands ==" in out and "! " not in out
    assert "`/help scoring` explains points and streaks" in out
    out = await console.run("/studybot help scoring")
    assert "== Scoring ==" in out and "How points work" in out
    assert await console.run("/STUDYBOT Help admin") == await console.run("/help admin")


async def test_the_practice_form_promises_no_reveal(console: Console) -> None:
    await console.run("/practice nlp easy")
    out = await console.run(":press Answer")
    assert "form 'Your practice answer'" in out
    assert "Write your answer; only you see it." in out and "reveal" not in out


async def test_practice_feedback_shows_each_key_point_once(
    console: Console, fixture_bank: QuestionBank
) -> None:
    await console.run("/practice nlp easy")
    out = await console.run("/practice answer term frequency times inverse document frequency")
    question = fixture_bank.get("nlp-tf-idf")
    assert question is not None
    assert "You covered" in out
    for point in question.key_points:
        assert out.count(point.text) == 1, point.text
