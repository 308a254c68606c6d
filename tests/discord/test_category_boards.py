"""A category's leaderboard on the loopback Discord: the option reaches the core, Next keeps it."""

from __future__ import annotations

from bot.scoring import category_key
from loopback.discord import Json
from tests.discord.conftest import Bot
from tests.discord.test_leaderboard_pages import _board, _reply, twelve_answer_a_round
from tests.recount_check import assert_scores_recount, recounted_board


async def test_a_category_board_pages_with_its_category(bot: Bot) -> None:
    members = await twelve_answer_a_round(bot)
    db = bot.app.store.db
    await assert_scores_recount(db)
    group = (await bot.app.store.list_groups())[0]
    [row] = await db.fetch("SELECT category FROM rounds WHERE group_id = :g", {"g": group.id})
    category = row["category"]
    title = bot.app.bank.category_title(category)
    board = await recounted_board(db, group.id, category_key("all", category))
    names = [name for name, _ in board]
    assert len(names) == 12

    caller = members[0]
    options = {"period": "all", "category": category}  # as its autocomplete fills it in
    first: Json = _reply(await bot.command("leaderboard", caller, options=options))
    shown_title, lines, buttons = _board(first)
    assert shown_title == f"Leaderboard · {title} · all time · page 1 of 2"
    assert [n for _, n in lines][:10] == names[:10]
    assert buttons == ["Next", "Share"]

    next_button = first["components"][0]["components"][0]
    pressed = await bot.fake.press(first, next_button["custom_id"], user=caller)
    shown_title, lines, buttons = _board(pressed.callback.result()["data"])
    assert shown_title == f"Leaderboard · {title} · all time · page 2 of 2"
    assert lines[:2] == [(11, names[10]), (12, names[11])]
    assert buttons == ["Previous", "Share"]

    record = await bot.command("leaderboard", caller, options={**options, "page": "3"})
    assert f"try /leaderboard period:all page:2 category:{category}." in str(_reply(record))
    record = await bot.command("leaderboard", caller, options={"category": "astronomy"})
    assert "I don't know 'astronomy' here." in str(_reply(record))
