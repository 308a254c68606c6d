"""The core's front door: every adapter event goes through `Core.handle`.

It parses commands against the command table, checks where and by whom they may
be used, and hands the work to the use-cases (rounds, groups, practice,
standings). Each command name maps to one handler in an explicit table.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from bot import messages, telemetry
from bot.clock import Clock
from bot.commands import COMMANDS, Command, UsageError, parse_command
from bot.content.bank import QuestionBank
from bot.grading import grade
from bot.groups import GroupService, may_administer
from bot.limits import MemberLimits
from bot.model import AnswerSource, ChannelRef, Group, MemberRef, Round, RoundStatus
from bot.ports import (
    ButtonPress,
    Event,
    FormSubmit,
    Invocation,
    MessageRemoved,
    ReactionAdded,
    ReactionRemoved,
    ReactionsCleared,
    ThreadReply,
)
from bot.practice import HOLD_BACK, PracticeService
from bot.replies import Reply, Visibility
from bot.rounds import RoundService
from bot.schedule import next_post_slot
from bot.scoring import ScoringRules, is_helpful
from bot.standings import StandingsService
from bot.store.database import DatabaseUnavailable
from bot.store.records import VoteReaction
from bot.store.sql_store import SqlStore

__all__ = ["Core"]

log = logging.getLogger(__name__)

Handler = Callable[["_Request"], Awaitable[Reply]]


# Rounds a form's answer may go to: the open one, or one revealed (or being revealed), late.
_ANSWERABLE = frozenset({RoundStatus.OPEN, RoundStatus.REVEALING, RoundStatus.REVEALED})


@dataclass(frozen=True, slots=True)
class _Request:
    command: Command
    args: dict[str, str]
    actor: MemberRef
    place: ChannelRef
    group: Group | None


class Core:
    """Turns adapter events into use-case calls and replies."""

    def __init__(
        self,
        store: SqlStore,
        bank: QuestionBank,
        clock: Clock,
        rounds: RoundService,
        groups: GroupService,
        practice: PracticeService,
        standings: StandingsService,
        rules: ScoringRules,
        limits: MemberLimits | None = None,
    ) -> None:
        self._store = store
        self._limits = limits
        self._bank = bank
        self._clock = clock
        self._rounds = rounds
        self._groups = groups
        self._practice = practice
        self._standings = standings
        self._rules = rules
        self._handlers: dict[str, Handler] = {
            "answer": self._cmd_answer,
            "practice": self._cmd_practice,
            "practice answer": self._cmd_practice_answer,
            "practice reveal": self._cmd_practice_reveal,
            "hint": self._cmd_hint,
            "leaderboard": self._cmd_leaderboard,
            "stats": self._cmd_stats,
            "help": self._cmd_help,
            "studybot setup": self._cmd_setup,
            "studybot settings": self._cmd_settings,
            "studybot pause": self._cmd_pause,
            "studybot resume": self._cmd_resume,
            "studybot skip": self._cmd_skip,
            "studybot post-now": self._cmd_post_now,
            "studybot reveal": self._cmd_reveal,
        }
        missing = {c.name for c in COMMANDS} - set(self._handlers)
        if missing:
            raise RuntimeError(f"commands without a handler: {sorted(missing)}")

    def dynamic_choices(self, kind: str | None) -> Iterable[str]:
        """Return the current choices of a dynamic parameter (e.g. `categories`)."""
        return self._bank.categories if kind == "categories" else ()

    async def answer_thread(self, place: ChannelRef) -> ChannelRef | None:
        """Return the thread where the channel's open question collects answers, if any."""
        group = await self._store.group_for_channel(place.channel())
        round_ = await self._open_round(group) if group is not None else None
        if round_ is None or round_.thread_id is None:
            return None
        return ChannelRef(place.platform, place.workspace_id, place.channel_id, round_.thread_id)

    async def member_overview(
        self, member: MemberRef, workspace_id: str
    ) -> list[tuple[ChannelRef, Reply]]:
        """Return the member's stats and weekly leaderboard in each group they have points in.

        Only the groups of the member's platform and workspace count (e.g. for
        Slack's App Home); a member who has not been scored anywhere gets [].
        """
        member_id = await self._store.member_id(member)
        overview: list[tuple[ChannelRef, Reply]] = []
        for group in await self._store.groups_scored_in(member_id, member.platform, workspace_id):
            stats = await self._standings.stats(group, member)
            board = await self._standings.leaderboard(group, member, "week")
            overview.append((group.channel, messages.overview_card(stats, board)))
        return overview

    @telemetry.observe_event
    async def handle(self, event: Event) -> list[Reply]:
        """Handle one event from an adapter and return the replies to show."""
        slowed = self._over_limit(event)
        if slowed is not None:
            return slowed
        try:
            match event:
                case Invocation():
                    return [await self._invoke(event)]
                case ThreadReply():
                    reply = await self._thread_reply(event)
                    return [reply] if reply is not None else []
                case MessageRemoved():
                    return await self._message_removed(event)
                case FormSubmit():
                    return [await self._form(event)]
                case ButtonPress():
                    return [await self._button(event)]
                case ReactionAdded() | ReactionRemoved():
                    await self._reaction(event)
                    return []
                case ReactionsCleared():
                    await self._reactions_cleared(event)
                    return []
        except UsageError as exc:
            return [messages.error(str(exc))]
        except DatabaseUnavailable as exc:
            log.warning("could not handle %s: %s", type(event).__name__, exc)
            return [
                messages.error(
                    "I can't reach my database right now, so I couldn't do that. "
                    "Please try again shortly; everything I confirmed before is safe."
                )
            ]
        except Exception:
            log.exception("could not handle %s", type(event).__name__)
            return [
                messages.error(
                    "Something went wrong on my side and I couldn't finish that. "
                    "Please try again in a moment."
                )
            ]
        return []

    def _over_limit(self, event: Event) -> list[Reply] | None:
        """Return the replies to an event its member sent too fast, or None to go ahead."""
        if self._limits is None or isinstance(event, ReactionsCleared):
            return None
        match event:
            case Invocation() | ButtonPress():
                kind = "command"
            case ThreadReply() | FormSubmit() | MessageRemoved():
                kind = "answer"
            case _:
                kind = "reaction"
        if self._limits.allow(kind, event.actor.platform, event.actor.user_id):
            return None
        log.info("%s of %s refused: over the member limit", kind, event.actor.user_id)
        if kind == "reaction":
            return []  # a reaction gets no reply either way
        return [messages.slow_down()]

    # -- commands -------------------------------------------------------------

    async def _invoke(self, inv: Invocation) -> Reply:
        parsed = parse_command(inv.command, inv.args, self.dynamic_choices)
        group = await self._store.group_for_channel(inv.place.channel())
        telemetry.bind_round(group_id=group.id if group else None)
        if parsed.command.admin and not may_administer(inv.actor, group):
            return messages.error(
                f"/{parsed.command.name} is for the channel's admins (people who may manage "
                "the channel, or who are listed in its settings)."
            )
        request = _Request(parsed.command, dict(parsed.args), inv.actor, inv.place, group)
        return await self._handlers[parsed.command.name](request)

    @staticmethod
    def _not_set_up() -> Reply:
        return messages.error(
            "Daily questions aren't set up in this channel yet. "
            "An admin can start them with /studybot setup."
        )

    async def _open_round(self, group: Group) -> Round | None:
        return await self._store.current_round(group.id)

    def _no_open_round(self, group: Group) -> Reply:
        upcoming = next_post_slot(group.settings, self._clock.now())
        when = (
            f" The next one comes {messages.local_time(upcoming.at, group.settings.timezone)}."
            if upcoming and not group.settings.paused
            else ""
        )
        return messages.error(f"There is no open question here right now.{when}")

    async def _cmd_answer(self, req: _Request) -> Reply:
        if req.group is None:
            return self._not_set_up()
        round_ = await self._open_round(req.group)
        if round_ is None:
            return self._no_open_round(req.group)
        text = req.args.get("text")
        if text is None:
            return messages.answer_form(round_.id)
        return await self._rounds.answer(req.group, round_, req.actor, text, AnswerSource.PRIVATE)

    async def _cmd_practice(self, req: _Request) -> Reply:
        return await self._practice.start(
            req.actor,
            req.place,
            req.group.id if req.group else None,
            req.args.get("category"),
            req.args.get("difficulty"),
        )

    def _timezone(self, group: Group | None) -> str:
        return group.settings.timezone if group else "UTC"

    async def _cmd_practice_answer(self, req: _Request) -> Reply:
        return await self._practice.answer(
            req.actor, req.place, req.args["text"], self._timezone(req.group)
        )

    async def _cmd_practice_reveal(self, req: _Request) -> Reply:
        return await self._practice.reveal(req.actor, req.place, self._timezone(req.group))

    async def _cmd_hint(self, req: _Request) -> Reply:
        practice_hint = await self._practice.hint(req.actor, req.place)
        if practice_hint is not None:
            return practice_hint
        if req.group is None:
            return messages.error("You have no practice question open. Get one with /practice.")
        return await self._round_hint(req.group, None)

    async def _round_hint(self, group: Group, round_id: str | None) -> Reply:
        round_ = await self._round_from_value(group, round_id)
        if round_ is None:
            return self._no_open_round(group)
        question = self._bank.get(round_.question_id)
        if question is None:
            return messages.error("That question is no longer in the bank.")
        return messages.hint_reply(question, for_practice=False)

    async def _round_from_value(self, group: Group, value: str | None) -> Round | None:
        if value and value.isdigit():
            round_ = await self._store.get_round(int(value))
            if round_ is not None and round_.group_id == group.id:
                return round_
            return None
        return await self._open_round(group)

    async def _cmd_leaderboard(self, req: _Request) -> Reply:
        if req.group is None:
            return self._not_set_up()
        return await self._standings.leaderboard(
            req.group, req.actor, req.args.get("period", "week")
        )

    async def _cmd_stats(self, req: _Request) -> Reply:
        if req.group is None:
            return self._not_set_up()
        return await self._standings.stats(req.group, req.actor)

    async def _cmd_help(self, req: _Request) -> Reply:
        topic = req.args.get("topic", "commands")
        if topic == "scoring":
            return messages.info(messages.scoring_help(self._rules, HOLD_BACK), title="Scoring")
        admin = topic == "admin"
        shown = [c for c in COMMANDS if c.admin == admin]
        lines = [f"`{c.usage}` — {c.summary}" for c in shown]
        title = "Admin commands" if admin else "Commands"
        more = (
            "\n\nPractice never gives today's daily question "
            f"(nor one from the last {HOLD_BACK.days} days). "
            "`/help scoring` explains points and streaks; `/help admin` lists the "
            "admin commands."
            if not admin
            else "\n\nSettings: time, tz, days, categories, "
            "difficulty, reveal, admins — e.g. `/studybot settings time=08:30 "
            "tz=Europe/Paris days=mon-fri reveal=18:00`.\n" + messages.schedule_rules()
        )
        return messages.info("\n".join(lines) + more, title=title)

    async def _cmd_setup(self, req: _Request) -> Reply:
        return await self._groups.setup(req.place, req.args.get("settings", ""))

    async def _cmd_settings(self, req: _Request) -> Reply:
        if req.group is None:
            return self._not_set_up()
        return await self._groups.change(req.group, req.args.get("changes", ""))

    async def _cmd_pause(self, req: _Request) -> Reply:
        if req.group is None:
            return self._not_set_up()
        return await self._groups.set_paused(req.group, True)

    async def _cmd_resume(self, req: _Request) -> Reply:
        if req.group is None:
            return self._not_set_up()
        return await self._groups.set_paused(req.group, False)

    async def _cmd_skip(self, req: _Request) -> Reply:
        if req.group is None:
            return self._not_set_up()
        skipped = await self._rounds.skip_next(req.group)
        if skipped is None:
            return messages.error("There is no scheduled question to skip.")
        return messages.info(
            f"The question of {skipped:%A %d %B} will be skipped.", Visibility.PUBLIC
        )

    async def _cmd_post_now(self, req: _Request) -> Reply:
        if req.group is None:
            return self._not_set_up()
        today = self._clock.now().astimezone(req.group.settings.zone).date()
        existing = await self._store.round_on(req.group.id, today)
        if existing is not None:
            state = {RoundStatus.SKIPPED: "was skipped", RoundStatus.MISSED: "was missed"}.get(
                existing.status, "is already posted"
            )
            return messages.error(f"Today's question {state}; there is one round a day.")
        posted = await self._rounds.post_now(req.group)
        if posted is None:
            return messages.error(
                "I couldn't post the question just now; I'll keep trying for a while."
            )
        return messages.info("Posted today's question.")

    async def _cmd_reveal(self, req: _Request) -> Reply:
        if req.group is None:
            return self._not_set_up()
        round_ = await self._open_round(req.group)
        if round_ is None or not await self._rounds.reveal(round_.id):
            return messages.error("There is no open question to reveal.")
        return messages.info("Revealed the answer.")

    # -- other events ---------------------------------------------------------

    async def _thread_reply(self, event: ThreadReply) -> Reply | None:
        if event.place.thread_id is None:
            return None
        group = await self._store.group_for_channel(event.place.channel())
        if group is None:
            return None
        round_ = await self._store.round_by_thread(group.id, event.place.thread_id)
        if round_ is None:
            return None
        if round_.status is not RoundStatus.OPEN:
            member_id = await self._store.member_id(event.actor)
            existing = await self._store.member_answer(round_.id, member_id)
            if existing is not None and not existing.late:
                return None  # talk after the reveal, not a new answer
        return await self._rounds.answer(
            group, round_, event.actor, event.text, AnswerSource.THREAD, event.message_id
        )

    async def _message_removed(self, event: MessageRemoved) -> list[Reply]:
        group = await self._store.group_for_channel(event.place.channel())
        if group is None or event.place.thread_id is None:
            return []
        round_ = await self._store.round_by_thread(group.id, event.place.thread_id)
        if round_ is None:
            return []
        member_id = await self._store.member_id(event.actor)
        if await self._store.withdraw_answer(round_.id, member_id, event.message_id):
            return [messages.info("Your answer was withdrawn with the deleted message.")]
        return []

    async def _reaction(self, event: ReactionAdded | ReactionRemoved) -> None:
        """Count or uncount a helpful vote; a reaction gets no reply either way."""
        if not is_helpful(event.emoji):
            return
        group = await self._store.group_for_channel(event.place.channel())
        if group is None:
            return
        voter = await self._store.member_id(event.actor)
        helpful = isinstance(event, ReactionAdded)
        now = self._clock.now()
        reaction = VoteReaction(event.emoji, event.burst)
        if await self._store.set_vote(group.id, event.message_id, voter, reaction, helpful, now):
            log.debug("group %d: helpful vote %s", group.id, "added" if helpful else "taken back")

    async def _reactions_cleared(self, event: ReactionsCleared) -> None:
        """Take back every helpful vote on a message whose 👍s a moderator removed."""
        if event.emoji is not None and not is_helpful(event.emoji):
            return
        group = await self._store.group_for_channel(event.place.channel())
        if group is not None:
            await self._store.clear_votes(group.id, event.message_id, event.emoji)

    async def _form(self, event: FormSubmit) -> Reply:
        text = event.values.get("text", "")
        if event.form == "practice-answer":
            group = await self._store.group_for_channel(event.place.channel())
            return await self._practice.answer(
                event.actor, event.place, text, self._timezone(group)
            )
        if event.form != "answer":
            return messages.error("That form has expired. Please start again.")
        group = await self._store.group_for_channel(event.place.channel())
        if group is None:
            return self._not_set_up()
        round_ = await self._round_from_value(group, event.value)
        if round_ is None:
            return self._no_open_round(group)
        if round_.status not in _ANSWERABLE:
            # A form names its round; only the open one (or a revealed one, late) takes answers.
            return messages.error("That question was never asked here, so it takes no answers.")
        return await self._rounds.answer(group, round_, event.actor, text, AnswerSource.PRIVATE)

    async def _button(self, event: ButtonPress) -> Reply:
        group = await self._store.group_for_channel(event.place.channel())
        if event.action == "practice-answer":
            return messages.answer_form(0, kind="practice-answer")
        if event.action == "practice-hint":
            hint = await self._practice.hint(event.actor, event.place)
            return hint or messages.error("That practice question is finished. Try /practice.")
        if event.action == "practice-reveal":
            return await self._practice.reveal(event.actor, event.place, self._timezone(group))
        if group is None:
            return self._not_set_up()
        if event.action == "answer":
            round_ = await self._round_from_value(group, event.value)
            if round_ is None or round_.status is not RoundStatus.OPEN:
                return messages.error("That question is closed; its answer has been revealed.")
            return messages.answer_form(round_.id)
        if event.action == "hint":
            return await self._round_hint(group, event.value)
        if event.action == "feedback":
            return await self._feedback(group, event.actor, event.value)
        return messages.error("That button has expired.")

    async def _feedback(self, group: Group, actor: MemberRef, value: str) -> Reply:
        round_ = (
            await self._store.get_round(int(value))
            if value.isdigit()
            else await self._store.latest_revealed_round(group.id)
        )
        if round_ is None or round_.group_id != group.id:
            return messages.error("That round is not in this channel.")
        question = self._bank.get(round_.question_id)
        member_id = await self._store.member_id(actor)
        answer = await self._store.member_answer(round_.id, member_id)
        if question is None or answer is None:
            return messages.error("You didn't answer that question. There's always tomorrow!")
        coverage = grade(answer.text, question.key_points)
        return messages.feedback_reply(
            question, coverage, answer.points, answer.late, answer.helpful_votes
        )
