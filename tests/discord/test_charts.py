"""Charts on the loopback Discord: a PNG attached to the reply, sent as Discord takes files."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.content.bank import QuestionBank
from loopback.discord import FakeDiscord, Json
from loopback.discord.uploads import UPLOADS, Upload, attach
from tests.discord.conftest import Bot, make_bot, stop_bot
from tests.discord.test_question_stats import _revealed
from tests.png import assert_drawn, png_size


def _attachments(messages: list[Json]) -> list[Json]:
    return [a for m in messages for a in m.get("attachments") or []]


def _uploads(bot: Bot) -> list[Upload]:
    """Return the files the bot sent, as the fake parsed them from its multipart requests."""
    return [
        upload
        for call in bot.fake.calls
        if isinstance(call.body, dict)
        for upload in call.body.get(UPLOADS) or []
    ]


async def test_stats_attach_the_chart_as_a_png_file_described_for_screen_readers(
    bot: Bot,
) -> None:
    await _revealed(bot)  # Alice answered and was graded
    record = await bot.command("stats", bot.alice)
    await bot.until(lambda: bool(_attachments(record.messages())))
    [shown] = _attachments(record.messages())
    assert shown["filename"] == "stats.png" and shown["content_type"] == "image/png"
    assert shown["description"].startswith("Chart of Alice's progress.")
    [upload] = _uploads(bot)  # the bytes came as files[0] beside payload_json
    assert upload.index == 0 and upload.filename == "stats.png"
    assert bot.fake.state.files[shown["id"]] == upload.data
    assert shown["size"] == len(upload.data) and png_size(upload.data)[0] == 800
    assert_drawn(upload.data)
    message = record.messages()[-1]
    assert message["flags"] & 64, "stats stay private (ephemeral), picture and all"


async def test_a_member_without_history_is_told_so_and_gets_no_picture(bot: Bot) -> None:
    await _revealed(bot)
    record = await bot.command("stats", bot.bob)
    await bot.until(lambda: bool(record.messages()))
    assert not _attachments(record.messages()) and not _uploads(bot)
    assert "Answer a round to see your chart." in str(record.messages())


async def test_the_leaderboard_chart_is_attached_only_when_asked(bot: Bot) -> None:
    await _revealed(bot)
    plain = await bot.command("leaderboard", bot.alice, options={"period": "week"})
    await bot.until(lambda: bool(plain.messages()))
    assert not _attachments(plain.messages())
    record = await bot.command(
        "leaderboard", bot.alice, options={"period": "week", "chart": "chart"}
    )
    await bot.until(lambda: bool(_attachments(record.messages())))
    [shown] = _attachments(record.messages())
    assert shown["filename"] == "leaderboard.png"
    assert png_size(bot.fake.state.files[shown["id"]]) == (800, 640)


async def test_a_deferred_reply_attaches_the_chart_when_it_edits_the_response(
    tmp_path: Path, fixture_bank: QuestionBank, fake: FakeDiscord
) -> None:
    bot = await make_bot(tmp_path, fixture_bank, fake, defer_after=0)  # always defers first
    try:
        await _revealed(bot)
        record = await bot.command("stats", bot.alice)
        await bot.until(lambda: bool(_attachments(record.messages())))
        assert record.payload and record.original is not None
        assert [a["filename"] for a in record.original["attachments"]] == ["stats.png"]
        assert any("attachments" in edit for edit in record.edits)
    finally:
        await stop_bot(bot.app, bot.platform, bot.task)


def test_the_fake_refuses_files_and_attachment_entries_that_do_not_match() -> None:
    files: dict[str, bytes] = {}
    ids = iter(range(100, 200))
    png = Upload(0, "a.png", b"\x89PNG")
    body: Json = {"attachments": [{"id": 0, "filename": "a.png"}], UPLOADS: [png]}
    [attached] = attach(body, body, files, lambda: next(ids))
    assert attached["content_type"] == "image/png" and files[attached["id"]] == b"\x89PNG"
    unlisted: Json = {"attachments": [], UPLOADS: [png]}
    missing: Json = {"attachments": [{"id": 0, "filename": "a.png"}], UPLOADS: []}
    for wrong in (unlisted, missing):
        refusal = attach(wrong, wrong, files, lambda: next(ids))
        assert isinstance(refusal, web.Response) and refusal.status == 400
    kept: Json = {"attachments": [{"id": attached["id"]}], UPLOADS: []}
    assert attach(kept, kept, files, lambda: next(ids), [attached]) == [attached]
