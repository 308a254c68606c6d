"""The Slack app manifest matches the adapter: commands, scopes, events, interactivity."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from adapters.slack.events import slash_commands

MANIFEST = Path(__file__).resolve().parents[2] / "deploy" / "slack-manifest.yaml"


def _manifest() -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_manifest_has_exactly_the_adapters_slash_commands() -> None:
    commands = _manifest()["features"]["slash_commands"]
    assert [c["command"] for c in commands] == [f"/{name}" for name in slash_commands()]
    for c in commands:
        assert re.fullmatch(r"/[a-z][a-z0-9_-]{0,30}", c["command"])
        assert 1 <= len(c["description"]) <= 2000
        assert len(c.get("usage_hint", "x")) <= 1000
        # The text is passed on as typed, but for /studybot, whose settings name members
        # (admins=@alice): there mentions must come as ids, <@U…|name>.
        assert c["should_escape"] is (c["command"] == "/studybot")


def test_the_admin_command_lists_every_admin_subcommand() -> None:
    from bot.commands import COMMANDS

    [studybot] = [
        c for c in _manifest()["features"]["slash_commands"] if c["command"] == "/studybot"
    ]
    for command in COMMANDS:
        if command.name.startswith("studybot "):
            assert command.name.split(" ", 1)[1] in studybot["usage_hint"]


def test_the_manifest_asks_for_what_the_adapter_uses() -> None:
    manifest = _manifest()
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {
        "commands",
        "chat:write",
        "channels:history",
        "groups:history",
        "channels:read",
        "groups:read",
        "reactions:read",
        "reactions:write",
        "users:read",
        "files:write",
        "im:write",
    } <= scopes
    settings = manifest["settings"]
    assert {
        "message.channels",
        "message.groups",
        "reaction_added",
        "reaction_removed",
        "app_home_opened",
    } <= set(settings["event_subscriptions"]["bot_events"])
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] is True
    assert len(manifest["display_information"]["name"]) <= 35
    assert len(manifest["display_information"]["description"]) <= 140
