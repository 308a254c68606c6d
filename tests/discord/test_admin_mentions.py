"""`admins=` on Discord (#16): a mention picked in the settings option names the member."""

from __future__ import annotations

from adapters.discord.events import member_mention
from loopback.discord import InteractionRecord, Json
from tests.discord.conftest import Bot


def _data(record: InteractionRecord) -> Json:
    data: Json = record.callback.result()["data"]
    return data


async def test_a_mentioned_admin_may_administer(bot: Bot) -> None:
    alice, bob = bot.alice["id"], bot.bob["id"]
    record = await bot.command(
        "studybot",
        bot.admin,
        sub="setup",
        options={"settings": f"days=daily admins=<@{alice}>, <@!{bob}>"},
        admin=True,
    )
    assert "Daily questions are on" in str(_data(record))
    [group] = await bot.app.store.list_groups()
    assert group.settings.admins == (str(alice), str(bob))
    record = await bot.command("studybot", bot.alice, sub="pause")
    assert "Daily questions paused" in str(_data(record))


async def test_a_name_or_a_role_is_refused_kindly(bot: Bot) -> None:
    record = await bot.command(
        "studybot",
        bot.admin,
        sub="setup",
        options={"settings": "days=daily admins=@bob,<@&42>"},
        admin=True,
    )
    content = _data(record)["content"]
    assert "I cannot tell who '@bob' and '<" in content
    assert "Mention each admin: type @ and pick them from the list" in content
    assert await bot.app.store.list_groups() == []


def test_what_names_a_member_on_discord() -> None:
    assert member_mention("<@80351110224678912>") == "80351110224678912"
    assert member_mention("<@!80351110224678912>") == "80351110224678912"
    assert member_mention("80351110224678912") == "80351110224678912"
    for word in ("@bob", "bob", "<@&123>", "<#123>", "@everyone", ""):
        assert member_mention(word) is None
