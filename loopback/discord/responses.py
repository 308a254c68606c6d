"""What every part of the loopback Discord answers with: JSON bodies as Discord shapes them.

`Json` is the payload type throughout; `json_response`, `error` and `answer`
build the aiohttp responses; `now_iso` is Discord's timestamp format.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

Json = dict[str, Any]


def now_iso() -> str:
    """Return the current time as Discord writes timestamps (ISO 8601, UTC)."""
    return datetime.now(UTC).isoformat()


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """Return a JSON response (typed exactly `application/json`, which discord.py requires)."""
    # discord.py parses JSON only when the content type is exactly application/json
    return web.Response(
        status=status,
        body=json.dumps(data).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def answer(result: tuple[int, Any]) -> web.Response:
    """Return a (status, body) pair as a JSON response."""
    status, body = result
    return json_response(body, status)


def error(
    status: int, code: int, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    """Return Discord's error body (`code`, `message`) with a status."""
    return json_response({"code": code, "message": message}, status, headers)
