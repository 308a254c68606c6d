"""Which use-case serves each command, button and form: the table the front door dispatches on.

Two tables: what needs the channel's group (a command in a channel without
one is answered "not set up"), and what works anywhere (practice, help,
setup). A command missing from both stops the start.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot import appeal_messages as words
from bot import help_messages, messages, standing_replies
from bot import practice_messages as practice_words
from bot import question_messages as question_words
from bot.answers import AnswerService
from bot.appeals import AppealService
from bot.commands import COMMANDS
from bot.feedback import FeedbackService
from bot.groups import GroupService
from bot.model import ChannelRef, Group, MemberRef
from bot.periods import split_page_value, split_value
from bot.practice import HOLD_BACK, PracticeService
from bot.question_stats import QuestionStatsService
from bot.recap_messages import RECAP_BOARD, recap_board_week
from bot.reminder_messages import REMIND_ANSWER
from bot.reminders import ReminderService
from bot.replies import Reply
from bot.review_note_messages import START_REVIEW
from bot.review_notes import ReviewNoteService
from bot.rounds import RoundService
from bot.scoring import ScoringRules
from bot.standings import StandingsService
from bot.streaks import AwayService
from bot.votes import VoteService

__all__ = ["Anywhere", "Args", "InGroup", "Routes", "Services", "routes"]

Args = dict[str, str]
# A command or button that needs the channel's group, and one that works anywhere.
InGroup = Callable[[Group, MemberRef, ChannelRef, Args], Awaitable[Reply]]
Anywhere = Callable[[Group | None, MemberRef, ChannelRef, Args], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class Services:
    """The use-cases the front door hands work to."""

    groups: GroupService
    rounds: RoundService
    answers: AnswerService
    votes: VoteService
    feedback: FeedbackService
    practice: PracticeService
    standings: StandingsService
    appeals: AppealService
    questions: QuestionStatsService
    away: AwayService
    reminders: ReminderService
    review_notes: ReviewNoteService


@dataclass(frozen=True, slots=True)
class Routes:
    """The handlers by name: `studybot skip`, `button hint`, `form answer` ..."""

    in_group: dict[str, InGroup]
    anywhere: dict[str, Anywhere]


def routes(s: Services, rules: ScoringRules) -> Routes:
    """Return the handler of every command, button and form; fail if a command has none."""
    tz = _timezone
    in_group: dict[str, InGroup] = {
        "answer": lambda g, m, p, a: s.answers.privately(g, m, a.get("text")),
        "away": lambda g, m, p, a: s.away.away(g, m, a.get("days", "")),
        "studybot settings": lambda g, m, p, a: s.groups.change(g, a.get("changes", "")),
        "studybot pause": lambda g, m, p, a: s.groups.set_paused(g, True),
        "studybot resume": lambda g, m, p, a: s.groups.set_paused(g, False),
        "studybot skip": lambda g, m, p, a: s.rounds.skip(g),
        "studybot post-now": lambda g, m, p, a: s.rounds.post_now(g),
        "studybot reveal": lambda g, m, p, a: s.rounds.reveal_now(g),
        "button answer": lambda g, m, p, a: s.answers.form_for(g, a["value"]),
        "button hint": lambda g, m, p, a: s.feedback.round_hint(g, a.get("value")),
        "button feedback": lambda g, m, p, a: s.feedback.feedback(g, m, a["value"]),
        "form answer": lambda g, m, p, a: s.answers.from_form(g, m, a["value"], a["text"]),
    }
    anywhere: dict[str, Anywhere] = {
        "practice": lambda g, m, p, a: s.practice.start(
            m, p, g.id if g else None, a.get("category"), a.get("difficulty")
        ),
        "practice answer": lambda g, m, p, a: s.practice.answer(m, p, a["text"], tz(g)),
        "practice reveal": lambda g, m, p, a: s.practice.reveal(m, p, tz(g)),
        "review": lambda g, m, p, a: _review(s, g, m, p, a),
        # The daily note's button, in a private message: the reviews due, as `/review` gives.
        f"button {START_REVIEW}": lambda g, m, p, a: s.practice.review(
            m, p, g.id if g else None, tz(g)
        ),
        "hint": lambda g, m, p, a: s.feedback.hint(g, m, p),
        "help": lambda g, m, p, a: _reply(
            help_messages.help_reply(a.get("topic", "commands"), COMMANDS, rules, HOLD_BACK)
        ),
        "studybot setup": lambda g, m, p, a: s.groups.setup(p, a.get("settings", ""), m),
        "button practice-answer": lambda g, m, p, a: _reply(
            messages.answer_form(0, kind="practice-answer")
        ),
        "button practice-hint": lambda g, m, p, a: s.feedback.practice_hint(m, p),
        "button practice-reveal": lambda g, m, p, a: s.practice.reveal(m, p, tz(g)),
        "form practice-answer": lambda g, m, p, a: s.practice.answer(m, p, a["text"], tz(g)),
        f"button {practice_words.RATE}": lambda g, m, p, a: s.practice.rate(m, a["value"], tz(g)),
        # A reminder, in a private message, names its round: no channel says the group.
        "remind": lambda g, m, p, a: s.reminders.preference(m, a.get("choice")),
        f"button {REMIND_ANSWER}": lambda g, m, p, a: s.reminders.answer_form(m, a["value"]),
        f"form {REMIND_ANSWER}": lambda g, m, p, a: s.reminders.answer(m, a["value"], a["text"]),
    }
    in_group.update(_standings_in_group(s.standings))
    in_group.update(_questions_in_group(s.questions))
    in_group.update(_appeals_in_group(s.appeals))
    anywhere.update(_appeals_anywhere(s.appeals))
    missing = {c.name for c in COMMANDS} - set(in_group) - set(anywhere)
    if missing:
        raise RuntimeError(f"commands without a handler: {sorted(missing)}")
    return Routes(in_group, anywhere)


def _standings_in_group(standings: StandingsService) -> dict[str, InGroup]:
    """Return the leaderboards and stats, and the buttons that share, page and show a board."""
    return {
        "leaderboard": lambda g, m, p, a: standings.leaderboard(
            g,
            m,
            a.get("period"),
            shared="share" in a,
            when=a.get("when"),
            page=a.get("page"),
            category=a.get("category"),
            chart="chart" in a,
        ),
        "stats": lambda g, m, p, a: standings.stats(g, m),
        f"button {standing_replies.SHARE_LEADERBOARD}": lambda g, m, p, a: _share(
            standings, g, m, a
        ),
        f"button {standing_replies.LEADERBOARD_PAGE}": lambda g, m, p, a: _page(standings, g, m, a),
        f"button {RECAP_BOARD}": lambda g, m, p, a: _recap_board(standings, g, m, a),
    }


def _questions_in_group(questions: QuestionStatsService) -> dict[str, InGroup]:
    """Return question stats, and the reveal's "Report a problem" button and form."""
    report = question_words.REPORT
    return {
        "studybot question-stats": lambda g, m, p, a: questions.stats(g, a.get("days")),
        f"button {report}": lambda g, m, p, a: questions.report_form(g, a["value"]),
        f"form {report}": lambda g, m, p, a: questions.report(g, m, a["value"], a.get("note", "")),
    }


def _appeals_in_group(appeals: AppealService) -> dict[str, InGroup]:
    """Return the appeal commands, which act on the channel's group."""
    return {
        "appeal": lambda g, m, p, a: appeals.appeal_latest(g, m, a.get("note", "")),
        "studybot appeals": lambda g, m, p, a: appeals.open_appeals(g),
        "studybot regrade": lambda g, m, p, a: appeals.regrade_card(g, a["answer"]),
    }


def _appeals_anywhere(appeals: AppealService) -> dict[str, Anywhere]:
    """Return the appeal buttons and forms: each names its record, which names the group.

    An admin presses them in a private message as well as in the channel.
    """
    return {
        f"button {words.APPEAL}": lambda g, m, p, a: appeals.appeal_round(m, a["value"], None),
        f"form {words.APPEAL}": lambda g, m, p, a: appeals.appeal_round(m, a["value"], a["text"]),
        f"button {words.OPEN_APPEAL}": lambda g, m, p, a: appeals.appeal_card(
            m, a["value"], place=p
        ),
        f"button {words.REGRADE}": lambda g, m, p, a: appeals.change_form(m, a["value"], place=p),
        f"button {words.KEEP}": lambda g, m, p, a: appeals.keep(m, a["value"], place=p),
        f"button {words.JUDGE}": lambda g, m, p, a: appeals.peers.form(m, a["value"]),
        f"form {words.JUDGE}": lambda g, m, p, a: appeals.peers.vote(
            m, a["value"], a.get("covered", "")
        ),
        f"form {words.REGRADE}": lambda g, m, p, a: appeals.decide(
            m, a["value"], a.get("covered", ""), a.get("reason", ""), place=p
        ),
    }


def _share(
    standings: StandingsService, group: Group, member: MemberRef, a: Args
) -> Awaitable[Reply]:
    """Post the board a Share button names (`week`, `week 2026-W49 category=nlp`) in the channel."""
    period, when, category = split_value(a["value"])
    return standings.leaderboard(group, member, period, shared=True, when=when, category=category)


def _page(
    standings: StandingsService, group: Group, member: MemberRef, a: Args
) -> Awaitable[Reply]:
    """Show the member the board and page a Previous or Next button names (`week page=2`)."""
    period, when, category, page = split_page_value(a["value"])
    return standings.leaderboard(group, member, period, when=when, page=page, category=category)


async def _recap_board(
    standings: StandingsService, group: Group, member: MemberRef, a: Args
) -> Reply:
    """Show the member the full board of the week a recap's button names."""
    week = recap_board_week(a["value"], group.id)
    if week is None:
        return messages.error("That recap is not of this channel.")
    return await standings.leaderboard(group, member, "week", when=week)


def _review(
    s: Services, group: Group | None, member: MemberRef, place: ChannelRef, a: Args
) -> Awaitable[Reply]:
    """Start the member's reviews due (`/review`), or set their daily note (`/review remind`)."""
    if "remind" in a or "at" in a:
        return s.review_notes.preference(member, group, a.get("remind", "status"), a.get("at"))
    return s.practice.review(member, place, group.id if group else None, _timezone(group))


def _timezone(group: Group | None) -> str:
    return group.settings.timezone if group else "UTC"


async def _reply(reply: Reply) -> Reply:
    return reply
