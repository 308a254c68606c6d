"""Holidays on Slack: an admin sets them with /studybot settings and sees them in the reply."""

from __future__ import annotations

import json
from datetime import date

from bot.model import ChannelRef
from loopback.slack import TEAM
from tests.slack.conftest import ADMIN, CHANNEL, SlackRig


def _said(rig: SlackRig, hook: str) -> str:
    return json.dumps(rig.responses(hook), ensure_ascii=False)


async def test_an_admin_sets_holidays_and_the_reply_shows_them(rig: SlackRig) -> None:
    await rig.command("/studybot", "setup days=mon-fri", user=ADMIN)
    text = "settings holidays=2026-12-24..2026-12-26, 2027-01-01, 2027-01-04, 2027-01-05"
    _, _, hook = await rig.command("/studybot", text, user=ADMIN)
    said = _said(rig, hook)
    assert "Settings changed: holidays" in said, said
    assert (
        "Holidays" in said and "2026-12-24..2026-12-26, 2027-01-01, 2027-01-04..2027-01-05" in said
    )
    group = await rig.app.store.group_for_channel(ChannelRef("slack", TEAM, CHANNEL))
    assert group is not None and date(2026, 12, 25) in group.settings.holidays
    told = [
        c.args["text"] for c in rig.fake.of("chat.postMessage") if "New schedule" in str(c.args)
    ]
    assert told and "no question on 2026-12-24..2026-12-26" in told[-1]

    _, _, hook = await rig.command("/studybot", "settings holidays=2026-11-01", user=ADMIN)
    said = _said(rig, hook)
    assert "2026-11-01 is in the past (today is 2026-12-01 here)" in said
    assert "Nothing was changed." in said
    again = await rig.app.store.group_for_channel(ChannelRef("slack", TEAM, CHANNEL))
    assert again is not None and again.settings.holidays == group.settings.holidays
