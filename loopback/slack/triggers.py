"""trigger_ids as Slack issues them with an interaction, and how long they open a modal."""

from __future__ import annotations

import time

TRIGGER_LIFETIME = 3.0  # seconds a trigger_id can open a modal, once


def new_trigger_id(user: str, age: float = 0.0) -> str:
    """Return a trigger_id as Slack issues one with an interaction, `age` seconds ago.

    It carries when it was issued (the monotonic clock, which every process on
    the machine shares), so that the fake can tell when it has expired.
    """
    return f"trigger-{user}-{time.monotonic_ns() - int(age * 1e9)}"


def trigger_issued(trigger_id: str) -> float | None:
    """Return when a trigger_id from `new_trigger_id` was issued, or None if it is not one."""
    prefix, _, issued = trigger_id.rpartition("-")
    if not prefix.startswith("trigger-") or not issued.isdigit():
        return None
    return int(issued) / 1e9
