"""What the loopback Discord refuses in a payload, as Discord does (its documented limits).

Pure functions over JSON bodies, each returning why Discord would answer
400 "Invalid Form Body" (code 50035), or None: message bodies (content,
embeds, components), command descriptions and their localizations, modals,
and which response types an interaction accepts.
"""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]

# Discord's locale codes, the keys `name_localizations` and `description_localizations` accept
# fmt: off
KNOWN_LOCALES = frozenset({
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl",
    "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi",
    "th", "zh-CN", "ja", "zh-TW", "ko",
})
# fmt: on

CUSTOM_ID_LIMIT = 100
BUTTON_LABEL_LIMIT = 80
MODAL_TITLE_LIMIT = 45
MODAL_COMPONENTS = range(1, 6)  # a modal holds 1 to 5 top-level components
INPUT_LABEL_LIMIT = 45
INPUT_VALUE_LIMIT = 4000
PLACEHOLDER_LIMIT = 100

# interaction types: 1 ping, 2 application command, 3 component, 4 autocomplete, 5 modal submit;
# callback types: 1 pong, 4 message, 5 deferred message, 6 deferred update, 7 update,
# 8 autocomplete result, 9 modal, 10 premium required (deprecated)
RESPONSES_ALLOWED = {
    1: {1},
    2: {4, 5, 9, 10},
    3: {4, 5, 6, 7, 9, 10},
    4: {8},
    5: {4, 5, 6, 7, 10},
}


def _sized(value: Any, low: int, high: int) -> bool:
    return isinstance(value, str) and low <= len(value) <= high


def description_problem(where: str, item: Json) -> str | None:
    """Return why Discord would refuse a command's or option's descriptions, or None."""
    description = item.get("description")
    if not _sized(description, 1, 100):
        return f"{where}.description: Must be between 1 and 100 in length."
    for locale, text in (item.get("description_localizations") or {}).items():
        if locale not in KNOWN_LOCALES:
            return f"{where}.description_localizations.{locale}: Invalid locale."
        if not _sized(text, 1, 100):
            return (
                f"{where}.description_localizations.{locale}: Must be between 1 and 100 in length."
            )
    for i, option in enumerate(item.get("options") or []):
        problem = description_problem(f"{where}.options.{i}", option)
        if problem is not None:
            return problem
    return None


def _embeds_problem(embeds: list[Json]) -> str | None:
    if len(embeds) > 10:
        return "embeds: Must be 10 or fewer in length."
    total = 0
    for embed in embeds:
        title, description = embed.get("title") or "", embed.get("description") or ""
        if len(title) > 256 or len(description) > 4096:
            return "embeds: title or description too long"
        fields = embed.get("fields") or []
        if len(fields) > 25:
            return "embeds: Must be 25 or fewer fields."
        total += len(title) + len(description)
        for f in fields:
            if not _sized(f.get("name"), 1, 256) or not _sized(f.get("value"), 1, 1024):
                return "embeds.fields: name/value length"
            total += len(f["name"]) + len(f["value"])
        footer = (embed.get("footer") or {}).get("text") or ""
        if len(footer) > 2048:
            return "embeds.footer: too long"
        total += len(footer)
    if total > 6000:
        return "embeds: Embed size exceeds maximum size of 6000"
    return None


def _components_problem(rows: list[Json]) -> str | None:
    if len(rows) > 5 or any(len(row.get("components", [])) > 5 for row in rows):
        return "components: too many"
    for i, row in enumerate(rows):
        for j, item in enumerate(row.get("components", [])):
            where = f"components.{i}.components.{j}"
            if "custom_id" in item and not _sized(item["custom_id"], 1, CUSTOM_ID_LIMIT):
                return f"{where}.custom_id: Must be between 1 and {CUSTOM_ID_LIMIT} in length."
            if "label" in item and not _sized(item["label"], 0, BUTTON_LABEL_LIMIT):
                return f"{where}.label: Must be {BUTTON_LABEL_LIMIT} or fewer in length."
    return None


def message_problem(body: Json) -> str | None:
    """Return why Discord would refuse a message body (its documented limits), or None."""
    content = body.get("content") or ""
    if len(content) > 2000:
        return "content: Must be 2000 or fewer in length."
    embeds = body.get("embeds") or []
    problem = _embeds_problem(embeds)
    if problem is not None:
        return problem
    if not content and not embeds and not body.get("components"):
        return "Cannot send an empty message"
    return _components_problem(body.get("components") or [])


def _text_input_problem(where: str, item: Json) -> str | None:
    if item.get("type") != 4:
        return f"{where}.type: a modal takes text inputs here"
    if not _sized(item.get("custom_id"), 1, CUSTOM_ID_LIMIT):
        return f"{where}.custom_id: Must be between 1 and {CUSTOM_ID_LIMIT} in length."
    if "label" in item and not _sized(item["label"], 1, INPUT_LABEL_LIMIT):
        return f"{where}.label: Must be between 1 and {INPUT_LABEL_LIMIT} in length."
    if item.get("style") not in (1, 2):
        return f"{where}.style: Value must be one of (1, 2)."
    low, high = item.get("min_length", 0), item.get("max_length", INPUT_VALUE_LIMIT)
    if not 0 <= low <= high <= INPUT_VALUE_LIMIT or high < 1:
        return f"{where}: min_length/max_length out of 0..{INPUT_VALUE_LIMIT}"
    if len(item.get("placeholder") or "") > PLACEHOLDER_LIMIT:
        return f"{where}.placeholder: Must be {PLACEHOLDER_LIMIT} or fewer in length."
    if len(item.get("value") or "") > INPUT_VALUE_LIMIT:
        return f"{where}.value: Must be {INPUT_VALUE_LIMIT} or fewer in length."
    return None


def modal_problem(data: Json) -> str | None:
    """Return why Discord would refuse a modal (callback type 9 data), or None.

    Title 1-45 characters, custom id 1-100, one to five top-level components:
    action rows holding one text input each, or labels (type 18) wrapping one.
    """
    if not _sized(data.get("title"), 1, MODAL_TITLE_LIMIT):
        return f"data.title: Must be between 1 and {MODAL_TITLE_LIMIT} in length."
    if not _sized(data.get("custom_id"), 1, CUSTOM_ID_LIMIT):
        return f"data.custom_id: Must be between 1 and {CUSTOM_ID_LIMIT} in length."
    rows = data.get("components") or []
    if len(rows) not in MODAL_COMPONENTS:
        return "data.components: Must be between 1 and 5 in length."
    for i, row in enumerate(rows):
        where = f"data.components.{i}"
        if row.get("type") == 1:
            inner = row.get("components") or []
            if len(inner) != 1:
                return f"{where}.components: Must be 1 in length."
            problem = _text_input_problem(f"{where}.components.0", inner[0])
        elif row.get("type") == 18:
            if not _sized(row.get("label"), 1, INPUT_LABEL_LIMIT):
                return f"{where}.label: Must be between 1 and {INPUT_LABEL_LIMIT} in length."
            problem = _text_input_problem(f"{where}.component", row.get("component") or {})
        else:
            problem = f"{where}.type: Value must be one of (1, 18)."
        if problem is not None:
            return problem
    return None


def response_problem(interaction_type: int, callback_type: int, data: Json) -> str | None:
    """Return why Discord would refuse a first response to an interaction, or None.

    A modal answers only an application command or a component (never a modal
    submit or an autocomplete); message responses keep the message limits.
    """
    allowed = RESPONSES_ALLOWED.get(interaction_type, set())
    if callback_type not in allowed:
        return f"type: Value must be one of {sorted(allowed)}."
    if callback_type == 9:
        return modal_problem(data)
    if callback_type == 4:
        return message_problem(data)
    if callback_type == 8 and len(data.get("choices") or []) > 25:
        return "data.choices: Must be 25 or fewer in length."
    return None
