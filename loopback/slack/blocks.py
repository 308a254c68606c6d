"""Block Kit as Slack checks it: why it would answer `invalid_blocks`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Slack answers `msg_blocks_too_long` to a message whose blocks hold more text than this in
# all (undocumented; Slack's staff give 12,000 text characters plus room for containers).
MESSAGE_TEXT_LIMIT = 12_000
_TOO_LONG_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.update"})


def _text_length(node: Any) -> int:
    if isinstance(node, Mapping):
        return sum(
            len(value) if key == "text" and isinstance(value, str) else _text_length(value)
            for key, value in node.items()
        )
    if isinstance(node, list):
        return sum(_text_length(item) for item in node)
    return 0


def blocks_too_long(method: str, payload: Mapping[str, Any]) -> bool:
    """Tell whether Slack would answer `msg_blocks_too_long` (too much text in the blocks)."""
    return method in _TOO_LONG_METHODS and _text_length(payload.get("blocks")) > MESSAGE_TEXT_LIMIT


def block_kit_errors(payload: Mapping[str, Any]) -> list[str]:
    """Return why Slack would answer `invalid_blocks` to a payload's blocks (or its view's).

    Slack's documented Block Kit limits that studybot's blocks meet: 50 blocks a
    message and 100 a view; text objects of 1 to 3,000 characters and not only
    whitespace (header 150, section field 2,000, button 75, input label 2,000); 10
    fields a section, 1 to 10 context and 1 to 25 actions elements; block_id and
    action_id 255, button value 2,000.
    """
    view = payload.get("view")
    most = 100 if isinstance(view, Mapping) else 50
    blocks = view.get("blocks") if isinstance(view, Mapping) else payload.get("blocks")
    if blocks is None:
        return []
    if not isinstance(blocks, list) or len(blocks) > most:
        return [f"no more than {most} items allowed [json-pointer:/blocks]"]
    errors: list[str] = []
    for i, block in enumerate(b if isinstance(b, dict) else {} for b in blocks):
        at, kind = f"/blocks/{i}", block.get("type")
        fields = block.get("fields") or []
        elements = [e if isinstance(e, dict) else {} for e in block.get("elements") or []]
        texts: list[tuple[Any, int, str]] = []  # (text object, its limit, where)
        if kind == "section":
            texts += [(block.get("text"), 3000, "/text")] if "text" in block or not fields else []
            texts += [(f, 2000, f"/fields/{j}") for j, f in enumerate(fields)]
        elif kind == "header":
            texts.append((block.get("text"), 150, "/text"))
        elif kind == "input":
            texts.append((block.get("label"), 2000, "/label"))
        elif kind == "context":
            texts += [(e, 3000, f"/elements/{j}") for j, e in enumerate(elements)]
        elif kind == "actions":
            texts += [(e.get("text"), 75, f"/elements/{j}/text") for j, e in enumerate(elements)]
        counts: dict[Any, tuple[int, int, list[Any]]] = {
            "section": (0, 10, fields),
            "context": (1, 10, elements),
            "actions": (1, 25, elements),
        }
        low, high, counted = counts.get(kind, (0, 0, []))
        if not low <= len(counted) <= high:
            errors.append(f"must have {low} to {high} items [json-pointer:{at}]")
        for obj, limit, where in texts:
            text = obj.get("text") if isinstance(obj, dict) else None
            if not isinstance(text, str) or not text.strip() or len(text) > limit:
                errors.append(f"must be 1 to {limit} characters [json-pointer:{at}{where}/text]")
        ids = [(block, "block_id", 255)]
        ids += [(e, key, n) for e in elements for key, n in (("action_id", 255), ("value", 2000))]
        for obj, key, n in ids:
            if len(str(obj.get(key, ""))) > n:
                errors.append(f"must be at most {n} characters [json-pointer:{at}/{key}]")
    return errors
