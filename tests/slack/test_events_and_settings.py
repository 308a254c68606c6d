"""Slack payloads to core events, the slash commands from the command table, and settings."""

from __future__ import annotations

import dataclasses

import pytest

from adapters.slack import events
from adapters.slack.main import SlackPlatform, platform_from_env
from adapters.slack.settings import DEFAULT_API_URL, SlackSettings
from bot.commands import COMMANDS, Command
from bot.config import ConfigError
from bot.model import ChannelRef, MemberRef
from bot.ports import MessageRemoved, ThreadReply

ACTOR = MemberRef("slack", "U1", "Una")
PLACE = ChannelRef("slack", "T1", "C1")


def test_slash_commands_come_from_the_command_table() -> None:
    assert events.slash_commands() == (
        "answer",
        "practice",
        "review",
        "hint",
        "leaderboard",
        "stats",
        "away",
        "appeal",
        "remind",
        "studybot",
    )
    extended = (*COMMANDS, Command("quiz", "a new command"), Command("quiz start", "sub"))
    assert "quiz" in events.slash_commands(extended)


@pytest.mark.parametrize(
    ("command", "text", "name", "args"),
    [
        ("/studybot", "", "studybot", ""),  # the core lists its subcommands
        ("/studybot", "help scoring", "help", "scoring"),
        ("/studybot", "setup time=09:00", "studybot", "setup time=09:00"),
        ("/practice", "answer it is  bias", "practice", "answer it is  bias"),
        ("/practice", "reveal", "practice", "reveal"),
        ("/leaderboard", " month ", "leaderboard", "month"),
    ],
)
def test_invocations(command: str, text: str, name: str, args: str) -> None:
    event = events.invocation(command, text, ACTOR, PLACE)
    assert (event.command, event.args) == (name, args)


def test_admins_and_owners_may_manage() -> None:
    base = {"id": "U1", "name": "una", "profile": {"display_name": "", "real_name": "Una R"}}
    assert events.user_info(base) == events.UserInfo("Una R", False)
    assert events.user_info(base | {"is_admin": True}).can_manage
    assert events.user_info(base | {"is_owner": True}).can_manage
    assert events.user_info(base | {"is_primary_owner": True}).can_manage
    assert events.user_info({"id": "U9"}).display_name == "U9"


def _reply(**extra: object) -> dict[str, object]:
    return {
        "type": "message",
        "channel": "C1",
        "user": "U1",
        "text": "hi",
        "ts": "2.0",
        "thread_ts": "1.0",
    } | extra


def test_thread_messages() -> None:
    action = events.thread_message(_reply(), "T1")
    assert action is not None
    event = action.event(ACTOR)
    assert event == ThreadReply(ChannelRef("slack", "T1", "C1", "1.0"), ACTOR, "hi", "2.0")
    assert events.thread_message(_reply(thread_ts="2.0"), "T1") is None  # a thread's parent
    assert events.thread_message(_reply(thread_ts=None), "T1") is None
    assert events.thread_message(_reply(bot_id="B1"), "T1") is None
    assert events.thread_message(_reply(subtype="channel_join"), "T1") is None
    assert events.thread_message(_reply(subtype="thread_broadcast"), "T1") is not None


def test_a_message_that_mentions_another_member_is_discussion() -> None:
    def flag(text: str) -> bool:
        action = events.thread_message(_reply(text=text), "T1", "UBOT")
        assert action is not None
        event = action.event(ACTOR)
        assert isinstance(event, ThreadReply)
        return event.replies_to_other

    assert flag("good point <@U2>")  # talk with another member
    assert not flag("as I said, <@U1> thinks so")  # its author
    assert not flag("<@UBOT> here is more")  # the bot
    assert not flag("no mention at all")


def test_edits_and_deletions_keep_the_message_id() -> None:
    changed = {
        "type": "message",
        "subtype": "message_changed",
        "channel": "C1",
        "message": _reply(text="new"),
        "previous_message": _reply(text="old"),
    }
    action = events.thread_message(changed, "T1")
    assert action is not None and action.message_ts == "2.0" and action.text == "new"
    unchanged = changed | {"previous_message": _reply(text="new")}
    assert events.thread_message(unchanged, "T1") is None
    deleted = {
        "type": "message",
        "subtype": "message_deleted",
        "channel": "C1",
        "deleted_ts": "2.0",
        "previous_message": _reply(),
    }
    action = events.thread_message(deleted, "T1")
    assert action is not None
    assert action.event(ACTOR) == MessageRemoved(
        ChannelRef("slack", "T1", "C1", "1.0"), ACTOR, "2.0"
    )


def _env(**values: str) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"} | values


def test_settings_http_mode() -> None:
    settings = SlackSettings.from_env(_env(SLACK_PORT="8080", SLACK_API_URL="http://x:1/api"))
    assert not settings.socket_mode and settings.port == 8080
    assert settings.api_url == "http://x:1/api/"
    assert SlackSettings.from_env(_env()).api_url == DEFAULT_API_URL
    assert SlackSettings.from_env(_env()).port == 3000


def test_settings_socket_mode_needs_no_signing_secret() -> None:
    settings = SlackSettings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    assert settings.socket_mode and settings.signing_secret is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        (_env(SLACK_APP_TOKEN="xoxb-wrong"), "SLACK_APP_TOKEN"),
        (_env(SLACK_PORT="http"), "SLACK_PORT"),
        (_env(SLACK_API_URL="slack.com"), "SLACK_API_URL"),
        (_env(SLACK_POSTS_PER_SECOND="-1"), "SLACK_POSTS_PER_SECOND"),
        (_env(SLACK_POSTS_PER_SECOND="fast"), "SLACK_POSTS_PER_SECOND"),
    ],
)
def test_settings_errors_are_friendly(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        platform_from_env(env)


def test_tokens_never_show_in_repr() -> None:
    settings = SlackSettings.from_env(
        _env(
            SLACK_BOT_TOKEN="xoxb-secret-1",
            SLACK_SIGNING_SECRET="sig-secret-2",
            SLACK_APP_TOKEN="xapp-secret-3",
        )
    )
    shown = repr(settings)
    for secret in ("xoxb-secret-1", "sig-secret-2", "xapp-secret-3"):
        assert secret not in shown
    assert dataclasses.replace(settings, port=1).bot_token == "xoxb-secret-1"


def test_platform_from_env_builds_a_slack_platform() -> None:
    platform = platform_from_env(_env())
    assert isinstance(platform, SlackPlatform) and platform.name == "slack"
    assert not platform.is_connected()
