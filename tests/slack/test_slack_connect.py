"""Slack Connect: members of another organisation in a shared channel answer, vote and command."""

from __future__ import annotations

import json

from adapters.slack import events
from loopback.slack import (
    PARTNER_TEAM,
    TEAM,
    block_actions,
    reaction_event,
    view_submission,
)
from tests.slack.conftest import (
    ADMIN,
    ALICE,
    CHANNEL,
    GOOD_ANSWER,
    SlackRig,
    block_texts,
    thread_reply,
)

PAT = "UPAT"  # an admin, of the partner organisation's workspace
QUINN = "UQUINN"
ALICE_TS = "1800000000.000100"
PAT_TS = "1800000000.000200"


async def _shared_channel(rig: SlackRig) -> str:
    """Set the channel up (by the home team's admin) with partners in it; return the thread."""
    rig.fake.add_user(PAT, "Pat", admin=True, team=PARTNER_TEAM)
    rig.fake.add_user(QUINN, "Quinn", team=PARTNER_TEAM)
    await rig.setup_channel()
    return rig.round_ts()


async def test_a_partners_thread_answer_and_vote_find_the_home_teams_group(rig: SlackRig) -> None:
    thread = await _shared_channel(rig)
    await rig.event(thread_reply(ALICE, GOOD_ANSWER, ALICE_TS, thread), "EvAlice")
    status = await rig.event(
        thread_reply(PAT, "k-fold averages the folds so the estimate is steadier", PAT_TS, thread),
        "EvPat",
        user_team=PARTNER_TEAM,
    )
    assert status == 200
    assert await rig.answers() == [
        ("Alice", GOOD_ANSWER),
        ("Pat", "k-fold averages the folds so the estimate is steadier"),
    ]
    assert (CHANNEL, PAT_TS, "white_check_mark") in rig.fake.reactions

    vote = reaction_event(PAT, "+1", CHANNEL, ALICE_TS, item_user=ALICE)
    assert await rig.event(vote, "EvVote", user_team=PARTNER_TEAM) == 200
    votes = {a.display_name: a.helpful_votes for a in await rig.app.store.round_answers(1)}
    assert votes == {"Alice": 1, "Pat": 0}
    assert len(await rig.app.store.list_groups()) == 1


async def test_a_partners_slash_commands_find_the_home_teams_group(rig: SlackRig) -> None:
    await _shared_channel(rig)
    _, _, hook = await rig.command(
        "/answer",
        "every example is validated once, so k-fold is less noisy",
        QUINN,
        team=PARTNER_TEAM,
    )
    assert "Recorded your answer" in json.dumps(rig.responses(hook))
    _, _, hook = await rig.command("/stats", "", user=QUINN, team=PARTNER_TEAM)
    text = json.dumps(rig.responses(hook))
    assert "Stats" in text and "aren't set up" not in text
    assert await rig.answers() == [
        ("Quinn", "every example is validated once, so k-fold is less noisy")
    ]
    assert len(await rig.app.store.list_groups()) == 1


async def test_an_admin_of_the_partner_workspace_does_not_administer_the_group(
    rig: SlackRig,
) -> None:
    await _shared_channel(rig)
    _, _, hook = await rig.command("/studybot", "pause", user=PAT, team=PARTNER_TEAM)
    assert "for the channel's admins" in json.dumps(rig.responses(hook))
    _, _, hook = await rig.command("/studybot", "setup days=mon", user=PAT, team=PARTNER_TEAM)
    assert "for the channel's admins" in json.dumps(rig.responses(hook))
    [group] = await rig.app.store.list_groups()
    assert not group.settings.paused and group.channel.workspace_id == TEAM
    # The home team's admin still does.
    _, _, hook = await rig.command("/studybot", "pause", user=ADMIN)
    assert "paused" in json.dumps(rig.responses(hook))


async def test_a_partner_answers_privately_through_the_modal(rig: SlackRig) -> None:
    thread = await _shared_channel(rig)
    payload = block_actions(
        QUINN, CHANNEL, thread, "answer", "1", rig.hook(), user_team=PARTNER_TEAM
    )
    await rig.sender.interactive(payload)
    await rig.settle()
    view = rig.fake.modal()
    first = next(b["block_id"] for b in view["blocks"] if b["type"] == "input")
    submit = view_submission(QUINN, view, {first: GOOD_ANSWER}, user_team=PARTNER_TEAM)
    status, _ = await rig.sender.interactive(submit)
    await rig.settle()
    assert status == 200
    assert await rig.answers() == [("Quinn", GOOD_ANSWER)]
    [confirm] = rig.fake.of("chat.postEphemeral")
    assert "Recorded your answer" in block_texts(confirm.args["blocks"])


def test_the_workspace_is_the_installing_one() -> None:
    event = {"team_id": PARTNER_TEAM, "authorizations": [{"team_id": TEAM}]}
    assert events.workspace(event) == TEAM
    view = {"team": {"id": PARTNER_TEAM}, "view": {"app_installed_team_id": TEAM}}
    assert events.workspace(view) == TEAM
    command = {"team_id": PARTNER_TEAM}
    assert events.workspace(command, installed_team=TEAM) == TEAM
    assert events.workspace(command) == PARTNER_TEAM  # an org-wide install: the payload's
    assert events.workspace({"team": {"id": TEAM}, "user": {"team_id": PARTNER_TEAM}}) == TEAM
    assert events.workspace({"user": {"team_id": TEAM}}) == TEAM


def test_admin_rights_hold_in_the_members_own_workspace_only() -> None:
    user = {"id": PAT, "team_id": PARTNER_TEAM, "is_admin": True, "profile": {}}
    info = events.user_info(user)
    assert events.member(PAT, info, PARTNER_TEAM).can_manage
    assert not events.member(PAT, info, TEAM).can_manage
    grid = user | {"enterprise_user": {"teams": [PARTNER_TEAM, TEAM]}}
    assert events.member(PAT, events.user_info(grid), TEAM).can_manage
    unknown = {"id": PAT, "is_owner": True}  # Slack did not say where: as before
    assert events.member(PAT, events.user_info(unknown), TEAM).can_manage
