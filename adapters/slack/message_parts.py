"""How a reply's blocks are shared out among Slack messages, within a message's limits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["MAX_BLOCKS", "MAX_MESSAGE_TEXT", "block_text_length", "share_out"]

MAX_BLOCKS = 50  # a message
# Slack refuses a message whose blocks hold more text than about 12,000 characters in all
# (`msg_blocks_too_long`; undocumented, measured by Slack's users at 12,000-13,300): stay
# under it with room for what Slack counts besides the text.
MAX_MESSAGE_TEXT = 11_000


def block_text_length(block: Any) -> int:
    """Return how many characters of text a block holds, in all its text objects."""
    if isinstance(block, dict):
        return sum(
            len(value) if key == "text" and isinstance(value, str) else block_text_length(value)
            for key, value in block.items()
        )
    if isinstance(block, list):
        return sum(block_text_length(item) for item in block)
    return 0


def _fits(blocks: Sequence[dict[str, Any]], text_length: int) -> bool:
    return len(blocks) <= MAX_BLOCKS and text_length <= MAX_MESSAGE_TEXT


def _pack(blocks: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Return the blocks in order as messages, each as full as the limits let it be."""
    messages: list[list[dict[str, Any]]] = [[]]
    size = 0
    for block in blocks:
        length = block_text_length(block)
        if messages[-1] and not _fits([*messages[-1], block], size + length):
            messages.append([])
            size = 0
        messages[-1].append(block)
        size += length
    return messages


def share_out(body: list[dict[str, Any]], tail: list[dict[str, Any]]) -> list[list[Any]]:
    """Return a reply's blocks as messages within the limits, the tail with the last one if it fits.

    The tail (buttons, footer) goes whole with the last message, or in a message of its
    own; a tail too long for one message continues, in order, over several.
    """
    tail_length = block_text_length(tail)
    if not _fits(tail, tail_length):  # a tail too long for a message of its own: in order
        return _pack(body + tail)
    messages = _pack(body)
    last = messages[-1]
    if _fits(last + tail, block_text_length(last) + tail_length):
        last.extend(tail)
    else:
        messages.append(list(tail))
    return messages
