from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.group_settings import (
    SettingsError,
    apply_settings,
    describe_days,
    describe_mix,
    describe_remind,
    describe_reveal,
    parse_days,
    parse_delay,
    parse_difficulty_mix,
    parse_time,
    parse_timezone,
    settings_from_json,
    settings_to_json,
    split_assignments,
)
from bot.model import GroupSettings

CATS = ("evaluation", "nlp")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:30", time(9, 30)),
        ("9:05", time(9, 5)),
        ("5pm", time(17, 0)),
        ("12am", time(0, 0)),
        ("23:59", time(23, 59)),
    ],
)
def test_times(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["25:00", "9", "12:60", "13pm", "noon", ""])
def test_bad_times(text: str) -> None:
    with pytest.raises(SettingsError, match="HH:MM"):
        parse_time(text)


def test_time_zones() -> None:
    assert parse_timezone("Asia/Kolkata") == "Asia/Kolkata"
    assert parse_timezone("utc") == "UTC"
    assert parse_timezone("europe/berlin") == "Europe/Berlin"
    with pytest.raises(SettingsError, match="Did you mean America/New_York"):
        parse_timezone("America/NewYork")


def test_days_and_mix() -> None:
    assert parse_days("mon-fri") == frozenset(range(5))
    assert parse_days("fri-mon") == frozenset({4, 5, 6, 0})
    assert parse_days("Monday,wed") == frozenset({0, 2})
    assert parse_days("weekends") == frozenset({5, 6})
    assert parse_difficulty_mix("hard") == (("easy", 0), ("medium", 0), ("hard", 1))
    assert parse_difficulty_mix("easy:2,hard:1") == (("easy", 2), ("medium", 0), ("hard", 1))
    with pytest.raises(SettingsError):
        parse_difficulty_mix("easy:0")


def test_apply_is_all_or_nothing_and_round_trips() -> None:
    base = GroupSettings()
    new, keys = apply_settings(base, "time=07:15 tz=Europe/Paris reveal=18:00 categories=nlp", CATS)
    assert keys == ["time", "tz", "reveal", "categories"]
    assert (new.post_time, new.timezone, new.reveal_time, new.categories) == (
        time(7, 15),
        "Europe/Paris",
        time(18, 0),
        ("nlp",),
    )
    assert settings_from_json(settings_to_json(new)) == new
    new, _ = apply_settings(base, "reveal=1h30m admins=u1,U2", CATS)
    assert new.reveal_after == timedelta(minutes=90) and new.admins == ("u1", "U2")
    with pytest.raises(SettingsError):
        apply_settings(base, "time=07:15 categories=astrology", CATS)


def _problems(text: str, settings: GroupSettings | None = None) -> tuple[str, ...]:
    with pytest.raises(SettingsError) as caught:
        apply_settings(settings or GroupSettings(), text, CATS)
    return caught.value.problems


def test_every_problem_is_reported_with_its_fix() -> None:
    problems = _problems("time=25:00 tz=Europe/Berln days=mon-fryday reveal=8pm colour=blue")
    assert len(problems) == 4
    assert problems[0].startswith("'25:00' is not a time of day. Use 24-hour HH:MM")
    assert "Did you mean Europe/Berlin" in problems[1]
    assert problems[2].startswith("'mon-fryday' is not a list of days. Use mon-fri")
    assert problems[3].startswith("There is no setting 'colour'.")
    assert str(SettingsError(*problems)) == "\n".join(problems)  # one line each


def test_a_bad_part_hides_no_other_problem() -> None:
    problems = _problems("time=25:00 bogus days= tim=3")
    assert problems == (  # in the order typed
        "'25:00' is not a time of day. Use 24-hour HH:MM, for example 09:30 or 17:00.",
        "'bogus' is not a setting. Write key=value, for example time=09:00; settings: "
        "time, tz, days, categories, difficulty, reveal, admins, appeals, recap, holidays, "
        "remind, web.",
        "'days' needs a value after the =, for example days=mon-fri.",
        "There is no setting 'tim'. Settings: time, tz, days, categories, difficulty, "
        "reveal, admins, appeals, recap, holidays, remind, web. Did you mean time?",
    )


@pytest.mark.parametrize(
    "text",
    ["time = 09:15", "time =09:15", "time= 09:15", "time=09:15", "TIME  =  09:15"],
)
def test_spaces_may_stand_around_the_equals_sign(text: str) -> None:
    new, keys = apply_settings(GroupSettings(), f"{text} days = mon, wed", CATS)
    assert keys == ["time", "days"]
    assert (new.post_time, new.weekdays) == (time(9, 15), frozenset({0, 2}))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("days=", "'days' needs a value after the =, for example days=mon-fri."),
        ("days= time=10:00", "'days' needs a value after the =, for example days=mon-fri."),
        ("tz =", "'tz' needs a value after the =, for example tz=Europe/Berlin."),
        ("time", "'time' needs = and a value, for example time=09:00."),
        ("=09:00", "'=09:00' has no setting before the =."),
        ("days=mon time 10:00", "'time' needs = and a value, for example time=09:00."),
    ],
)
def test_a_key_without_a_value_says_so(text: str, expected: str) -> None:
    assert _problems(text)[0].startswith(expected)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("time=09:00 time=10:00", "time is given twice (time=09:00 and time=10:00)."),
        ("tz=UTC timezone=Europe/Paris", "tz is given twice (tz=UTC and timezone=Europe/Paris)."),
        ("days=mon days=mon", "days is given twice (days=mon and days=mon)."),
    ],
)
def test_a_key_given_twice_is_refused(text: str, named: str) -> None:
    assert _problems(text) == (f"{named} Give each setting once.",)
    with pytest.raises(SettingsError, match="given twice"):
        split_assignments(text)


@pytest.mark.parametrize(
    ("text", "settings", "expected"),
    [
        ("time=09:00 reveal=09:00", None, "reveal=09:00 is the post time 09:00, so"),
        ("reveal=09:10", None, "reveal=09:10 is 10 min after the post time 09:00, so"),
        ("time=23:55 reveal=00:02", None, "reveal=00:02 is 7 min after the post time 23:55"),
        (
            "time=18:00",
            GroupSettings(reveal_time=time(18, 0)),
            "time=18:00 posts at the reveal time 18:00, so",
        ),
        (
            "time=17:55",
            GroupSettings(reveal_time=time(18, 0)),
            "time=17:55 posts 5 min before the reveal at 18:00, so",
        ),
    ],
)
def test_a_reveal_time_on_or_just_after_the_post_is_refused(
    text: str, settings: GroupSettings | None, expected: str
) -> None:
    [problem] = _problems(text, settings)
    assert problem.startswith(expected)
    assert "the answer would come a day late" in problem
    assert "for example" in problem  # and what would work


@pytest.mark.parametrize(
    ("text", "settings"),
    [
        ("reveal=09:11", None),
        ("reveal=08:59", None),  # the day after, a minute before the next question
        ("time=17:49", GroupSettings(reveal_time=time(18, 0))),
        ("days=daily", GroupSettings(reveal_time=time(9, 5))),  # neither time nor reveal
    ],
)
def test_a_reveal_time_well_after_the_post_is_accepted(
    text: str, settings: GroupSettings | None
) -> None:
    apply_settings(settings or GroupSettings(), text, CATS)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        (
            "UTC+1",
            "Its zone is tz=Etc/GMT-1: Etc/GMT zones have the sign inverted, so "
            "Etc/GMT-1 is UTC+01:00.",
        ),
        ("GMT-5", "Its zone is tz=Etc/GMT+5"),
        ("UTC+05:00", "Its zone is tz=Etc/GMT-5"),
        ("utc\u22123", "Its zone is tz=Etc/GMT+3"),
        (
            "+0530",
            "no Etc/GMT zone has it: name the city zone you are in, for example tz=Asia/Kolkata.",
        ),
        ("UTC+5:30", "for example tz=Asia/Kolkata"),
        ("UTC-3:30", "for example tz=America/St_Johns"),
        ("UTC+0", "is UTC: write tz=UTC."),
        ("UTC-13", "is not an offset any time zone has."),
        ("UTC+25", "is not an offset from UTC."),
    ],
)
def test_an_offset_gets_the_zone_that_means_it(typed: str, says: str) -> None:
    with pytest.raises(SettingsError) as caught:
        parse_timezone(typed)
    assert says in str(caught.value)
    assert "Etc/GMT+1" not in str(caught.value)  # never the zone of the opposite offset


def test_the_suggested_etc_zones_have_the_offsets_asked_for() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    now = datetime(2026, 7, 1, tzinfo=UTC)
    for hours in range(-12, 15):
        if hours == 0:
            continue
        with pytest.raises(SettingsError) as caught:
            parse_timezone(f"UTC{hours:+d}")
        zone = str(caught.value).split("tz=", 1)[1].split(":", 1)[0]
        assert ZoneInfo(zone).utcoffset(now) == timedelta(hours=hours)
        assert parse_timezone(zone) == zone  # and the advice is accepted as written


def _mentions(word: str) -> str | None:
    """A platform whose mentions are `<@ID>`: what an adapter's MentionReading does."""
    return word[2:-1] if word.startswith("<@") and word.endswith(">") else None


def test_admins_are_the_members_the_platform_reads() -> None:
    new, _ = apply_settings(GroupSettings(), "admins=<@U1>, <@U2> <@U1>", CATS, _mentions)
    assert new.admins == ("U1", "U2")
    new, _ = apply_settings(new, "admins = none", CATS, _mentions)
    assert new.admins == ()
    with pytest.raises(SettingsError) as caught:
        apply_settings(GroupSettings(), "admins=<@U1>,@bob,carol", CATS, _mentions)
    assert caught.value.problems == (
        "I cannot tell who '@bob' and 'carol' are. Mention each admin: type @ and pick them "
        "from the list, for example admins=@alice,@bob (or admins=none to list nobody).",
    )
    with pytest.raises(SettingsError, match="give it alone"):
        apply_settings(GroupSettings(), "admins=none <@U1>", CATS, _mentions)


@pytest.mark.parametrize(
    "text",
    ["admins=@everyone", "days=@here days=@everyone", "categories=@everyone", "@here", "tz=@here"],
)
def test_quoted_user_text_mentions_nobody(text: str) -> None:
    for problem in _problems(text):
        assert "@everyone" not in problem and "@here" not in problem


@pytest.mark.parametrize(
    "days", [frozenset(range(7)), frozenset(range(5)), frozenset({0, 2, 4}), frozenset({6})]
)
def test_the_days_a_reply_shows_can_be_typed_back(days: frozenset[int]) -> None:
    shown = describe_days(days)  # "mon, wed, fri": a list with spaces in it
    new, _ = apply_settings(GroupSettings(), f"days={shown} time=08:00", CATS)
    assert new.weekdays == days


# What each rule accepts and refuses, word for word (these pin the rules mutation testing
# found loose: ./scripts/mutate bot/group_settings.py).


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1pm", time(13, 0)), ("1am", time(1, 0)), ("12pm", time(12, 0)), ("11:59 PM", time(23, 59))],
)
def test_12_hour_times_from_1_to_12(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "0am", "0pm", "13am"])
def test_hours_past_the_day_are_refused(text: str) -> None:
    with pytest.raises(SettingsError, match="is not a time of day"):
        parse_time(text)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("daily", set(range(7))),
        ("everyday", set(range(7))),
        ("ALL", set(range(7))),
        ("weekdays", set(range(5))),
        ("wed-fri", {2, 3, 4}),
        ("wed-wed", {2}),
        ("sat-tue", {5, 6, 0, 1}),
        ("Thurs, tues,weds", {3, 1, 2}),
    ],
)
def test_days_by_name_range_and_list(text: str, days: set[int]) -> None:
    assert parse_days(text) == frozenset(days)


@pytest.mark.parametrize("text", ["monkey", "mon-wed-fri", "sunny", "mo"])
def test_a_word_that_is_no_day_is_refused(text: str) -> None:
    with pytest.raises(SettingsError) as caught:
        parse_days(text)
    assert caught.value.problems == (
        f"'{text}' is not a list of days. Use mon-fri, mon,wed,fri, daily, weekdays or weekends.",
    )


def test_no_day_at_all_is_refused() -> None:
    assert _problems("days=,") == ("Give at least one day, for example mon-fri or mon,wed,fri.",)
    assert _problems("days=xyz-fri") == (
        "'xyz-fri' is not a list of days. Use mon-fri, mon,wed,fri, daily, weekdays or weekends.",
    )


def test_days_and_mixes_as_replies_show_them() -> None:
    assert describe_days(frozenset(range(7))) == "daily"
    assert describe_days(frozenset(range(5))) == "mon-fri"
    assert describe_days(frozenset(range(6))) == "mon, tue, wed, thu, fri, sat"
    assert describe_mix(GroupSettings().difficulty_mix) == "easy 1, medium 2, hard 1"
    assert describe_mix((("easy", 0), ("medium", 0), ("hard", 3))) == "hard 3"


@pytest.mark.parametrize(
    ("reveal_after", "shown"),
    [
        (None, "23h after posting"),
        (timedelta(hours=2), "2h after posting"),
        (timedelta(minutes=90), "1h30m after posting"),
        (timedelta(days=1, minutes=5), "24h05m after posting"),
    ],
)
def test_a_reveal_delay_as_replies_show_it(reveal_after: timedelta | None, shown: str) -> None:
    assert describe_reveal(GroupSettings(reveal_after=reveal_after)) == shown


@pytest.mark.parametrize("word", ["mixed", "Default", "all"])
def test_the_default_mix_by_name(word: str) -> None:
    assert parse_difficulty_mix(word) == GroupSettings().difficulty_mix


def test_mix_weights_from_0_to_10() -> None:
    assert parse_difficulty_mix("easy:10") == (("easy", 10), ("medium", 0), ("hard", 0))
    not_a_mix = (
        "is not a difficulty mix. Use mixed, easy, medium, hard, or weights from 0 to 10 "
        "such as easy:1,medium:2,hard:1."
    )
    for text in ("easy:11", "bogus:1", "easy:x", "easy:1:2"):
        assert _problems(f"difficulty={text}") == (f"'{text}' {not_a_mix}",)
    assert _problems("difficulty=easy:0") == (
        "A difficulty mix needs at least one level with a weight above 0.",
    )


def test_reveal_delays_from_10_minutes_to_6_days() -> None:
    assert parse_delay("1d") == timedelta(days=1)
    assert parse_delay("1d2h3m") == timedelta(days=1, hours=2, minutes=3)
    for text, delay in (("10m", timedelta(minutes=10)), ("6d", timedelta(days=6))):
        new, _ = apply_settings(GroupSettings(), f"reveal={text}", CATS)
        assert new.reveal_after == delay
    for text in ("9m", "6d1m"):
        assert _problems(f"reveal={text}") == (
            "The reveal delay must be between 10 minutes and 6 days.",
        )
    for text in ("soon", ""):
        with pytest.raises(SettingsError) as caught:
            parse_delay(text)
        assert caught.value.problems == (
            f"'{text}' is not a duration. Use hours and minutes, e.g. 23h or 90m.",
        )


def test_a_reveal_clock_time_in_12_hour_form() -> None:
    new, _ = apply_settings(GroupSettings(), "reveal=6am", CATS)
    assert (new.reveal_time, new.reveal_after) == (time(6, 0), None)
    new, _ = apply_settings(GroupSettings(), "reveal=6PM", CATS)
    assert new.reveal_time == time(18, 0)


@pytest.mark.parametrize("word", ["all", "ANY", "*"])
def test_every_category_by_name(word: str) -> None:
    new, _ = apply_settings(GroupSettings(categories=("nlp",)), f"categories={word}", CATS)
    assert new.categories == ()


def test_categories_listed_and_unknown_ones_named() -> None:
    new, _ = apply_settings(GroupSettings(), "categories=nlp, evaluation,nlp", CATS)
    assert new.categories == ("nlp", "evaluation")
    known = "Categories: evaluation, nlp (or all)."
    assert _problems("categories=nlp,astro") == (f"Unknown category: astro. {known}",)
    assert _problems("categories=astro,geo") == (f"Unknown category: astro, geo. {known}",)
    assert _problems(f"categories={'x' * 100}") == (f"Unknown category: {'x' * 59}…. {known}",)


def test_admins_none_or_a_dash_lists_nobody_and_unknown_admins_are_named() -> None:
    new, _ = apply_settings(GroupSettings(admins=("U1",)), "admins=-", CATS, _mentions)
    assert new.admins == ()
    assert _problems("admins=none a") == (
        "admins=none lists nobody, so give it alone, without members.",
    )
    fix = (
        "Mention each admin: type @ and pick them from the list, for example "
        "admins=@alice,@bob (or admins=none to list nobody)."
    )
    for typed, who in (
        ("@bob", "'@bob' is"),
        ("@a @b @c", "'@a', '@b' and '@c' are"),
    ):
        with pytest.raises(SettingsError) as caught:
            apply_settings(GroupSettings(), f"admins={typed}", CATS, _mentions)
        assert caught.value.problems == (f"I cannot tell who {who}. {fix}",)


def test_a_reveal_clash_says_which_times_would_work() -> None:
    late = "so the answer would come a day late, only after the next question."
    assert _problems("time=09:00 reveal=09:05") == (
        f"reveal=09:05 is 5 min after the post time 09:00, {late} Reveal more than 10 min after "
        "09:00 (for example reveal=17:00), or after a delay such as reveal=8h.",
    )
    assert _problems("time=18:00", GroupSettings(reveal_time=time(18, 0))) == (
        f"time=18:00 posts at the reveal time 18:00, {late} Post more than 10 min before 18:00 "
        "(for example time=17:00), or change reveal= too.",
    )
    assert _problems("time=00:30", GroupSettings(reveal_time=time(0, 35))) == (
        f"time=00:30 posts 5 min before the reveal at 00:35, {late} Post more than 10 min "
        "before 00:35 (for example time=23:35), or change reveal= too.",
    )


def test_settings_stored_before_a_setting_existed_read_with_its_default() -> None:
    old = settings_from_json("{}")
    assert old == GroupSettings(reveal_after=None)  # no delay stored: 23h, as replies say
    assert describe_reveal(old) == "23h after posting"
    assert settings_from_json('{"difficulty_mix": []}').difficulty_mix == (
        GroupSettings().difficulty_mix
    )
    stored = GroupSettings(reveal_after=timedelta(minutes=90), founder="U1", blocked="gone")
    assert settings_from_json(settings_to_json(stored)) == stored


@pytest.mark.parametrize(
    ("text", "before", "shown"),
    [
        ("remind=2h", timedelta(hours=2), "2h before the reveal"),
        ("remind = 1h30m", timedelta(minutes=90), "1h30m before the reveal"),
        ("reminder=45m", timedelta(minutes=45), "45m before the reveal"),
        ("remind=22h", timedelta(hours=22), "22h before the reveal"),
        ("remind=OFF", None, "off"),
    ],
)
def test_a_reminder_before_the_reveal_or_none(
    text: str, before: timedelta | None, shown: str
) -> None:
    new, keys = apply_settings(GroupSettings(), text, CATS)
    assert keys == ["remind"] and new.remind_before == before
    assert describe_remind(new) == shown
    assert settings_from_json(settings_to_json(new)) == new


def test_a_reminder_comes_after_the_post_and_at_most_a_day_before_the_reveal() -> None:
    assert _problems("remind=23h") == (  # the default reveal: 23 hours after the post
        "remind=23h would come before the question is posted: the answer is revealed 23h "
        "after the post. Remind less than 23h before the reveal (e.g. remind=1h), or remind=off.",
    )
    at_five = GroupSettings(reveal_time=time(17, 0))  # posts at 09:00: 8 hours
    assert "remind=8h would come before" in _problems("remind=8h", at_five)[0]
    assert apply_settings(at_five, "remind=7h59m", CATS)[0].remind_before == timedelta(minutes=479)
    assert apply_settings(GroupSettings(), "reveal=3h remind=2h", CATS)[0].reveal_after == (
        timedelta(hours=3)
    )
    assert "remind=2h would come before" in _problems("reveal=2h remind=2h")[0]
    assert _problems("remind=25h") == (
        "remind='25h' is more than 24 hours before the reveal: give at most 24h, e.g. "
        "remind=2h, or remind=off.",
    )
    assert _problems("remind=abc") == (
        "remind='abc' is not a duration: give the time before the reveal, e.g. remind=2h or "
        "remind=1h30m, or remind=off.",
    )
    assert _problems("remind=0m")[0].startswith("remind='0m' would remind nobody")


def test_a_reveal_changed_later_keeps_the_reminder_setting() -> None:
    # The reminder is not checked again: a round whose reveal comes too soon gets none.
    new, _ = apply_settings(GroupSettings(), "reveal=1h", CATS)
    assert new.remind_before == timedelta(hours=2)


def test_holidays_are_set_replaced_and_cleared_as_one_setting() -> None:
    now = datetime(2026, 12, 8, 10, tzinfo=UTC)
    text = "holiday=2026-12-24..2026-12-26, 2027-01-01 time=10:00"
    new, keys = apply_settings(GroupSettings(), text, CATS, now=now)
    assert keys == ["holidays", "time"]
    christmas = {date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26)}
    assert new.holidays == {*christmas, date(2027, 1, 1)} and new.post_time == time(10, 0)
    replaced, _ = apply_settings(new, "holidays=2027-01-02", CATS, now=now)
    assert replaced.holidays == {date(2027, 1, 2)}  # a new list replaces the old
    cleared, _ = apply_settings(replaced, "holidays=none", CATS, now=now)
    assert cleared.holidays == frozenset()
    stored = settings_from_json(settings_to_json(new))
    assert stored == new and isinstance(stored.holidays, frozenset)
    assert settings_from_json("{}").holidays == frozenset()  # stored before holidays existed


def test_past_holidays_are_judged_by_the_groups_local_date_in_its_new_zone() -> None:
    now = datetime(2026, 12, 8, 20, tzinfo=UTC)  # already 9 December in Tokyo
    tokyo = GroupSettings(timezone="Asia/Tokyo")
    with pytest.raises(SettingsError, match="2026-12-08 is in the past"):
        apply_settings(tokyo, "holidays=2026-12-08", CATS, now=now)
    moved, _ = apply_settings(tokyo, "holidays=2026-12-08 tz=UTC", CATS, now=now)
    assert moved.holidays == {date(2026, 12, 8)} and moved.timezone == "UTC"
    with pytest.raises(SettingsError) as err:  # a bad zone is named, the date judged in the old
        apply_settings(tokyo, "tz=Mars/Olympus holidays=2026-12-08", CATS, now=now)
    assert len(err.value.problems) == 2 and "2026-12-08 is in the past" in err.value.problems[1]
