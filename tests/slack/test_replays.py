"""Replayed requests (#21): a signed command or button press sent again runs once.

Slack's signature stays good for five minutes, so a captured request can be
sent again as it was: the same body, timestamp and signature. Each such
replay is acknowledged and does nothing, on whichever replica it reaches (the
requests handled are remembered in the database); a new request, with its
own trigger_id, still runs.
"""

from __future__ import annotations

import calendar
import json
import logging
import re
import time
import urllib.parse
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from loopback.slack import (
    TEAM,
    block_actions,
    command_text,
    new_trigger_id,
    signature,
)
from tests.slack.conftest import (
    ADMIN,
    BOB,
    CHANNEL,
    SECRET,
    START,
    SlackRig,
    block_texts,
)

FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Captured:
    """A signed request as it went over the wire, to be sent again as it was."""

    body: bytes
    headers: dict[str, str]


def _signed(body: bytes) -> Captured:
    timestamp = str(int(time.time()))
    return Captured(
        body,
        {
            "Content-Type": FORM,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature(SECRET, timestamp, body),
        },
    )


def signed_command(command: str, text: str, user: str, response_url: str) -> Captured:
    """Return a slash command, signed now, with a trigger_id of its own."""
    form = {
        "token": "unused",
        "team_id": TEAM,
        "team_domain": "fake",
        "channel_id": CHANNEL,
        "channel_name": "general",
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": command_text(text),
        "api_app_id": "A0APP",
        "response_url": response_url,
        "trigger_id": new_trigger_id(user),
    }
    return _signed(urllib.parse.urlencode(form).encode())


def signed_interaction(payload: dict[str, Any]) -> Captured:
    """Return an interactivity payload (a button press), signed now."""
    return _signed(urllib.parse.urlencode({"payload": json.dumps(payload)}).encode())


async def send(rig: SlackRig, request: Captured) -> tuple[int, str]:
    """Send a captured request again, byte for byte, and wait for the work it started."""
    answer = await rig.sender.send(request.body, FORM, headers=request.headers)
    await rig.settle()
    return answer


def token(url: str) -> str:
    """Return the hook of a response_url (what `SlackRig.responses` takes)."""
    return url.rsplit("/", 1)[1]


def skipped_days(rig: SlackRig, hook: str) -> list[date]:
    """Return the days the replies on a response_url say will be skipped, one per reply."""
    days = []
    for reply in rig.responses(hook):
        said = re.search(r"The question of (\w+ \d+ \w+) will be skipped", reply["text"])
        assert said is not None, reply
        _, number, month = said[1].split()  # "Wednesday 02 December"
        days.append(date(START.year, list(calendar.month_name).index(month), int(number)))
    return days


async def test_a_skip_sent_three_times_skips_one_day(
    rig: SlackRig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    status, _, _ = await rig.command("/studybot", "setup days=daily", user=ADMIN)
    assert status == 200
    hook = rig.hook()
    skip = signed_command("/studybot", "skip", ADMIN, hook)
    assert [await send(rig, skip) for _ in range(3)] == [(200, "")] * 3  # each acked at once
    days = skipped_days(rig, token(hook))
    assert len(days) == 1, days  # one day skipped, one reply
    [day] = days
    replays = [r for r in caplog.records if "replayed" in r.getMessage()]
    assert len(replays) == 2 and {r.levelno for r in replays} == {logging.INFO}

    # A new /studybot skip (its own trigger_id) still works: it skips the next day.
    _, _, fresh = await rig.command("/studybot", "skip", user=ADMIN)
    assert [d.toordinal() for d in skipped_days(rig, fresh)] == [day.toordinal() + 1]


async def test_a_replayed_practice_runs_once(rig: SlackRig) -> None:
    hook = rig.hook()
    practice = signed_command("/practice", "", BOB, hook)
    for _ in range(2):
        assert await send(rig, practice) == (200, "")
    [reply] = rig.responses(token(hook))
    assert "Practice" in block_texts(reply["blocks"])


async def test_a_command_that_only_shows_is_not_recorded_and_a_replay_shows_it_again(
    rig: SlackRig,
) -> None:
    await rig.setup_channel()
    recorded = await rig.app.store.db.fetchrow("SELECT COUNT(*) AS n FROM deliveries")
    assert recorded is not None
    hook = rig.hook()
    stats = signed_command("/stats", "", BOB, hook)
    for _ in range(2):
        assert await send(rig, stats) == (200, "")
    assert len(rig.responses(token(hook))) == 2  # the same stats, twice: nothing more
    after = await rig.app.store.db.fetchrow("SELECT COUNT(*) AS n FROM deliveries")
    assert after is not None and after["n"] == recorded["n"]  # no durable write before it


async def test_a_replayed_answer_command_opens_its_modal_once(rig: SlackRig) -> None:
    await rig.setup_channel()
    hook = rig.hook()
    answer = signed_command("/answer", "", BOB, hook)
    for _ in range(3):
        assert await send(rig, answer) == (200, "")
    assert len(rig.fake.of("views.open")) == 1
    assert rig.fake.errors("views.open") == []
    assert len(rig.fake.of("views.update")) == 1  # the core's form, filled in once
    assert rig.responses(token(hook)) == []  # no "Slack did not open the form"
    assert rig.fake.of("chat.postEphemeral") == []


async def test_replayed_button_presses_run_once(rig: SlackRig) -> None:
    await rig.setup_channel()
    thread = rig.round_ts()
    answer = signed_interaction(block_actions(BOB, CHANNEL, thread, "answer", "1", rig.hook()))
    hint_hook = rig.hook()
    hint = signed_interaction(block_actions(BOB, CHANNEL, thread, "hint", "1", hint_hook))
    for _ in range(3):
        assert await send(rig, answer) == (200, "")
        assert await send(rig, hint) == (200, "")
    [opened] = rig.fake.of("views.open")
    assert opened.args["view"]["callback_id"] == "answer"
    assert rig.fake.errors("views.open") == []
    [reply] = rig.responses(token(hint_hook))
    assert "Hint" in block_texts(reply["blocks"])


async def test_a_skip_replayed_to_the_other_replica_skips_one_day(
    replicas: tuple[SlackRig, SlackRig],
) -> None:
    one, two = replicas
    await one.command("/studybot", "setup days=daily", user=ADMIN)
    hook = one.hook()
    skip = signed_command("/studybot", "skip", ADMIN, hook)
    for rig in (one, two, two, one):
        assert await send(rig, skip) == (200, "")
    days = skipped_days(one, token(hook))
    assert len(days) == 1, days
    [day] = days
    fresh = one.hook()  # the replicas share the fake: one rig names every hook
    assert await send(two, signed_command("/studybot", "skip", ADMIN, fresh)) == (200, "")
    assert [d.toordinal() for d in skipped_days(two, token(fresh))] == [day.toordinal() + 1]
