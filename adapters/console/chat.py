"""The console's chat port: posts are printed, ids are counted, private buttons kept per member."""

from __future__ import annotations

import base64
import itertools
import os
import re
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from adapters.console.translate import render
from bot.model import ChannelRef, MemberRef, MessageRef, PostedRound
from bot.ports import PrivateClosed
from bot.replies import Button, Image, Reply

__all__ = ["ConsoleChat", "PlatformUnavailable"]


class PlatformUnavailable(ConnectionError):
    """The console's stand-in for a platform outage (`:fail-posts`)."""


def _new_run_tag() -> str:
    """Return a fresh tag for one run's ids: 8 random characters of a-z and 2-7.

    The database keeps the ids the console hands out (rounds' message and thread ids,
    answers' message ids) across restarts, while a new process counts from 1 again: a
    `t1` of today would find yesterday's round `t1`. So every id ends in its run's tag.
    The tag is 40 bits from `secrets` (not `random`, whose seed, pytest-randomly's for
    one, repeats): nothing to store or coordinate, and the chance that any two of 10,000
    runs on one database share a tag is below 1 in 20,000. Base32 has no 0/O or 1/l to
    confuse, though no console command takes an id: ids are only read, in the output.
    """
    return base64.b32encode(secrets.token_bytes(5)).decode("ascii").lower()


_MEMBER_NAME = re.compile(r"[\w.-]+")  # a member in settings text: their name, the id here


@dataclass
class ConsoleChat:
    """The chat port of the console: posts are printed, ids are counted (`m3-<run tag>`)."""

    out: TextIO
    threads: dict[str, str] = field(default_factory=dict)  # channel id -> latest thread id
    last_buttons: dict[str, tuple[Button, ...]] = field(default_factory=dict)
    # member id -> the buttons of the last private message sent them (an admin's case)
    private_buttons: dict[str, tuple[Button, ...]] = field(default_factory=dict)
    failures_left: int = 0
    # members (by id) whose direct messages are closed (`:close-dms`): private messages to
    # them are refused as a platform refuses them
    closed_dms: set[str] = field(default_factory=set)
    run_tag: str = field(default_factory=_new_run_tag)
    chart_dir: Path | None = None  # where pictures are written; None: the system's temp dir
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _id(self, kind: str, n: int) -> str:
        return f"{kind}{n}-{self.run_tag}"

    def new_id(self, kind: str) -> str:
        """Return an id no run of the console gave before: `kind`, a count and the run's tag."""
        return self._id(kind, next(self._ids))

    def _fail_if_asked(self) -> None:
        if self.failures_left > 0:
            self.failures_left -= 1
            raise PlatformUnavailable("the console platform is down (:fail-posts)")

    def _print(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def save_image(self, image: Image) -> Path:
        """Write a reply's picture to a new file (`stats-<random>.png`); return its path."""
        folder = self.chart_dir or Path(tempfile.gettempdir()) / "studybot-charts"
        folder.mkdir(parents=True, exist_ok=True)
        stem, _, suffix = image.filename.rpartition(".")
        handle, name = tempfile.mkstemp(
            prefix=f"{stem or 'chart'}-", suffix=f".{suffix}", dir=folder
        )
        with os.fdopen(handle, "wb") as file:
            file.write(image.data)
        return Path(name)

    def rendered(self, reply: Reply, channel: str, member: str, place: str | None) -> str:
        """Return a reply as terminal text; its picture, if any, is saved and its path shown."""
        text = render(reply, channel, member, place)
        if reply.image is None:
            return text
        return f"{text}\n    [picture: {self.save_image(reply.image)}]"

    async def post_round(self, channel: ChannelRef, card: Reply) -> PostedRound:
        """Print a round's card and open its thread."""
        self._fail_if_asked()
        n = next(self._ids)  # the card m4 opens the thread t4
        message = MessageRef(channel, self._id("m", n))
        thread_id = self._id("t", n)
        thread = ChannelRef(channel.platform, channel.workspace_id, channel.channel_id, thread_id)
        self.threads[channel.channel_id] = thread_id
        self.last_buttons[channel.channel_id] = card.buttons
        self._print(self.rendered(card, channel.channel_id, "", None))
        return PostedRound(message, thread)

    async def post(self, place: ChannelRef, reply: Reply) -> MessageRef:
        """Print a message in a channel or thread."""
        self._fail_if_asked()
        message = MessageRef(place, self.new_id("m"))
        self.last_buttons[place.channel_id] = reply.buttons
        self._print(self.rendered(reply, place.channel_id, "", place.thread_id))
        return message

    async def send_private(self, member: MemberRef, reply: Reply) -> None:
        """Print a message only one member sees; its buttons are theirs to press.

        A member whose DMs were closed (`:close-dms`) gets nothing: `PrivateClosed`.
        """
        if member.user_id in self.closed_dms:
            raise PrivateClosed("dms_closed")
        if reply.buttons:
            self.private_buttons[member.user_id] = reply.buttons
        self._print(self.rendered(reply, "", member.display_name or member.user_id, None))

    def member_id(self, mention: str) -> str | None:
        """Return the member a word of settings text names: a name (`bob`, `@Bob`) is the id."""
        name = mention.removeprefix("@")
        return name.lower() if _MEMBER_NAME.fullmatch(name) else None
