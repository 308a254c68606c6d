"""What members write on Slack, encoded as Slack sends it to an app.

A member's text is built from parts (`str`, `Mention`, `Link`, `ChannelLink`,
`Broadcast`): `shown` is what they see, `message_text` a message's `text` as
Slack sends it (entities, `<@U…>`, `<url|label>`), and `command_text` a slash
command's `text`, which Slack escapes less.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mention:
    """A member picked in the composer: shown `@name`, sent `<@U…>`."""

    user_id: str
    name: str


@dataclass(frozen=True)
class Link:
    """A link: shown as its label (link text the member put over it) or its address."""

    url: str
    label: str | None = None


@dataclass(frozen=True)
class ChannelLink:
    """A channel mentioned: shown `#name`, sent `<#C…|name>`."""

    channel_id: str
    name: str


@dataclass(frozen=True)
class Broadcast:
    """`@here`, `@channel` or `@everyone`: sent `<!here>`."""

    word: str


Written = str | Mention | Link | ChannelLink | Broadcast


class SlackText(str):
    """Text already encoded as Slack sends it: the senders pass it on as it is."""

    __slots__ = ()


def _entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shown(*parts: Written) -> str:
    """Return what a member sees of what they wrote (and what a modal's input sends)."""
    out: list[str] = []
    for part in parts:
        match part:
            case Mention(name=name):
                out.append(f"@{name}")
            case Link(url=url, label=label):
                out.append(label or url)
            case ChannelLink(name=name):
                out.append(f"#{name}")
            case Broadcast(word=word):
                out.append(f"@{word}")
            case str():
                out.append(part)
    return "".join(out)


def message_text(*parts: Written) -> SlackText:
    """Return a message's `text` as Slack sends it: entities, and `<…>` for mentions and links."""
    out: list[str] = []
    for part in parts:
        match part:
            case Mention(user_id=user_id):
                out.append(f"<@{user_id}>")
            case Link(url=url, label=label):
                out.append(f"<{_entities(url)}|{_entities(label)}>" if label else f"<{url}>")
            case ChannelLink(channel_id=channel_id, name=name):
                out.append(f"<#{channel_id}|{name}>")
            case Broadcast(word=word):
                out.append(f"<!{word}>")
            case str():
                out.append(_entities(part))
    return SlackText("".join(out))


def command_text(*parts: Written, should_escape: bool = False) -> SlackText:
    """Return a slash command's `text` as Slack sends it.

    `&`, `<` and `>` always come as entities; mentions, channels and links come
    as in messages only for a command with "Escape channels, users, and links"
    (`should_escape`, off in studybot's manifest), else as the member typed them.
    """
    if should_escape:
        return message_text(*parts)
    return SlackText(_entities(shown(*parts)))
