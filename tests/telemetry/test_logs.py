"""Structured logs: JSON lines with the round's ids, no secrets, no answer text at INFO."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED

from adapters.console.chat import ConsoleChat
from bot.app import build_app
from bot.clock import ManualClock
from bot.config import Config
from bot.content.bank import QuestionBank
from bot.jobs import ManualJobScheduler
from bot.model import ChannelRef, MemberRef, MessageRef, PostedRound
from bot.ports import Event, Invocation, ThreadReply
from bot.replies import Reply
from bot.telemetry import bind_round, observe_event
from bot.telemetry.context import scope
from bot.telemetry.logs import REDACTED, WITHHELD, configure_logging, secret_values
from tests.conftest import FIXTURE_CONTENT, Console
from tests.telemetry.conftest import Served

pytestmark = pytest.mark.usefixtures("restore_logging")

TOKEN = "xoxb-1111-2222-NotARealTokenButLongEnough"
SIGNING = "8f14e45fceea167a5a36dedd4bea2543"
DB_PASSWORD = "pg-pass-7d1e"


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


async def test_json_lines_carry_the_group_and_round_of_the_work(console: Console) -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json", {}, stream)
    await console.run("/studybot setup time=09:00 tz=UTC days=daily reveal=17:00")
    await console.run(":at 2026-11-30T09:00", "my answer")
    logging.getLogger("tests.after").info("after the round's work, in the same task")
    await console.run(":channel other", "/studybot setup time=10:00 tz=UTC days=daily")
    await console.run(":at 2026-11-30T10:00", ":at 2026-11-30T17:00")

    lines = _lines(stream)
    for line in lines:
        assert {"time", "level", "logger", "message"} <= line.keys()
        datetime.fromisoformat(line["time"])
    posted = [line for line in lines if "posted round" in line["message"]]
    assert [(p["group_id"], p["round_id"]) for p in posted] == [(1, 1), (2, 2)]
    [revealed] = [line for line in lines if "revealed round" in line["message"]]
    assert (revealed["group_id"], revealed["round_id"]) == (1, 1)
    # Lines after round 1's work, in the same task, carry none of its ids.
    [after] = [line for line in lines if line["logger"] == "tests.after"]
    assert "round_id" not in after and "group_id" not in after
    [setup] = [line for line in lines if line["message"].startswith("group 2 set up")]
    assert "round_id" not in setup and "group_id" not in setup


async def test_text_lines_end_with_the_ids(console: Console) -> None:
    stream = io.StringIO()
    configure_logging("INFO", "text", {}, stream)
    await console.run("/studybot setup time=09:00 tz=UTC days=daily", ":at 2026-11-30T09:00")
    [posted] = [line for line in stream.getvalue().splitlines() if "posted round" in line]
    assert " INFO bot.rounds: group 1: posted round 1 (" in posted
    assert posted.endswith(") [group_id=1 round_id=1]")


async def test_scheduled_jobs_do_not_inherit_the_ids_of_the_work_that_armed_them(
    served: Served,
) -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json", {}, stream)
    executed = asyncio.Event()
    served.app.scheduler.scheduler.add_listener(lambda _: executed.set(), EVENT_JOB_EXECUTED)
    with scope():
        bind_round(group_id=99, round_id=99)
        served.app.scheduler.arm_reveal(777, datetime.now(UTC) - timedelta(seconds=1))
    await asyncio.wait_for(executed.wait(), 5)
    job_lines = [
        line for line in _lines(stream) if line["logger"] == "apscheduler.executors.default"
    ]
    assert len(job_lines) == 2  # APScheduler's "Running job" and "executed successfully"
    assert all("group_id" not in line and "round_id" not in line for line in job_lines)


class _LeakyChat:
    """A chat port whose failures quote the token, as some HTTP clients' errors do."""

    def __init__(self) -> None:
        self.console = ConsoleChat(io.StringIO())

    async def post_round(self, channel: ChannelRef, card: Reply) -> PostedRound:
        raise ConnectionError(f"POST https://chat.example/api?token={TOKEN} refused")

    async def post(self, place: ChannelRef, reply: Reply) -> MessageRef:
        return await self.console.post(place, reply)

    async def send_private(self, member: MemberRef, reply: Reply) -> None:
        await self.console.send_private(member, reply)


async def test_tokens_and_secrets_never_reach_a_log_line(
    tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    env = {
        "DISCORD_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING,
        "STUDYBOT_DATABASE_URL": f"postgresql://bot:{DB_PASSWORD}@db.internal/studybot",
        "STUDYBOT_LOG_LEVEL": "DEBUG",
    }
    assert secret_values(env) == {TOKEN, SIGNING, DB_PASSWORD}
    stream = io.StringIO()
    configure_logging("DEBUG", "json", env, stream)

    config = Config(
        database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}", content_dir=FIXTURE_CONTENT
    )
    clock = ManualClock(datetime(2026, 11, 30, 7, 0, tzinfo=UTC))
    app = await build_app(config, _LeakyChat(), clock, bank=fixture_bank)
    await app.start()
    try:
        admin = MemberRef("console", "ann", "Ann", can_manage=True)
        place = ChannelRef("console", "local", "general")
        await app.core.handle(
            Invocation("studybot", "setup time=09:00 tz=UTC days=daily", admin, place)
        )
        assert isinstance(app.scheduler, ManualJobScheduler)
        await app.scheduler.run_until(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
        log = logging.getLogger("tests.telemetry")
        try:
            raise RuntimeError(f"signing with {SIGNING} failed")
        except RuntimeError:
            log.exception("the adapter failed")
        log.debug("connecting to %s", env["STUDYBOT_DATABASE_URL"])
    finally:
        await app.stop()

    text = stream.getvalue()
    for secret in (TOKEN, SIGNING, DB_PASSWORD):
        assert secret not in text
    lines = _lines(stream)
    [failed] = [line for line in lines if "posting round 1 failed" in line["message"]]
    assert f"token={REDACTED} refused" in failed["message"]
    assert (failed["level"], failed["group_id"], failed["round_id"]) == ("WARNING", 1, 1)
    [adapter] = [line for line in lines if line["message"] == "the adapter failed"]
    assert f"signing with {REDACTED} failed" in adapter["exception"]
    assert any(f"postgresql://bot:{REDACTED}@db.internal" in line["message"] for line in lines)


async def test_answer_text_never_appears_at_info_during_a_round(console: Console) -> None:
    stream = io.StringIO()
    configure_logging("DEBUG", "json", {}, stream)
    answers = ["Bias is error from wrong assumptions", "Regularisation shrinks the weights"]
    await console.run("/studybot setup time=09:00 tz=UTC days=daily reveal=17:00")
    await console.run(":at 2026-11-30T09:00", answers[0], f"/answer {answers[1]}")
    await console.run(":at 2026-11-30T17:00", ":press My feedback")
    lines = _lines(stream)
    assert any(line["level"] == "INFO" for line in lines)
    assert any(line["level"] == "DEBUG" for line in lines)
    for line in lines:
        if line["level"] != "DEBUG":
            assert not any(answer in json.dumps(line) for answer in answers), line


class _CarelessHandler:
    """Stands in for any code that logs what it handles: it logs the event's text."""

    @observe_event
    async def handle(self, event: Event) -> list[Reply]:
        text = event.text if isinstance(event, ThreadReply) else getattr(event, "args", "")
        logging.getLogger("tests.careless").info("handling %r", text)
        logging.getLogger("tests.careless").debug("debugging %s", text)
        try:
            raise ValueError(f"cannot grade {text}")
        except ValueError:
            logging.getLogger("tests.careless").exception("grading failed")
        return []


async def test_the_guard_withholds_answer_text_from_info_lines_of_an_event() -> None:
    stream = io.StringIO()
    configure_logging("DEBUG", "json", {}, stream)
    member = MemberRef("console", "ann", "Ann")
    thread = ChannelRef("console", "local", "general", "t1")
    answer = "Dropout randomly zeroes activations"
    await _CarelessHandler().handle(ThreadReply(thread, member, answer, "m1"))
    await _CarelessHandler().handle(
        Invocation("practice", f"answer {answer} again", member, thread.channel())
    )
    await _CarelessHandler().handle(Invocation("leaderboard", "week", member, thread.channel()))
    lines = _lines(stream)
    info = [line for line in lines if line["level"] != "DEBUG"]
    assert [line["message"] for line in info[:2]] == [f"handling '{WITHHELD}'", "grading failed"]
    assert all(answer not in json.dumps(line) for line in info)
    assert f"cannot grade {WITHHELD}" in info[1]["exception"]
    assert info[2]["message"] == f"handling 'answer {WITHHELD}'"  # the practice answer's text
    assert info[-2]["message"] == "handling 'week'"  # a command without answer text is untouched
    debug = [line["message"] for line in lines if line["level"] == "DEBUG"]
    assert f"debugging {answer}" in debug  # DEBUG may show it


def test_a_web_archive_token_in_a_line_or_traceback_is_masked() -> None:
    stream = io.StringIO()
    configure_logging("DEBUG", "text", {}, stream)
    token = "Sg6KeYoZ9JknRVp6ZbZoytBE3nISVisa6ItZhS5h45E"
    log = logging.getLogger("bot.web.site")
    log.info("GET %s", f"/archive/{token}/rounds/3")
    try:
        raise ValueError(f"https://bot.example.org/archive/{token}/")
    except ValueError:
        log.exception("failed")
    written = stream.getvalue()
    assert token not in written and written.count("/archive/***/") == 2
