"""Settings that say everything at once (#16): every problem in one answer, nothing half-done."""

from __future__ import annotations

from tests.conftest import Console


async def _settings(console: Console) -> str:
    row = await console.app.store.db.fetchrow("SELECT settings FROM groups")
    assert row is not None
    return str(row["settings"])


async def test_every_problem_is_listed_and_nothing_changes(console: Console) -> None:
    await console.run("/studybot setup")
    before = await _settings(console)
    out = await console.run(
        "/studybot settings time=25:00 tz=Europe/Berln days=mon-fryday reveal=8pm"
    )
    assert "3 settings need fixing. Nothing was changed." in out
    assert "- '25:00' is not a time of day. Use 24-hour HH:MM" in out
    assert "- 'Europe/Berln' is not a time zone I know." in out
    assert "Did you mean Europe/Berlin" in out
    assert "- 'mon-fryday' is not a list of days. Use mon-fri" in out
    assert await _settings(console) == before


async def test_setup_with_several_problems_sets_up_nothing(console: Console) -> None:
    out = await console.run("/studybot setup time=09:00 time=10:00 days= tz=UTC+1")
    assert "3 settings need fixing. Nothing was set up." in out
    assert "time is given twice (time=09:00 and time=10:00)" in out
    assert "'days' needs a value after the =, for example days=mon-fri." in out
    assert "Its zone is tz=Etc/GMT-1" in out
    assert await console.app.store.list_groups() == []


async def test_spaces_around_equals_are_fine(console: Console) -> None:
    await console.run("/studybot setup")
    out = await console.run("/studybot settings time = 10:30 tz= Europe/Paris")
    assert "Settings changed: time, tz" in out
    assert '"post_time": "10:30"' in await _settings(console)


async def test_moving_the_post_onto_the_reveal_is_refused(console: Console) -> None:
    await console.run("/studybot setup reveal=18:00")
    before = await _settings(console)
    out = await console.run("/studybot settings time=18:00")
    assert "time=18:00 posts at the reveal time 18:00, so the answer would come a day late" in out
    assert "Nothing was changed." in out
    assert await _settings(console) == before
    out = await console.run("/studybot settings time=18:00 reveal=22:00")
    assert "Settings changed: time, reveal" in out


async def test_admins_are_named_as_members_are_on_the_console(console: Console) -> None:
    await console.run("/studybot setup admins=@Mallory")
    out = await console.run(":as Mallory", "/studybot settings time=10:00")
    assert "Settings changed: time" in out
    out = await console.run("/studybot settings admins=<@123>")
    assert "I cannot tell who" in out and "Mention each admin" in out
    out = await console.run("/studybot settings admins=none")
    assert "Settings changed: admins" in out
    out = await console.run("/studybot settings time=11:00")
    assert "is for the channel's admins" in out


async def test_admin_help_says_how_to_name_admins(console: Console) -> None:
    out = await console.run("/help admin")
    assert "admins=@alice,@bob" in out and "admins=none" in out


async def test_admin_help_says_admin_work_is_quiet(console: Console) -> None:
    out = await console.run("/help admin")
    assert "Admin replies are for you alone" in out and "the channel hears one line" in out
