"""What reaches the bot over HTTP: size and signature checked first, refusals logged briefly."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator

import pytest

from adapters.slack.main import MAX_REQUEST_BYTES, request_problem
from loopback.slack import event_callback, signature
from tests.slack.conftest import ALICE, CHANNEL, SECRET, SlackRig, thread_reply

FORGED = "2026-12-01 08:00:00 CRITICAL studybot: database dropped by admin"


def _logged(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Return what was logged at INFO or above since the last clear."""
    return [r for r in caplog.records if r.levelno >= logging.INFO]


def _as_text(records: list[logging.LogRecord]) -> str:
    """Return records as a text log file would have them."""
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    return "\n".join(formatter.format(r) for r in records)


async def _nothing_happened(rig: SlackRig, calls_before: int) -> None:
    await rig.settle()
    assert len(rig.fake.calls) == calls_before
    assert await rig.app.store.list_groups() == []


async def test_a_forged_request_is_one_warning_line_without_its_body(
    rig: SlackRig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    before = len(rig.fake.calls)
    # Just under the cap, so that the signature is what refuses it.
    padding = "x" * (MAX_REQUEST_BYTES - 2_000)
    body = f"payload=%7B%7D&junk={padding}\n{FORGED}\n".encode()
    caplog.clear()
    status, _ = await rig.sender.send(
        body, "application/x-www-form-urlencoded", secret="not-" + SECRET
    )
    assert status == 401
    await _nothing_happened(rig, before)
    [record] = _logged(caplog)
    assert record.levelno == logging.WARNING
    assert record.getMessage() == f"slack: refused a request: bad signature ({len(body)} bytes)"
    text = _as_text(_logged(caplog))
    assert "\n" not in text and FORGED not in text and "xxxx" not in text


async def test_an_unsigned_request_is_refused_the_same_way(
    rig: SlackRig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    body = json.dumps({"type": "event_callback", "note": FORGED}).encode()
    caplog.clear()
    async with rig.session.post(rig.sender.url, data=body) as response:
        assert response.status == 401
    [record] = _logged(caplog)
    assert record.getMessage() == f"slack: refused a request: unsigned ({len(body)} bytes)"


async def test_a_stale_genuine_request_logs_neither_its_text_nor_its_response_url(
    rig: SlackRig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    before = len(rig.fake.calls)
    rig.sender.clock_skew = -10 * 60
    hook = rig.hook()
    secret_text = "my private answer about ridge regression"
    caplog.clear()
    status, _ = await rig.sender.command(
        "/answer", secret_text, user=ALICE, channel=CHANNEL, response_url=hook
    )
    assert status == 401
    thread = thread_reply(ALICE, secret_text, "1800000000.000100", "1700000000.000001")
    status, _ = await rig.sender.event(thread, "EvStale")
    assert status == 401
    await _nothing_happened(rig, before)
    records = _logged(caplog)
    assert [r.levelno for r in records] == [logging.WARNING, logging.WARNING]
    assert all("stale signature (600 s old)" in r.getMessage() for r in records)
    text = _as_text(records)
    assert "ridge" not in text and hook not in text and "response" not in text


async def test_a_body_over_the_cap_is_refused_with_413_and_not_processed(
    rig: SlackRig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    before = len(rig.fake.calls)
    # Correctly signed: the size alone refuses it.
    event = thread_reply(ALICE, "a" * MAX_REQUEST_BYTES, "1800000000.000100", "1.0")
    caplog.clear()
    status, _ = await rig.sender.event(event, "EvHuge")
    assert status == 413
    await _nothing_happened(rig, before)
    [record] = _logged(caplog)
    assert record.levelno == logging.WARNING
    assert "too large" in record.getMessage() and "aaaa" not in record.getMessage()


async def test_a_chunked_body_over_the_cap_is_refused_too(rig: SlackRig) -> None:
    before = len(rig.fake.calls)
    body = json.dumps(
        event_callback(thread_reply(ALICE, "b" * MAX_REQUEST_BYTES, "1.2", "1.0"), "EvChunked")
    ).encode()
    timestamp = str(int(time.time()))

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 16_384):
            yield body[start : start + 16_384]

    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature(SECRET, timestamp, body),
    }
    async with rig.session.post(rig.sender.url, data=chunks(), headers=headers) as response:
        assert response.status == 413
    await _nothing_happened(rig, before)


async def test_the_largest_legitimate_event_fits_under_the_cap(rig: SlackRig) -> None:
    """An edit of a 4,000-emoji reply: Slack sends it with rich_text blocks, old and new."""
    await rig.setup_channel()
    thread = rig.round_ts()
    text = "😀" * 4000

    def message(body: str) -> dict[str, object]:
        return thread_reply(ALICE, body, "1800000000.000100", thread) | {
            "blocks": [
                {
                    "type": "rich_text",
                    "block_id": "rt",
                    "elements": [
                        {"type": "rich_text_section", "elements": [{"type": "text", "text": body}]}
                    ],
                }
            ]
        }

    edited = {
        "type": "message",
        "subtype": "message_changed",
        "channel": CHANNEL,
        "hidden": True,
        "message": message(text),
        "previous_message": message(text[:-1] + "😃"),
        "ts": "1800000000.000200",
        "event_ts": "1800000000.000200",
    }
    size = len(json.dumps(event_callback(edited, "EvBig")))  # \u escapes, as Slack sends
    assert 190_000 < size < MAX_REQUEST_BYTES
    assert await rig.event(edited, "EvBig") == 200
    assert await rig.answers() == [("Alice", text)]


async def test_slacks_ssl_check_is_answered(rig: SlackRig) -> None:
    async with rig.session.post(
        rig.sender.url,
        data=b"ssl_check=1&token=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ) as response:
        assert response.status == 200


_SIGNED = {"X-Slack-Request-Timestamp": "1000", "X-Slack-Signature": "v0=1"}


@pytest.mark.parametrize(
    ("headers", "now", "problem"),
    [
        ({}, 1000.0, "unsigned"),
        ({"X-Slack-Request-Timestamp": "1000"}, 1000.0, "unsigned"),
        (_SIGNED | {"X-Slack-Request-Timestamp": "1e3"}, 1000.0, "malformed timestamp"),
        (_SIGNED | {"X-Slack-Request-Timestamp": "-1000"}, 1000.0, "malformed timestamp"),
        (_SIGNED, 1301.0, "stale signature (301 s old)"),
        (_SIGNED, 699.0, "stale signature (-301 s old)"),  # from the future
        (_SIGNED, 1000.0, "bad signature"),
        (_SIGNED | {"X-Slack-Signature": "v0=é"}, 1000.0, "bad signature"),
    ],
)
def test_request_problems(headers: dict[str, str], now: float, problem: str) -> None:
    assert request_problem(SECRET, b"{}", headers, now) == problem


def test_a_good_signature_is_no_problem() -> None:
    body = '{"text": "café"}'.encode()
    headers = {
        "X-Slack-Request-Timestamp": "1000",
        "X-Slack-Signature": signature(SECRET, "1000", body),
    }
    assert request_problem(SECRET, body, headers, now=1100.0) is None
    assert request_problem(SECRET, body, headers, now=1000.0 + 301) is not None
