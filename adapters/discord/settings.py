"""The Discord adapter's settings, read from the environment."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from bot.config import ConfigError

__all__ = ["DEFAULT_API_BASE", "DiscordSettings"]

DEFAULT_API_BASE = "https://discord.com/api/v10"
_ON = {"1", "on", "true", "yes"}
_OFF = {"0", "off", "false", "no"}


def _snowflake(env: Mapping[str, str], key: str) -> int | None:
    text = env.get(key, "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise ConfigError(f"{key} must be a Discord id (digits only), not {text!r}")
    return int(text)


def _shard_ids(text: str, count: int | None) -> tuple[int, ...] | None:
    text = text.strip()
    if not text:
        return None
    parts = [p.strip() for p in text.split(",")]
    if not all(p.isdigit() for p in parts):
        raise ConfigError(f"DISCORD_SHARD_IDS must be a comma list of numbers, not {text!r}")
    if count is None:
        raise ConfigError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT (the total shard count)")
    ids = tuple(sorted({int(p) for p in parts}))
    if ids[-1] >= count:
        raise ConfigError(
            f"DISCORD_SHARD_IDS has shard {ids[-1]}, but DISCORD_SHARD_COUNT is {count} "
            f"(ids go from 0 to {count - 1})"
        )
    return ids


@dataclass(frozen=True, slots=True)
class DiscordSettings:
    """How to reach Discord: the token, where to register commands, sharding, the API base."""

    token: str
    guild_id: int | None = None  # register commands to this guild only (fast iteration)
    shard_count: int | None = None  # None: as many as Discord recommends
    shard_ids: tuple[int, ...] | None = None  # None: every shard in this process
    api_base: str = DEFAULT_API_BASE
    message_content: bool = True  # ask for the privileged Message Content intent

    @property
    def processes(self) -> int:
        """Return how many processes share the bot's shards, as this process's share says.

        A process running `k` of `n` shards takes `n / k` processes to cover them all
        (rounded up). Over processes of unequal shares every one reckons with at least
        as many as its share implies, so their rates together stay under the bot's.
        """
        if self.shard_count is None or not self.shard_ids:
            return 1  # one process runs every shard
        return math.ceil(self.shard_count / len(self.shard_ids))

    def __repr__(self) -> str:
        """Return the settings without the token."""
        return (
            f"DiscordSettings(token=<hidden>, guild_id={self.guild_id}, "
            f"shard_count={self.shard_count}, shard_ids={self.shard_ids}, "
            f"api_base={self.api_base!r}, message_content={self.message_content})"
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> DiscordSettings:
        """Return the settings in `env`, or raise ConfigError saying what is missing or wrong."""
        token = env.get("DISCORD_TOKEN", "").strip()
        if not token:
            raise ConfigError(
                "DISCORD_TOKEN is not set. Create a bot in the Discord developer portal "
                "(see 'Running on Discord' in the README) and put its token in the "
                "environment or in .env."
            )
        count_text = env.get("DISCORD_SHARD_COUNT", "").strip()
        if count_text and not (count_text.isdigit() and int(count_text) > 0):
            raise ConfigError(f"DISCORD_SHARD_COUNT must be a positive number, not {count_text!r}")
        count = int(count_text) if count_text else None
        content_text = env.get("DISCORD_MESSAGE_CONTENT", "on").strip().lower() or "on"
        if content_text not in _ON | _OFF:
            raise ConfigError(f"DISCORD_MESSAGE_CONTENT must be on or off, not {content_text!r}")
        base = env.get("DISCORD_API_BASE", "").strip().rstrip("/") or DEFAULT_API_BASE
        if not base.startswith(("http://", "https://")):
            raise ConfigError(f"DISCORD_API_BASE must be an http(s) URL, not {base!r}")
        return cls(
            token=token,
            guild_id=_snowflake(env, "DISCORD_GUILD_ID"),
            shard_count=count,
            shard_ids=_shard_ids(env.get("DISCORD_SHARD_IDS", ""), count),
            api_base=base,
            message_content=content_text in _ON,
        )
