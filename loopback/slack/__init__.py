"""A loopback fake of Slack: the Web API, response_url posts and the Socket Mode websocket.

It serves on 127.0.0.1 (an ephemeral port), records every call, answers the
methods the adapter uses with Slack's shapes, can answer 429 with Retry-After
(on demand, or by enforcing chat.postMessage's per-channel and per-method
limits), and keeps each channel's messages (with metadata) for
conversations.history. Split by concern:

- `server`: `FakeSlack`, which assembles the parts below and starts and stops
  the server; `process`: `FakeSlackProcess`, the same in a process of its own.
- `state`: the workspace (members, messages, modals) and every call.
- `web_api`: the Web API methods and response_url posts; `ratelimits`:
  chat.postMessage's limits; `blocks`: Block Kit as Slack checks it.
- `socket_mode`: the Socket Mode websocket and its envelopes.
- `signing`: `SignedSender`, which sends correctly signed requests to a bolt
  app in HTTP mode the way Slack does; `events`: what it sends
  (`event_callback`, `reaction_event`, `block_actions`, `view_submission`) in
  Slack's shapes; `triggers`: trigger_ids; `text`: members' text as Slack
  encodes it.
"""

from loopback.slack.blocks import block_kit_errors
from loopback.slack.events import block_actions, event_callback, reaction_event, view_submission
from loopback.slack.process import FakeSlackProcess
from loopback.slack.ratelimits import PostLimits, RateLimit
from loopback.slack.server import FakeSlack
from loopback.slack.signing import SignedSender, signature
from loopback.slack.socket_mode import Envelope
from loopback.slack.state import BOT_ID, BOT_USER, PARTNER_TEAM, TEAM, Call, dm_channel
from loopback.slack.text import (
    Broadcast,
    ChannelLink,
    Link,
    Mention,
    SlackText,
    Written,
    command_text,
    message_text,
    shown,
)
from loopback.slack.triggers import TRIGGER_LIFETIME, new_trigger_id, trigger_issued
from loopback.slack.web_api import RESPONSE_URL_POSTS, RESPONSE_URL_TTL

__all__ = [
    "BOT_ID",
    "BOT_USER",
    "PARTNER_TEAM",
    "RESPONSE_URL_POSTS",
    "RESPONSE_URL_TTL",
    "TEAM",
    "TRIGGER_LIFETIME",
    "Broadcast",
    "Call",
    "ChannelLink",
    "Envelope",
    "FakeSlack",
    "FakeSlackProcess",
    "Link",
    "Mention",
    "PostLimits",
    "RateLimit",
    "SignedSender",
    "SlackText",
    "Written",
    "block_actions",
    "block_kit_errors",
    "command_text",
    "dm_channel",
    "event_callback",
    "message_text",
    "new_trigger_id",
    "reaction_event",
    "shown",
    "signature",
    "trigger_issued",
    "view_submission",
]
