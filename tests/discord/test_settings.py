"""The Discord settings from the environment, and `studybot run --platform discord`."""

from __future__ import annotations

import pytest

from adapters.discord.main import DiscordPlatform, platform_from_env
from adapters.discord.settings import DEFAULT_API_BASE, DiscordSettings
from bot.config import ConfigError


def test_a_token_is_all_it_needs() -> None:
    settings = DiscordSettings.from_env({"DISCORD_TOKEN": " secret "})
    assert settings == DiscordSettings(token="secret")
    assert settings.api_base == DEFAULT_API_BASE and settings.message_content
    assert "secret" not in repr(settings)


def test_every_setting_is_read() -> None:
    settings = DiscordSettings.from_env(
        {
            "DISCORD_TOKEN": "t",
            "DISCORD_GUILD_ID": "123",
            "DISCORD_SHARD_COUNT": "8",
            "DISCORD_SHARD_IDS": "3, 1,2",
            "DISCORD_API_BASE": "http://proxy.local/api/v10/",
            "DISCORD_MESSAGE_CONTENT": "off",
        }
    )
    assert settings == DiscordSettings("t", 123, 8, (1, 2, 3), "http://proxy.local/api/v10", False)


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({}, "DISCORD_TOKEN is not set"),
        ({"DISCORD_GUILD_ID": "abc"}, "DISCORD_GUILD_ID must be a Discord id"),
        ({"DISCORD_SHARD_COUNT": "0"}, "DISCORD_SHARD_COUNT must be a positive number"),
        ({"DISCORD_SHARD_IDS": "1,2"}, "needs DISCORD_SHARD_COUNT"),
        ({"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "2"}, "ids go from 0 to 1"),
        ({"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "a"}, "comma list of numbers"),
        ({"DISCORD_MESSAGE_CONTENT": "maybe"}, "on or off"),
        ({"DISCORD_API_BASE": "discord.com"}, "http(s) URL"),
    ],
)
def test_bad_settings_are_explained(env: dict[str, str], says: str) -> None:
    full = {"DISCORD_TOKEN": "t", **env} if env else {}
    with pytest.raises(ConfigError) as caught:
        DiscordSettings.from_env(full)
    assert says in str(caught.value)


async def test_platform_from_env_builds_the_sharded_client() -> None:
    platform = platform_from_env({"DISCORD_TOKEN": "t", "DISCORD_SHARD_COUNT": "2"})
    assert isinstance(platform, DiscordPlatform) and platform.name == "discord"
    assert platform.client.shard_count == 2 and not platform.is_connected()
    assert platform.chat is platform.client.chat
    await platform.close()


def test_the_cli_refuses_to_start_without_a_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    from bot.cli import main

    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.chdir(str(tmp_path))
    assert main(["run", "--platform", "discord"]) == 2
    assert "DISCORD_TOKEN is not set" in capsys.readouterr().err
