"""`studybot run --platform slack`: the platform under `run_service`, and its settings errors."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from adapters.slack import chat as chat_module
from adapters.slack.chat import PostPacer
from adapters.slack.main import EVENTS_PATH, SlackPlatform
from bot import cli
from bot.config import Config
from bot.content.bank import QuestionBank
from bot.service import run_service
from loopback.slack import FakeSlack, SignedSender
from tests.conftest import FIXTURE_CONTENT
from tests.slack.conftest import ADMIN, CHANNEL, SECRET, rig_settings, wait_until


async def test_run_service_serves_slack_until_the_platform_closes(tmp_path: Path) -> None:
    async with FakeSlack() as fake, aiohttp.ClientSession() as session:
        fake.add_user(ADMIN, "Ada", admin=True)
        platform = SlackPlatform(rig_settings(fake), host="127.0.0.1")
        config = Config(
            database_url=f"sqlite:///{tmp_path / 'svc.sqlite3'}",
            content_dir=FIXTURE_CONTENT,
            cache_dir=None,
        )
        service = asyncio.create_task(run_service(config, platform))
        await wait_until(lambda: platform.is_connected() or service.done())
        sender = SignedSender(session, f"http://127.0.0.1:{platform.port}{EVENTS_PATH}", SECRET)
        status, _ = await sender.command(
            "/studybot",
            "setup days=daily",
            user=ADMIN,
            channel=CHANNEL,
            response_url=fake.response_url("svc"),
        )
        assert status == 200
        await wait_until(lambda: bool(fake.of("response_url")))
        assert "Daily questions are on" in str(fake.of("response_url")[0].args)
        await platform.close()
        assert await asyncio.wait_for(service, 10) == 0
        assert not platform.is_connected()


def test_the_cli_explains_a_missing_token(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    assert cli.main(["run", "--platform", "slack"]) == 2
    assert "SLACK_BOT_TOKEN is not set" in capsys.readouterr().err


async def test_the_pacer_forgets_idle_channels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chat_module, "_FORGET_CHANNELS_AFTER", 3)
    pacer = PostPacer(10_000.0, 0.0)
    for i in range(10):
        await pacer.wait(f"C{i}")
    assert len(pacer._channels) <= 4


def test_the_cli_reads_the_bank_once_and_runs_the_platform_with_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import bot.content.cache
    import bot.service

    loads: list[object] = []
    real_load = bot.content.cache.load_bank_cached

    def counted_load(*args: object, **kwargs: object) -> object:
        loads.append(args)
        return real_load(*args, **kwargs)  # type: ignore[arg-type]

    given: dict[str, object] = {}

    async def recorded_run(config: object, platform: object, **kwargs: object) -> int:
        given.update(kwargs)
        return 0

    monkeypatch.setattr(bot.content.cache, "load_bank_cached", counted_load)
    monkeypatch.setattr(bot.service, "run_service", recorded_run)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    monkeypatch.chdir(tmp_path)  # no .env here
    assert cli.main(["run", "--platform", "slack"]) == 0
    assert len(loads) == 1  # read to check it before start-up, and not read again
    assert isinstance(given.get("bank"), QuestionBank) and len(given["bank"]) > 0
