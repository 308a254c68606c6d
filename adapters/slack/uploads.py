"""Pictures on Slack: files uploaded in Slack's current three steps and shared in a conversation.

slack-sdk's `files_upload_v2` asks `files.getUploadURLExternal` for an upload
URL, posts the bytes there, and shares the file with
`files.completeUploadExternal`. A file is shared in a conversation, never in
an ephemeral message (which cannot carry files): a private picture goes to the
member's direct messages with the app, whose id `conversations.open` gives.
"""

from __future__ import annotations

import logging

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from bot.replies import Image, Reply

__all__ = ["IN_YOUR_DMS", "send_image", "send_image_privately"]

log = logging.getLogger(__name__)

ALT_LIMIT = 1000  # characters of a file's alt text Slack keeps
IN_YOUR_DMS = "📈 Your chart is in your direct messages with the app."


def _title(reply: Reply, image: Image) -> str:
    return reply.title or image.filename


async def send_image(
    client: AsyncWebClient, channel_id: str, thread_ts: str | None, reply: Reply
) -> None:
    """Upload a reply's picture and share it in a conversation (in a thread, given its ts)."""
    image = reply.image
    if image is None:
        return
    try:
        await client.files_upload_v2(
            file=image.data,
            filename=image.filename,
            title=_title(reply, image),
            alt_txt=image.alt[:ALT_LIMIT],
            channel=channel_id,
            thread_ts=thread_ts,
        )
    except (SlackApiError, SlackRequestError, aiohttp.ClientError, TimeoutError) as exc:
        # the text went out already; the picture is extra and its failure fails nothing
        log.warning("slack: could not share a picture in %s: %r", channel_id, exc)


async def send_image_privately(client: AsyncWebClient, user_id: str, reply: Reply) -> None:
    """Upload a reply's picture into the member's direct messages with the app."""
    if reply.image is None:
        return
    try:
        opened = await client.conversations_open(users=user_id)
    except SlackApiError as exc:
        log.warning("slack: could not open a DM for a picture: %s", exc)
        return
    await send_image(client, str(opened["channel"]["id"]), None, reply)
