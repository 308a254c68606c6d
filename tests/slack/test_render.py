"""Rendering core replies as Block Kit: escaping, Markdown, and Slack's limits."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.home import render_home
from adapters.slack.message_parts import MAX_BLOCKS, MAX_MESSAGE_TEXT, block_text_length
from adapters.slack.render import (
    MAX_MODAL_BLOCKS,
    MAX_SECTION_TEXT,
    FormContext,
    chunk_mrkdwn,
    escape,
    mrkdwn,
    reaction_name,
    render_message,
    render_modal,
    render_summary,
)
from bot.markup import user_name, user_text
from bot.messages import answer_form
from bot.model import ChannelRef
from bot.replies import Button, Field, Form, FormInput, Reply
from loopback.slack import FakeSlack, block_kit_errors
from tests.test_render_properties import bounded


def _sections(reply: Reply) -> list[str]:
    return [
        b["text"]["text"]
        for m in render_message(reply)
        for b in m.blocks
        if b["type"] == "section" and "text" in b
    ]


def test_control_characters_are_escaped() -> None:
    assert escape("a & b < c > d") == "a &amp; b &lt; c &gt; d"
    assert mrkdwn("if x < 3 && y > 2") == "if x &lt; 3 &amp;&amp; y &gt; 2"


def test_the_markdown_subset_becomes_mrkdwn() -> None:
    assert mrkdwn("**bold** and *italic* and `a<b`") == "*bold* and _italic_ and `a&lt;b`"
    assert mrkdwn("- one\n- two") == "• one\n• two"
    assert mrkdwn("> quoted **x**") == "> quoted *x*"
    fenced = mrkdwn("```python\nif a < b and c:\n    return **kw\n```")
    assert fenced == "```\nif a &lt; b and c:\n    return **kw\n```"


@pytest.mark.parametrize(
    "hostile",
    ["<!channel>", "<!here|here>", "<@U123>", "@channel", "@here", "@everyone", "<https://x|y>"],
)
def test_user_text_can_neither_mention_nor_link(hostile: str) -> None:
    rendered = mrkdwn(f"Answer by {user_text(hostile)}")
    assert "<" not in rendered and ">" not in rendered
    for word in ("@channel", "@here", "@everyone"):
        assert word not in rendered


def test_user_text_cannot_format() -> None:
    rendered = mrkdwn(user_name("*bold* _it_ ~gone~ `code` > quote"))
    for marker in ("*", "_", "~", "`"):
        assert marker not in rendered
    assert not rendered.startswith(">")


def test_a_long_answer_is_split_into_sections_within_the_limit() -> None:
    paragraph = "The bias-variance trade-off & more. " * 60
    reply = Reply(title="The answer", text="\n\n".join([paragraph] * 8))
    sections = _sections(reply)
    assert len(sections) > 1
    assert all(len(s) <= MAX_SECTION_TEXT for s in sections)
    joined = " ".join(" ".join(sections).split())
    assert joined == " ".join(mrkdwn(reply.text).split())


def test_a_split_never_cuts_an_entity_or_leaves_a_fence_open() -> None:
    code = "\n".join(f"x{i} = a < b" for i in range(600))
    pieces = chunk_mrkdwn(mrkdwn(f"Before\n```\n{code}\n```\nAfter"))
    assert len(pieces) > 1
    for piece in pieces:
        assert len(piece) <= MAX_SECTION_TEXT
        assert piece.count("```") % 2 == 0
        assert "&l\n" not in piece and not piece.endswith("&")
    word_soup = "&" * 5000
    for piece in chunk_mrkdwn(escape(word_soup)):
        assert piece.replace("&amp;", "") == ""


def test_more_than_fifty_blocks_become_several_messages_none_rejected() -> None:
    fields = tuple(Field(f"Field {i}", "value " * 50) for i in range(120))
    buttons = (Button("feedback", "My feedback", "1"),)
    reply = Reply(title="Big", text="intro", fields=fields, buttons=buttons, footer="the end")
    messages = render_message(reply)
    assert len(messages) == 4  # 120 sections of 300 characters: 36,000, so 11,000 a message
    assert all(len(m.blocks) <= MAX_BLOCKS for m in messages)
    assert messages[-1].blocks[-1]["type"] == "context"
    assert messages[-1].blocks[-2]["type"] == "actions"
    shown = json.dumps([m.blocks for m in messages])
    assert all(f"Field {i}*" in shown for i in range(120))


def _long_reply() -> Reply:
    """A reveal-sized reply: 40,000 characters of text in 14 sections, under 50 blocks."""
    paragraphs = "\n\n".join(f"Answer {i}: " + "word " * 580 for i in range(14))
    return Reply(title="Round 12", text=paragraphs, buttons=(Button("feedback", "Mine", "1"),))


def test_a_long_reply_is_split_by_the_text_a_message_may_hold_in_all() -> None:
    reply = _long_reply()
    messages = render_message(reply)
    assert len(messages) == 5  # sections of ~2,910 characters: three fit in 11,000
    assert all(block_text_length(list(m.blocks)) <= MAX_MESSAGE_TEXT for m in messages)
    assert all(len(m.blocks) < MAX_BLOCKS for m in messages)
    assert messages[-1].blocks[-1]["type"] == "actions"  # the buttons go with the last part
    shown = json.dumps([m.blocks for m in messages])
    assert all(f"Answer {i}:" in shown for i in range(14))
    assert shown.count("word") == 14 * 580  # nothing lost at the cuts


def test_ten_long_inline_fields_do_not_make_one_section_too_long_for_a_message() -> None:
    fields = tuple(Field(f"F{i}", "y " * 950, inline=True) for i in range(10))
    messages = render_message(Reply(text="x", fields=fields))
    assert all(block_text_length(list(m.blocks)) <= MAX_MESSAGE_TEXT for m in messages)
    shown = json.dumps([m.blocks for m in messages])
    assert all(f"*F{i}*" in shown for i in range(10))


async def test_the_loopback_slack_refuses_too_much_text_and_takes_the_split_reply() -> None:
    reply = _long_reply()
    everything = [block for m in render_message(reply) for block in m.blocks]
    assert len(everything) <= MAX_BLOCKS  # within the block count: only the text is too long
    async with FakeSlack() as fake:
        client = AsyncWebClient(token="xoxb-1", base_url=fake.api_url)
        with pytest.raises(SlackApiError, match="msg_blocks_too_long"):
            await client.chat_postMessage(channel="C1", text="x", blocks=everything)
        for message in render_message(reply):
            await client.chat_postMessage(
                channel="C1", text=message.text, blocks=list(message.blocks)
            )
        assert len(fake.messages["C1"]) == 5


def test_inline_fields_share_a_section_and_buttons_are_unique() -> None:
    reply = Reply(
        fields=(Field("A", "1", inline=True), Field("B", "2", inline=True)),
        buttons=(Button("x", "One"), Button("x", "Two"), Button("y", "L" * 100, "v" * 3000)),
    )
    [message] = render_message(reply)
    assert message.blocks[0]["fields"][1]["text"] == "*B*\n2"
    elements = message.blocks[1]["elements"]
    assert [e["action_id"] for e in elements] == ["x", "x#1", "y"]
    assert len(elements[2]["text"]["text"]) <= 75 and len(elements[2]["value"]) <= 2000


def test_errors_are_marked_and_titles_are_plain_text() -> None:
    [message] = render_message(
        Reply(title="Stats · " + user_name("*Bob*"), text="no", is_error=True)
    )
    assert message.blocks[0]["text"] == {"type": "plain_text", "text": "Stats · *Bob*"}
    assert message.blocks[1]["text"]["text"].startswith(":warning:")
    assert message.text == "Stats · *Bob*"


def test_the_answer_form_becomes_a_modal_within_limits() -> None:
    reply = answer_form(7)
    assert reply.form is not None
    context = FormContext("T1", "C1", None, reply.form.value)
    view = render_modal(reply.form, reply.text, context)
    assert view["type"] == "modal" and view["callback_id"] == "answer"
    assert len(view["title"]["text"]) <= 24 and len(view["blocks"]) <= MAX_MODAL_BLOCKS
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["block_id"] for b in inputs] == ["text", "text#2"]
    assert [b["optional"] for b in inputs] == [False, True]
    assert FormContext.decode(view["private_metadata"]) == context
    assert FormContext.decode("not json") is None
    assert FormContext.decode('{"team": 1}') is None


def test_a_summary_keeps_the_title_and_first_paragraph_and_points_to_the_thread() -> None:
    reply = Reply(
        title="The answer",
        text="First paragraph.\n\nSecond paragraph with details.",
        fields=(Field("Key points", "1. a"),),
        buttons=(Button("feedback", "My feedback", "3"),),
    )
    summary = render_summary(reply, "https://x.test/p1")
    shown = json.dumps(summary.blocks)
    assert "First paragraph." in shown and "Second paragraph" not in shown
    assert "Key points" not in shown and "<https://x.test/p1|" in shown
    assert '"feedback"' in shown


def test_reactions_have_slack_names() -> None:
    assert reaction_name("✅") == "white_check_mark"
    assert reaction_name("🔁") == "repeat"
    assert reaction_name("🦄") is None


def test_the_home_tab_keeps_names_inert_and_within_100_blocks() -> None:
    card = Reply(
        title="Stats · " + user_name("*boss* <!here>"),
        fields=tuple(Field(f"Field {i}", "v") for i in range(12)),
    )
    overview = [(ChannelRef("slack", "T1", f"C{i}"), card) for i in range(9)]
    view = render_home(overview)
    assert view["type"] == "home" and len(view["blocks"]) <= MAX_MODAL_BLOCKS
    shown = json.dumps(view["blocks"], ensure_ascii=False)
    assert "*boss*" not in shown and "<!here>" not in shown and "\u2217boss\u2217" in shown
    assert "<#C0>" in shown
    assert shown.count("Field 11") < 9  # not every group fits ...
    assert "Also in <#C6>, <#C7>, <#C8>." in shown  # ... and those left out are named


# -- nothing Slack refuses as `invalid_blocks` (#22) ----------------------------------------

BLANK_REPLIES = [
    Reply(text="   "),
    Reply(text=" \n\t\n "),
    Reply(),
    Reply(text="\u3000\u00a0", is_error=True),
    Reply(title="  ", text="  ", footer=" \n "),
    Reply(text="ok", footer="   "),
    Reply(fields=(Field(" ", "  "), Field("", "", inline=True))),
    Reply(text="x", buttons=(Button("hint", "   "), Button(" ", ""))),
]


def _text_objects(blocks: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for block in blocks:
        for key in ("text", "label"):
            if isinstance(block.get(key), dict):
                found.append(block[key])
        found.extend(block.get("fields", []))
        for element in block.get("elements", []):
            found.append(element["text"] if element["type"] == "button" else element)
        placeholder = block.get("element", {}).get("placeholder")
        if placeholder is not None:
            found.append(placeholder)
    return found


@pytest.mark.parametrize("reply", BLANK_REPLIES)
def test_whitespace_never_becomes_a_block_of_empty_text(reply: Reply) -> None:
    for message in render_message(reply):
        assert message.blocks and message.text.strip()
        objects = _text_objects(message.blocks)
        assert objects and all(o["text"].strip() for o in objects), message.blocks
    summary = render_summary(reply, None)
    assert all(o["text"].strip() for o in _text_objects(summary.blocks))


def test_a_reply_with_nothing_to_show_shows_its_notification_text() -> None:
    [message] = render_message(Reply(text="  \n  "))
    assert message.blocks == ({"type": "section", "text": {"type": "mrkdwn", "text": "studybot"}},)
    [message] = render_message(Reply(text="  ", buttons=(Button("hint", "Hint"),)))
    assert [b["type"] for b in message.blocks] == ["actions"]


def test_a_blank_form_still_makes_a_modal_slack_takes() -> None:
    form = Form("answer", "  ", (FormInput("text", " ", 5000, placeholder="  "),), "7")
    view = render_modal(form, "  \n ", FormContext("T1", "C1", None, "7"))
    assert view["title"]["text"].strip()
    assert [b["type"] for b in view["blocks"]] == ["input", "input"]
    assert all(o["text"].strip() for o in _text_objects(view["blocks"]))
    assert "placeholder" not in view["blocks"][0]["element"]
    assert not block_kit_errors({"view": view})


def test_fence_lines_keep_their_text_but_not_their_language() -> None:
    assert mrkdwn("```python\nx = 1\n```") == "```\nx = 1\n```"
    assert mrkdwn("```x = a < b```") == "```\nx = a &lt; b\n```"
    assert mrkdwn("```x = 1\ny = 2\n``` and after") == "```\nx = 1\ny = 2\n```\nand after"
    # a piece of a long line that starts with a fence is not taken for an empty fence
    pieces = chunk_mrkdwn(mrkdwn("x" * 1019 + "`" * 4949 + "```python"))
    assert "python" in pieces[-1]


def test_a_long_footer_continues_in_further_context_blocks() -> None:
    footer = "word " * 7000  # 35,000 characters: more than ten context elements hold
    messages = render_message(Reply(text="x", footer=footer))
    assert len(messages) == 4  # and, at 11,000 characters a message, in further messages
    assert all(block_text_length(list(m.blocks)) <= MAX_MESSAGE_TEXT for m in messages)
    contexts = [b for m in messages for b in m.blocks if b["type"] == "context"]
    assert len(contexts) == 4 and all(len(c["elements"]) <= 10 for c in contexts)
    shown = " ".join(e["text"] for c in contexts for e in c["elements"])
    assert shown.split() == footer.split()


@pytest.mark.parametrize("limit", [0, 8, 15])
def test_chunks_too_small_to_hold_a_fence_are_refused(limit: int) -> None:
    with pytest.raises(ValueError, match="16"):
        bounded(lambda: chunk_mrkdwn("a b c " * 10, limit), limit)  # it looped forever once


# -- the loopback Slack refuses what Slack refuses ---------------------------------------------


def _section_of(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _button(**overrides: Any) -> dict[str, Any]:
    return {"type": "button", "text": {"type": "plain_text", "text": "Go"}, "action_id": "go"} | (
        overrides
    )


REFUSED = {
    "empty section": [_section_of("")],
    "whitespace section": [_section_of(" \n\t")],
    "section over 3000": [_section_of("x" * 3001)],
    "header over 150": [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
    "blank header": [{"type": "header", "text": {"type": "plain_text", "text": " "}}],
    "11 fields": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
    "field over 2000": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}],
    "blank field": [{"type": "section", "fields": [{"type": "mrkdwn", "text": " "}]}],
    "11 context elements": [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}
    ],
    "blank context": [{"type": "context", "elements": [{"type": "mrkdwn", "text": "  "}]}],
    "button text over 75": [
        {"type": "actions", "elements": [_button(text={"type": "plain_text", "text": "b" * 76})]}
    ],
    "blank button text": [
        {"type": "actions", "elements": [_button(text={"type": "plain_text", "text": ""})]}
    ],
    "26 buttons": [
        {"type": "actions", "elements": [_button(action_id=f"a{i}") for i in range(26)]}
    ],
    "action_id over 255": [{"type": "actions", "elements": [_button(action_id="a" * 256)]}],
    "value over 2000": [{"type": "actions", "elements": [_button(value="v" * 2001)]}],
    "block_id over 255": [_section_of("x") | {"block_id": "b" * 256}],
    "51 blocks": [_section_of("x")] * 51,
}


@pytest.mark.parametrize("what", list(REFUSED))
async def test_the_loopback_slack_refuses_blocks_slack_refuses(what: str) -> None:
    blocks = REFUSED[what]
    async with FakeSlack() as fake:
        client = AsyncWebClient(token="xoxb-1", base_url=fake.api_url)
        for method in (client.chat_postMessage, client.chat_postEphemeral):
            with pytest.raises(SlackApiError) as refused:
                await method(channel="C1", user="U1", text="fallback", blocks=blocks)
            assert refused.value.response["error"] == "invalid_blocks"
        with pytest.raises(SlackApiError) as refused:
            await client.chat_update(channel="C1", ts="1.2", text="fallback", blocks=blocks)
        assert refused.value.response["error"] == "invalid_blocks"
        async with aiohttp.ClientSession() as session:
            payload = {"text": "fallback", "blocks": blocks, "response_type": "ephemeral"}
            async with session.post(fake.response_url("h1"), json=payload) as answer:
                assert answer.status == 400
                assert (await answer.json())["error"] == "invalid_blocks"
        assert fake.of("chat.postMessage") == [] and fake.messages == {}
        assert fake.of("response_url") == []


async def test_the_loopback_slack_takes_up_to_100_blocks_in_a_view_only() -> None:
    async with FakeSlack() as fake:
        client = AsyncWebClient(token="xoxb-1", base_url=fake.api_url)
        home = {"type": "home", "blocks": [_section_of(f"{i}") for i in range(100)]}
        await client.views_publish(user_id="U1", view=home)
        with pytest.raises(SlackApiError, match="invalid_blocks"):
            await client.views_publish(user_id="U1", view=home | {"blocks": home["blocks"] * 2})
        with pytest.raises(SlackApiError, match="invalid_blocks"):
            await client.chat_postMessage(channel="C1", text="x", blocks=home["blocks"][:51])
        await client.chat_postMessage(channel="C1", text="x", blocks=home["blocks"][:50])
        assert len(fake.of("chat.postMessage")) == 1 and len(fake.of("views.publish")) == 1


@pytest.mark.parametrize("reply", BLANK_REPLIES)
async def test_the_loopback_slack_takes_every_blank_reply(reply: Reply) -> None:
    async with FakeSlack() as fake:
        client = AsyncWebClient(token="xoxb-1", base_url=fake.api_url)
        for message in render_message(reply):
            await client.chat_postMessage(
                channel="C1", text=message.text, blocks=list(message.blocks)
            )
        summary = render_summary(reply, "https://x.test/p1")
        await client.chat_postMessage(channel="C1", text=summary.text, blocks=list(summary.blocks))
        assert len(fake.messages["C1"]) == len(render_message(reply)) + 1
