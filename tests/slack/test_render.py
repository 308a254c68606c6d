"""Rendering core replies as Block Kit: escaping, Markdown, and Slack's limits."""

from __future__ import annotations

import json

import pytest

from adapters.slack.home import render_home
from adapters.slack.render import (
    MAX_BLOCKS,
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
from bot.replies import Button, Field, Reply


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
    assert len(messages) == 3
    assert all(len(m.blocks) <= MAX_BLOCKS for m in messages)
    assert messages[-1].blocks[-1]["type"] == "context"
    assert messages[-1].blocks[-2]["type"] == "actions"
    shown = json.dumps([m.blocks for m in messages])
    assert all(f"Field {i}*" in shown for i in range(120))


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
