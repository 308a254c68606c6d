"""Slack's text encoding: what members write is stored as they see it, whichever way it came."""

from __future__ import annotations

import pytest

from adapters.slack import events, text
from adapters.slack.render import render_message
from bot.markup import user_text
from bot.replies import Reply
from loopback.slack import (
    Broadcast,
    ChannelLink,
    Link,
    Mention,
    SlackText,
    Written,
    command_text,
    message_text,
    shown,
    view_submission,
)
from tests.slack.conftest import ADMIN, ALICE, BOB, CHANNEL, SlackRig, thread_reply

CAROL = "UCAROL"
WRITTEN: tuple[Written, ...] = (
    "p > n & sparse ",
    Mention(ALICE, "Alice"),
    " ",
    Link("https://example.com/?a=1&b=2", "docs"),
)
EXPECTED = "p > n & sparse @Alice docs"


def test_the_fake_encodes_as_slack_does() -> None:
    assert message_text(*WRITTEN) == (
        "p &gt; n &amp; sparse <@UALICE> <https://example.com/?a=1&amp;b=2|docs>"
    )
    assert command_text(*WRITTEN) == "p &gt; n &amp; sparse @Alice docs"
    assert command_text(*WRITTEN, should_escape=True) == message_text(*WRITTEN)
    assert shown(*WRITTEN) == EXPECTED


async def test_one_answer_is_stored_the_same_from_the_thread_a_command_and_the_modal(
    rig: SlackRig,
) -> None:
    rig.fake.add_user(CAROL, "Carol")
    await rig.setup_channel()
    thread = rig.round_ts()
    # In the round's thread, as Slack sends a message (Alice mentions herself: a message
    # that mentions another member is discussion, no answer; #16).
    await rig.event(thread_reply(ALICE, message_text(*WRITTEN), "1800000000.000100", thread), "Ev1")
    # With /answer, as Slack sends a command's text (the manifest's should_escape: false) ...
    await rig.command("/answer", command_text(*WRITTEN), user=ADMIN)
    # ... and as it would with should_escape: true.
    await rig.command("/answer", command_text(*WRITTEN, should_escape=True), user=BOB)
    # In the modal: Slack sends what was typed, unencoded.
    await rig.command("/answer", "", user=CAROL)
    view = rig.fake.modal()
    first = next(b["block_id"] for b in view["blocks"] if b["type"] == "input")
    await rig.sender.interactive(view_submission(CAROL, view, {first: shown(*WRITTEN)}))
    await rig.settle()
    assert await rig.answers() == [
        ("Alice", EXPECTED),
        ("Ada", EXPECTED),
        ("Bob", EXPECTED),
        ("Carol", EXPECTED),
    ]


async def test_a_mention_shows_the_name_users_info_gives(rig: SlackRig) -> None:
    rig.fake.add_user("UZOE", "Zoë & co")
    await rig.setup_channel()
    # In /answer: in the thread, a message that mentions other members is discussion (#16).
    written = ("ask ", Mention("UZOE", "zoe"), " or ", Mention("UGONE", "gone"))
    await rig.command("/answer", command_text(*written, should_escape=True), user=BOB)
    # An unknown member (users.info says user_not_found) is shown by id.
    assert await rig.answers() == [("Bob", "ask @Zoë & co or @UGONE")]


async def test_at_most_twenty_mentioned_members_are_looked_up(rig: SlackRig) -> None:
    await rig.setup_channel()
    parts: list[Written] = []
    for i in range(30):
        parts += [Mention(f"UM{i:02d}", f"m{i}"), " "]
    await rig.command("/answer", command_text(*parts, should_escape=True), user=BOB)
    looked_up = {c.args["user"] for c in rig.fake.calls if c.method == "users.info"}
    looked_up -= {ADMIN, BOB}
    assert len(looked_up) == 20
    [(_, stored)] = await rig.answers()
    assert stored.startswith("@UM00 @UM01") and "@UM29" in stored


async def test_a_thread_message_mentioning_others_looks_no_one_up(rig: SlackRig) -> None:
    await rig.setup_channel()
    thread = rig.round_ts()
    text = message_text("ask ", Mention("UZOE", "zoe"), " please")
    await rig.event(thread_reply(BOB, text, "1800000000.000100", thread), "Ev1")
    assert "UZOE" not in {c.args["user"] for c in rig.fake.calls if c.method == "users.info"}
    assert await rig.answers() == []  # discussion (#16)


async def test_a_broadcast_is_kept_as_text_and_stays_harmless_on_the_way_out(
    rig: SlackRig,
) -> None:
    await rig.setup_channel()
    thread = rig.round_ts()
    text = message_text(Broadcast("here"), " see ", ChannelLink("C0OTHER", "ml-help"))
    await rig.event(thread_reply(BOB, text, "1800000000.000100", thread), "Ev1")
    [(_, stored)] = await rig.answers()
    assert stored == "@here see #ml-help"
    # Wherever the core shows member text it is made inert, then escaped for Slack.
    [message] = render_message(Reply(text=user_text(stored)))
    rendered = str(message.blocks)
    assert "@here" not in rendered and "<!here>" not in rendered


@pytest.mark.parametrize(
    ("encoded", "decoded"),
    [
        ("a &amp;lt; b", "a &lt; b"),  # the member typed an entity: it stays one
        ("x &lt;@UALICE&gt; y", "x <@UALICE> y"),  # typed brackets are not a mention
        ("<@UALICE>", "@Alice"),
        ("<@UALICE|alice>", "@Alice"),  # users.info's name over the label
        ("<@UNOBODY|nobody>", "@nobody"),
        ("<@UNOBODY>", "@UNOBODY"),
        ("<#C123|general> <#C123>", "#general #C123"),
        ("<!here> <!channel> <!everyone> <!here|here>", "@here @channel @everyone @here"),
        ("<!subteam^S1|@ml-team>", "@ml-team"),
        ("<!date^1392734382^{date_num}|2014-02-18 6:39 AM>", "2014-02-18 6:39 AM"),
        ("<https://x.test/a?b=1&amp;c=2>", "https://x.test/a?b=1&c=2"),
        ("<https://x.test|R &amp; D>", "R & D"),
        ("<mailto:a@b.test|a@b.test>", "a@b.test"),
        ("unclosed < stays", "unclosed < stays"),
        ("line one\nline two", "line one\nline two"),
    ],
)
def test_decode_text(encoded: str, decoded: str) -> None:
    assert text.decode_text(encoded, {"UALICE": "Alice"}) == decoded


def test_mentioned_users_are_listed_once_in_order() -> None:
    encoded = "<@UB> <@UA|a> <@UB> <#C1|x> <!here>"
    assert text.mentioned_users(encoded) == ("UB", "UA")


def test_commands_and_thread_messages_are_decoded_in_the_translation() -> None:
    actor = events.member(BOB, events.UserInfo("Bob", False))
    place = events.channel("T1", CHANNEL)
    invocation = events.invocation("/answer", " a &amp; b <@UA> ", actor, place, {"UA": "Al"})
    assert invocation.args == "a & b @Al"
    message = {
        "type": "message",
        "channel": CHANNEL,
        "user": BOB,
        "text": SlackText("a &gt; b <@UBOB>"),  # one's own name: still an answer (#16)
        "ts": "2.0",
        "thread_ts": "1.0",
    }
    action = events.thread_message(message, "T1")
    assert action is not None and action.mentions() == (BOB,)
    event = action.event(actor, {BOB: "Bob"})
    assert getattr(event, "text", None) == "a > b @Bob"
