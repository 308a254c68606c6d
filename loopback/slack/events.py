"""What Slack sends an app, in Slack's shapes: Events API callbacks and interactivity payloads.

`event_callback` wraps an event (a member of another organisation in a Slack
Connect channel included); `reaction_event`, `block_actions` and
`view_submission` build the event and payloads a member's reaction, button
press and modal submit send.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from loopback.slack.state import BOT_ID, BOT_USER, TEAM
from loopback.slack.triggers import new_trigger_id


def event_callback(
    event: Mapping[str, Any], event_id: str, *, user_team: str = TEAM
) -> dict[str, Any]:
    """Return an Events API `event_callback` envelope around an event.

    With a `user_team` other than `TEAM`, the event comes from a member of another
    organisation in a Slack Connect channel, as Slack sends it: the envelope's
    `team_id` and the event's `team` and `user_team` are theirs; only
    `authorizations[0].team_id` names the workspace that installed the app.
    """
    inner = dict(event)
    envelope: dict[str, Any] = {
        "token": "unused",
        "team_id": user_team,
        "api_app_id": "A0APP",
        "event": inner,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [
            {"team_id": TEAM, "user_id": BOT_USER, "is_bot": True, "is_enterprise_install": False}
        ],
        "is_ext_shared_channel": user_team != TEAM,
    }
    if user_team != TEAM:
        inner.update(team=user_team, user_team=user_team, source_team=user_team)
        envelope["context_team_id"] = TEAM
    return envelope


def reaction_event(
    user: str,
    name: str,
    channel: str,
    ts: str,
    *,
    item_user: str | None = None,
    removed: bool = False,
) -> dict[str, Any]:
    """Return a `reaction_added` (or `reaction_removed`) event on a message, as Slack sends it.

    `name` is Slack's emoji name (`+1`, `thumbsup::skin-tone-2`, `heart`);
    `item_user` is the message's author (absent for messages no member wrote).
    """
    event: dict[str, Any] = {
        "type": "reaction_removed" if removed else "reaction_added",
        "user": user,
        "reaction": name,
        "item": {"type": "message", "channel": channel, "ts": ts, "channel_type": "channel"},
        "event_ts": f"{time.time():.6f}",
    }
    if item_user is not None:
        event["item_user"] = item_user
    return event


def block_actions(
    user: str,
    channel: str,
    message_ts: str,
    action_id: str,
    value: str,
    response_url: str,
    *,
    user_team: str = TEAM,
    ephemeral: bool = False,
) -> dict[str, Any]:
    """Return a `block_actions` payload: a member pressed a button on a message.

    A member of another organisation (`user_team`) in a Slack Connect channel has
    their team in `user.team_id`; `team` is the installing workspace's. In the
    app's direct messages (`channel` an IM, `D…`) the channel is named
    `directmessage`. A button on an ephemeral message (`ephemeral`) comes with
    `container.is_ephemeral` and without the `message`, which Slack does not keep.
    """
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": user_team},
        "api_app_id": "A0APP",
        "team": {"id": TEAM, "domain": "fake"},
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        },
        "channel": {
            "id": channel,
            "name": "directmessage" if channel.startswith("D") else "general",
        },
        "trigger_id": new_trigger_id(user),
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b1",
                "value": value,
                "action_ts": str(time.time()),
            }
        ],
    }
    if not ephemeral:
        payload["message"] = {
            "type": "message",
            "ts": message_ts,
            "user": BOT_USER,
            "bot_id": BOT_ID,
        }
    return payload


def view_submission(
    user: str, view: Mapping[str, Any], values: Mapping[str, str], *, user_team: str = TEAM
) -> dict[str, Any]:
    """Return a `view_submission` payload for an opened modal, with text typed in its inputs.

    For a member of another organisation (`user_team`), `team` is theirs and only
    `view.app_installed_team_id` names the workspace that installed the app.
    """
    state = {
        block["block_id"]: {
            "value": {"type": "plain_text_input", "value": values.get(block["block_id"])}
        }
        for block in view.get("blocks", [])
        if block.get("type") == "input"
    }
    return {
        "type": "view_submission",
        "team": {"id": user_team, "domain": "fake"},
        "user": {"id": user, "username": user.lower(), "team_id": user_team},
        "api_app_id": "A0APP",
        "trigger_id": new_trigger_id(user),
        "view": {
            "id": "V1",
            "team_id": user_team,
            "app_installed_team_id": TEAM,
            "type": "modal",
            "callback_id": view.get("callback_id"),
            "private_metadata": view.get("private_metadata", ""),
            "blocks": view.get("blocks", []),
            "state": {"values": state},
        },
    }
