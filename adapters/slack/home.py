"""The App Home tab: a member's streak, points, category coverage and groups' leaderboards."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adapters.slack.render import MAX_MODAL_BLOCKS, chunk_mrkdwn, mrkdwn, render_message
from bot.model import ChannelRef
from bot.replies import Reply

__all__ = ["render_home"]

_INTRO = (
    "Every day a machine-learning interview question is posted in the channels that run "
    "studybot. Answer in the question's thread or with `/answer`; practise any time with "
    "`/practice`. `/studybot help` lists every command."
)
_NOTHING_YET = (
    "You have no points yet. Answer the next daily question in a channel that runs "
    "studybot, and your streak, points and coverage will show here."
)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def render_home(overview: Sequence[tuple[ChannelRef, Reply]]) -> dict[str, Any]:
    """Return the Home tab view: one part per group (its channel, the member's stats, leaders).

    The view keeps within Slack's 100 blocks: groups that do not fit are named
    at the end instead of shown.
    """
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Your studybot"}},
        _section(mrkdwn(_INTRO)),
    ]
    if not overview:
        blocks.append(_section(mrkdwn(_NOTHING_YET)))
    left_out: list[ChannelRef] = []
    for place, card in overview:
        part: list[dict[str, Any]] = [{"type": "divider"}]
        title = f" · {mrkdwn(card.title)}" if card.title else ""
        part.append(_section(f"*<#{place.channel_id}>*{title}"))
        body = Reply(text=card.text, fields=card.fields)
        for message in render_message(body):
            part.extend(message.blocks)
        if len(blocks) + len(part) > MAX_MODAL_BLOCKS - 1:
            left_out.append(place)
            continue
        blocks.extend(part)
    if left_out:
        more = "Also in " + ", ".join(f"<#{p.channel_id}>" for p in left_out) + "."
        blocks.append(_section(chunk_mrkdwn(more)[0]))
    return {"type": "home", "blocks": blocks}
