"""Slash commands on the loopback Discord: registration, every command, permissions, deferral."""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import discord
import pytest

from adapters.discord.commands import BARE_SUBCOMMAND, MANAGE_CHANNELS, suggestions
from adapters.discord.registration import SWEEP_REFUSALS
from bot.command_translations import group_summaries, param_helps, summaries
from bot.commands import COMMANDS
from bot.content.bank import QuestionBank
from loopback.discord import FakeDiscord, InteractionRecord, Json
from tests.discord.conftest import Bot, make_bot, stop_bot


def _registered_names(commands: list[Json]) -> set[str]:
    names = set()
    for command in commands:
        subs = [o for o in command.get("options", []) if o["type"] == 1]
        if not subs:
            names.add(command["name"])
        for sub in subs:
            bare = sub["name"] == BARE_SUBCOMMAND
            names.add(command["name"] if bare else f"{command['name']} {sub['name']}")
    return names


def _shown(record: InteractionRecord) -> str:
    parts = []
    for message in record.messages():
        parts.append(message.get("content") or "")
        for embed in message.get("embeds") or []:
            parts += [embed.get("title") or "", embed.get("description") or ""]
            parts += [f["name"] + " " + f["value"] for f in embed.get("fields", [])]
    return "\n".join(parts)


def _data(record: InteractionRecord) -> Json:
    data: Json = record.callback.result()["data"]
    return data


async def test_every_command_of_the_table_is_registered_globally(bot: Bot) -> None:
    registered = bot.fake.commands["global"]
    assert _registered_names(registered) == {c.name for c in COMMANDS}
    by_name = {c["name"]: c for c in registered}
    assert by_name["studybot"]["default_member_permissions"] == str(MANAGE_CHANNELS)
    assert by_name["practice"]["default_member_permissions"] is None
    period = by_name["leaderboard"]["options"][0]
    assert [c["value"] for c in period["choices"]] == ["week", "month", "all"]
    category = by_name["practice"]["options"][0]["options"][0]
    assert category["name"] == "category" and category["autocomplete"] is True
    assert all(c["contexts"] == [0] for c in registered)


def _described(commands: list[Json]) -> Iterator[tuple[str, Json]]:
    """Yield every command, subcommand and option registered, with where it is."""
    for command in commands:
        yield command["name"], command
        for option in command.get("options", []):
            yield f"{command['name']} {option['name']}", option
            for nested in option.get("options", []):
                yield f"{command['name']} {option['name']} {nested['name']}", nested


async def test_every_description_is_localized_for_discords_locales(bot: Bot) -> None:
    registered = bot.fake.commands["global"]
    described = list(_described(registered))
    assert {item["type"] for _, item in described} == {1, 3}, "commands, subcommands, options"
    for where, item in described:
        localized = item.get("description_localizations")
        assert localized is not None, where
        assert set(localized) == {"fr", "de", "es-ES", "es-419", "pt-BR"}, where
        assert localized["es-ES"] == localized["es-419"], where
        assert all(1 <= len(text) <= 100 for text in localized.values()), where
    by_name = dict(described)
    assert by_name["stats"]["description_localizations"]["de"] == summaries("stats")["de"]
    setup = by_name["studybot setup"]["description_localizations"]
    assert setup["pt-BR"] == summaries("studybot setup")["pt-BR"]
    period = by_name["leaderboard period"]["description_localizations"]
    assert period["es-419"] == param_helps("leaderboard", "period")["es"]
    new = by_name[f"practice {BARE_SUBCOMMAND}"]["description_localizations"]
    assert new["fr"] == summaries("practice")["fr"]
    group = by_name["studybot"]["description_localizations"]
    assert group["fr"] == group_summaries("studybot")["fr"]


async def _put_commands(fake: FakeDiscord, commands: list[Json]) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.put(
            f"{fake.api_base}/applications/{fake.app_id}/commands",
            json=commands,
            headers={"Authorization": f"Bot {fake.token}"},
        ) as response,
    ):
        return response.status, await response.json()


async def test_the_fake_refuses_descriptions_discord_would_refuse(fake: FakeDiscord) -> None:
    def command(localized: dict[str, str], option: dict[str, str] | None = None) -> Json:
        text_option = {"type": 3, "name": "text", "description": "your answer"}
        if option is not None:
            text_option["description_localizations"] = option
        return {
            "type": 1,
            "name": "answer",
            "description": "Answer the open question privately",
            "description_localizations": localized,
            "options": [text_option],
        }

    good = {"fr": "Répondre en privé", "es-419": "Responde en privado"}
    assert (await _put_commands(fake, [command(good)]))[0] == 200
    accepted = fake.commands["global"]
    refused = [
        command({**good, "es": "Responde en privado"}),  # a BCP 47 tag, not a Discord locale
        command({"fr-FR": "Répondre en privé"}),
        command({"fr": ""}),
        command({"de": "x" * 101}),
        command(good, option={"pt": "sua resposta"}),
        {**command(good), "description": "x" * 101},
    ]
    for body in refused:
        status, error = await _put_commands(fake, [body])
        assert status == 400 and error["code"] == 50035, body
        assert error["message"].startswith("Invalid Form Body"), error
    assert fake.commands["global"] is accepted, "a refused overwrite changes nothing"


async def test_a_refused_registration_stops_the_bot_with_discords_reason(
    tmp_path: Path, fixture_bank: QuestionBank, fake: FakeDiscord
) -> None:
    fake.fail("PUT", r"/applications/\d+/commands", 400)
    started = asyncio.get_running_loop().time()
    with pytest.raises(discord.HTTPException) as refused:
        await make_bot(tmp_path, fixture_bank, fake)
    assert refused.value.status == 400
    assert asyncio.get_running_loop().time() - started < 5  # told at once, not timed out


async def test_commands_go_to_one_guild_when_configured(
    tmp_path: Path, fixture_bank: QuestionBank, fake: FakeDiscord
) -> None:
    guild = fake.add_guild("dev")
    b = await make_bot(tmp_path, fixture_bank, fake, guild_id=int(guild["id"]))
    try:
        assert set(fake.commands) == {guild["id"]}
        assert fake.calls_to("PUT", rf"/applications/\d+/guilds/{guild['id']}/commands")
    finally:
        await stop_bot(b.app, b.platform, b.task)


def _swept(bot: Bot) -> bool:
    """Tell whether the bot has finished removing leftover guild commands."""
    sweep = bot.platform.client.command_sweep
    return sweep is not None and sweep.done()


def _no_duplicates(fake: FakeDiscord, guild: Json) -> list[str]:
    """Return the commands members of a guild see, checking that none shows twice."""
    names = fake.visible_commands(int(guild["id"]))
    assert len(names) == len(set(names)), f"commands shown twice: {sorted(names)}"
    return names


async def test_moving_to_global_commands_removes_the_guild_copies(
    tmp_path: Path, fixture_bank: QuestionBank, fake: FakeDiscord
) -> None:
    dev = fake.add_guild("dev")
    other = fake.add_guild("other")
    b = await make_bot(tmp_path, fixture_bank, fake, guild_id=int(dev["id"]))
    await stop_bot(b.app, b.platform, b.task)
    assert fake.commands[dev["id"]] and not fake.commands.get("global")

    b = await make_bot(tmp_path, fixture_bank, fake)  # DISCORD_GUILD_ID unset: global
    try:
        await b.until(lambda: _swept(b))
        assert fake.commands.get(dev["id"]) == []
        assert {c["name"] for c in fake.commands["global"]} == set(_no_duplicates(fake, dev))
        assert _no_duplicates(fake, other)
        # a guild without copies is looked at, not written to
        other_route = rf"/applications/\d+/guilds/{other['id']}/commands"
        assert fake.calls_to("GET", other_route) and not fake.calls_to("PUT", other_route)
    finally:
        await stop_bot(b.app, b.platform, b.task)


async def test_moving_to_one_guild_removes_global_commands_the_bot_alone_used(
    tmp_path: Path, fixture_bank: QuestionBank, fake: FakeDiscord
) -> None:
    dev = fake.add_guild("dev")
    b = await make_bot(tmp_path, fixture_bank, fake)
    await stop_bot(b.app, b.platform, b.task)
    assert fake.commands["global"]

    b = await make_bot(tmp_path, fixture_bank, fake, guild_id=int(dev["id"]))
    try:
        assert fake.commands["global"] == []  # they served only this guild, which has its own
        assert set(_no_duplicates(fake, dev)) == {c["name"] for c in fake.commands[dev["id"]]}
    finally:
        await stop_bot(b.app, b.platform, b.task)


async def test_moving_to_one_guild_keeps_global_commands_other_guilds_use(
    tmp_path: Path, fixture_bank: QuestionBank, fake: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    dev = fake.add_guild("dev")
    elsewhere = fake.add_guild("a server using the bot")
    b = await make_bot(tmp_path, fixture_bank, fake)
    await stop_bot(b.app, b.platform, b.task)
    registered = fake.commands["global"]

    b = await make_bot(tmp_path, fixture_bank, fake, guild_id=int(dev["id"]))
    try:
        assert fake.commands["global"] is registered, "global commands serve every guild"
        assert set(_no_duplicates(fake, elsewhere)) == {c["name"] for c in registered}
        warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
        assert any("twice" in w and dev["id"] in w for w in warned), warned
    finally:
        await stop_bot(b.app, b.platform, b.task)


async def test_the_command_sweep_gives_up_where_access_is_refused(
    tmp_path: Path, fixture_bank: QuestionBank, fake: FakeDiscord
) -> None:
    for i in range(30):  # invited with the bot scope only: no access to their commands
        fake.no_commands_scope.add(int(fake.add_guild(f"old invite {i}")["id"]))
    b = await make_bot(tmp_path, fixture_bank, fake)
    try:
        await b.until(lambda: fake.invalid_requests >= SWEEP_REFUSALS)
        await asyncio.sleep(0.2)  # time for more requests, were the sweep to go on
        assert fake.invalid_requests == SWEEP_REFUSALS, "bounded, not one 403 per guild"
    finally:
        await stop_bot(b.app, b.platform, b.task)


async def test_a_ready_that_arrives_while_closing_starts_no_sweep_and_a_failed_one_is_logged(
    tmp_path: Path,
    fixture_bank: QuestionBank,
    fake: FakeDiscord,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No task outlives the client with an exception nobody retrieves."""
    b = await make_bot(tmp_path, fixture_bank, fake)
    client = b.platform.client
    await b.until(lambda: client.command_sweep is not None and client.command_sweep.done())
    await stop_bot(b.app, b.platform, b.task)
    client._sweep = None  # as before a READY that was still on its way
    await client.on_ready()
    assert client.command_sweep is None
    with caplog.at_level(logging.WARNING, logger="adapters.discord.client"):
        await client._sweep_guild_commands()  # its session closed: nothing raised
    assert "not removed" not in caplog.text


async def test_category_autocomplete_offers_the_banks_categories(bot: Bot) -> None:
    data = bot.fake.command_data(
        "practice",
        [{"type": 3, "name": "category", "value": "ev", "focused": True}],
        sub=BARE_SUBCOMMAND,
    )
    payload = bot.fake.interaction_payload(4, data, user=bot.alice, channel=bot.channel)
    record = await bot.fake.send_interaction(payload)
    callback = await record.callback
    assert callback["type"] == 8
    assert [c["value"] for c in callback["data"]["choices"]] == ["evaluation"]


async def test_category_autocomplete_shows_titles_and_finds_them(bot: Bot) -> None:
    data = bot.fake.command_data(
        "practice",
        [{"type": 3, "name": "category", "value": "NL", "focused": True}],
        sub=BARE_SUBCOMMAND,
    )
    payload = bot.fake.interaction_payload(4, data, user=bot.alice, channel=bot.channel)
    record = await bot.fake.send_interaction(payload)
    callback = await record.callback
    assert callback["data"]["choices"] == [{"name": "NLP", "value": "nlp"}]


async def test_admin_commands_are_refused_to_members_who_cannot_manage_the_channel(
    bot: Bot,
) -> None:
    await bot.command("studybot", bot.bob, sub="setup", options={"settings": ""}, admin=True)
    record = await bot.command(
        "studybot", bot.alice, sub="settings", options={"changes": "time=07:00"}
    )
    data = _data(record)
    assert data["flags"] & 64 and "for the channel's admins" in data["content"]
    [group] = await bot.app.store.list_groups()
    assert group.settings.post_time.hour == 9
    record = await bot.command("studybot", bot.alice, sub="post-now")
    assert "for the channel's admins" in _data(record)["content"]


async def test_a_member_shown_the_command_who_sets_a_channel_up_administers_it(
    bot: Bot,
) -> None:
    # Discord shows /studybot to Manage Channels only, unless a server admin widens it.
    record = await bot.command("studybot", bot.alice, sub="setup", options={"settings": ""})
    assert "Daily questions are on" in str(_data(record))
    [group] = await bot.app.store.list_groups()
    assert group.settings.admins == (str(bot.alice["id"]),)
    record = await bot.command("studybot", bot.bob, sub="pause")
    assert "for the channel's admins" in _data(record)["content"]


async def test_every_command_answers_its_interaction(bot: Bot) -> None:
    # A process's first chart imports matplotlib, which can outlast `defer_after` (then the
    # reply is deferred, and follows): import it first, as after a bot's first chart.
    await asyncio.to_thread(importlib.import_module, "matplotlib.backends.backend_agg")
    admin: dict[str, object] = {"admin": True}
    calls: list[tuple[str, Json, str]] = [
        (
            "studybot",
            {"sub": "setup", "options": {"settings": "time=09:00 days=daily"}, **admin},
            "Posts",
        ),
        ("studybot", {"sub": "settings", "options": {"changes": "reveal=18:00"}, **admin}, "18:00"),
        ("studybot", {"sub": "post-now", **admin}, "Posted today's question"),
        (
            "answer",
            {"options": {"text": "Precision counts false positives"}},
            "Recorded your answer",
        ),
        ("hint", {}, "Hint"),
        ("practice", {"sub": BARE_SUBCOMMAND, "options": {"category": "nlp"}}, "Practice"),
        ("practice", {"sub": "answer", "options": {"text": "tokens and subwords"}}, "covered"),
        ("practice", {"sub": "reveal"}, "Practice"),
        ("leaderboard", {"options": {"period": "month"}}, "Leaderboard"),
        ("stats", {}, "Stats"),
        ("help", {"options": {"topic": "scoring"}}, "How points work"),
        ("studybot", {"sub": "pause", **admin}, "pause"),
        ("studybot", {"sub": "resume", **admin}, "Posts"),
        ("studybot", {"sub": "reveal", **admin}, "Revealed"),
        ("studybot", {"sub": "skip", **admin}, "skipped"),
    ]
    for name, kwargs, expected in calls:
        user = bot.admin if kwargs.get("admin") else bot.alice
        record = await bot.command(name, user, **kwargs)
        callback = record.callback.result()
        assert callback["type"] == 4, (name, kwargs, callback)
        assert expected.lower() in _shown(record).lower(), (name, kwargs, _shown(record))
        assert callback["data"]["allowed_mentions"] == {"parse": []}
        assert record.latency < 1.0


async def test_answer_without_text_opens_the_form(bot: Bot) -> None:
    await bot.set_up_group()
    await bot.command("studybot", bot.admin, sub="post-now", admin=True)
    record = await bot.command("answer", bot.bob)
    callback = record.callback.result()
    assert callback["type"] == 9 and callback["data"]["title"] == "Your answer"


async def test_unset_channel_and_bad_arguments_get_friendly_errors(bot: Bot) -> None:
    record = await bot.command("leaderboard", bot.alice)
    assert "aren't set up" in _data(record)["content"]
    record = await bot.command(
        "practice", bot.alice, sub=BARE_SUBCOMMAND, options={"category": "astrology"}
    )
    assert "I don't know 'astrology'" in _data(record)["content"]


async def test_work_that_outlasts_the_deferral_time_is_deferred_meanwhile(
    tmp_path: Path, fixture_bank: QuestionBank, fake: FakeDiscord
) -> None:
    b = await make_bot(tmp_path, fixture_bank, fake, defer_after=0.1)
    try:
        await b.set_up_group()
        quick = await b.command("help", b.alice)
        assert quick.callback.result()["type"] == 4  # quick work: answered at once
        fake.slow("POST", r"/channels/\d+/messages", 0.5)  # posting the round takes a while
        posted = await b.command("studybot", b.admin, sub="post-now", admin=True)
        assert posted.callback.result()["type"] == 5
        assert 0.1 <= posted.latency < 0.5  # deferred when the time ran out, not at the end
        await b.until(lambda: bool(posted.edits))
        assert "Posted today's question" in _shown(posted)
    finally:
        await stop_bot(b.app, b.platform, b.task)


async def test_slow_work_is_deferred_then_followed_up(
    tmp_path: Path, fixture_bank: QuestionBank, fake: FakeDiscord
) -> None:
    b = await make_bot(tmp_path, fixture_bank, fake, defer_after=0.0)  # the core is "slow"
    try:
        record = await b.command("help", b.alice)
        assert record.callback.result()["type"] == 5
        assert record.callback.result()["data"]["flags"] & 64
        await b.until(lambda: bool(record.edits))
        assert record.original is not None and "Commands" in _shown(record)
        assert record.followups == []

        await b.set_up_group()
        posted = await b.command("studybot", b.admin, sub="post-now", admin=True)
        await b.until(lambda: bool(posted.edits))
        form = await b.command("answer", b.bob)  # a form is never deferred (test_modals)
        assert form.callback.result()["type"] == 9

        public = await b.command("studybot", b.admin, sub="skip", admin=True)
        await b.until(lambda: bool(public.followups))
        assert public.followups[0]["flags"] & 64 == 0, "a public reply is a public followup"
        assert "will be skipped" in public.followups[0]["content"]
        assert public.original is not None
        assert "posted in the channel" in public.original["content"]
    finally:
        await stop_bot(b.app, b.platform, b.task)


async def test_a_crowd_is_acknowledged_before_any_of_its_work_is_shown(
    tmp_path: Path, fixture_bank: QuestionBank, fake: FakeDiscord
) -> None:
    b = await make_bot(tmp_path, fixture_bank, fake, busy_after=0)  # always "a crowd"
    try:
        await b.set_up_group()
        fake.forget_calls()
        # the first acknowledgements take a while (a slow network), the others not
        fake.slow("POST", r"/interactions/\d+/[^/]+/callback", 0.3, times=3)
        payloads = [  # thirty members at once (one member's flood would be slowed down)
            fake.interaction_payload(
                2, fake.command_data("stats", [], None), user=fake.user(f"m{i}"), channel=b.channel
            )
            for i in range(30)
        ]
        records = [await fake.send_interaction(p) for p in payloads]  # all at once
        await b.until(lambda: all(r.edits for r in records))
        assert all(r.callback.result()["type"] == 5 for r in records)
        acked = max(r.callback_at or 0.0 for r in records)
        edits = [c.at for c in fake.calls if c.method == "PATCH" and "@original" in c.path]
        assert len(edits) == len(records)
        assert acked <= min(edits), "the crowd's work was shown before all of it was acked"
        assert all("Stats" in _shown(r) for r in records)
    finally:
        await stop_bot(b.app, b.platform, b.task)


async def test_a_crowd_of_interactions_is_acknowledged_at_once(
    tmp_path: Path, fixture_bank: QuestionBank, fake: FakeDiscord
) -> None:
    b = await make_bot(tmp_path, fixture_bank, fake, busy_after=0)  # always "a crowd"
    try:
        record = await b.command("help", b.alice)
        assert record.callback.result()["type"] == 5
        await b.until(lambda: bool(record.edits))
        assert "Commands" in _shown(record)
    finally:
        await stop_bot(b.app, b.platform, b.task)


def test_suggestions_match_a_category_by_its_title_too() -> None:
    titles = {"recsys-search": "Recommender systems & search", "nlp": "NLP"}
    found = suggestions("recomm", ["nlp", "recsys-search"], lambda c: titles[c])
    assert found == ["recsys-search"]
    assert suggestions("systems", ["nlp", "recsys-search"], lambda c: titles[c]) == [
        "recsys-search"
    ]
