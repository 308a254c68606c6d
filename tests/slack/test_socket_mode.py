"""Socket Mode: the real bolt handler over a loopback fake of Slack's websocket."""

from __future__ import annotations

from pathlib import Path

from adapters.slack.main import SlackPlatform
from bot.app import build_app
from bot.clock import ManualClock
from bot.config import Config
from bot.content.bank import QuestionBank
from loopback.slack import FakeSlack, block_actions, event_callback
from tests.conftest import FIXTURE_CONTENT
from tests.slack.conftest import (
    ADMIN,
    APP_TOKEN,
    BOB,
    CHANNEL,
    START,
    SocketRig,
    rig_settings,
    start_platform,
    thread_reply,
    wait_until,
)


async def test_socket_mode_connects_with_the_app_token(socket_rig: SocketRig) -> None:
    [opened] = socket_rig.fake.of("apps.connections.open")
    assert opened.token == APP_TOKEN
    assert socket_rig.platform.is_connected()
    assert socket_rig.platform.port is None  # no HTTP port in Socket Mode


async def test_commands_buttons_and_events_over_the_socket(socket_rig: SocketRig) -> None:
    rig = socket_rig
    ack, hook = await rig.command("/studybot", "setup days=daily", ADMIN)
    assert ack["envelope_id"].startswith("env-") and "payload" not in ack
    assert any(
        "Daily questions are on" in str(c.args)
        for c in rig.fake.of("response_url")
        if c.token == hook
    )
    await rig.command("/studybot", "post-now", ADMIN)
    notice, post = rig.fake.of("chat.postMessage")  # "questions start here", then the round
    assert notice.args["text"].startswith("📅 Daily questions start here")
    thread = rig.fake.messages[CHANNEL][1]["ts"]
    assert post.token == "xoxb-test-token"

    press = block_actions(BOB, CHANNEL, thread, "answer", "1", rig.fake.response_url("b"))
    ack = await rig.fake.send_envelope("interactive", press)
    await rig.settle()
    assert ack["envelope_id"]
    assert rig.fake.of("views.open")[0].args["view"]["callback_id"] == "answer"

    reply = thread_reply(BOB, "k-fold averages folds to reduce variance", "1800000000.1", thread)
    await rig.fake.send_envelope("events_api", event_callback(reply, "EvSock1"))
    # Slack sends the same event again when it thinks the first delivery failed.
    await rig.fake.send_envelope("events_api", event_callback(reply, "EvSock1"), retry_attempt=1)
    await rig.settle()
    answers = await rig.app.store.round_answers(1)
    assert [(a.display_name, a.text) for a in answers] == [
        ("Bob", "k-fold averages folds to reduce variance")
    ]
    assert len(rig.fake.of("reactions.add")) == 1


async def test_closing_disconnects_the_socket(tmp_path: Path, fixture_bank: QuestionBank) -> None:
    async with FakeSlack() as fake:
        platform = SlackPlatform(rig_settings(fake, app_token=APP_TOKEN), host="127.0.0.1")
        config = Config(
            database_url=f"sqlite:///{tmp_path / 'c.sqlite3'}", content_dir=FIXTURE_CONTENT
        )
        app = await build_app(config, platform.chat, ManualClock(START), bank=fixture_bank)
        await app.start()
        task = await start_platform(platform, app)
        await fake.wait_for_socket()
        await platform.close()
        await task
        await wait_until(lambda: not fake.sockets)
        assert not platform.is_connected()
        await app.stop()
