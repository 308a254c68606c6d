"""Charts on the loopback Slack: uploaded in Slack's three steps and shared in a conversation."""

from __future__ import annotations

import json
import logging
import socket

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.uploads import IN_YOUR_DMS, send_image
from bot.replies import Image, Reply
from loopback.slack import dm_channel
from loopback.slack.files import UPLOAD
from tests.png import assert_drawn, png_size
from tests.slack.conftest import ADMIN, BOB, CHANNEL, GOOD_ANSWER, SlackRig, thread_reply

UPLOAD_STEPS = ("files.getUploadURLExternal", UPLOAD, "files.completeUploadExternal")


async def _answered_and_revealed(rig: SlackRig) -> None:
    await rig.setup_channel()
    await rig.event(thread_reply(BOB, GOOD_ANSWER, "1800000000.000100", rig.round_ts()), "E1")
    status, _, _ = await rig.command("/studybot", "reveal", user=ADMIN)
    assert status == 200


def _steps(rig: SlackRig) -> list[str]:
    """Return the upload's calls as they came: a DM opened, the three steps of an upload."""
    wanted = (*UPLOAD_STEPS, "conversations.open")
    return [c.method for c in rig.fake.calls if c.method in wanted]


async def test_a_private_stats_chart_goes_to_the_members_dms_in_three_steps(
    rig: SlackRig,
) -> None:
    await _answered_and_revealed(rig)
    _, _, hook = await rig.command("/stats", "", user=BOB)
    [response] = rig.responses(hook)
    assert response["response_type"] == "ephemeral" and IN_YOUR_DMS in json.dumps(
        response, ensure_ascii=False
    )
    assert _steps(rig) == ["conversations.open", *UPLOAD_STEPS]
    [asked] = rig.fake.of("files.getUploadURLExternal")
    assert asked.args["filename"] == "stats.png"
    assert asked.args["alt_txt"].startswith("Chart of Bob's progress.")
    [file] = rig.fake.files.values()
    assert file.data is not None and int(asked.args["length"]) == len(file.data)
    assert png_size(file.data)[0] == 800
    assert_drawn(file.data)
    [completed] = rig.fake.of("files.completeUploadExternal")
    assert completed.args["channel_id"] == dm_channel(BOB)
    assert file.channels == [dm_channel(BOB)] and file.title == "Stats · Bob"
    [shared] = [m for m in rig.fake.dms(BOB) if m.get("files")]
    assert [f["id"] for f in shared["files"]] == [file.id]


async def test_a_shared_leaderboard_chart_is_shared_in_the_channel(rig: SlackRig) -> None:
    await _answered_and_revealed(rig)
    _, _, hook = await rig.command("/leaderboard", "week public chart", user=BOB)
    assert {r["response_type"] for r in rig.responses(hook)} == {"in_channel"}
    [file] = rig.fake.files.values()
    assert file.filename == "leaderboard.png" and file.channels == [CHANNEL]
    assert file.data is not None and png_size(file.data) == (800, 640)
    assert "conversations.open" not in _steps(rig)


async def test_without_history_nothing_is_uploaded(rig: SlackRig) -> None:
    await rig.setup_channel()
    _, _, hook = await rig.command("/stats", "", user=BOB)
    assert "Answer a round to see your chart." in json.dumps(rig.responses(hook))
    assert _steps(rig) == [] and not rig.fake.files


async def test_the_fake_refuses_to_complete_an_upload_whose_bytes_never_came(
    rig: SlackRig,
) -> None:
    client = AsyncWebClient(token="xoxb-test", base_url=rig.fake.api_url)
    asked = await client.files_getUploadURLExternal(filename="x.png", length=3)
    with pytest.raises(SlackApiError) as early:
        await client.files_completeUploadExternal(
            files=[{"id": asked["file_id"]}], channel_id=CHANNEL
        )
    assert early.value.response["error"] == "file_upload_not_complete"
    with pytest.raises(SlackApiError) as to_member:  # a file is shared in a conversation
        await client.files_upload_v2(content=b"abc", filename="x.txt", channel=BOB)
    assert to_member.value.response["error"] == "channel_not_found"
    assert all(not f.channels for f in rig.fake.files.values())


async def test_a_picture_that_cannot_reach_slack_never_fails_the_post_it_belongs_to(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The text went out already: a connection failure during the upload is logged, not raised."""
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    client = AsyncWebClient(token="xoxb-test", base_url=f"http://127.0.0.1:{dead}/api/")
    reply = Reply("Weekly recap", image=Image(b"\x89PNG", "recap.png", "the top ten's points"))
    with caplog.at_level(logging.WARNING, logger="adapters.slack.uploads"):
        await send_image(client, CHANNEL, None, reply)
    assert "could not share a picture" in caplog.text and "xoxb" not in caplog.text
