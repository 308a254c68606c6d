"""Practice never hands out a daily question before its reveal, nor in the days after it."""

from __future__ import annotations

from bot.model import ChannelRef, MemberRef, RoundStatus
from bot.ports import FormSubmit
from tests.conftest import Console


async def _open_round_question(console: Console) -> str:
    round_ = await console.app.store.current_round(1)
    assert round_ is not None and round_.status is RoundStatus.OPEN
    return round_.question_id


async def test_practice_never_offers_the_open_rounds_question_nor_its_answer(
    console: Console,
) -> None:
    await console.run(
        "/studybot setup time=09:00 tz=UTC days=daily categories=nlp difficulty=easy reveal=8h",
        ":at 2026-11-30T09:00",
    )
    assert await _open_round_question(console) == "nlp-tf-idf"
    prompt = console.app.bank.get("nlp-tf-idf")
    assert prompt is not None
    # The attack: practice the same category again and again, revealing each time.
    for _ in range(6):
        out = await console.run(":as Mallory", "/practice nlp", "/practice reveal")
        assert prompt.answer.splitlines()[0] not in out
        assert "Practice · NLP · medium" in out
    out = await console.run("/practice nlp easy")
    assert "Every question that matches is a daily question" in out
    # Another channel of the same workspace: the same question is held back there too.
    out = await console.run(":channel elsewhere", "/practice nlp easy")
    assert "Every question that matches is a daily question" in out
    out = await console.run("/help")
    assert "Practice never gives today's daily question" in out

    # Three days after the reveal, it is an ordinary practice question again.
    await console.run(":channel general", ":as Alice", ":at 2026-11-30T17:05", "/studybot pause")
    await console.run(":as Mallory", ":at 2026-12-03T16:00")
    out = await console.run("/practice nlp easy")
    assert "Every question that matches" in out  # 2 days 23 hours after the reveal
    await console.run(":at 2026-12-03T17:01")
    out = await console.run("/practice nlp easy")
    assert "Practice · NLP · easy" in out


async def test_a_practice_question_that_became_the_daily_question_waits_for_its_reveal(
    console: Console,
) -> None:
    await console.run("/studybot setup time=09:00 tz=UTC days=daily categories=nlp difficulty=easy")
    out = await console.run(":as Mallory", "/practice nlp easy")  # before the round: allowed
    assert "Practice · NLP · easy" in out
    await console.run(":at 2026-11-30T09:00")
    assert await _open_round_question(console) == "nlp-tf-idf"
    for line in ("/hint", "/practice reveal", "/practice answer term frequency"):
        out = await console.run(line)
        assert "is now a daily question in one of your groups" in out, line
        assert "inverse document frequency" not in out.lower()
    await console.run(":as Alice", "/studybot reveal", ":as Mallory")
    out = await console.run("/practice reveal")
    assert "inverse document frequency" in out.lower()


async def test_a_form_naming_a_round_that_was_never_asked_takes_no_answer(
    console: Console,
) -> None:
    await console.run(
        "/studybot setup time=09:00 tz=UTC days=daily reveal=8h",
        "/studybot skip",  # the round of 30 November is skipped
        ":at 2026-12-01T09:00",
    )
    rounds = await console.app.store.db.fetch("SELECT id, status FROM rounds ORDER BY id")
    skipped = next(r["id"] for r in rounds if r["status"] == "skipped")
    form = FormSubmit(
        "answer",
        MemberRef("console", "mallory", "Mallory"),
        ChannelRef("console", "local", "general"),
        {"text": "an answer stored on a round nobody was asked"},
        str(skipped),
    )
    [reply] = await console.app.core.handle(form)
    assert reply.is_error and "never asked" in reply.text
    answers = await console.app.store.db.fetch("SELECT round_id FROM answers")
    assert answers == []
    open_round = await console.app.store.current_round(1)
    assert open_round is not None
    good = FormSubmit("answer", form.actor, form.place, form.values, str(open_round.id))
    [reply] = await console.app.core.handle(good)
    assert not reply.is_error
