"""The Slack chat port: what the core posts by itself (rounds, reveals), paced for Slack.

chat.postMessage allows about one message a second per channel and a
workspace-wide rate; `PostPacer` spaces posts to stay inside both, so that a
daily fan-out to thousands of channels flows at the allowed rate instead of
bouncing off 429s. A 429 that still comes is retried (a slack-sdk retry
handler) after its Retry-After, which holds every other post back meanwhile.

Work after an ack runs in a few worker slots (`adapters.slack.background.Background`);
waiting (a pacer's turn, a 429's Retry-After) is done `waiting()`: outside the
slot, so that one rate-limited call never holds back the work behind it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from types import TracebackType
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import SlackMessage, render_message, render_summary
from adapters.slack.text import member_mention
from adapters.slack.uploads import send_image, send_image_privately
from bot import messages
from bot.model import ChannelRef, MemberRef, MessageRef, PostedRound
from bot.ports import NotAllowed, PrivateClosed
from bot.replies import Reply

__all__ = [
    "METADATA_TYPE",
    "PRIVATE_CLOSED_ERRORS",
    "TRIGGER_LIFETIME",
    "PacedRateLimitRetryHandler",
    "PostPacer",
    "SlackChat",
    "WorkerSlot",
    "retry_handlers",
    "slack_error",
    "waiting",
]

log = logging.getLogger(__name__)

METADATA_TYPE = "studybot_post"
_REMEMBERED_POSTS = 10_000
_HISTORY_PAGES = 5
_FORGET_CHANNELS_AFTER = 10_000  # channels the pacer remembers before forgetting idle ones
TRIGGER_LIFETIME = 3.0  # seconds a trigger_id can open a modal (once)
_TRIGGERED = ("/views.open", "/views.push")


class WorkerSlot:
    """One piece of work's hold on a slot of a bounded pool, let go of while it only waits."""

    def __init__(self, slots: asyncio.Semaphore) -> None:
        self._slots = slots
        self._held = False
        self._owner: asyncio.Task[Any] | None = None

    async def __aenter__(self) -> WorkerSlot:
        await self._slots.acquire()
        self._held = True
        self._owner = asyncio.current_task()
        _worker.set(self)
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        _worker.set(None)
        if self._held:
            self._held = False
            self._slots.release()

    @asynccontextmanager
    async def released(self) -> AsyncIterator[None]:
        """Give the slot to other work for the duration; take a slot again after."""
        if not self._held:
            yield
            return
        self._held = False
        self._slots.release()
        try:
            yield
        finally:
            await self._slots.acquire()
            self._held = True


_worker: ContextVar[WorkerSlot | None] = ContextVar("slack_worker_slot", default=None)


@asynccontextmanager
async def waiting() -> AsyncIterator[None]:
    """Wait (sleep, or await a slow answer) outside the current worker's slot, if it has one.

    Only the task that holds a slot lets it go (a task it started inherits the
    context, not the slot).
    """
    slot = _worker.get()
    if slot is None or slot._owner is not asyncio.current_task():
        yield
        return
    async with slot.released():
        yield


class PostPacer:
    """Spaces chat.postMessage calls: a workspace-wide rate and a minimum gap per channel.

    The workspace-wide limit is a generic cell rate algorithm (a token bucket
    with `burst` tokens); a channel's next post waits `channel_interval` after
    its previous one. Waiters are served in arrival order.
    """

    def __init__(self, rate: float, channel_interval: float, burst: int = 1) -> None:
        self._interval = 1.0 / rate
        self._tolerance = self._interval * max(0, burst - 1)
        self._channel_interval = channel_interval
        self._tat = 0.0  # the theoretical arrival time of the next post
        self._channels: dict[str, float] = {}  # channel -> earliest time of its next post
        self._locks: dict[str, asyncio.Lock] = {}

    def pause(self, seconds: float) -> None:
        """Hold every post back for `seconds` (Slack answered 429)."""
        loop = asyncio.get_running_loop()
        self._tat = max(self._tat, loop.time() + seconds + self._tolerance)

    async def _slot(self) -> float:
        """Wait for the next workspace-wide slot; return when it began."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        tat = max(self._tat, now)
        send_at = max(now, tat - self._tolerance)
        self._tat = tat + self._interval
        if send_at > now:
            async with waiting():
                await asyncio.sleep(send_at - now)
        return send_at

    async def wait(self, channel_id: str) -> None:
        """Wait until a post to `channel_id` may go out, and count it as sent."""
        loop = asyncio.get_running_loop()
        lock = self._locks.setdefault(channel_id, asyncio.Lock())
        async with lock:
            gap = self._channels.get(channel_id, 0.0) - loop.time()
            if gap > 0:
                async with waiting():
                    await asyncio.sleep(gap)
            sent = await self._slot()
            self._channels[channel_id] = sent + self._channel_interval
        if len(self._channels) > _FORGET_CHANNELS_AFTER:
            self._forget_idle(loop.time())

    def _forget_idle(self, now: float) -> None:
        for channel_id, ready in list(self._channels.items()):
            lock = self._locks.get(channel_id)
            if ready <= now and (lock is None or not lock.locked()):
                del self._channels[channel_id]
                self._locks.pop(channel_id, None)

    async def retry_slot(self, retry_after: float) -> None:
        """Pause everyone for Slack's Retry-After, then wait for a slot to try again."""
        self.pause(retry_after)
        await self._slot()


def _retry_after(response: HttpResponse) -> float:
    for name, values in response.headers.items():
        if name.lower() == "retry-after" and values:
            try:
                return max(0.0, float(values[0]))
            except ValueError:
                break
    return 1.0


class PacedRateLimitRetryHandler(AsyncRetryHandler):
    """Retries a call Slack answered 429, after its Retry-After.

    For chat.postMessage the wait goes through the pacer: every post holds
    back for the Retry-After, and the retry takes its turn like any post
    (slack-sdk's own handler would retry all at once, with random jitter).
    """

    def __init__(self, pacer: PostPacer, max_retry_count: int = 5) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._pacer = pacer

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        # A modal's trigger_id lives 3 s: after a longer wait the retry can only fail.
        return not (request.url.endswith(_TRIGGERED) and _retry_after(response) >= TRIGGER_LIFETIME)

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        """Wait out a 429's Retry-After (in the pacer's queue for posts), then retry.

        The wait is outside the worker's slot (`waiting`): other work goes on.
        """
        seconds = _retry_after(response) if response is not None else 1.0
        log.warning("Slack answered 429 to %s; retrying after %s s", request.url, seconds)
        state.next_attempt_requested = True
        if request.url.endswith("/chat.postMessage"):
            await self._pacer.retry_slot(seconds)
        else:
            async with waiting():
                await asyncio.sleep(seconds)
        state.increment_current_attempt()


def slack_error(exc: SlackApiError) -> str:
    """Return the `error` code of a failed Web API call (or its HTTP status)."""
    data = getattr(exc.response, "data", None)
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    return f"HTTP {getattr(exc.response, 'status_code', '?')}"


def retry_handlers(pacer: PostPacer) -> list[AsyncRetryHandler]:
    """Return the Web API client's retry handlers: connection errors, and 429s."""
    return [AsyncConnectionErrorRetryHandler(), PacedRateLimitRetryHandler(pacer)]


_INVITE = "invite me first: type `/invite @studybot` in the channel, then try again."
# Web API errors that mean the bot may not post in a channel until someone acts.
_REFUSALS = {
    "not_in_channel": "I'm not a member of this channel; " + _INVITE,
    "channel_not_found": "I can't see this channel (a private channel I'm not in?); " + _INVITE,
    "is_archived": "the channel is archived. Unarchive it, or set me up in another channel.",
    "restricted_action": "the workspace's settings don't let me post here; ask an admin.",
}


# Web API errors that refuse a direct message for a reason of the member's: an account
# deactivated (`user_disabled`; its DM is archived: `is_archived`), gone or never seen
# (`user_not_found`, `channel_not_found`), out of the app's sight (`user_not_visible`, a
# Slack Connect guest), a bot (`cannot_dm_bot`), or a DM the app is kept out of.
PRIVATE_CLOSED_ERRORS = frozenset(
    {
        "cannot_dm_bot",
        "user_not_found",
        "user_not_visible",
        "user_disabled",
        "channel_not_found",
        "is_archived",
        "not_in_channel",
    }
)


def _metadata(key: str | None) -> dict[str, Any] | None:
    if key is None:
        return None
    return {"event_type": METADATA_TYPE, "event_payload": {"key": key}}


def _thread_of(place: ChannelRef, ts: str) -> ChannelRef:
    """Return the thread that hangs off message `ts` (Slack threads are keyed by their parent)."""
    return ChannelRef(place.platform, place.workspace_id, place.channel_id, ts)


def _key_of(message: Mapping[str, Any]) -> str | None:
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != METADATA_TYPE:
        return None
    key = (metadata.get("event_payload") or {}).get("key")
    return str(key) if key is not None else None


class SlackChat:
    """The core's chat port on Slack: posts, edits, private messages, paced.

    A round's post opens its thread (Slack threads hang off a message); a
    reveal is posted in full in the round's thread and summarised in the
    channel. Posts carry their key as message metadata, so that after a crash
    they can be found again (`bot.ports.PostLookup`).
    """

    def __init__(self, client: AsyncWebClient, pacer: PostPacer) -> None:
        self._client = client
        self._pacer = pacer
        self._rounds: OrderedDict[str, PostedRound] = OrderedDict()  # round key -> its post

    @property
    def client(self) -> AsyncWebClient:
        """The Web API client the port posts with."""
        return self._client

    async def _send(self, place: ChannelRef, message: SlackMessage, key: str | None = None) -> str:
        await self._pacer.wait(place.channel_id)
        response = await self._client.chat_postMessage(
            channel=place.channel_id,
            thread_ts=place.thread_id,
            text=message.text,
            blocks=list(message.blocks),
            metadata=_metadata(key),
            link_names=False,
            parse="none",
            unfurl_links=False,
            unfurl_media=False,
        )
        return str(response["ts"])

    async def post_message(self, place: ChannelRef, message: SlackMessage) -> str:
        """Post one rendered message (paced); return its ts."""
        return await self._send(place, message)

    async def _send_all(self, place: ChannelRef, reply: Reply) -> str:
        """Post a reply (in several messages if it must); return the first message's ts."""
        parts = render_message(reply)
        first = await self._send(place, parts[0], reply.key)
        thread = place if place.thread_id is not None else None
        for part in parts[1:]:
            # The rest continues in the thread of the first (or the same thread).
            await self._send(thread or _thread_of(place, first), part)
        return first

    def _remember(self, key: str | None, posted: PostedRound) -> None:
        if key is None:
            return
        self._rounds[key] = posted
        self._rounds.move_to_end(key)
        while len(self._rounds) > _REMEMBERED_POSTS:
            self._rounds.popitem(last=False)

    async def post_round(self, channel: ChannelRef, card: Reply) -> PostedRound:
        """Post a round's question; its answers are collected in the message's thread."""
        place = channel.channel()
        try:
            ts = await self._send_all(place, card)
        except SlackApiError as exc:
            refusal = _REFUSALS.get(slack_error(exc))
            if refusal is None:
                raise
            raise NotAllowed(refusal) from exc
        posted = PostedRound(MessageRef(place, ts), _thread_of(place, ts))
        self._remember(card.key, posted)
        return posted

    def member_id(self, mention: str) -> str | None:
        """Return the member a word of settings text names (`bot.ports.MentionReading`)."""
        return member_mention(mention)

    async def posting_problem(self, channel: ChannelRef) -> str | None:
        """Return what keeps the bot from posting in a channel (not a member, archived)."""
        try:
            response = await self._client.conversations_info(channel=channel.channel_id)
        except SlackApiError as exc:
            error = slack_error(exc)
            if error in _REFUSALS:
                return _REFUSALS[error]
            # Without channels:read (an install older than the manifest), say nothing now:
            # a refused post stops the group and tells its founder all the same.
            log.warning("channel %s: could not check membership: %s", channel.channel_id, error)
            return None
        info = response.get("channel") or {}
        if info.get("is_archived"):
            return _REFUSALS["is_archived"]
        if info.get("is_member") is False:
            return _REFUSALS["not_in_channel"]
        return None

    async def post(self, place: ChannelRef, reply: Reply) -> MessageRef:
        """Post a message; a reveal goes in full to its round's thread, in short to the channel."""
        round_key = messages.round_key_of_reveal(reply.key) if reply.key else None
        if round_key is not None and place.thread_id is None:
            posted = self._rounds.get(round_key) or await self.find_round_post(place, round_key)
            if posted is not None:
                return await self._post_in_thread_and_summary(place, posted.thread, reply)
        ref = MessageRef(place, await self._send_all(place, reply))
        await send_image(self._client, place.channel_id, place.thread_id, reply)
        return ref

    async def message_link(self, place: ChannelRef, message_id: str) -> str | None:
        """Return the permalink of a message in a channel or thread (`bot.ports.MessageLinks`)."""
        try:
            found = await self._client.chat_getPermalink(
                channel=place.channel_id, message_ts=message_id
            )
        except SlackApiError as exc:
            log.warning("no permalink for %s: %s", message_id, slack_error(exc))
            return None
        return str(found["permalink"])

    async def _post_in_thread_and_summary(
        self, place: ChannelRef, thread: ChannelRef, reply: Reply
    ) -> MessageRef:
        parts = render_message(reply)
        first = await self._send(thread, parts[0])
        for part in parts[1:]:
            await self._send(thread, part)
        link: str | None = None
        try:
            found = await self._client.chat_getPermalink(
                channel=thread.channel_id, message_ts=first
            )
            link = str(found["permalink"])
        except SlackApiError as exc:
            log.warning("no permalink for %s: %s", first, slack_error(exc))
        ts = await self._send(place, render_summary(reply, link), reply.key)
        return MessageRef(place, ts)

    async def send_private(self, member: MemberRef, reply: Reply) -> None:
        """Send a message in the member's direct messages with the app.

        `PrivateClosed` if Slack refuses it for a reason of the member's.
        """
        place = ChannelRef(member.platform, "", member.user_id)
        try:
            await self._send_all(place, reply)
        except SlackApiError as exc:
            error = slack_error(exc)
            if error not in PRIVATE_CLOSED_ERRORS:
                raise
            raise PrivateClosed(f"slack {error}") from exc
        await send_image_privately(self._client, member.user_id, reply)

    # -- finding posts again after a crash (bot.ports.PostLookup) ---------------

    async def _history(self, place: ChannelRef) -> list[Mapping[str, Any]]:
        found: list[Mapping[str, Any]] = []
        cursor: str | None = None
        for _ in range(_HISTORY_PAGES):
            if place.thread_id is None:
                page = await self._client.conversations_history(
                    channel=place.channel_id, limit=200, include_all_metadata=True, cursor=cursor
                )
            else:
                page = await self._client.conversations_replies(
                    channel=place.channel_id,
                    ts=place.thread_id,
                    limit=200,
                    include_all_metadata=True,
                    cursor=cursor,
                )
            found.extend(page.get("messages") or [])
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if cursor is None:
                break
        return found

    async def find_post(self, place: ChannelRef, key: str) -> MessageRef | None:
        """Return the message posted with `key` in a channel or thread, if any."""
        for message in await self._history(place):
            if _key_of(message) == key:
                return MessageRef(place, str(message["ts"]))
        return None

    async def find_round_post(self, channel: ChannelRef, key: str) -> PostedRound | None:
        """Return the round post made with `key` in the channel, and its thread."""
        place = channel.channel()
        found = await self.find_post(place, key)
        if found is None:
            return None
        posted = PostedRound(found, _thread_of(place, found.message_id))
        self._remember(key, posted)
        return posted
