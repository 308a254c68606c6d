"""The keys by which a Slack delivery is handled once, whichever replica gets it again.

Slack retries an event callback it did not see acknowledged (the same
`event_id`, up to three times within the hour). A signed request may also be
replayed as it was, within the five minutes its signature stays good: a
slash command or a button press replayed must not run again (a second
`/studybot skip` would skip a second day). Each key goes to the shared
`bot.deliveries.DeliveryLog`, so that every replica tells a repeat from a new
delivery.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["delivery_key", "request_key"]


def delivery_key(body: Mapping[str, Any]) -> str:
    """Return the key that tells an event callback's retries from new events ("" if none)."""
    event_id = body.get("event_id")
    if not isinstance(event_id, str) or not event_id:
        return ""
    return f"slack:{body.get('team_id', '')}:{event_id}"


def request_key(body: Mapping[str, Any]) -> str:
    """Return the key that tells a replayed command or button press from a new one ("" if none).

    Slack issues a `trigger_id` with each invocation of a command and each press
    of a button, good for opening one modal, once: a replay repeats it, a new
    invocation never does. A button press without one is known by who pressed it
    and its `action_ts`, which is the press's own.
    """
    trigger_id = body.get("trigger_id")
    if isinstance(trigger_id, str) and trigger_id:
        return f"slack:trigger:{trigger_id}"
    actions = body.get("actions")
    user = body.get("user")
    if isinstance(actions, list) and actions and isinstance(user, Mapping):
        first = actions[0]
        action_ts = first.get("action_ts") if isinstance(first, Mapping) else None
        if isinstance(action_ts, str) and action_ts and user.get("id"):
            return f"slack:action:{user['id']}:{action_ts}"
    return ""
