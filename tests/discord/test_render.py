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
from tests.test_render_properties import bounded


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


# -- #22: a fence line as long as a chunk froze the renderer; blank parts Discord refuses --


def test_the_fence_line_that_froze_every_guild_is_split() -> None:
    text = "```" + "x" * 1019 + "\nbody\n```"
    chunks = bounded(lambda: split_markdown(text, 1024), text)
    assert all(len(c) <= 1024 for c in chunks)
    assert all(c.count("```") % 2 == 0 for c in chunks)
    assert "".join("".join(chunks).split()).replace("`", "") == "x" * 1019 + "body"


def test_a_bank_answer_whose_code_fence_fills_a_field_renders() -> None:
    value = "```" + "x" * 1019 + "\nbody\n```"
    reply = Reply(title="The answer", fields=(Field("Code", value),))
    [message] = bounded(lambda: render(reply), reply)
    values = [f.value or "" for e in message.embeds for f in e.fields]
    assert len(values) == 2 and all(len(v) <= FIELD_VALUE_LIMIT for v in values)
    assert "body" in values[-1]


def test_a_reopened_fence_keeps_a_short_language_only() -> None:
    code = "```python\n" + "\n".join(f"x{i} = {i}" for i in range(300)) + "\n```"
    chunks = split_markdown(code, 500)
    assert all(c.startswith("```python\n") for c in chunks)
    junk = "```" + "y" * 300 + "\n" + "\n".join(f"z{i}" for i in range(300)) + "\n```"
    chunks = split_markdown(junk, 400)
    assert all(len(c) <= 400 for c in chunks)
    assert all(c.startswith("```\n") for c in chunks[1:])  # the long "language" is not repeated


@pytest.mark.parametrize("limit", [0, 5, 15])
def test_chunks_too_small_to_hold_a_fence_are_refused(limit: int) -> None:
    with pytest.raises(ValueError, match="16"):
        bounded(lambda: split_markdown("a b c " * 10, limit), limit)  # it looped forever once


@pytest.mark.parametrize(
    "reply",
    [
        Reply(title="  ", text=" \n "),
        Reply(title=" ", footer="  "),
        Reply(text="  ", fields=(Field(" ", "\t"),)),
        Reply(title="T", text="   ", footer=" "),
    ],
)
def test_blank_parts_are_never_sent(reply: Reply) -> None:
    for part in render(reply):
        assert (part.content or "").strip() or part.embeds
        for embed in part.embeds:
            assert embed.title or embed.description or embed.fields or embed.footer.text
            for text in (embed.title, embed.description, embed.footer.text):
                assert text is None or text.strip()
            assert all((f.name or "").strip() and (f.value or "").strip() for f in embed.fields)


async def test_blank_labels_and_titles_fall_back_to_ids() -> None:
    view = view_for((Button("hint", "  "),))
    assert view is not None
    [[label]] = [[c["label"] for c in row["components"]] for row in view.to_components()]
    assert label == "hint"
    modal = modal_for(Form("answer", " ", (FormInput("text", "\n", 100, placeholder=" "),), "1"))
    data = modal.to_dict()
    assert data["title"] == "answer"
    text_input = data["components"][0]["components"][0]
    assert text_input["label"] == "text" and "placeholder" not in text_input
