"""The Slack adapter's settings, read from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.config import ConfigError

__all__ = ["DEFAULT_API_URL", "SlackSettings"]

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_PORT = 3000
# chat.postMessage: Slack allows about one message a second per channel, and a
# workspace-wide rate it does not publish; these are the fan-out's paces.
DEFAULT_POSTS_PER_SECOND = 5.0
DEFAULT_CHANNEL_INTERVAL = 1.0


@dataclass(frozen=True, slots=True)
class SlackSettings:
    """How to reach Slack: tokens, the mode (Socket Mode or HTTP), the API base URL.

    Tokens are kept out of `repr`, so that a logged settings value never shows them.
    """

    bot_token: str = field(repr=False)
    signing_secret: str | None = field(default=None, repr=False)
    app_token: str | None = field(default=None, repr=False)
    port: int = DEFAULT_PORT
    api_url: str = DEFAULT_API_URL
    posts_per_second: float = DEFAULT_POSTS_PER_SECOND
    channel_interval: float = DEFAULT_CHANNEL_INTERVAL

    @property
    def socket_mode(self) -> bool:
        """Tell whether the app connects over Socket Mode (an app-level token is set)."""
        return self.app_token is not None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SlackSettings:
        """Return the settings in `env`, or raise ConfigError saying what is missing or wrong."""
        bot_token = env.get("SLACK_BOT_TOKEN", "").strip()
        if not bot_token:
            raise ConfigError(
                "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-...) from "
                "your Slack app's OAuth & Permissions page."
            )
        app_token = env.get("SLACK_APP_TOKEN", "").strip() or None
        if app_token is not None and not app_token.startswith("xapp-"):
            raise ConfigError(
                "SLACK_APP_TOKEN must be an app-level token (xapp-...) with the "
                "connections:write scope, for Socket Mode."
            )
        secret = env.get("SLACK_SIGNING_SECRET", "").strip() or None
        if app_token is None and secret is None:
            raise ConfigError(
                "SLACK_SIGNING_SECRET is not set: HTTP mode needs it to check Slack's "
                "requests (Basic Information > App Credentials). Or set SLACK_APP_TOKEN "
                "to use Socket Mode."
            )
        port_text = env.get("SLACK_PORT", "").strip()
        if port_text and not (port_text.isdigit() and 0 < int(port_text) <= 65535):
            raise ConfigError(f"SLACK_PORT must be a port number, not {port_text!r}")
        api_url = env.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL
        if not api_url.startswith(("http://", "https://")):
            raise ConfigError(f"SLACK_API_URL must be an http(s) URL, not {api_url!r}")
        rate_text = env.get("SLACK_POSTS_PER_SECOND", "").strip()
        try:
            rate = float(rate_text) if rate_text else DEFAULT_POSTS_PER_SECOND
        except ValueError:
            rate = 0.0
        if rate <= 0:
            raise ConfigError(
                f"SLACK_POSTS_PER_SECOND must be a positive number, not {rate_text!r}"
            )
        return cls(
            bot_token=bot_token,
            signing_secret=secret,
            app_token=app_token,
            port=int(port_text) if port_text else DEFAULT_PORT,
            api_url=api_url if api_url.endswith("/") else api_url + "/",
            posts_per_second=rate,
        )
