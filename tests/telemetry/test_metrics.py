"""The metrics move with real work: a console round, a failed post, a late scheduled job."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.events import EVENT_JOB_SUBMITTED

from bot.health import HealthServer
from bot.telemetry.metrics import REGISTRY
from tests.conftest import Console
from tests.telemetry.conftest import Served
from tests.telemetry.console_platform import ConsolePlatform
from tests.telemetry.http_probe import Samples, sample, scrape


@pytest.fixture
async def console_server(console: Console) -> AsyncIterator[HealthServer]:
    platform = ConsolePlatform()
    platform.connected = True
    # Every scrape counts the open rounds afresh: the test moves the clock between scrapes.
    server = HealthServer(console.app, platform, port=0, host="127.0.0.1", open_rounds_every=0)
    await server.start()
    yield server
    await server.stop()


def _latency_count(samples: Samples, command: str) -> float:
    return sample(samples, "studybot_command_duration_seconds_count", command=command)


async def test_a_console_round_moves_the_counters(
    console: Console, console_server: HealthServer
) -> None:
    port = console_server.port
    before = await scrape(port)
    await console.run("/studybot setup time=09:00 tz=UTC days=daily reveal=17:00")
    await console.run(":at 2026-11-30T09:00")
    during = await scrape(port)
    assert sample(during, "studybot_open_rounds") == 1
    await console.run("a first answer in the thread")
    await console.run(":edit a better answer in the thread")
    await console.run(":as Bob", "/answer my private answer")
    await console.run(":at 2026-11-30T17:00")
    after = await scrape(port)

    def moved(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert moved("studybot_rounds_posted_total") == 1
    assert moved("studybot_rounds_revealed_total") == 1
    assert moved("studybot_answers_recorded_total", source="thread") == 2  # answer and edit
    assert moved("studybot_answers_recorded_total", source="private") == 1
    assert sample(after, "studybot_open_rounds") == 0
    assert _latency_count(after, "studybot setup") - _latency_count(before, "studybot setup") == 1
    assert _latency_count(after, "answer") - _latency_count(before, "answer") == 1
    assert _latency_count(after, "ThreadReply") - _latency_count(before, "ThreadReply") == 2
    assert moved("studybot_command_duration_seconds_bucket", command="answer", le="3.0") == 1


async def test_unknown_commands_share_one_label(console: Console) -> None:
    def count(command: str) -> float:
        value = REGISTRY.get_sample_value(
            "studybot_command_duration_seconds_count", {"command": command}
        )
        return value or 0.0

    before = count("unknown")
    out = await console.run("/frobnicate-7f3a now")
    assert "There is no command" in out
    assert count("unknown") - before == 1
    assert count("frobnicate-7f3a") == 0


async def test_a_failed_post_counts_a_platform_error(console: Console) -> None:
    labels = {"platform": "console", "kind": "PlatformUnavailable"}
    before = REGISTRY.get_sample_value("studybot_platform_errors_total", labels) or 0.0
    await console.run("/studybot setup time=09:00 tz=UTC days=daily", ":fail-posts 1")
    out = await console.run(":at 2026-11-30T09:00")
    assert "Question of the day" not in out
    assert REGISTRY.get_sample_value("studybot_platform_errors_total", labels) == before + 1
    out = await console.run(":advance 1m")  # the retry posts it
    assert "Question of the day" in out


async def test_scheduler_lag_is_recorded_when_a_job_runs(served: Served) -> None:
    def value(suffix: str, le: str | None = None) -> float:
        name = f"studybot_scheduler_lag_seconds_{suffix}"
        found = REGISTRY.get_sample_value(name, {"job": "reveal"} | ({"le": le} if le else {}))
        return found or 0.0

    before = {
        key: value(*key) for key in [("count",), ("sum",), ("bucket", "1.0"), ("bucket", "15.0")]
    }
    submitted = asyncio.Event()  # set after the scheduler's own listener has recorded the lag
    served.app.scheduler.scheduler.add_listener(lambda _: submitted.set(), EVENT_JOB_SUBMITTED)
    # A reveal due 2 s ago (of a round that does not exist: the job finds nothing to do).
    served.app.scheduler.arm_reveal(424242, datetime.now(UTC) - timedelta(seconds=2))

    await asyncio.wait_for(submitted.wait(), 5)
    assert value("count") - before[("count",)] == 1
    assert value("sum") - before[("sum",)] >= 2.0
    assert value("bucket", "1.0") == before[("bucket", "1.0")]  # not on time
    assert value("bucket", "15.0") - before[("bucket", "15.0")] == 1


async def test_a_crowd_of_scrapes_counts_the_open_rounds_once(console: Console) -> None:
    platform = ConsolePlatform()
    platform.connected = True
    server = HealthServer(console.app, platform, port=0, host="127.0.0.1")
    await server.start()
    queries: list[str] = []
    db = console.app.store.db
    fetchrow = db.fetchrow

    async def counted(sql: str, params: object = None) -> object:
        # The gauge's count of open rounds (posting a round reads other counts, e.g. the recap's)
        if "COUNT(*)" in sql and "FROM rounds WHERE status = :status" in sql:
            queries.append(sql)
        return await fetchrow(sql, params)  # type: ignore[arg-type]

    db.fetchrow = counted  # type: ignore[method-assign]
    try:
        await console.run("/studybot setup time=09:00 tz=UTC days=daily", ":at 2026-11-30T09:00")
        scrapes = await asyncio.gather(*(scrape(server.port) for _ in range(50)))
        assert {sample(s, "studybot_open_rounds") for s in scrapes} == {1}
        assert len(queries) == 1  # one COUNT for 50 scrapes, and none of them read a round
    finally:
        del db.fetchrow
        await server.stop()
