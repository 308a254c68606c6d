"""Appeals on the loopback Discord: a member appeals, admins decide from their DMs.

The case reaches each listed admin (and the founder) as a direct message with
its buttons; the admin presses them and fills the regrade modal in that DM,
where the interaction has no guild and no member. Every test ends by checking
each stored score against a recount from scratch (tests.recount_check).
"""

from __future__ import annotations

from datetime import timedelta

from bot.records import AppealStatus
from bot.scoring import ScoringRules
from loopback.discord import InteractionRecord, Json
from tests.discord.conftest import START, Bot
from tests.recount_check import assert_scores_recount

RULES = ScoringRules()
GOOD = "L1 drives some weights to exactly zero, so it selects features."
VAGUE = "it depends on the data you have"
NOTE = "My answer says the trade-off depends on the data."
REASON = "It names the trade-off in its own words."
PARAGRAPH, SHORT = 2, 1  # Discord's text input styles


def _custom_ids(message: Json) -> list[str]:
    return [c["custom_id"] for row in message.get("components", []) for c in row["components"]]


def _labels(message: Json) -> list[str]:
    return [c["label"] for row in message.get("components", []) for c in row["components"]]


def _shown(message: Json) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f["name"] + "\n" + f["value"] for f in embed.get("fields", [])]
        parts.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(parts)


def _inputs(modal: Json) -> dict[str, Json]:
    """Return a modal's text inputs by id (in action rows or labels)."""
    found: dict[str, Json] = {}
    for row in modal["components"]:
        for item in row.get("components") or [row.get("component") or {}]:
            found[item["custom_id"]] = item
    return found


def _button(message: Json, label: str) -> str:
    return next(
        str(c["custom_id"])
        for row in message["components"]
        for c in row["components"]
        if c["label"] == label
    )


async def _points(bot: Bot, name: str, round_id: int) -> int | None:
    answers = await bot.app.store.round_answers(round_id)
    return next(a.points for a in answers if a.display_name == name)


async def _first_round(bot: Bot, *admins: Json) -> tuple[int, Json]:
    """Set up with the admins listed; Alice and Bob answer; reveal. Return round and card."""
    listed = ",".join(f"<@{a['id']}>" for a in admins)
    await bot.set_up_group(
        "time=09:00 tz=UTC days=daily reveal=18:00 categories=algorithms difficulty=medium"
        f" admins={listed}"
    )
    _, thread = await bot.post_round()
    group = (await bot.app.store.list_groups())[0]
    round_ = await bot.app.store.round_on(group.id, START.date())
    assert round_ is not None
    await bot.fake.user_message(int(thread["id"]), bot.alice, GOOD)
    await bot.fake.user_message(int(thread["id"]), bot.bob, VAGUE)
    await bot.until(lambda: len(bot.fake.reactions) == 2)
    await bot.scheduler.run_until(START.replace(hour=18) + timedelta(minutes=1))
    reveal = [
        m
        for m in bot.fake.messages_in(bot.channel_id)
        if m["author"]["bot"] and f"sb:feedback:{round_.id}" in _custom_ids(m)
    ]
    assert len(reveal) == 1
    return round_.id, reveal[0]


async def _appeal(bot: Bot, card: Json, round_id: int, note: str = NOTE) -> InteractionRecord:
    """Bob presses My feedback, then Appeal, and sends the modal with a note."""
    feedback = await bot.fake.press(card, f"sb:feedback:{round_id}", user=bot.bob)
    shown = feedback.callback.result()["data"]
    assert shown["flags"] & 64  # My feedback is Bob's alone
    assert f"sb:appeal:{round_id}" in _custom_ids(shown)
    assert feedback.original is not None
    pressed = await bot.fake.press(feedback.original, f"sb:appeal:{round_id}", user=bot.bob)
    modal = pressed.callback.result()
    assert modal["type"] == 9 and modal["data"]["custom_id"] == f"sbf:appeal:{round_id}"
    assert list(_inputs(modal["data"])) == ["text"]
    return await bot.fake.submit_modal(
        modal["data"]["custom_id"], {"text": note}, user=bot.bob, channel=bot.channel
    )


def _case_in_dm(bot: Bot, user: Json, appeal: int = 1) -> Json:
    """Return the case of an appeal the bot sent a user by DM (once)."""
    cases = [
        m for m in bot.fake.dms_to(int(user["id"])) if f"sb:appeal-keep:{appeal}" in _custom_ids(m)
    ]
    assert len(cases) == 1, [_shown(m) for m in bot.fake.dms_to(int(user["id"]))]
    return cases[0]


async def test_an_appeal_reaches_the_admin_by_dm_and_a_change_from_there_rescores(
    bot: Bot,
) -> None:
    dora = bot.fake.user("Dora")
    round_id, card = await _first_round(bot, dora)
    before = await _points(bot, "Bob", round_id)
    assert before == RULES.participation  # the vague answer covers nothing

    receipt = await _appeal(bot, card, round_id)
    data = receipt.callback.result()["data"]
    assert data["flags"] & 64 and "Your appeal is with 2 admins" in _shown(data)

    # Dora (listed) and Ada (the founder) get the case in their DMs, Bob nothing there.
    case = _case_in_dm(bot, dora)
    _case_in_dm(bot, bot.admin)
    text = _shown(case)
    assert "Appeal #1" in text and "Bob's answer" in text and VAGUE in text
    round_ = await bot.app.store.get_round(round_id)
    question = bot.app.bank.get(round_.question_id) if round_ else None
    assert question is not None
    assert all(f"{n}. ✗ {kp.text}" in text for n, kp in enumerate(question.key_points, 1))
    assert "Their note" in text and NOTE in text
    assert _labels(case) == ["Change the grade", "Keep as graded"]
    assert not [m for m in bot.fake.dms_to(int(bot.bob["id"])) if "Appeal #" in _shown(m)]

    # Dora presses Change the grade in her DM: the modal has a short and a long input.
    pressed = await bot.fake.press(case, _button(case, "Change the grade"), user=dora)
    assert pressed.payload["context"] == 1 and "guild_id" not in pressed.payload
    modal = pressed.callback.result()
    assert modal["type"] == 9
    inputs = _inputs(modal["data"])
    assert list(inputs) == ["covered", "reason"]
    assert inputs["covered"]["style"] == SHORT and inputs["reason"]["style"] == PARAGRAPH
    dm = bot.fake.channels[int(case["channel_id"])]
    decided = await bot.fake.submit_modal(
        modal["data"]["custom_id"], {"covered": "all", "reason": REASON}, user=dora, channel=dm
    )
    answer = decided.callback.result()["data"]
    after = RULES.participation + RULES.coverage_bonus
    assert "Grade changed" in _shown(answer) and f"{before} → {after} points" in _shown(answer)
    assert decided.original is not None and decided.original["channel_id"] == case["channel_id"]

    told = [m for m in bot.fake.dms_to(int(bot.bob["id"])) if "Your grade was changed" in _shown(m)]
    assert len(told) == 1 and REASON in _shown(told[0]) and "now credited" in _shown(told[0])
    assert await _points(bot, "Bob", round_id) == after

    board = await bot.command("leaderboard", bot.bob)
    shown = "\n".join(_shown(m) for m in board.messages())
    assert f"1. Bob — {after}" in shown  # the week's board follows the new grade
    await assert_scores_recount(bot.app.store.db)


async def test_keep_as_graded_from_the_dm_and_a_later_decision_is_too_late(bot: Bot) -> None:
    dora, eve = bot.fake.user("Dora"), bot.fake.user("Eve")
    round_id, card = await _first_round(bot, dora, eve)
    await _appeal(bot, card, round_id)

    case = _case_in_dm(bot, dora)
    kept = await bot.fake.press(case, _button(case, "Keep as graded"), user=dora)
    assert "Grade kept" in _shown(kept.callback.result()["data"])
    told = [
        m for m in bot.fake.dms_to(int(bot.bob["id"])) if "Your appeal was decided" in _shown(m)
    ]
    assert len(told) == 1 and "kept its grade" in _shown(told[0])
    assert await _points(bot, "Bob", round_id) == RULES.participation

    # Eve, the other listed admin, decides later from her own DM: Dora's decision stands.
    late_case = _case_in_dm(bot, eve)
    late = await bot.fake.press(late_case, _button(late_case, "Keep as graded"), user=eve)
    assert "decided already by Dora" in _shown(late.callback.result()["data"])
    opened = await bot.fake.press(late_case, _button(late_case, "Change the grade"), user=eve)
    modal = opened.callback.result()["data"]
    dm = bot.fake.channels[int(late_case["channel_id"])]
    changed = await bot.fake.submit_modal(
        modal["custom_id"], {"covered": "all", "reason": "too late"}, user=eve, channel=dm
    )
    assert "decided already by Dora" in _shown(changed.callback.result()["data"])
    assert await _points(bot, "Bob", round_id) == RULES.participation
    assert len([m for m in bot.fake.dms_to(int(bot.bob["id"])) if "Your " in _shown(m)]) == 1
    await assert_scores_recount(bot.app.store.db)


async def test_a_forged_decision_by_a_member_who_is_no_admin_changes_nothing(bot: Bot) -> None:
    dora, carol = bot.fake.user("Dora"), bot.fake.user("Carol")
    round_id, card = await _first_round(bot, dora)
    await _appeal(bot, card, round_id)
    case = _case_in_dm(bot, dora)
    change, keep = _custom_ids(case)
    form_id = change.replace("sb:", "sbf:", 1)

    # Carol copies the case's buttons onto a message she sees (the reveal card) ...
    for custom_id in (change, keep):
        pressed = await bot.fake.press(card, custom_id, user=carol)
        data = pressed.callback.result()["data"]
        assert "Only the channel's admins decide" in _shown(data) and data["flags"] & 64
    # ... and sends the regrade modal, from the channel and from her own DM with the bot.
    for place in (bot.channel, bot.fake.dm_channel(int(carol["id"]))):
        sent = await bot.fake.submit_modal(
            form_id, {"covered": "all", "reason": "mine now"}, user=carol, channel=place
        )
        assert "Only the channel's admins decide" in _shown(sent.callback.result()["data"])
    # Bob, who appealed, may not decide on his own appeal either.
    sent = await bot.fake.submit_modal(
        form_id, {"covered": "all", "reason": "I agree"}, user=bot.bob, channel=bot.channel
    )
    assert "Only the channel's admins decide" in _shown(sent.callback.result()["data"])

    assert await _points(bot, "Bob", round_id) == RULES.participation
    appeal = await bot.app.store.appeal(1)
    assert appeal is not None and appeal.status is AppealStatus.OPEN
    listed = await bot.command("studybot", dora, sub="appeals")
    assert "#1 · Bob" in "\n".join(_shown(m) for m in listed.messages())  # still open
    assert not [m for m in bot.fake.dms_to(int(bot.bob["id"])) if "Your " in _shown(m)]
    await assert_scores_recount(bot.app.store.db)


async def test_no_channel_message_names_anyone_for_an_appeal(bot: Bot) -> None:
    dora = bot.fake.user("Dora")
    round_id, card = await _first_round(bot, dora)
    seen = {m["id"] for m in bot.fake.messages.values()}
    await bot.command("appeal", bot.alice, options={"note": "I covered more"})
    await _appeal(bot, card, round_id)
    _case_in_dm(bot, bot.admin, 2)
    case = _case_in_dm(bot, dora, 2)
    opened = await bot.fake.press(case, _button(case, "Change the grade"), user=dora)
    dm = bot.fake.channels[int(case["channel_id"])]
    await bot.fake.submit_modal(
        opened.callback.result()["data"]["custom_id"],
        {"covered": "all", "reason": REASON},
        user=dora,
        channel=dm,
    )
    dms = set(bot.fake.state.dm_channels.values())
    posted = [m for m in bot.fake.messages.values() if m["id"] not in seen]
    # Nothing was posted in the channel or the thread: the bot wrote only DMs ...
    assert posted and all(int(m["channel_id"]) in dms for m in posted), [
        _shown(m) for m in posted if int(m["channel_id"]) not in dms
    ]
    # ... and what it answered the appellants and admins in the channel, they alone saw.
    answered = [
        m
        for r in bot.fake.interactions.values()
        if "guild_id" in r.payload
        for m in r.messages()
        if m["id"] not in seen
    ]
    assert answered and all(m["flags"] & 64 for m in answered), [
        _shown(m) for m in answered if not m["flags"] & 64
    ]
    # Alice's appeal went to the founder and Dora; nobody else heard of either appeal.
    heard = {u for u, c in bot.fake.state.dm_channels.items() if bot.fake.messages_in(c)}
    assert heard == {int(bot.admin["id"]), int(dora["id"]), int(bot.bob["id"])}
    await assert_scores_recount(bot.app.store.db)


async def test_the_appeal_commands_are_registered_and_answer_in_the_channel(bot: Bot) -> None:
    registered = {c["name"]: c for c in bot.fake.commands["global"]}
    assert "appeal" in registered
    appeal_options = registered["appeal"]["options"]
    assert [(o["name"], o["required"]) for o in appeal_options] == [("note", False)]
    subcommands = {o["name"]: o for o in registered["studybot"]["options"]}
    assert {"appeals", "regrade"} <= set(subcommands)
    assert [o["name"] for o in subcommands["regrade"]["options"]] == ["answer"]

    dora = bot.fake.user("Dora")
    round_id, _ = await _first_round(bot, dora)
    sent = await bot.command("appeal", bot.bob)  # the note is optional
    assert "Your appeal is with 2 admins" in _shown(sent.messages()[0])
    _case_in_dm(bot, dora)

    # Ada may manage the channel: she finds the appeal there and decides in the channel.
    listed = await bot.command("studybot", bot.admin, sub="appeals", admin=True)
    [shown] = listed.messages()
    assert shown["flags"] & 64 and "#1 · Bob" in _shown(shown)
    review = await bot.fake.press(shown, _button(shown, "Review #1"), user=bot.admin, admin=True)
    assert review.original is not None and "Appeal #1" in _shown(review.original)
    opened = await bot.fake.press(
        review.original, _button(review.original, "Change the grade"), user=bot.admin, admin=True
    )
    decided = await bot.fake.submit_modal(
        opened.callback.result()["data"]["custom_id"],
        {"covered": "1", "reason": "The first point is there."},
        user=bot.admin,
        channel=bot.channel,
        admin=True,
    )
    assert "Grade changed" in _shown(decided.callback.result()["data"])

    # /studybot regrade names the member as Discord mentions them, and the date.
    regrade = await bot.command(
        "studybot",
        bot.admin,
        sub="regrade",
        options={"answer": f"<@{bot.alice['id']}> {START.date().isoformat()}"},
        admin=True,
    )
    card = regrade.messages()[0]
    assert "Regrade · " in _shown(card) and "Alice's answer" in _shown(card)
    assert _labels(card) == ["Change the grade"]
    assert await _points(bot, "Bob", round_id) != RULES.participation
    await assert_scores_recount(bot.app.store.db)


# Two rules of the core that only a platform with DMs and several servers shows.


async def test_the_founder_who_got_the_case_may_decide_from_the_dm(bot: Bot) -> None:
    round_id, card = await _first_round(bot, bot.fake.user("Dora"))
    await _appeal(bot, card, round_id)
    case = _case_in_dm(bot, bot.admin)  # Ada set the channel up, with Manage Channels
    kept = await bot.fake.press(case, _button(case, "Keep as graded"), user=bot.admin)
    assert "Grade kept" in _shown(kept.callback.result()["data"])


async def test_managing_a_channel_of_another_server_gives_no_say_here(bot: Bot) -> None:
    dora, carol = bot.fake.user("Dora"), bot.fake.user("Carol")
    round_id, card = await _first_round(bot, dora)
    await _appeal(bot, card, round_id)
    change = _custom_ids(_case_in_dm(bot, dora))[0]
    elsewhere = bot.fake.add_guild("Carol's server")["channels"][0]  # the bot is there too
    sent = await bot.fake.submit_modal(
        change.replace("sb:", "sbf:", 1),
        {"covered": "all", "reason": "mine now"},
        user=carol,
        channel=elsewhere,
        admin=True,  # Carol manages channels in her own server
    )
    assert "Only the channel's admins decide" in _shown(sent.callback.result()["data"])
    assert await _points(bot, "Bob", round_id) == RULES.participation


async def test_an_admin_whose_dms_are_closed_is_skipped_quietly_and_not_asked_again(
    bot: Bot,
) -> None:
    dora = bot.fake.user("Dora")
    bot.fake.closed_dms.add(int(dora["id"]))
    round_id, card = await _first_round(bot, dora)
    seen = {m["id"] for m in bot.fake.messages.values()}
    receipt = await _appeal(bot, card, round_id)
    data = receipt.callback.result()["data"]
    assert data["flags"] & 64 and "Your appeal is with 1 admin" in _shown(data)
    _case_in_dm(bot, bot.admin)  # the founder has it
    assert bot.fake.dms_to(int(dora["id"])) == []
    assert await bot.app.notes.closed("discord", [dora["id"]]) == {dora["id"]}
    refused = [c for c in bot.fake.calls if c.status == 403]
    assert len(refused) == 1  # Dora's DM, once

    # Alice appeals too, within the week: Dora's closed DMs are not knocked on again.
    await bot.command("appeal", bot.alice, options={"note": "I covered more"})
    _case_in_dm(bot, bot.admin, 2)
    assert [c for c in bot.fake.calls if c.status == 403] == refused
    posted = [m for m in bot.fake.messages.values() if m["id"] not in seen]
    dms = set(bot.fake.state.dm_channels.values())
    assert posted and all(int(m["channel_id"]) in dms for m in posted)  # nothing public
    await assert_scores_recount(bot.app.store.db)
