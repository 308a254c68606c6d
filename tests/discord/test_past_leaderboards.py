"""A past period's leaderboard on the loopback Discord: the `when` option reaches the core."""

from __future__ import annotations

from datetime import UTC, datetime

from loopback.discord import InteractionRecord, Json
from tests.discord.conftest import Bot


def _shown(record: InteractionRecord) -> str:
    parts = []
    for message in record.messages():
        parts.append(message.get("content") or "")
        for embed in message.get("embeds") or []:
            parts += [embed.get("title") or "", embed.get("description") or ""]
            parts.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(parts)


def _leaderboard_options(bot: Bot) -> dict[str, Json]:
    [leaderboard] = [c for c in bot.fake.commands["global"] if c["name"] == "leaderboard"]
    return {o["name"]: o for o in leaderboard["options"]}


async def test_the_when_option_is_a_free_string_beside_the_period(bot: Bot) -> None:
    options = _leaderboard_options(bot)
    assert list(options) == ["period", "when", "share", "page", "category", "chart"]
    when = options["when"]
    assert when["type"] == 3 and not when["required"]
    assert "choices" not in when and not when.get("autocomplete")


async def test_last_week_s_board_by_option_after_the_week_ended(bot: Bot) -> None:
    await bot.set_up_group()  # UTC, daily at 09:00
    await bot.command("studybot", bot.admin, sub="post-now", admin=True)  # Mon 30 Nov, W49
    record = await bot.command(
        "answer", bot.alice, options={"text": "Precision counts false positives"}
    )
    assert "Recorded your answer" in _shown(record)
    await bot.command("studybot", bot.admin, sub="reveal", admin=True)
    bot.clock.set(datetime(2026, 12, 8, 7, 0, tzinfo=UTC))  # Tue 8 Dec, W50, before the post

    title = "Leaderboard · week 2026-W49 (30 Nov – 6 Dec 2026, final)"
    for options in (
        {"period": "week", "when": "last"},
        {"when": "2026-W49"},
        {"period": "week", "when": " w49 "},
    ):
        record = await bot.command("leaderboard", bot.alice, options=options)
        shown = _shown(record)
        assert title in shown and "1. Alice — " in shown, (options, shown)
    record = await bot.command("leaderboard", bot.alice, options={"period": "week"})
    assert "this week" in _shown(record) and "No points yet." in _shown(record)

    record = await bot.command(
        "leaderboard", bot.alice, options={"period": "week", "when": "last", "share": "public"}
    )
    assert record.callback.result()["data"].get("flags", 0) & 64 == 0  # posted for everyone
    assert title in _shown(record) and "/leaderboard period:week when:2026-W49" in _shown(record)


async def test_a_bad_period_name_is_answered_privately(bot: Bot) -> None:
    await bot.set_up_group()
    bot.clock.set(datetime(2026, 12, 8, 7, 0, tzinfo=UTC))
    refusals = {
        "2026-W54": "2026 has no week 54",
        "2026-W51": "Week 2026-W51 has not begun",
        "nope": "I don't know 'nope' here",
    }
    for when, says in refusals.items():
        record = await bot.command("leaderboard", bot.alice, options={"when": when})
        data = record.callback.result()["data"]
        assert says in data["content"], (when, data)
        assert data["flags"] & 64  # ephemeral
    record = await bot.command("leaderboard", bot.alice, options={"period": "all", "when": "last"})
    assert "All time has no past" in record.callback.result()["data"]["content"]
