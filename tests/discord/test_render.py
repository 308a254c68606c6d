"""Rendering core replies within Discord's limits: split, never truncated, never pinging."""

from __future__ import annotations

import pytest

from adapters.discord.render import (
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    FIELD_VALUE_LIMIT,
    modal_for,
    render,
    split_markdown,
    view_for,
)
from bot.markup import user_name
from bot.replies import Button, Field, Form, FormInput, Reply, Visibility
from tests.discord.conftest import Bot


def _words(text: str) -> list[str]:
    return [w for w in text.replace("```python", " ").replace("```", " ").split() if w]


def test_short_text_stays_whole() -> None:
    assert split_markdown("one line", 100) == ["one line"]


@pytest.mark.parametrize("limit", [200, 1024, 2000])
def test_long_text_is_split_at_lines_and_nothing_is_lost(limit: int) -> None:
    text = "\n".join(f"line {i}: " + "word " * (i % 17) for i in range(400))
    chunks = split_markdown(text, limit)
    assert len(chunks) > 1 and all(len(c) <= limit for c in chunks)
    assert "\n".join(chunks).split("\n") == text.split("\n")


def test_a_code_fence_cut_in_two_is_closed_and_reopened() -> None:
    code = "```python\n" + "\n".join(f"x{i} = {i}" for i in range(300)) + "\n```"
    chunks = split_markdown("Reference:\n" + code + "\nDone.", 500)
    assert len(chunks) > 2
    for chunk in chunks:
        assert chunk.count("```") % 2 == 0, chunk
        assert len(chunk) <= 500
    assert _words("\n".join(chunks)) == _words("Reference:\n" + code + "\nDone.")


def test_a_line_without_breaks_is_cut_hard() -> None:
    chunks = split_markdown("y" * 5000, 2000)
    assert [len(c) for c in chunks] == [1996, 1996, 1008]
    assert "".join(chunks) == "y" * 5000


def test_a_long_reveal_spreads_over_embeds_and_messages_within_every_limit() -> None:
    answer = "\n\n".join(
        f"Paragraph {i}. " + "The model's bias and variance. " * 20 for i in range(30)
    )
    fields = tuple(Field(f"Field {i}", "- point\n" * 200) for i in range(30))
    reply = Reply(
        title="The answer · Evaluation · hard",
        text=answer,
        fields=fields,
        footer="Press “My feedback”",
        buttons=(Button("feedback", "My feedback", "7"),),
        visibility=Visibility.PUBLIC,
    )
    messages = render(reply)
    assert len(messages) > 1
    for message in messages[:-1]:
        assert message.buttons == ()
    assert messages[-1].buttons == reply.buttons
    described = []
    field_values: dict[str, list[str]] = {}
    for message in messages:
        assert len(message.embeds) <= 10
        assert sum(len(e) for e in message.embeds) <= EMBED_TOTAL_LIMIT
        for embed in message.embeds:
            assert len(embed.description or "") <= DESCRIPTION_LIMIT and len(embed.fields) <= 25
            described.append(embed.description or "")
            for f in embed.fields:
                assert f.value is not None and len(f.value) <= FIELD_VALUE_LIMIT
                field_values.setdefault((f.name or "").removesuffix(" (cont.)"), []).append(f.value)
    assert "\n".join(d for d in described if d).split() == answer.split()
    for field in fields:
        assert "\n".join(field_values[field.name]).split() == field.value.split()
    assert messages[-1].embeds[-1].footer.text == reply.footer
    assert messages[0].embeds[0].title == reply.title


def test_plain_text_goes_as_content_and_errors_are_marked() -> None:
    [message] = render(Reply(text="Recorded your answer."))
    assert message.content == "Recorded your answer." and message.embeds == ()
    [error] = render(Reply(text="Nope.", is_error=True))
    assert error.content == "⚠️ Nope."
    parts = render(Reply(text="z " * 3000))
    assert len(parts) == 4 and all(len(p.content or "") <= CONTENT_LIMIT for p in parts)
    assert " ".join(p.content or "" for p in parts).split() == ["z"] * 3000


async def test_buttons_carry_their_action_and_value_and_are_not_kept_in_memory() -> None:
    view = view_for((Button("answer", "Answer privately", "12"), Button("hint", "Hint", "12")))
    assert view is not None and view.is_finished()
    ids = [c["custom_id"] for row in view.to_components() for c in row["components"]]
    assert ids == ["sb:answer:12", "sb:hint:12"]
    assert view_for(()) is None


async def test_a_form_becomes_a_modal_within_discords_limits() -> None:
    form = Form(
        "answer",
        "A title much longer than forty-five characters, surely",
        (FormInput("text", "Answer", 6000, placeholder="Explain it"),),
        "12",
    )
    modal = modal_for(form)
    data = modal.to_dict()
    assert data["custom_id"] == "sbf:answer:12" and len(data["title"]) <= 45
    text_input = data["components"][0]["components"][0]
    assert text_input["max_length"] == 4000 and text_input["custom_id"] == "text"
    assert modal.is_finished(), "submits are routed by custom id, not kept in memory"


async def test_user_text_cannot_ping_or_break_out(bot: Bot) -> None:
    evil = bot.fake.user("@everyone **bold** <@&123>")
    await bot.set_up_group()
    _, thread = await bot.post_round()
    await bot.fake.user_message(int(thread["id"]), evil, "@here `code` ||spoiler|| answer")
    await bot.until(lambda: len(bot.fake.reactions) == 1)
    record = await bot.command("leaderboard", evil)
    await bot.command("studybot", bot.admin, sub="reveal", admin=True)
    posted = [m for m in bot.fake.messages_in(bot.channel_id) if m["author"]["bot"]]
    every = posted + record.messages()
    assert every and all(m.get("allowed_mentions", {"parse": []})["parse"] == [] for m in posted)
    assert record.callback.result()["data"]["allowed_mentions"] == {"parse": []}
    text = "\n".join(f["value"] for m in posted for e in m["embeds"] for f in e.get("fields", []))
    assert user_name("@everyone **bold** <@&123>") in text
    assert "@everyone" not in text
