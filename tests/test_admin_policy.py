"""Who may run admin commands: platform admins, listed admins, organisers, and founders."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Config, ConfigError
from bot.content.bank import QuestionBank
from bot.groups import AdminPolicy
from bot.model import ChannelRef, Group, GroupSettings, MemberRef
from tests.conftest import open_console

START = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
CHANNEL = ChannelRef("slack", "T1", "C1")
GROUP = Group(1, CHANNEL, GroupSettings(admins=("U2",)))
MEMBER = MemberRef("slack", "U9", "Nine")


def test_platform_admins_listed_admins_and_organisers_administer() -> None:
    policy = AdminPolicy(organisers=frozenset({("slack", "U9")}))
    assert policy.may_administer(MemberRef("slack", "U1", "One", can_manage=True), GROUP)
    assert policy.may_administer(MemberRef("slack", "U2", "Two"), GROUP)
    assert policy.may_administer(MEMBER, GROUP)  # an organiser, listed nowhere in the group
    assert not policy.may_administer(MemberRef("discord", "U9", "Nine"), GROUP)  # other platform
    assert not AdminPolicy().may_administer(MEMBER, GROUP)


def test_any_member_may_set_up_an_unset_channel_unless_turned_off() -> None:
    assert AdminPolicy().may_run("studybot setup", MEMBER, None)
    assert not AdminPolicy().may_run("studybot setup", MEMBER, GROUP)  # set up already
    assert not AdminPolicy().may_run("studybot pause", MEMBER, None)
    assert not AdminPolicy(members_set_up=False).may_run("studybot setup", MEMBER, None)


def test_organisers_and_member_setup_come_from_the_environment() -> None:
    config = Config.from_env(
        {"STUDYBOT_ORGANISERS": "slack:U0123ABCD, Discord:8035", "STUDYBOT_MEMBERS_SET_UP": "off"},
        env_file=Path("/nonexistent"),
    )
    assert config.organisers == {("slack", "U0123ABCD"), ("discord", "8035")}
    assert not config.members_set_up
    defaults = Config.from_env({}, env_file=Path("/nonexistent"))
    assert defaults.organisers == frozenset() and defaults.members_set_up


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("STUDYBOT_ORGANISERS", "U0123ABCD"),
        ("STUDYBOT_ORGANISERS", "teams:U1"),
        ("STUDYBOT_ORGANISERS", "slack:"),
        ("STUDYBOT_MEMBERS_SET_UP", "maybe"),
    ],
)
def test_a_bad_admin_setting_stops_the_start_with_its_name(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Config.from_env({name: value}, env_file=Path("/nonexistent"))


async def test_the_member_who_sets_up_a_channel_administers_it(
    tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    console = await open_console(tmp_path / "bot.sqlite3", fixture_bank, START, admin=False)
    try:
        out = await console.run("/studybot setup time=09:00 days=daily")
        assert "Daily questions are on" in out
        out = await console.run("/studybot pause")
        assert "paused" in out.lower() and "is for the channel's admins" not in out
        out = await console.run(":as Bob", "/studybot resume")
        assert "is for the channel's admins" in out
        out = await console.run(":as Bob", "/studybot setup")
        assert "is for the channel's admins" in out
        [group] = await console.app.store.list_groups()
        assert len(group.settings.admins) == 1  # Alice, and only her
    finally:
        await console.app.stop()


async def test_with_member_setup_off_only_admins_set_up(
    tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    console = await open_console(
        tmp_path / "bot.sqlite3", fixture_bank, START, admin=False, members_set_up=False
    )
    try:
        out = await console.run("/studybot setup")
        assert "is for the channel's admins" in out
        assert await console.app.store.list_groups() == []
    finally:
        await console.app.stop()
