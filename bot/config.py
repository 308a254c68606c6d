"""Settings from the environment (and a `.env` file), read once at start-up."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

__all__ = ["Config", "default_content_dir", "read_env_file"]

DEFAULT_DATABASE_URL = "sqlite:///studybot-data/studybot.sqlite3"


def default_content_dir() -> Path:
    """Return the question bank folder: STUDYBOT_CONTENT_DIR, else the bundled one."""
    configured = os.environ.get("STUDYBOT_CONTENT_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parent.parent / "content"


def read_env_file(path: Path) -> dict[str, str]:
    """Return the KEY=VALUE pairs of a `.env` file (comments and blank lines ignored)."""
    pairs: dict[str, str] = {}
    if not path.is_file():
        return pairs
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        pairs[key.strip()] = value
    return pairs


class ConfigError(ValueError):
    """A setting in the environment cannot be used."""


@dataclass(frozen=True, slots=True)
class Config:
    """What the bot is configured with."""

    database_url: str = DEFAULT_DATABASE_URL
    content_dir: Path = Path("content")
    grace: timedelta = timedelta(hours=2)
    log_level: str = "WARNING"
    cache_dir: Path | None = None  # where the parsed bank is cached; None: no cache
    http_port: int | None = None  # /healthz and /metrics; None: not served
    http_host: str | None = None  # the interface they are served on; None: every interface
    log_format: str = "text"  # "text" or "json"
    # This process's name in the leases it takes on rounds. Stable across restarts of the
    # same process (a restart takes over its own unfinished work at once); unique per replica.
    replica_id: str = "local"
    # How long a process may take over a post or a reveal before another takes it over.
    lease: timedelta = timedelta(minutes=10)
    # Per-member rate limits (bot/limits.py); off for the console's one trusted user.
    member_limits: bool = True
    # Members who administer every group, as (platform, user id): STUDYBOT_ORGANISERS.
    organisers: frozenset[tuple[str, str]] = frozenset()
    # Whether any member may set up an unset channel (and administer it): STUDYBOT_MEMBERS_SET_UP.
    members_set_up: bool = True
    # Where the console writes the charts it shows (STUDYBOT_CHART_DIR); None: the system's
    # temporary directory.
    chart_dir: Path | None = None
    # The site's address the web archive's links start with (STUDYBOT_PUBLIC_URL, such as
    # https://bot.example.org); None: links show only their path.
    public_url: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, env_file: Path | None = None) -> Config:
        """Return the settings from the environment, falling back to `.env`, then defaults."""
        values = dict(read_env_file(env_file or Path(".env")))
        values.update(env if env is not None else os.environ)
        grace_text = values.get("STUDYBOT_GRACE_MINUTES", "120")
        if not grace_text.isdigit():
            raise ConfigError(f"STUDYBOT_GRACE_MINUTES must be a whole number, not {grace_text!r}")
        lease_text = values.get("STUDYBOT_LEASE_MINUTES", "10")
        if not lease_text.isdigit() or int(lease_text) < 1:
            raise ConfigError(
                f"STUDYBOT_LEASE_MINUTES must be a whole number ≥ 1, not {lease_text!r}"
            )
        port_text = values.get("STUDYBOT_HTTP_PORT", "").strip()
        if port_text and not (port_text.isdigit() and 0 <= int(port_text) <= 65535):
            raise ConfigError(f"STUDYBOT_HTTP_PORT must be a port number, not {port_text!r}")
        log_format = values.get("STUDYBOT_LOG_FORMAT", "text").strip().lower() or "text"
        if log_format not in ("text", "json"):
            raise ConfigError(f"STUDYBOT_LOG_FORMAT must be text or json, not {log_format!r}")
        content = values.get("STUDYBOT_CONTENT_DIR")
        cache = values.get("STUDYBOT_CACHE_DIR")
        if cache is None:
            base = values.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
            cache = str(Path(base) / "studybot")
        return cls(
            database_url=values.get("STUDYBOT_DATABASE_URL", DEFAULT_DATABASE_URL),
            content_dir=Path(content) if content else default_content_dir(),
            grace=timedelta(minutes=int(grace_text)),
            lease=timedelta(minutes=int(lease_text)),
            log_level=values.get("STUDYBOT_LOG_LEVEL", "WARNING").upper(),
            cache_dir=None if cache.lower() in ("", "none", "off") else Path(cache),
            http_port=int(port_text) if port_text else None,
            http_host=values.get("STUDYBOT_HTTP_HOST", "").strip() or None,
            log_format=log_format,
            replica_id=values.get("STUDYBOT_REPLICA_ID", "").strip() or socket.gethostname(),
            member_limits=_on_off(values, "STUDYBOT_MEMBER_LIMITS"),
            organisers=_organisers(values.get("STUDYBOT_ORGANISERS", "")),
            members_set_up=_on_off(values, "STUDYBOT_MEMBERS_SET_UP"),
            chart_dir=Path(chart) if (chart := values.get("STUDYBOT_CHART_DIR")) else None,
            public_url=_public_url(values.get("STUDYBOT_PUBLIC_URL", "")),
        )


def _on_off(values: Mapping[str, str], name: str, default: str = "on") -> bool:
    text = values.get(name, default).strip().lower() or default
    if text not in ("on", "off"):
        raise ConfigError(f"{name} must be on or off, not {text!r}")
    return text == "on"


def _public_url(text: str) -> str | None:
    """Return the site's address without a trailing slash; None if not set."""
    text = text.strip().rstrip("/")
    if not text:
        return None
    scheme, _, rest = text.partition("://")
    if scheme.lower() not in ("http", "https") or not rest or any(c in rest for c in " ?#"):
        raise ConfigError(
            f"STUDYBOT_PUBLIC_URL must be the site's address, such as https://bot.example.org, "
            f"not {text!r}"
        )
    return text


_PLATFORMS = ("discord", "slack", "console")


def _organisers(text: str) -> frozenset[tuple[str, str]]:
    """Return the organisers named as `platform:user_id`, separated by commas or spaces."""
    found: set[tuple[str, str]] = set()
    for entry in text.replace(",", " ").split():
        platform, _, user_id = entry.partition(":")
        if platform.lower() not in _PLATFORMS or not user_id:
            raise ConfigError(
                "STUDYBOT_ORGANISERS takes platform:user_id entries separated by commas "
                f"(for example slack:U0123ABCD, discord:80351110224678912), not {entry!r}"
            )
        found.add((platform.lower(), user_id))
    return frozenset(found)
