"""`studybot run --platform discord`: the Discord platform from the environment."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.discord.client import DiscordPlatform
from adapters.discord.settings import DiscordSettings
from bot.service import Platform

__all__ = ["platform_from_env"]


def platform_from_env(env: Mapping[str, str]) -> Platform:
    """Return studybot's Discord platform; ConfigError if a setting is missing or wrong."""
    return DiscordPlatform(DiscordSettings.from_env(env))
