"""The words of `/help` and of a channel's settings: commands, scoring rules, schedule rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from bot.command_refs import mention
from bot.commands import GROUP_SUMMARIES, Command, group_commands
from bot.group_settings import describe_mix, describe_posts, describe_reveal
from bot.holidays import describe_holidays, upcoming_holidays
from bot.markup import user_text
from bot.messages import info
from bot.model import Group
from bot.remind_setting import describe_remind
from bot.replies import Field, Reply
from bot.scoring import HELPFUL, ScoringRules
from bot.streak_guard import FREEZE_EVERY, MAX_FREEZES

__all__ = [
    "help_reply",
    "schedule_rules",
    "scoring_help",
    "settings_reply",
    "subcommands_reply",
    "thread_answer_rules",
]

_EXAMPLE_CHANGES = "time=08:30 tz=Europe/Paris days=mon-fri reveal=18:00"


def help_reply(
    topic: str, commands: Sequence[Command], rules: ScoringRules, practice_hold_back: timedelta
) -> Reply:
    """Return `/help` on a topic: the commands, the admin commands, or scoring."""
    if topic == "scoring":
        return info(scoring_help(rules, practice_hold_back), title="Scoring")
    admin = topic == "admin"
    lines = [f"`{c.usage}` — {c.summary}" for c in commands if c.admin == admin]
    if admin:
        more = (
            "\n\nSettings: time, tz, days, categories, difficulty, reveal, admins, appeals, "
            "recap, holidays, remind, web — e.g. "
            f"`{mention('studybot settings', _EXAMPLE_CHANGES)}`. "
            "Extra admins: mention them, `admins=@alice,@bob`; `admins=none` lists nobody. "
            "Admin replies are for you alone; the channel hears one line when questions "
            "start, pause or resume, or their time, days, time zone, reveal or holidays change. "
            "Appeals reach the listed admins and the founder privately; any admin sees the "
            f"open ones with `{mention('studybot appeals')}`. Nobody decides on their own "
            "answer, and the first decision wins. With `appeals=peers`, three members who "
            "answered the same question judge instead, privately and without seeing whose "
            "answer it is; two of three decide each key point (with fewer than three such "
            "members, the admins decide; an appeal still undecided a day later goes to the "
            "admins too). `recap=off` stops the weekly recap of last week "
            "(its top three, most improved, most helpful and hardest question), posted "
            "before the week's first question. `holidays=2026-12-24..2026-12-26,2027-01-01` "
            "names local dates with no question (a new list replaces the old; "
            "`holidays=none` clears it). "
            "`remind=2h` (the default; `remind=1h30m`, "
            "`remind=off`) sends members who answered in the last 14 days and not yet today a "
            "private reminder that long before the reveal; nobody is named in the channel, and "
            f"a member stops theirs with `{mention('remind', 'off')}`. `web=on` gives you a "
            "private link to a read-only web archive of past rounds, results and leaderboards "
            "(`web=answers` shows answers too, `web=off` revokes the link).\n" + schedule_rules()
        )
    else:
        more = (
            "\n\nPractice never gives today's daily question "
            f"(nor one from the last {practice_hold_back.days} days). "
            f"`{mention('help', 'scoring')}` explains points and streaks; "
            f"`{mention('help', 'admin')}` lists the admin commands."
        )
    if not admin:
        more = "\n\n" + thread_answer_rules() + more
    return info("\n".join(lines) + more, title="Admin commands" if admin else "Commands")


def subcommands_reply(group: str) -> Reply:
    """Return the answer to a group of commands given alone (`/studybot`): its subcommands."""
    lines = [f"`{c.usage}` — {c.summary}" for c in group_commands(group)]
    more = f"\n\n`{mention('help')}` explains every command, and how scoring works."
    return info("\n".join(lines) + more, title=GROUP_SUMMARIES.get(group, group))


def settings_reply(
    group: Group, categories: Sequence[str], title: str, today: date, archive: str = "off"
) -> Reply:
    """Return a group's settings; `today` (the group's local date) leaves past holidays out.

    `archive` is the web archive's state as shown (`on (answers hidden)`), never its link.
    """
    s = group.settings
    fields = (
        Field(
            "Posts",
            describe_posts(s) + (" — **paused**" if s.paused else ""),
        ),
        *(
            (Field("Stopped", f"{s.blocked} Fix it, then `{mention('studybot resume')}`."),)
            if s.blocked
            else ()
        ),
        Field("Reveal", describe_reveal(s)),
        Field("Categories", ", ".join(s.categories) if s.categories else "all"),
        Field("Difficulty mix", describe_mix(s.difficulty_mix)),
        Field("Extra admins", ", ".join(user_text(a) for a in s.admins) or "none"),
        Field(
            "Appeals",
            "three members who answered the same question decide"
            if s.appeals == "peers"
            else "the admins decide",
        ),
        Field("Weekly recap", "on" if s.recap else "off"),
        Field("Holidays", describe_holidays(upcoming_holidays(s.holidays, today))),
        Field("Reminder", describe_remind(s)),
        Field("Web archive", archive),
    )
    return Reply(
        title=title,
        text=f"Change with `{mention('studybot settings', 'key=value ...')}`, keys: time, tz, "
        f"days, categories, difficulty, reveal, admins, appeals, recap, holidays, remind, web. "
        f"Categories: {', '.join(categories)}.",
        fields=fields,
    )


def thread_answer_rules() -> str:
    """Return how messages in a question's thread make up a member's answer, and when not."""
    return (
        "**Answering in the thread:** until the reveal, everything you write in the "
        "question's thread is your answer, in order, scored as one text: each message adds "
        "to it (➕). Editing a message changes only that part; deleting it takes that part "
        "out (deleting the last one withdraws your answer). A reply to someone else's "
        "message (on Slack, a message that mentions someone) is discussion, not part of your "
        f"answer. `{mention('answer')}` replaces your whole answer; messages after it add "
        "to it. After the reveal your on-time answer stands as it was; if you hadn't "
        "answered, a message in the thread is a late answer (feedback, no points)."
    )


def schedule_rules() -> str:
    """Return how post and reveal times behave in the channel's time zone, DST nights included."""
    return (
        "Times are the channel's local time (`tz=`). On the night summer time ends, a "
        "`time=` or `reveal=` time in the hour the clocks repeat happens once, the first "
        "time the clock shows it. On the night summer time starts, a time in the hour the "
        "clocks skip happens when they jump (02:30 becomes 03:00 in Europe/Berlin). A "
        "reveal delay such as `reveal=23h` is elapsed time: across a change it ends an hour "
        "earlier or later on the clock."
    )


def scoring_help(rules: ScoringRules, practice_hold_back: timedelta) -> str:
    """Return the scoring rules as text."""
    return (
        "**How points work**\n"
        f"- Answering a daily question before the reveal: {rules.participation} points, "
        "for a real attempt: sentences in your own words. A blank, punctuation, the question "
        "pasted back or a list of terms earns nothing (you are told at once, and can change "
        "it).\n"
        f"- Coverage: up to {rules.coverage_bonus} more, in proportion to the key points "
        "your answer states (typos and word forms are forgiven; a point counts when a "
        "sentence of yours claims it, not when its words appear; My feedback quotes the "
        "words that covered each one).\n"
        f"- Streak: {rules.streak_bonus} more per consecutive answered round beyond the "
        f"first, at most {rules.streak_bonus_cap}. Missing a round resets the streak, "
        f"unless a streak freeze keeps it: you earn one every {FREEZE_EVERY} answered rounds "
        f"in a row (holding at most {MAX_FREEZES}), and are told privately when one is "
        f"used. Days you set with `{mention('away', '2026-12-20..2026-12-27')}` keep it "
        "too, with no freeze used.\n"
        f"- Helpful votes: react {HELPFUL} to someone's answer in the round's thread before "
        f"the reveal; each vote gives its author {rules.helpful_vote} more, at most "
        f"{rules.helpful_cap}. Your own answer can't be voted for by you.\n"
        "- Answers after the reveal are kept and get feedback, but earn no points.\n"
        "- Think the grader missed something? For 48 hours after the reveal, Appeal on "
        f"My feedback (or `{mention('appeal')}`) asks the channel's admins to look. If they "
        "change the grade, your points, streak and every leaderboard that counts that round "
        "follow, and you are told privately why.\n"
        "- Practice questions earn no points: they feed your review schedule. After each one "
        "you rate your recall (Again, Hard, Good, Easy; your coverage picks one until you "
        "press another) and FSRS, the scheduler Anki uses, says when it comes back; "
        f"{mention('review')} gives the ones due, and "
        f"{mention('review', 'remind on 18:30')} sends you a private note at that time "
        "(your group's time zone) each day some are due. Practice never "
        "gives a question that is a daily question in your groups, before its reveal or in "
        f"the {practice_hold_back.days} days after it; before the reveal, the round's "
        f"{mention('hint')} "
        "is its only help.\n"
        "- Leaderboards: this week, this month and all time; ties go to whoever got there first."
    )
