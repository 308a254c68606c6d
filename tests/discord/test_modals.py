"""Forms (modals) on the loopback Discord: they open in a crowd, and within Discord's rules."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from adapters.discord.commands import BARE_SUBCOMMAND
from adapters.discord.interactions import BUSY_AFTER
from bot.content.bank import QuestionBank
from loopback.discord import FakeDiscord, InteractionRecord, Json
from tests.discord.conftest import Bot, make_bot, stop_bot

CALLBACKS = r"/interactions/\d+/[^/]+/callback"


def _round_card(bot: Bot) -> Json:
    cards = [
        m
        for m in bot.fake.messages_in(bot.channel_id)
        if m["author"]["id"] == bot.fake.bot_user["id"] and m["embeds"]
    ]
    assert cards, "no round was posted"
    return cards[-1]


def _custom_ids(message: Json) -> list[str]:
    return [c["custom_id"] for row in message["components"] for c in row["components"]]


def _answered(record: InteractionRecord) -> bool:
    """Tell whether an interaction shows its answer (not "thinking" any more)."""
    return record.original is not None and not record.original.get("flags", 0) & 128


async def _crowd(bot: Bot, size: int, *, held: float) -> list[InteractionRecord]:
    """Send `size` members' /stats at once, each kept in hand `held` seconds by a slow callback."""
    fake = bot.fake
    before = len(fake.calls_to("POST", CALLBACKS))
    fake.slow("POST", CALLBACKS, held, times=size)
    records = [
        await fake.send_interaction(
            fake.interaction_payload(
                2,
                fake.command_data("stats", [], None),
                user=fake.user(f"m{i}"),
                channel=bot.channel,
            )
        )
        for i in range(size)
    ]
    # every one of them has reached its (slow) callback: all are in the bot's hands now
    await bot.until(lambda: len(fake.calls_to("POST", CALLBACKS)) - before >= size)
    return records


async def test_forms_open_in_a_crowd_of_interactions(
    tmp_path: Path, fixture_bank: QuestionBank, fake: FakeDiscord
) -> None:
    b = await make_bot(tmp_path, fixture_bank, fake, busy_after=BUSY_AFTER)
    try:
        await b.set_up_group()
        await b.command("studybot", b.admin, sub="post-now", admin=True)
        await b.until(lambda: bool(fake.messages_in(b.channel_id)))
        card = _round_card(b)
        practice = await b.command(
            "practice", b.bob, sub=BARE_SUBCOMMAND, options={"category": "nlp"}
        )
        assert practice.original is not None
        practice_answer = next(
            c for c in _custom_ids(practice.original) if c.startswith("sb:practice-answer:")
        )

        crowd = await _crowd(b, BUSY_AFTER + 5, held=1.5)
        # more than BUSY_AFTER interactions are in hand: new ones would be deferred at once
        answer_button = await fake.press(card, _custom_ids(card)[0], user=b.bob)
        answer_command = await b.command("answer", b.bob)
        practice_button = await fake.press(practice.original, practice_answer, user=b.bob)
        for record in (answer_button, answer_command, practice_button):
            callback = record.callback.result()
            assert callback["type"] == 9, callback  # the form opened, as the first response
            assert record.latency < 2.0  # promptly: well inside Discord's 3 s
        assert answer_button.callback.result()["data"]["title"] == "Your answer"
        assert practice_button.callback.result()["data"]["title"] == "Your practice answer"
        # the crowd itself was still acknowledged first and answered
        await b.until(lambda: all(_answered(r) for r in crowd), within=10)
        assert {r.callback.result()["type"] for r in crowd} <= {4, 5}
        assert all("stats" in str(r.messages()).lower() for r in crowd)
    finally:
        await stop_bot(b.app, b.platform, b.task)


async def test_an_always_deferring_bot_still_opens_forms(
    tmp_path: Path, fixture_bank: QuestionBank, fake: FakeDiscord
) -> None:
    b = await make_bot(tmp_path, fixture_bank, fake, defer_after=0.0, busy_after=0)
    try:
        await b.set_up_group()
        posted = await b.command("studybot", b.admin, sub="post-now", admin=True)
        await b.until(lambda: bool(posted.edits))
        assert posted.callback.result()["type"] == 5  # other work is deferred as configured
        form = await b.command("answer", b.bob)
        assert form.callback.result()["type"] == 9
        pressed = await fake.press(_round_card(b), _custom_ids(_round_card(b))[0], user=b.bob)
        assert pressed.callback.result()["type"] == 9
    finally:
        await stop_bot(b.app, b.platform, b.task)


async def test_a_form_that_cannot_open_in_time_says_so(
    tmp_path: Path, fixture_bank: QuestionBank, fake: FakeDiscord
) -> None:
    # the last resort: the core did not answer before the form's deadline (0: at once)
    b = await make_bot(tmp_path, fixture_bank, fake, form_defer_after=0.0)
    try:
        await b.set_up_group()
        await b.command("studybot", b.admin, sub="post-now", admin=True)
        form = await b.command("answer", b.bob)
        assert form.callback.result()["type"] == 5
        await b.until(lambda: bool(form.edits))
        shown = form.original["content"] if form.original else ""
        assert "too long to open the form" in shown
        assert form.followups == []
    finally:
        await stop_bot(b.app, b.platform, b.task)


# -- the fake is as strict as Discord about first responses ---------------------------


async def _callback(fake: FakeDiscord, record: InteractionRecord, body: Json) -> tuple[int, Json]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{fake.api_base}/interactions/{record.id}/{record.token}/callback", json=body
        ) as response,
    ):
        return response.status, await response.json()


def _modal(title: str = "Your answer", custom_id: str = "sbf:answer:1", inputs: int = 1) -> Json:
    rows = [
        {
            "type": 1,
            "components": [
                {
                    "type": 4,
                    "style": 2,
                    "label": "Answer",
                    "custom_id": f"text{i}",
                    "required": True,
                }
            ],
        }
        for i in range(inputs)
    ]
    return {"type": 9, "data": {"title": title, "custom_id": custom_id, "components": rows}}


async def _button_press(fake: FakeDiscord) -> InteractionRecord:
    guild = fake.add_guild("g")
    channel = guild["channels"][0]
    payload = fake.interaction_payload(
        3, {"custom_id": "sb:answer:1", "component_type": 2}, user=fake.user("u"), channel=channel
    )
    return await fake.send_interaction(payload)


async def test_the_fake_refuses_a_modal_after_a_deferral(fake: FakeDiscord) -> None:
    record = await _button_press(fake)
    assert (await _callback(fake, record, {"type": 5, "data": {"flags": 64}}))[0] == 200
    status, error = await _callback(fake, record, _modal())
    assert (status, error["code"]) == (400, 40060)
    assert error["message"] == "Interaction has already been acknowledged."


async def test_the_fake_refuses_a_first_response_after_three_seconds(fake: FakeDiscord) -> None:
    record = await _button_press(fake)
    record.sent_at -= 3.1  # as if the bot took longer than Discord's 3 seconds
    status, error = await _callback(fake, record, _modal())
    assert (status, error["code"]) == (404, 10062) and not record.callback.done()


async def test_the_fake_refuses_a_modal_answering_a_modal_submit(fake: FakeDiscord) -> None:
    guild = fake.add_guild("g")
    data = {"custom_id": "sbf:answer:1", "components": []}
    payload = fake.interaction_payload(5, data, user=fake.user("u"), channel=guild["channels"][0])
    record = await fake.send_interaction(payload)
    status, error = await _callback(fake, record, _modal())
    assert (status, error["code"]) == (400, 50035) and "type" in error["message"]
    assert (await _callback(fake, record, {"type": 4, "data": {"content": "ok"}}))[0] == 200


async def test_the_fake_refuses_modals_beyond_discords_limits(fake: FakeDiscord) -> None:
    refused = [
        _modal(title="x" * 46),
        _modal(title=""),
        _modal(custom_id="x" * 101),
        _modal(inputs=0),
        _modal(inputs=6),
    ]
    long_label = _modal()
    long_label["data"]["components"][0]["components"][0]["label"] = "x" * 46
    long_input_id = _modal()
    long_input_id["data"]["components"][0]["components"][0]["custom_id"] = "x" * 101
    refused += [long_label, long_input_id]
    for body in refused:
        record = await _button_press(fake)
        status, error = await _callback(fake, record, body)
        assert (status, error["code"]) == (400, 50035), body
        assert not record.callback.done()
    record = await _button_press(fake)
    assert (await _callback(fake, record, _modal(title="x" * 45, inputs=5)))[0] == 200
