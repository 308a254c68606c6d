"""Every reply, whatever its text, renders on Discord and on Slack within the platforms' limits.

Hypothesis builds replies from hostile pieces: code fences anywhere (with a
language, with a long word on the fence's line, opened and closed on one line),
words longer than a message, lines of only whitespace, emoji and combining marks,
`@everyone`, `<!channel>` and `<@123>`, Markdown's special characters, and user
text escaped the way the core escapes it. Each reply is rendered by both
adapters' public render functions, in a thread joined with a timeout, so a
renderer that loops fails the test instead of hanging the suite. Then:

- every message, embed and block keeps within the platform's limits, and no
  text the platform would refuse as empty is produced;
- no text is lost: the reply's text, field values and footer appear in order
  in what is shown, compared after dropping whitespace and the characters the
  renderers turn Markdown into (Slack's mrkdwn markers, its `&amp;` escapes,
  and the language word of a code fence, which Slack cannot highlight);
  titles and labels, which are cut by design, are exactly the cut text;
- nothing can ping: Discord messages go out with mentions disabled, and
  Slack's mrkdwn has every `<` escaped, so no `<!channel>` or `<@U…>` forms.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import discord
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.discord import render as discord_render
from adapters.slack import render as slack_render
from bot.markup import user_name, user_text
from bot.replies import Button, Field, Form, FormInput, Reply

T = TypeVar("T")

BOUND_SECONDS = 5.0  # rendering takes milliseconds; a renderer that loops takes forever
LINK = "https://slack.test/archives/C1/p1"


class DISCORD:
    """Discord's limits, from its API documentation (not from the renderer's constants)."""

    content = 2000
    title = 256
    description = 4096
    fields = 25
    field_name = 256
    field_value = 1024
    footer = 2048
    embed_total = 6000  # all embeds of a message together, too
    embeds = 10
    buttons = 25  # 5 rows of 5
    button_label = 80
    custom_id = 100
    modal_title = 45
    input_label = 45
    placeholder = 100
    input_value = 4000


class SLACK:
    """Slack's Block Kit limits, from its reference (not from the renderer's constants)."""

    blocks = 50  # a message
    view_blocks = 100  # a modal or the Home tab
    text = 3000  # a text object (at least 1 character): a section's text, a context element
    field_text = 2000
    fields = 10
    header = 150
    context_elements = 10
    actions = 25
    button_text = 75
    button_value = 2000
    id = 255  # action_id, block_id
    input_label = 2000
    placeholder = 150
    view_title = 24  # and its submit and close buttons
    private_metadata = 3000
    message_text = 40_000


class RenderHung(BaseException):
    """A render did not return in time.

    A BaseException, not an Exception: Hypothesis does not shrink it, so one hang
    stops the test at once instead of leaving a spinning thread behind per shrink.
    """


def bounded(work: Callable[[], T], what: object) -> T:
    """Run `work` in a daemon thread; return its result, or fail if it has not ended in time."""
    result: list[T] = []
    error: list[BaseException] = []

    def run() -> None:
        try:
            result.append(work())
        except BaseException as exc:  # handed to the test's thread
            error.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(BOUND_SECONDS)
    if thread.is_alive():
        raise RenderHung(f"rendering did not return within {BOUND_SECONDS} s: {what!r:.400}")
    if error:
        raise error[0]
    return result[0]


# -- replies ---------------------------------------------------------------------------

_HOSTILE = [
    "```",
    "```python",
    "```python\n",
    "\n```\n",
    "```x = 1```",
    "``````",
    "`code`",
    "@everyone",
    "@here",
    "@channel",
    "<@123>",
    "<@&456>",
    "<!channel>",
    "<!here|here>",
    "<!everyone>",
    "<#C123>",
    "<https://x.test|click>",
    "**",
    "*",
    "_",
    "~",
    "|",
    "||",
    "#",
    "\\",
    "\\*",
    "&",
    "&amp;",
    "&lt;",
    "<",
    ">",
    "> ",
    "- ",
    "* ",
    "   ",
    "\t",
    "\n",
    "\n\n",
    " \n \n",
    "\r\n",
    "\u2028",
    "\u00a0",
    "\u200b",
    "e\u0301",
    "\u0301\u0301",
    "👩\u200d💻",
    "🎉",
    "⚠️",
    "ÿ",
    "中文",
]


def _long_word() -> st.SearchStrategy[str]:
    """A word without spaces around a platform's limits (or well past them)."""
    sizes = st.one_of(
        st.integers(0, 200),
        st.sampled_from([1019, 1020, 1021, 1024, 1996, 2000, 2044, 2048, 2984, 3000, 4092, 4096]),
        st.integers(900, 6200),
    )
    letters = st.sampled_from(["x", "é", "👍", "&", "`", "*", "<"])
    return st.builds(lambda c, n: c * n, letters, sizes)


def _fenced_long_word() -> st.SearchStrategy[str]:
    """The shape that once froze Discord: a fence line nearly as long as a chunk."""
    return st.builds(
        lambda n, body: "```" + "x" * n + "\n" + body + "\n```",
        st.integers(990, 4200),
        st.sampled_from(["body", "", "a b c", "```"]),
    )


def _piece() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(_HOSTILE),
        st.text(max_size=40),
        st.text(alphabet=" \n`*_~>-#|\\&<@!x", max_size=30),
        st.text(max_size=60).map(user_text),
        st.text(max_size=40).map(user_name),
        _long_word(),
        _fenced_long_word(),
    )


def texts(max_pieces: int = 30) -> st.SearchStrategy[str]:
    """Reply text: hostile pieces, words and fences joined at random."""
    return st.lists(_piece(), max_size=max_pieces).map("".join)


_short = st.one_of(st.sampled_from(_HOSTILE), st.text(max_size=300), _long_word())
_action = st.from_regex(r"[a-z][a-z_]{0,20}", fullmatch=True)

_fields = st.builds(Field, name=_short, value=texts(8), inline=st.booleans())
_buttons = st.builds(Button, action=_action, label=_short, value=st.text(max_size=2100))
_inputs = st.builds(
    FormInput,
    id=_action,
    label=_short,
    max_length=st.integers(1, 9000),
    multiline=st.booleans(),
    placeholder=_short,
)
_forms = st.builds(
    Form,
    form_id=_action,
    title=_short,
    inputs=st.lists(_inputs, max_size=3).map(tuple),
    value=st.text(max_size=40),
)
replies = st.builds(
    Reply,
    text=texts(),
    title=st.none() | _short,
    fields=st.lists(_fields, max_size=30).map(tuple),
    buttons=st.lists(_buttons, max_size=8).map(tuple),
    footer=st.none() | texts(6),
    is_error=st.booleans(),
    form=st.none() | _forms,
)


# -- what "no text lost" compares --------------------------------------------------------


def _solid(text: str) -> str:
    """Drop whitespace: the renderers may break lines and cut at spaces."""
    return "".join(text.split())


def is_subsequence(needle: str, haystack: str) -> bool:
    """Return whether every character of `needle` appears in `haystack`, in order."""
    rest = iter(haystack)
    return all(char in rest for char in needle)


def clip(text: str, limit: int) -> str:
    """Discord's documented cut of a label: the text, or its start and "…"."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cut(text: str, limit: int) -> str:
    """Slack's documented cut of a plain-text label: one line, or its start and "…"."""
    line = " ".join(slack_render.plain(text).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


# Characters the Slack renderer turns Markdown into or out of: `**`→`*`, `*`→`_`,
# `- `→`• `, backslash escapes → inert look-alikes (∗ ˍ ∼ ˋ), `> ` quotes, code fences.
_SLACK_MARKUP = re.compile(r"[*_~`\\\-•>∗ˍ∼ˋ]|\s")
_FENCE_LANGUAGE = re.compile(r"^(\s*```)\s*[A-Za-z0-9_+#.-]{1,32}\s*$", re.MULTILINE)


def slack_expected(markdown: str) -> str:
    """What of reply text Slack must show: no whitespace, no markup, no fence languages."""
    lines = [_FENCE_LANGUAGE.sub(r"\1", line) for line in markdown.splitlines()]
    return _SLACK_MARKUP.sub("", "\n".join(lines))


def slack_shown(mrkdwn: str) -> str:
    """What Slack shows of mrkdwn, compared the same way (its three escapes read back)."""
    text = mrkdwn.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return _SLACK_MARKUP.sub("", text)


# -- Discord ---------------------------------------------------------------------------


def check_discord(reply: Reply, parts: list[discord_render.Outgoing]) -> None:
    assert parts
    shown: list[str] = []  # the text, field values and footers, in order
    names: list[str] = []
    title: str | None = None
    for i, part in enumerate(parts):
        kwargs = discord_render.message_kwargs(part)
        assert kwargs["allowed_mentions"].to_dict() == {"parse": []}  # nothing pings
        assert part.content is not None or part.embeds
        if part.content is not None:
            assert part.content.strip() and len(part.content) <= DISCORD.content
            shown.append(part.content)
        assert len(part.embeds) <= DISCORD.embeds
        assert sum(len(e) for e in part.embeds) <= DISCORD.embed_total
        for embed in part.embeds:
            check_embed(embed)
            title = title or embed.title
            shown.append(embed.description or "")
            for f in embed.fields:
                assert f.name is not None and f.value is not None
                names.append(f.name)
                shown.append(f.value)
            shown.append(embed.footer.text or "")
        expected_buttons = reply.buttons[: DISCORD.buttons]
        assert part.buttons == (expected_buttons if i == len(parts) - 1 else ())
        view = kwargs.get("view")
        assert (view is not None) == bool(part.buttons)
        if view is not None:
            shown_buttons = [c for row in view.to_components() for c in row["components"]]
            for button, component in zip(part.buttons, shown_buttons, strict=True):
                assert component["label"].strip()
                label = button.label if button.label.strip() else button.action
                assert component["label"] == clip(label, DISCORD.button_label)
                assert len(component["custom_id"]) <= DISCORD.custom_id
    heading = reply.title if reply.title and reply.title.strip() else None
    assert title == (clip(heading, DISCORD.title) if heading else None)
    bases: list[str] = []
    for name in names:  # a long value continues in fields named "<name> (cont.)"
        if not (bases and name == bases[-1] + " (cont.)"):
            bases.append(name)
    limit = DISCORD.field_name - len(" (cont.)") - 4  # the renderer keeps room for "(cont.)"
    assert bases == [clip(f.name if f.name.strip() else "\u200b", limit) for f in reply.fields]
    expected = [reply.text, *(f.value for f in reply.fields), reply.footer or ""]
    assert is_subsequence(_solid("".join(expected)), _solid("".join(shown)))


def check_embed(embed: discord.Embed) -> None:
    assert len(embed) <= DISCORD.embed_total
    assert embed.title or embed.description or embed.fields or embed.footer.text, "empty embed"
    for text, limit in (
        (embed.title, DISCORD.title),
        (embed.description, DISCORD.description),
        (embed.footer.text, DISCORD.footer),
    ):
        assert text is None or (text.strip() and len(text) <= limit)
    assert len(embed.fields) <= DISCORD.fields
    for f in embed.fields:
        assert f.name and f.name.strip() and len(f.name) <= DISCORD.field_name
        assert f.value and f.value.strip() and len(f.value) <= DISCORD.field_value


def check_discord_modal(form: Form, modal: discord.ui.Modal) -> None:
    data = modal.to_dict()
    assert data["title"].strip() and len(data["title"]) <= DISCORD.modal_title
    assert len(data["custom_id"]) <= DISCORD.custom_id
    inputs = [c for row in data["components"] for c in row["components"]]
    assert len(inputs) == len(form.inputs)
    for item in inputs:
        assert item["label"].strip() and len(item["label"]) <= DISCORD.input_label
        assert len(item.get("placeholder") or "") <= DISCORD.placeholder
        assert 1 <= item["max_length"] <= DISCORD.input_value


# -- Slack -----------------------------------------------------------------------------


def text_objects(blocks: Iterable[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any], int]]:
    """Yield each block's text objects, with the block's type and the object's limit."""
    for block in blocks:
        kind = block["type"]
        if kind == "section":
            assert "text" in block or block.get("fields")
            assert len(block.get("fields", [])) <= SLACK.fields
            if "text" in block:
                yield kind, block["text"], SLACK.text
            for f in block.get("fields", []):
                yield kind, f, SLACK.field_text
        elif kind == "header":
            yield kind, block["text"], SLACK.header
        elif kind == "context":
            assert 1 <= len(block["elements"]) <= SLACK.context_elements
            for element in block["elements"]:
                yield kind, element, SLACK.text
        elif kind == "actions":
            assert 1 <= len(block["elements"]) <= SLACK.actions
            for button in block["elements"]:
                assert len(button["action_id"]) <= SLACK.id
                assert len(button.get("value", "")) <= SLACK.button_value
                yield kind, button["text"], SLACK.button_text
        elif kind == "input":
            assert len(block["block_id"]) <= SLACK.id
            yield kind, block["label"], SLACK.input_label
            placeholder = block["element"].get("placeholder")
            if placeholder is not None:
                yield kind, placeholder, SLACK.placeholder
        else:
            raise AssertionError(f"a block the renderer does not make: {kind}")


def check_slack_blocks(blocks: Iterable[dict[str, Any]], linked: bool = False) -> None:
    for kind, obj, limit in text_objects(blocks):
        text = obj["text"]
        assert text.strip(), f"a {kind} with blank text"  # Slack answers invalid_blocks
        assert len(text) <= limit, (kind, len(text))
        if obj["type"] == "mrkdwn":  # nothing forms a link or a mention: every < is escaped
            assert "<!" not in text and "<@" not in text and "<#" not in text
            assert linked or "<" not in text
        else:
            assert obj["type"] == "plain_text"


def check_slack(reply: Reply, messages: list[slack_render.SlackMessage]) -> None:
    assert messages
    shown: list[str] = []
    headers: list[str] = []
    buttons: list[dict[str, Any]] = []
    for message in messages:
        assert 1 <= len(message.blocks) <= SLACK.blocks
        assert message.text.strip() and "<" not in message.text
        assert len(message.text) <= SLACK.message_text
        check_slack_blocks(message.blocks)
        for block in message.blocks:
            if block["type"] == "header":
                headers.append(block["text"]["text"])
            elif block["type"] == "actions":
                buttons.extend(block["elements"])
            elif block["type"] == "section":
                shown.append(block["text"]["text"] if "text" in block else "")
                shown.extend(f["text"] for f in block.get("fields", []))
            else:
                shown.extend(e["text"] for e in block["elements"])
    heading = cut(reply.title or "", SLACK.header)
    assert headers == ([heading] if heading else [])
    assert len(buttons) == len(reply.buttons)
    for button, element in zip(reply.buttons, buttons, strict=True):
        limit = SLACK.button_text
        label = cut(button.label, limit) or cut(button.action, limit) or "•"
        assert element["text"]["text"] == label
    action_ids = [b["action_id"] for b in buttons]
    assert len(set(action_ids)) == len(action_ids)
    expected = [
        reply.text,
        *(f"{f.name}\n{f.value}" for f in reply.fields),
        reply.footer or "",
    ]
    assert is_subsequence(
        "".join(slack_expected(t) for t in expected), "".join(slack_shown(t) for t in shown)
    )


def check_slack_modal(view: dict[str, Any]) -> None:
    assert view["type"] == "modal"
    assert len(view["blocks"]) <= SLACK.view_blocks
    for key in ("title", "submit", "close"):
        assert view[key]["text"].strip() and len(view[key]["text"]) <= SLACK.view_title
    assert len(view["private_metadata"]) <= SLACK.private_metadata
    check_slack_blocks(view["blocks"])


# -- the properties --------------------------------------------------------------------

_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.slow
@_SETTINGS
@given(replies)
def test_every_reply_renders_on_discord_within_its_limits(reply: Reply) -> None:
    parts = bounded(lambda: discord_render.render(reply), reply)
    check_discord(reply, parts)
    if reply.form is not None:
        form = reply.form
        check_discord_modal(form, bounded(lambda: discord_render.modal_for(form), form))


@pytest.mark.slow
@_SETTINGS
@given(replies)
def test_every_reply_renders_on_slack_within_its_limits(reply: Reply) -> None:
    check_slack(reply, bounded(lambda: slack_render.render_message(reply), reply))
    summary = bounded(lambda: slack_render.render_summary(reply, LINK), reply)
    assert 1 <= len(summary.blocks) <= SLACK.blocks
    check_slack_blocks(summary.blocks, linked=True)
    if reply.form is not None:
        form = reply.form
        context = slack_render.FormContext("T1", "C1", None, form.value)
        view = bounded(lambda: slack_render.render_modal(form, reply.text, context), form)
        check_slack_modal(view)


@_SETTINGS
@given(texts(), st.sampled_from([16, 17, 40, 100, 1024, 2000, 2048, 4096]))
def test_split_markdown_cuts_any_text_into_chunks_within_the_limit(text: str, limit: int) -> None:
    chunks = bounded(lambda: discord_render.split_markdown(text, limit), (text, limit))
    assert all(len(chunk) <= limit for chunk in chunks)
    assert all(chunk.strip() for chunk in chunks) or chunks == [text]
    assert is_subsequence(_solid(text), _solid("".join(chunks)))


@pytest.mark.parametrize("limit", [1024, 2000, 4096])
def test_the_fence_line_that_froze_discord_is_split_promptly(limit: int) -> None:
    text = "```" + "x" * (limit - 5) + "\nbody\n```"
    chunks = bounded(lambda: discord_render.split_markdown(text, limit), text)
    assert all(len(chunk) <= limit for chunk in chunks)
    assert is_subsequence(_solid(text), _solid("".join(chunks)))
    assert "body" in chunks[-1]
