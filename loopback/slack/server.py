"""The loopback Slack tests and benchmarks start: one aiohttp server for everything Slack serves.

`FakeSlack` assembles the parts (the `SlackState`, the `WebApi` with
response_url posts, and `SocketMode`), serves them on 127.0.0.1 (an ephemeral
port) and offers what each part does under one name, as tests call it:
`fake.add_user(...)`, `fake.of("chat.postMessage")`, `fake.post_limits = ...`.
"""

from __future__ import annotations

from aiohttp import web

from loopback.slack.ratelimits import PostLimits
from loopback.slack.socket_mode import SocketMode
from loopback.slack.state import SlackState
from loopback.slack.web_api import WebApi


class FakeSlack:
    """The fake Slack server; use `async with FakeSlack() as slack:`."""

    def __init__(self) -> None:
        self.port = 0
        self._runner: web.AppRunner | None = None
        self.state = state = SlackState()
        self.web_api = web_api = WebApi(
            state,
            socket_url=lambda: f"ws://127.0.0.1:{self.port}/socket",
            base_url=lambda: f"http://127.0.0.1:{self.port}",
        )
        self.socket_mode = socket_mode = SocketMode()
        # what happened (containers shared with the parts, never replaced)
        self.calls = state.calls
        self.users = state.users
        self.messages = state.messages
        self.reactions = state.reactions
        self.rejected = state.rejected
        self.views = state.views
        self.opened = state.opened
        self.uninvited = state.uninvited
        self.hidden = state.hidden
        self.archived = state.archived
        self.delays = web_api.delays
        self.files = web_api.uploads.files  # file id -> what was uploaded and where it went
        self.sockets = socket_mode.sockets
        # set-up by tests, and reading what happened
        self.add_user = state.add_user
        self.refuse_dms = state.refuse_dms
        self.of = state.of
        self.modal = state.modal
        self.dms = state.dms
        self.errors = state.errors
        self.summary = state.summary
        self.fail_next = web_api.fail_next
        self.slow = web_api.slow
        # Socket Mode
        self.wait_for_socket = socket_mode.wait_for_socket
        self.send_envelope = socket_mode.send_envelope

    @property
    def post_limits(self) -> PostLimits | None:
        """chat.postMessage's limits, enforced when set (None: only `fail_next` answers 429)."""
        return self.web_api.post_limits

    @post_limits.setter
    def post_limits(self, value: PostLimits | None) -> None:
        self.web_api.post_limits = value

    @property
    def response_url_ttl(self) -> float:
        """Seconds a response_url takes posts (Slack's 30 minutes unless a test shortens it)."""
        return self.web_api.response_url_ttl

    @response_url_ttl.setter
    def response_url_ttl(self, value: float) -> None:
        self.web_api.response_url_ttl = value

    # -- lifecycle -------------------------------------------------------------

    async def __aenter__(self) -> FakeSlack:
        app = web.Application()
        app.router.add_post("/api/{method}", self.web_api.handle)
        app.router.add_get("/api/{method}", self.web_api.handle)
        app.router.add_post("/response/{hook}", self.web_api.handle_response_url)
        app.router.add_post("/upload/{file_id}", self.web_api.uploads.handle_upload)
        app.router.add_get("/socket", self.socket_mode.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.socket_mode.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        """The Web API base URL (for `SLACK_API_URL`)."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, hook: str) -> str:
        """Return a response_url that lands on this fake (good for 30 minutes and 5 posts)."""
        self.web_api.issue_hook(hook)
        return f"http://127.0.0.1:{self.port}/response/{hook}"
