"""The weekly recap on the loopback Slack: posted in the channel before Monday's question.

Its hardest question links to the reveal's message by Slack's permalink; the
post carries its key, so a process taking it over after a crash can find it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from adapters.slack.main import SlackPlatform
from bot.jobs import ManualJobScheduler
from tests.slack.conftest import (
    ADMIN,
    ALICE,
    BOB,
    CHANNEL,
    GOOD_ANSWER,
    SlackRig,
    thread_reply,
)


def _keyed(rig: SlackRig) -> list[tuple[str, dict[str, Any]]]:
    """Return the channel's posts that carry a key, with it, oldest first."""
    found = []
    for call in rig.fake.of("chat.postMessage"):
        key = (call.args.get("metadata") or {}).get("event_payload", {}).get("key")
        if key and call.args.get("channel") == CHANNEL:
            found.append((str(key), call.args))
    return found


async def test_the_recap_is_posted_in_the_channel_before_monday_s_question(rig: SlackRig) -> None:
    assert isinstance(rig.platform, SlackPlatform)
    await rig.setup_channel("days=mon time=09:00 reveal=18:00")  # posts Tue 1 Dec, W49
    thread = rig.round_ts()
    await rig.event(thread_reply(ALICE, GOOD_ANSWER, "1800000000.000100", thread), "EvA")
    await rig.event(thread_reply(BOB, "no idea, sorry", "1800000000.000200", thread), "EvB")
    await rig.command("/studybot", "reveal", user=ADMIN)
    round_ = await rig.app.store.get_round(1)
    assert round_ is not None and round_.reveal_message_id is not None

    scheduler = rig.app.scheduler
    assert isinstance(scheduler, ManualJobScheduler)
    await scheduler.run_until(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    await rig.settle()
    keys = [key for key, _ in _keyed(rig)]
    assert keys[-2:] == ["recap-1-w2026-49", "round-2"]  # the recap, then the question
    assert keys.count("recap-1-w2026-49") == 1
    [(_, recap)] = [(k, a) for k, a in _keyed(rig) if k.startswith("recap-")]
    shown = json.dumps(recap, ensure_ascii=False)
    assert "Last week's recap · 2026-W49 (30 Nov – 6 Dec 2026)" in shown
    assert "2 members took part." in shown
    link = (
        f"https://fake.slack.test/archives/{CHANNEL}/p{round_.reveal_message_id.replace('.', '')}"
    )
    assert f"Its reveal: {link}" in shown
    assert "Tuesday 1 Dec's question" in shown
