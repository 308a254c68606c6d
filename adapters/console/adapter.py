"""The console adapter: you are a member of a channel in a terminal.

Lines starting with `/` are commands; other lines are messages in the thread
of the channel's latest question (answers); lines starting with `:` drive the
console itself (switch member or channel, move the simulated clock, press a
button). The clock stands still unless moved (`:advance 1d`, `:at ...`); in an
interactive terminal it also runs with real time.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from adapters.console.chat import ConsoleChat
from adapters.console.script import ScriptResult
from adapters.console.terminal import line_editing, terminal_lines
from adapters.console.translate import (
    MetaCommand,
    command_line,
    form_prompt,
    parse_duration,
    parse_meta,
    parse_moment,
    without_comment,
)
from bot.clock import ManualClock
from bot.core import Core
from bot.jobs import ManualJobScheduler
from bot.model import ChannelRef, MemberRef
from bot.ports import (
    ButtonPress,
    Event,
    FormSubmit,
    Invocation,
    MessageRemoved,
    ReactionAdded,
    ReactionRemoved,
    ThreadReply,
)
from bot.replies import Button, Form, Reply, Visibility
from bot.scoring import HELPFUL

__all__ = ["ConsoleSession", "stdin_is_terminal"]

log = logging.getLogger(__name__)

PLATFORM = "console"
WORKSPACE = "local"

META_HELP = """\
Console commands:
  :as NAME            act as member NAME (created on first use)
  :admin [on|off]     give or take the current member's right to manage the channel
  :channel NAME       go to channel NAME (each channel can be its own study group)
  :advance 1d2h       move the clock forward, running everything due on the way
  :at 2026-12-01T09:00[+01:00]   move the clock to a moment (UTC without an offset)
  :time               show the clock and the next scheduled job
  :press BUTTON       press a button of the last message you saw (by label or number)
  :reply NAME TEXT    reply to NAME's last message in the thread: discussion, not your answer
  :edit TEXT          edit your last message in the thread
  :delete             delete your last message in the thread
  :like NAME          react 👍 to NAME's last message in the thread (a helpful vote)
  :unlike NAME        take that 👍 back
  :fail-posts N       make the next N posts to the platform fail (to try retries)
  :close-dms NAME     close NAME's direct messages: the bot's private messages are refused
  :open-dms NAME      open them again
  :help               this list;  :quit  leave
  # ...               a comment, alone on a line or after two spaces, is ignored
Anything starting with / is a bot command (try /help); any other line is a message
in the thread of the channel's latest question, which is how you answer it: until
the reveal, every message you write there is part of your answer, in order."""


@dataclass
class _Member:
    name: str
    admin: bool = False


class ConsoleSession:
    """Reads console lines, turns them into core events, and prints the replies."""

    def __init__(
        self,
        core: Core,
        chat: ConsoleChat,
        clock: ManualClock,
        scheduler: ManualJobScheduler,
        *,
        member: str = "alice",
        admin: bool = False,
        channel: str = "general",
    ) -> None:
        self._core = core
        self._chat = chat
        self._clock = clock
        self._scheduler = scheduler
        self._members: dict[str, _Member] = {}
        self._member = self._member_named(member)
        self._member.admin = admin
        self._channel = channel
        self._pending_form: Form | None = None
        self._form_values: dict[str, str] = {}  # the pending form's inputs filled so far
        # (member, thread) -> the ids of their messages there, oldest first
        self._my_messages: dict[tuple[str, str], list[str]] = {}
        self._replies: set[str] = set()  # messages that reply to another member's
        self._private_buttons: tuple[Button, ...] = ()
        self._line_failed = False  # whether the line being handled failed (see ScriptResult)

    @property
    def prompt(self) -> str:
        """Return the prompt: who and where you are."""
        return f"{self._member.name}@#{self._channel}> "

    def _member_named(self, name: str) -> _Member:
        key = name.strip().lower()
        if key not in self._members:
            self._members[key] = _Member(name.strip())
        return self._members[key]

    def _actor(self) -> MemberRef:
        m = self._member
        return MemberRef(PLATFORM, m.name.lower(), m.name, can_manage=m.admin)

    def _place(self, thread: str | None = None) -> ChannelRef:
        return ChannelRef(PLATFORM, WORKSPACE, self._channel, thread)

    def _say(self, text: str) -> None:
        self._chat.out.write(text + "\n")
        self._chat.out.flush()

    def _greet(self) -> None:
        # `:admin` lives in this session's memory only; a restart forgets it, so say so.
        m = self._member
        if m.admin:
            self._say(f"(you are {m.name}, an admin of #{self._channel})")
        else:
            self._say(
                f"(you are {m.name}; admin rights are not kept between runs: "
                "type :admin to manage the channel)"
            )
        self._say(
            f"(the simulated clock says {self._clock.now():%a %Y-%m-%d %H:%M} UTC; "
            ":advance and :at move it)"
        )

    async def handle_line(self, line: str) -> bool:
        """Handle one line; return False when the session should end."""
        text = without_comment(line.rstrip("\n"))
        if not text.strip():
            if self._pending_form is not None and self._optional_input_next():
                await self._fill_form(self._pending_form, "")  # left empty, as it may be
            return True
        if text.startswith(":"):
            return await self._meta(parse_meta(text))
        if self._pending_form is not None:
            await self._fill_form(self._pending_form, text)
            return True
        if text.startswith("/"):
            name, args = command_line(text)
            await self._send(Invocation(name, args, self._actor(), self._place()))
            return True
        await self._thread_message(text)
        return True

    def _optional_input_next(self) -> bool:
        """Tell whether the pending form's next input may be left empty."""
        inputs = self._pending_form.inputs if self._pending_form else ()
        step = len(self._form_values)
        return step < len(inputs) and not inputs[step].required

    async def _fill_form(self, form: Form, text: str) -> None:
        """Take a line as the form's next input; submit the form once all are filled."""
        inputs = form.inputs or ()
        key = inputs[len(self._form_values)].id if inputs else "text"
        self._form_values[key] = text
        if len(self._form_values) < len(inputs):
            self._say(form_prompt(form, len(self._form_values)))
            return
        values, self._form_values, self._pending_form = self._form_values, {}, None
        await self._send(FormSubmit(form.form_id, self._actor(), self._place(), values, form.value))

    async def _thread_message(self, text: str, reply_to: str | None = None) -> None:
        thread = await self._thread()
        if thread is None:
            self._say(
                "(There is no question thread in this channel yet. Commands start "
                "with / — try /help, or :help for the console's own commands.)"
            )
            return
        replies_to_other = False
        if reply_to is not None:
            replies_to_other = reply_to.strip().lower() != self._member.name.lower()
            if not self._my_messages.get((reply_to.strip().lower(), thread)):
                raise ValueError(f"{reply_to.strip()} has no message in this thread.")
        message_id = self._chat.new_id("c")
        self._my_messages.setdefault((self._member.name.lower(), thread), []).append(message_id)
        if replies_to_other:
            self._replies.add(message_id)
        event = ThreadReply(self._place(thread), self._actor(), text, message_id, replies_to_other)
        await self._send(event)

    async def _thread(self) -> str | None:
        """Return the thread of the channel's latest question, asking the core after a restart."""
        thread = self._chat.threads.get(self._channel)
        if thread is None:  # e.g. after a restart: ask where answers go now
            found = await self._core.answer_thread(self._place())
            if found is not None and found.thread_id is not None:
                thread = self._chat.threads[self._channel] = found.thread_id
        return thread

    async def _send(self, event: Event) -> None:
        for reply in await self._core.handle(event):
            self._show(reply, event)

    def _show(self, reply: Reply, event: Event) -> None:
        self._line_failed = self._line_failed or reply.is_error
        thread = event.place.thread_id if reply.visibility is Visibility.THREAD else None
        self._say(self._chat.rendered(reply, self._channel, self._member.name, thread))
        if reply.form is not None:
            self._pending_form, self._form_values = reply.form, {}
        if reply.buttons:
            if reply.visibility is Visibility.PRIVATE:
                self._private_buttons = reply.buttons
            else:
                self._chat.last_buttons[self._channel] = reply.buttons

    async def _meta(self, meta: MetaCommand) -> bool:
        handlers = {
            "as": self._meta_as,
            "admin": self._meta_admin,
            "channel": self._meta_channel,
            "advance": self._meta_advance,
            "at": self._meta_at,
            "time": self._meta_time,
            "press": self._meta_press,
            "reply": self._meta_reply,
            "edit": self._meta_edit,
            "delete": self._meta_delete,
            "like": self._meta_like,
            "unlike": self._meta_unlike,
            "fail-posts": self._meta_fail_posts,
            "close-dms": self._meta_close_dms,
            "open-dms": self._meta_open_dms,
            "cancel": self._meta_cancel,
        }
        if meta.name in ("quit", "exit", "q"):
            return False
        if meta.name == "help":
            self._say(META_HELP)
            return True
        handler = handlers.get(meta.name)
        if handler is None:
            self._line_failed = True
            self._say(f"! There is no console command :{meta.name}. :help lists them.")
            return True
        try:
            await handler(meta.arg)
        except ValueError as exc:
            self._line_failed = True
            self._say(f"! {exc}")
        return True

    async def _meta_as(self, arg: str) -> None:
        if not arg:
            raise ValueError("Say who: :as NAME")
        self._member = self._member_named(arg)
        self._say(f"(you are now {self._member.name}{', an admin' if self._member.admin else ''})")

    async def _meta_admin(self, arg: str) -> None:
        if arg.lower() not in ("", "on", "off"):
            raise ValueError("Use :admin, :admin on or :admin off")
        self._member.admin = arg.lower() != "off"
        state = "may" if self._member.admin else "may not"
        self._say(f"({self._member.name} {state} manage #{self._channel} now)")

    async def _meta_channel(self, arg: str) -> None:
        name = arg.lstrip("#").strip()
        if not name or " " in name:
            raise ValueError("Say which channel: :channel NAME")
        self._channel = name
        self._say(f"(you are in #{name})")

    async def _move_clock(self, target: datetime) -> None:
        if target < self._clock.now():
            raise ValueError("The clock only moves forward.")
        ran = await self._scheduler.run_until(target)
        self._say(f"(it is now {self._clock.now():%a %Y-%m-%d %H:%M} UTC; {ran} job(s) ran)")

    async def _meta_advance(self, arg: str) -> None:
        await self._move_clock(self._clock.now() + parse_duration(arg))

    async def _meta_at(self, arg: str) -> None:
        await self._move_clock(parse_moment(arg))

    async def _meta_time(self, _: str) -> None:
        upcoming = self._scheduler.next_run_time()
        nxt = f"; next job {upcoming:%a %Y-%m-%d %H:%M} UTC" if upcoming else ""
        self._say(f"(it is {self._clock.now():%a %Y-%m-%d %H:%M} UTC{nxt})")

    async def _meta_press(self, arg: str) -> None:
        buttons = (
            self._private_buttons
            + self._chat.private_buttons.get(self._actor().user_id, ())
            + self._chat.last_buttons.get(self._channel, ())
        )
        if not buttons:
            raise ValueError("There is no button to press here.")
        wanted = arg.strip().lower()
        chosen = next(
            (
                b
                for i, b in enumerate(buttons, 1)
                if wanted in (str(i), b.action.lower(), b.label.lower())
            ),
            None,
        )
        if chosen is None:
            labels = ", ".join(f"{i}: {b.label}" for i, b in enumerate(buttons, 1))
            raise ValueError(f"No button '{arg}'. Buttons: {labels}")
        await self._send(ButtonPress(chosen.action, self._actor(), self._place(), chosen.value))

    async def _meta_reply(self, arg: str) -> None:
        name, _, text = arg.partition(" ")
        if not name or not text.strip():
            raise ValueError("Say to whom and what: :reply NAME TEXT")
        await self._thread_message(text.strip(), reply_to=name)

    async def _meta_edit(self, arg: str) -> None:
        thread = self._chat.threads.get(self._channel)
        mine = self._my_messages.get((self._member.name.lower(), thread or ""))
        if thread is None or not mine:
            raise ValueError("You have no message in this thread to edit.")
        if not arg:
            raise ValueError("Give the new text: :edit TEXT")
        message_id = mine[-1]
        await self._send(
            ThreadReply(
                self._place(thread), self._actor(), arg, message_id, message_id in self._replies
            )
        )

    async def _meta_delete(self, _: str) -> None:
        thread = self._chat.threads.get(self._channel)
        mine = self._my_messages.get((self._member.name.lower(), thread or ""))
        if thread is None or not mine:
            raise ValueError("You have no message in this thread to delete.")
        message_id = mine.pop()
        self._say("(message deleted)")
        await self._send(MessageRemoved(self._place(thread), self._actor(), message_id))

    async def _meta_like(self, arg: str) -> None:
        await self._react(arg, added=True)

    async def _meta_unlike(self, arg: str) -> None:
        await self._react(arg, added=False)

    async def _react(self, name: str, added: bool) -> None:
        thread = self._chat.threads.get(self._channel)
        if not name.strip():
            raise ValueError(f"Say whose message: :{'like' if added else 'unlike'} NAME")
        theirs = self._my_messages.get((name.strip().lower(), thread or ""))
        if thread is None or not theirs:
            raise ValueError(f"{name.strip()} has no message in this thread.")
        message_id = theirs[-1]
        kind = ReactionAdded if added else ReactionRemoved
        self._say(f"(👍 {'added to' if added else 'taken back from'} message {message_id})")
        await self._send(kind(self._place(thread), self._actor(), message_id, HELPFUL))

    async def _meta_fail_posts(self, arg: str) -> None:
        if not arg.isdigit():
            raise ValueError("Say how many: :fail-posts 2")
        self._chat.failures_left = int(arg)
        self._say(f"(the next {arg} post(s) to the platform will fail)")

    async def _meta_close_dms(self, arg: str) -> None:
        name = self._dm_member(arg, "close")
        self._chat.closed_dms.add(name.lower())
        self._say(f"({name} takes no direct messages now)")

    async def _meta_open_dms(self, arg: str) -> None:
        name = self._dm_member(arg, "open")
        self._chat.closed_dms.discard(name.lower())
        self._say(f"({name} takes direct messages again)")

    def _dm_member(self, arg: str, verb: str) -> str:
        name = arg.strip().removeprefix("@")
        if not name or " " in name:
            raise ValueError(f"Say whose: :{verb}-dms NAME")
        return name

    async def _meta_cancel(self, _: str) -> None:
        self._pending_form, self._form_values = None, {}
        self._say("(form cancelled)")

    async def run_script(self, lines: Iterable[str], echo: bool = True) -> ScriptResult:
        """Say who you are, then run lines from a script, echoing each, until the end or `:quit`.

        Return how many lines ran and which of them failed.
        """
        self._greet()
        ran = 0
        failed: list[int] = []
        for number, line in enumerate(lines, 1):
            if not without_comment(line).strip():  # blank, or a comment alone
                continue
            if echo:
                self._say(f"{self.prompt}{line.rstrip()}")
            ran += 1
            self._line_failed = False
            go_on = await self.handle_line(line)
            if self._line_failed:
                failed.append(number)
            if not go_on:
                break
        return ScriptResult(ran, tuple(failed))

    async def run_interactive(self, tick_seconds: float = 1.0, history: Path | None = None) -> None:
        """Read lines from the terminal; the simulated clock also runs with real time.

        Lines can be edited and earlier ones recalled (↑), kept in `history` between
        runs when given (see `line_editing`).
        """
        self._say("studybot console — :help for console commands, /help for the bot's.")
        self._greet()
        save_history = line_editing(history)
        ticker = asyncio.create_task(self._tick(tick_seconds))
        try:
            async for line in terminal_lines(lambda: self.prompt):
                if not await self.handle_line(line):
                    break
        finally:
            ticker.cancel()
            save_history()

    async def _tick(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await asyncio.sleep(seconds)
            now = loop.time()
            elapsed, last = now - last, now
            try:
                await self._scheduler.run_until(self._clock.now() + timedelta(seconds=elapsed))
            except Exception:
                log.exception("a scheduled job failed")


def stdin_is_terminal() -> bool:
    """Tell whether standard input is an interactive terminal."""
    return sys.stdin.isatty()
