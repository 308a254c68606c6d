"""Per-member limits: a burst, then a steady rate; one member's flood never slows another."""

from __future__ import annotations

import io
from pathlib import Path

from adapters.console.chat import ConsoleChat
from bot.app import build_app
from bot.clock import ManualClock
from bot.config import Config
from bot.content.bank import QuestionBank
from bot.limits import Limit, MemberLimits, TokenBucket
from bot.model import ChannelRef, MemberRef
from bot.ports import Invocation, ReactionAdded, ThreadReply
from tests.conftest import FIXTURE_CONTENT
from tests.store.conftest import START


class Seconds:
    """A hand-moved monotonic clock."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_burst_then_one_event_per_interval() -> None:
    bucket = TokenBucket(Limit(burst=3, every_seconds=2.0), 3.0, 0.0)
    assert [bucket.take(0.0) for _ in range(4)] == [True, True, True, False]
    assert not bucket.take(1.9)
    assert bucket.take(2.1)  # one token back after 2 s
    assert not bucket.take(2.2)
    assert not bucket.full(3.0) and bucket.full(9.0)
    assert [bucket.take(100.0) for _ in range(4)] == [True, True, True, False]  # never above 3


def test_limits_are_per_member_and_per_kind() -> None:
    seconds = Seconds()
    limits = MemberLimits({"command": Limit(2, 10.0), "reaction": Limit(1, 1.0)}, seconds)
    assert limits.allow("command", "discord", "1") and limits.allow("command", "discord", "1")
    assert not limits.allow("command", "discord", "1")
    assert limits.allow("command", "discord", "2")  # another member
    assert limits.allow("command", "slack", "1")  # the same id on another platform
    assert limits.allow("reaction", "discord", "1")  # another kind
    assert limits.allow("answer", "discord", "1")  # a kind without a limit
    seconds.now += 10.0
    assert limits.allow("command", "discord", "1")


async def test_a_flooding_member_is_told_to_slow_down_and_others_are_not(
    tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    config = Config(database_url=f"sqlite:///{tmp_path / 'b.sqlite3'}", content_dir=FIXTURE_CONTENT)
    app = await build_app(config, ConsoleChat(io.StringIO()), ManualClock(START), bank=fixture_bank)
    await app.start()
    try:
        place = ChannelRef("console", "local", "general")
        flood, other = MemberRef("console", "f", "Flood"), MemberRef("console", "o", "Other")
        replies = [
            (await app.core.handle(Invocation("leaderboard", "", flood, place)))[0]
            for _ in range(12)
        ]
        slowed = [r for r in replies if "going faster than I can keep up" in r.text]
        assert len(slowed) == 2 and all(r.is_error for r in slowed)  # a burst of 10, then no
        [fine] = await app.core.handle(Invocation("leaderboard", "", other, place))
        assert "going faster" not in fine.text
        thread = ChannelRef("console", "local", "general", "t1")
        answers = [
            await app.core.handle(ThreadReply(thread, flood, f"edit {n}", "m1")) for n in range(9)
        ]
        assert "going faster" in answers[-1][0].text  # 8 answers at once, then slow down
        votes = [await app.core.handle(ReactionAdded(thread, other, "m1", "👍")) for _ in range(21)]
        assert votes == [[]] * 21  # a reaction never gets a reply, refused or not
    finally:
        await app.stop()
