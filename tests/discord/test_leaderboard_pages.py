"""Leaderboard pages on the loopback Discord: Next and Previous page the board for the presser."""

from __future__ import annotations

import re

from loopback.discord import InteractionRecord, Json
from tests.discord.conftest import Bot

LINE = re.compile(r"^(\d+)\. (.+) — \d+ · \d+ rounds?, \d+% coverage( \(you\))?$")


def _board(data: Json) -> tuple[str, list[tuple[int, str]], list[str]]:
    """Return a leaderboard reply's title, its (rank, name) lines and its buttons' labels."""
    [embed] = data["embeds"]
    lines = [LINE.match(line) for line in (embed.get("description") or "").splitlines()]
    buttons = [c["label"] for row in data.get("components") or [] for c in row["components"]]
    return embed["title"], [(int(m[1]), m[2]) for m in lines if m], buttons


def _reply(record: InteractionRecord) -> Json:
    [message] = record.messages()
    return message


async def twelve_answer_a_round(bot: Bot) -> list[Json]:
    """Set up a group and post a round; twelve members answer it, half of them well; reveal."""
    await bot.set_up_group()
    await bot.command("studybot", bot.admin, sub="post-now", admin=True)
    members = [bot.fake.user(f"Member{i:02d}") for i in range(1, 13)]
    for i, member in enumerate(members):
        text = "Precision counts false positives" if i % 2 else "I am not sure, sorry"
        record = await bot.command("answer", member, options={"text": text})
        await bot.until(lambda r=record: "Recorded your answer" in str(r.messages()))
    await bot.command("studybot", bot.admin, sub="reveal", admin=True)
    return members


async def test_next_and_previous_page_the_board_and_keep_the_callers_place(bot: Bot) -> None:
    members = await twelve_answer_a_round(bot)

    last = members[-1]
    group = (await bot.app.store.list_groups())[0]
    ranking = await bot.app.store.top_scores(group.id, "all", 20)
    names = [s.display_name for s in ranking]
    assert len(names) == 12
    caller = next(m for m in members if names.index(m["username"]) >= 10)

    first = _reply(await bot.command("leaderboard", caller, options={"period": "all"}))
    title, lines, buttons = _board(first)
    assert title == "Leaderboard · all time · page 1 of 2"
    assert [n for _, n in lines] == [*names[:10], caller["username"]]
    assert buttons == ["Next", "Share"]

    next_button = first["components"][0]["components"][0]
    pressed = await bot.fake.press(first, next_button["custom_id"], user=caller)
    second = pressed.callback.result()["data"]
    assert pressed.callback.result()["data"]["flags"] & 64  # only the presser sees it
    title, lines, buttons = _board(second)
    assert title == "Leaderboard · all time · page 2 of 2"
    assert lines == [(11, names[10]), (12, names[11])]
    assert buttons == ["Previous", "Share"]

    back = second["components"][0]["components"][0]
    pressed = await bot.fake.press(first, back["custom_id"], user=last)
    title, lines, _ = _board(pressed.callback.result()["data"])
    assert title == "Leaderboard · all time · page 1 of 2"
    assert [n for _, n in lines][:10] == names[:10]
    assert _shows_place(lines, names, last["username"])

    record = await bot.command("leaderboard", caller, options={"period": "all", "page": "3"})
    shown = str(_reply(record))
    assert "Page 3 is past the end: this board has 2 pages (12 members)" in shown
    assert "try /leaderboard period:all page:2." in shown


def _shows_place(lines: list[tuple[int, str]], names: list[str], who: str) -> bool:
    """Return whether the presser's own place is shown: on the page, or once below it."""
    return (names.index(who) + 1, who) in lines
