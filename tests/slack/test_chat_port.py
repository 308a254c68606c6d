"""The Slack chat port on its own: long posts, edits, private messages, finding posts again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.chat import PostPacer, SlackChat, retry_handlers
from adapters.slack.responses import Origin, Responder
from bot.model import ChannelRef, MemberRef
from bot.ports import PostLookup, PrivateClosed
from bot.replies import Field, Reply, Visibility
from loopback.slack import FakeSlack

PLACE = ChannelRef("slack", "T1", "C1")


@dataclass
class Port:
    fake: FakeSlack
    chat: SlackChat


@pytest.fixture
async def port() -> AsyncIterator[Port]:
    async with FakeSlack() as fake, aiohttp.ClientSession() as session:
        pacer = PostPacer(1000.0, 0.0)
        client = AsyncWebClient(
            token="xoxb-1",
            base_url=fake.api_url,
            session=session,
            retry_handlers=retry_handlers(pacer),
        )
        yield Port(fake, SlackChat(client, pacer))


async def test_the_port_can_find_posts_again(port: Port) -> None:
    assert isinstance(port.chat, PostLookup)
    card = Reply(title="Q", text="Why?", visibility=Visibility.PUBLIC, key="round-7")
    posted = await port.chat.post_round(PLACE, card)
    assert posted.thread.thread_id == posted.message.message_id
    other = SlackChat(port.chat.client, PostPacer(1000.0, 0.0))  # a new process
    assert await other.find_round_post(PLACE, "round-7") == posted
    assert await other.find_round_post(PLACE, "round-8") is None
    note = Reply(text="in the thread", key="note-1")
    in_thread = await port.chat.post(posted.thread, note)
    assert await other.find_post(posted.thread, "note-1") == in_thread
    assert await other.find_post(PLACE, "note-1") is None


async def test_a_long_post_continues_in_its_thread(port: Port) -> None:
    fields = tuple(Field(f"F{i}", "x " * 200) for i in range(70))
    message = await port.chat.post(PLACE, Reply(title="Long", fields=fields))
    posts = port.fake.of("chat.postMessage")
    assert len(posts) == 3  # 28,000 characters: over 50 blocks, and over 11,000 a message
    assert "thread_ts" not in posts[0].args
    assert all(post.args["thread_ts"] == message.message_id for post in posts[1:])
    assert all(post.error is None for post in posts)


async def test_private_messages_go_to_the_members_direct_messages(port: Port) -> None:
    await port.chat.send_private(MemberRef("slack", "U9", "Nine"), Reply(text="just you"))
    assert port.fake.of("chat.postMessage")[-1].args["channel"] == "U9"


async def test_a_member_slack_will_not_dm_is_refused_as_closed_dms(port: Port) -> None:
    port.fake.refuse_dms("U9", "user_disabled")
    with pytest.raises(PrivateClosed, match="user_disabled"):
        await port.chat.send_private(MemberRef("slack", "U9", "Nine"), Reply(text="just you"))


async def test_a_private_reply_with_nowhere_to_go_is_dropped_quietly(port: Port) -> None:
    # The bot is not in the channel (no ephemeral message there) and may not DM the member.
    port.fake.uninvited.add("C1")
    port.fake.refuse_dms("U9", "cannot_dm_bot")
    async with aiohttp.ClientSession() as session:
        responder = Responder(port.chat, port.chat.client, session)
        await responder.deliver([Reply(text="only you")], Origin(PLACE, "U9"))
    assert port.fake.errors("chat.postMessage") == ["cannot_dm_bot"]


async def test_a_reveal_without_a_known_round_is_posted_in_the_channel(port: Port) -> None:
    reveal = Reply(title="The answer", text="A.", visibility=Visibility.PUBLIC, key="reveal-3")
    message = await port.chat.post(PLACE, reveal)
    assert message.place == PLACE
    [post] = port.fake.of("chat.postMessage")
    assert "thread_ts" not in post.args
    assert post.args["metadata"]["event_payload"]["key"] == "reveal-3"
