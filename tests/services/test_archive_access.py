"""Archive links against an in-memory store: made, kept, revoked; only the hash is stored."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.archive_access import ArchiveAccess, describe_archive, hash_token
from bot.clock import ManualClock
from bot.config import Config, ConfigError
from bot.content.bank import QuestionBank
from bot.groups import GroupService
from bot.model import ChannelRef, Group, GroupSettings
from bot.records import ArchiveLink
from bot.replies import Visibility
from bot.telemetry.logs import mask_archive_tokens
from bot.web_setting import web_choice, web_problems
from tests.services.conftest import PLACE, FakeChat
from tests.services.memory_store import MemoryStore
from tests.services.test_groups_and_practice import ArmedJobs

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


class MemoryLinks:
    """The ArchiveLinkStore calls, in memory: every link ever made, live or revoked."""

    def __init__(self) -> None:
        self.links: list[tuple[ArchiveLink, bool]] = []  # (link, live)
        self.groups = {1: Group(1, ChannelRef("console", "local", "general"), GroupSettings())}

    async def open_archive(self, group_id: int, token_hash: str, show: bool) -> None:
        await self.close_archive(group_id)
        self.links.append((ArchiveLink(group_id, token_hash, NOW, show), True))

    async def close_archive(self, group_id: int) -> bool:
        live = [i for i, (link, on) in enumerate(self.links) if on and link.group_id == group_id]
        for i in live:
            self.links[i] = (self.links[i][0], False)
        return bool(live)

    async def show_archive_answers(self, group_id: int, show: bool) -> bool:
        for i, (link, on) in enumerate(self.links):
            if on and link.group_id == group_id:
                self.links[i] = (replace(link, show_answers=show), True)
                return True
        return False

    async def archive_of(self, group_id: int) -> ArchiveLink | None:
        return next((x for x, on in self.links if on and x.group_id == group_id), None)

    async def archive_by_hash(self, token_hash: str) -> ArchiveLink | None:
        return next((x for x, on in self.links if on and x.token_hash == token_hash), None)

    async def get_group(self, group_id: int) -> Group | None:
        return self.groups.get(group_id)


async def test_web_on_makes_a_token_whose_hash_alone_is_stored() -> None:
    links = MemoryLinks()
    access = ArchiveAccess(links)
    change = await access.change(1, "on")
    assert change.on and not change.show_answers and change.token is not None
    assert len(change.token) == 43  # token_urlsafe(32)
    [(stored, live)] = links.links
    assert live and stored.token_hash == hashlib.sha256(change.token.encode()).hexdigest()
    assert change.token not in repr(links.links)
    opened = await access.open(change.token)
    assert opened is not None and opened[0].id == 1 and opened[1] is False
    assert await access.state(1) == (True, False)


async def test_answers_keep_the_link_and_off_revokes_it() -> None:
    access = ArchiveAccess(MemoryLinks())
    token = (await access.change(1, "on")).token
    assert token is not None
    shown = await access.change(1, "answers")
    assert shown.token is None and shown.show_answers
    assert (await access.open(token))[1] is True  # type: ignore[index]
    assert not (await access.change(1, "off")).on
    assert await access.open(token) is None and await access.state(1) == (False, False)
    again = await access.change(1, "answers")  # off: a new link, answers shown
    assert again.token not in (None, token) and await access.open(token) is None


@pytest.mark.parametrize("token", ["", "x" * 43, "x" * 5000, "é/../"])
async def test_unknown_or_odd_tokens_open_nothing(token: str) -> None:
    access = ArchiveAccess(MemoryLinks())
    await access.change(1, "on")
    assert await access.open(token) is None


def test_the_hash_is_sha256_hex_and_the_state_is_described_without_the_link() -> None:
    assert hash_token("abc") == hashlib.sha256(b"abc").hexdigest()
    assert describe_archive(False, False) == "off"
    assert describe_archive(True, False) == "on (answers hidden)"
    assert describe_archive(True, True) == "on (answers shown)"


def test_web_choices_are_read_and_others_refused() -> None:
    assert web_choice("time=09:00 web=Answers") == "answers"
    assert web_choice("archive=off") == "off" and web_choice("time=09:00") is None
    assert web_problems("on") == [] and "is not a choice" in web_problems("maybe")[0]


def test_archive_tokens_are_masked_in_log_text() -> None:
    text = "GET /archive/AbC_d-1234567890abcdefghij/rounds/3 and /archive/static/site.css"
    assert mask_archive_tokens(text) == "GET /archive/***/rounds/3 and /archive/static/site.css"


def test_the_public_url_comes_from_the_environment() -> None:
    none = Path("/none")
    url = Config.from_env({"STUDYBOT_PUBLIC_URL": "https://bot.example.org/"}, env_file=none)
    assert url.public_url == "https://bot.example.org"
    assert Config.from_env({}, env_file=none).public_url is None
    with pytest.raises(ConfigError, match="STUDYBOT_PUBLIC_URL"):
        Config.from_env({"STUDYBOT_PUBLIC_URL": "bot.example.org"}, env_file=none)


async def test_group_service_shows_the_link_once_and_the_state_after(
    store: MemoryStore, fixture_bank: QuestionBank, clock: ManualClock
) -> None:
    links = MemoryLinks()
    jobs = ArmedJobs()
    groups = GroupService(
        store, fixture_bank, jobs, FakeChat(), clock, ArchiveAccess(links), "https://x.org/"
    )
    await groups.setup(PLACE, "time=08:30")
    group = jobs.groups[0]
    links.groups[group.id] = group
    on = await groups.change(group, "web=on time=09:00")
    assert on.title == "Settings changed: time, web" and on.visibility == Visibility.PRIVATE
    [link] = [f.value for f in on.fields if f.name == "Web archive link"]
    token = link.split("/archive/")[1].split("/")[0]
    assert link.startswith(f"https://x.org/archive/{token}/\n") and len(links.links) == 1
    assert dict((f.name, f.value) for f in on.fields)["Web archive"] == "on (answers hidden)"
    shown = await groups.change(jobs.groups[-1], "")
    assert token not in repr(shown) and "Web archive link" not in repr(shown)
    refused = await groups.change(jobs.groups[-1], "web=public time=10:00")
    assert refused.is_error and len(links.links) == 1
    off = await groups.change(jobs.groups[-1], "web=off")
    assert dict((f.name, f.value) for f in off.fields)["Web archive"] == "off"
    assert await ArchiveAccess(links).open(token) is None
