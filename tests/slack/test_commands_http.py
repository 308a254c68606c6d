"""Every slash command over signed HTTP requests, admin rights, and refused requests."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.slack.events import slash_commands
from bot.model import ChannelRef
from loopback.slack import TEAM, block_actions
from tests.slack.conftest import ADMIN, ALICE, BOB, CHANNEL, SECRET, SlackRig


def _text(responses: list[dict[str, Any]]) -> str:
    return json.dumps(responses, ensure_ascii=False)


async def test_every_slash_command_is_registered_with_bolt(rig: SlackRig) -> None:
    for name in slash_commands():
        status, body, hook = await rig.command(f"/{name}", "", user=BOB)
        assert status == 200, (name, body)
        assert rig.responses(hook) or rig.fake.of("views.open"), name


async def test_an_unknown_command_is_not_acknowledged(rig: SlackRig) -> None:
    status, _, hook = await rig.command("/unknown", "x")
    assert status == 404
    assert rig.responses(hook) == []


@pytest.mark.parametrize(
    ("command", "text", "expected", "visibility"),
    [
        ("/studybot", "", "/studybot help", "ephemeral"),  # its subcommands, help among them
        ("/studybot", "help scoring", "How points work", "ephemeral"),
        ("/studybot", "help admin", "Admin commands", "ephemeral"),
        ("/studybot", "settings", "Settings", "ephemeral"),
        ("/studybot", "pause", "paused", "ephemeral"),
        ("/studybot", "skip", "skipped", "in_channel"),
        ("/studybot", "reveal", "Revealed", "ephemeral"),
        ("/practice", "", "Practice", "ephemeral"),
        ("/practice", "evaluation easy", "Practice", "ephemeral"),
        ("/hint", "", "Hint", "ephemeral"),
        ("/leaderboard", "month", "Leaderboard", "ephemeral"),
        ("/leaderboard", "month public", "Shared by", "in_channel"),
        ("/stats", "", "Stats", "ephemeral"),
        ("/answer", "overfitting and variance", "Recorded your answer", "ephemeral"),
    ],
)
async def test_commands_answer_through_the_response_url(
    rig: SlackRig, command: str, text: str, expected: str, visibility: str
) -> None:
    await rig.setup_channel()
    status, body, hook = await rig.command(command, text, user=ADMIN)
    assert status == 200 and body == ""  # acknowledged at once, empty
    responses = rig.responses(hook)
    assert responses, "no reply"
    assert expected in _text(responses)
    assert {r["response_type"] for r in responses} == {visibility}


async def test_admin_work_is_private_and_the_channel_hears_one_line(rig: SlackRig) -> None:
    await rig.setup_channel()
    _, _, hook = await rig.command("/studybot", "settings time=07:45", user=ADMIN)
    assert {r["response_type"] for r in rig.responses(hook)} == {"ephemeral"}
    _, _, hook = await rig.command("/studybot", "pause", user=ADMIN)
    assert {r["response_type"] for r in rig.responses(hook)} == {"ephemeral"}
    notices = [
        c.args["text"]
        for c in rig.fake.of("chat.postMessage")
        if not str((c.args.get("metadata") or {}).get("event_payload", {})).count("round-")
    ]
    assert [n.split(":")[0] for n in notices] == [
        "📅 Daily questions start here",
        "📅 New schedule",
        "⏸️ Daily questions are paused here until an admin resumes them.",
    ]


async def test_a_leaderboard_is_private_until_its_share_button_is_pressed(rig: SlackRig) -> None:
    await rig.setup_channel()
    _, _, hook = await rig.command("/leaderboard", "week", user=BOB)
    [private] = rig.responses(hook)
    assert private["response_type"] == "ephemeral"
    [share] = [e for b in private["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert share["text"]["text"] == "Share"
    shared_hook = rig.hook()
    await rig.sender.interactive(
        block_actions(BOB, CHANNEL, "1.0", share["action_id"], share["value"], shared_hook)
    )
    await rig.settle()
    [shared] = rig.responses(shared_hook.rsplit("/", 1)[1])
    assert shared["response_type"] == "in_channel" and "Shared by" in _text([shared])


async def test_practice_answer_and_reveal_are_subcommand_words(rig: SlackRig) -> None:
    await rig.command("/practice", "", user=BOB)
    _, _, hook = await rig.command("/practice", "answer cross validation folds variance", user=BOB)
    assert "You covered" in _text(rig.responses(hook))
    await rig.command("/practice", "", user=BOB)
    _, _, hook = await rig.command("/practice", "reveal", user=BOB)
    assert "Key points" in _text(rig.responses(hook))


async def test_answer_without_text_opens_the_modal(rig: SlackRig) -> None:
    await rig.setup_channel()
    _, _, hook = await rig.command("/answer", "", user=BOB)
    assert rig.responses(hook) == []  # the modal is the answer
    [opened] = rig.fake.of("views.open")  # at once, before the core knows the round ...
    assert opened.args["trigger_id"].startswith(f"trigger-{BOB}-")
    assert "callback_id" not in opened.args["view"]
    [updated] = rig.fake.of("views.update")  # ... which then fills it in
    view = rig.fake.modal()
    assert updated.args["view_id"] == view["id"] and view["callback_id"] == "answer"
    context = json.loads(view["private_metadata"])
    assert context["channel"] == CHANNEL and context["value"] == "1"


async def test_usage_errors_are_friendly(rig: SlackRig) -> None:
    _, _, hook = await rig.command("/practice", "impossible", user=BOB)
    [reply] = rig.responses(hook)
    assert reply["response_type"] == "ephemeral"
    assert "I don't know 'impossible'" in _text([reply])
    _, _, hook = await rig.command("/studybot", "explode", user=ADMIN)
    assert "not a subcommand" in _text(rig.responses(hook))


async def test_admin_commands_are_refused_to_members(rig: SlackRig) -> None:
    await rig.command("/studybot", "setup days=daily", user=ADMIN)
    _, _, hook = await rig.command("/studybot", "settings days=mon", user=BOB)
    [reply] = rig.responses(hook)
    assert reply["response_type"] == "ephemeral"
    assert "for the channel's admins" in _text([reply])
    group = await rig.app.store.group_for_channel(ChannelRef("slack", TEAM, CHANNEL))
    assert group is not None and len(group.settings.weekdays) == 7


async def test_an_organiser_who_is_no_workspace_admin_starts_a_group_and_runs_it(
    rig: SlackRig,
) -> None:
    _, _, hook = await rig.command("/studybot", "setup days=daily", user=BOB)
    assert "Daily questions are on" in _text(rig.responses(hook))
    _, _, hook = await rig.command("/studybot", "pause", user=BOB)
    assert "paused" in _text(rig.responses(hook))
    _, _, hook = await rig.command("/studybot", "resume", user=ALICE)
    assert "for the channel's admins" in _text(rig.responses(hook))


async def test_workspace_owners_and_listed_members_may_administer(rig: SlackRig) -> None:
    rig.fake.add_user("UOWNER", "Olga", owner=True)
    _, _, hook = await rig.command("/studybot", f"setup days=daily admins={ALICE}", user="UOWNER")
    assert "Daily questions are on" in _text(rig.responses(hook))
    _, _, hook = await rig.command("/studybot", "pause", user=ALICE)
    assert "paused" in _text(rig.responses(hook))
    _, _, hook = await rig.command("/studybot", "resume", user=BOB)
    assert "for the channel's admins" in _text(rig.responses(hook))


async def test_admin_rights_come_from_users_info_and_are_cached(rig: SlackRig) -> None:
    await rig.command("/stats", "", user=BOB)
    await rig.command("/stats", "", user=BOB)
    assert [c.args["user"] for c in rig.fake.of("users.info")] == [BOB]


async def _nothing_changed(rig: SlackRig, calls_before: int) -> None:
    await rig.settle()
    assert len(rig.fake.calls) == calls_before
    assert await rig.app.store.list_groups() == []


async def test_a_bad_signature_is_refused(rig: SlackRig) -> None:
    before = len(rig.fake.calls)
    status, _ = await rig.sender.command(
        "/studybot",
        "setup",
        user=ADMIN,
        channel=CHANNEL,
        response_url=rig.hook(),
        secret="not-" + SECRET,
    )
    assert status == 401
    await _nothing_changed(rig, before)


async def test_a_stale_timestamp_is_refused(rig: SlackRig) -> None:
    before = len(rig.fake.calls)
    rig.sender.clock_skew = -6 * 60
    status, _ = await rig.sender.command(
        "/studybot", "setup", user=ADMIN, channel=CHANNEL, response_url=rig.hook()
    )
    assert status == 401
    await _nothing_changed(rig, before)


async def test_user_text_cannot_mention_everyone_or_break_formatting(rig: SlackRig) -> None:
    rig.fake.add_user("UEVIL", "<!channel> *boss* @here")
    await rig.setup_channel()
    await rig.command("/answer", "my answer", user="UEVIL")
    await rig.command("/studybot", "reveal", user=ADMIN)
    posted = json.dumps(
        [c.args for c in rig.fake.of("chat.postMessage")]
        + rig.fake.of("response_url")[-1].args["blocks"],
        ensure_ascii=False,
    )
    assert "Answers (1)" in posted
    assert "<!channel>" not in posted and "<\u200b!channel>" not in posted
    assert "&lt;\u200b!channel&gt;" in posted  # shown as text, escaped for Slack
    assert "@here" not in posted
    assert "*boss*" not in posted and "\u2217boss\u2217" in posted


async def test_slacks_url_verification_is_answered(rig: SlackRig) -> None:
    body = json.dumps({"token": "x", "challenge": "c-123", "type": "url_verification"}).encode()
    status, text = await rig.sender.send(body, "application/json")
    assert status == 200 and "c-123" in text


async def test_a_429_on_another_method_is_retried_too(rig: SlackRig) -> None:
    rig.fake.fail_next("users.info", times=1, retry_after=0)
    _, _, hook = await rig.command("/stats", "", user=BOB)
    assert len(rig.fake.rejected) == 1
    assert "Daily questions aren't set up" in _text(rig.responses(hook))
