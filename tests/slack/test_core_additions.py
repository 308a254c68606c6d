"""The core additions the Slack adapter uses: a member's overview, and reveal keys."""

from __future__ import annotations

from bot import messages, standing_replies
from bot.model import ChannelRef, MemberRef
from bot.ports import Invocation
from bot.replies import Field, Reply
from tests.conftest import Console


def test_a_reveal_key_names_its_round_post() -> None:
    assert messages.round_key_of_reveal(messages.reveal_post_key(12)) == messages.round_post_key(12)
    assert messages.round_key_of_reveal(messages.round_post_key(12)) is None
    assert messages.round_key_of_reveal("reveal-") is None
    assert messages.round_key_of_reveal("reveal-x1") is None


def test_the_overview_card_adds_the_leaderboard_to_the_stats() -> None:
    stats = Reply(title="Stats · Ann", fields=(Field("Points", "3"),))
    board = Reply(title="Leaderboard · this week", text="1. Ann — 3")
    card = standing_replies.overview_card(stats, board)
    assert card.title == "Stats · Ann"
    assert card.fields == (Field("Points", "3"), Field("Leaderboard · this week", "1. Ann — 3"))


async def test_member_overview_covers_the_groups_a_member_has_points_in(console: Console) -> None:
    await console.run("/studybot setup time=09:00 tz=UTC days=daily reveal=17:00")
    await console.run(":channel quiet", "/studybot setup time=09:00 tz=UTC days=daily")
    await console.run(":channel general", ":at 2026-11-30T09:00", "bias and variance")
    await console.run(":at 2026-11-30T17:00")
    alice = MemberRef("console", "alice", "Alice")
    overview = await console.app.core.member_overview(alice, "local")
    assert [place.channel_id for place, _ in overview] == ["general"]
    card = overview[0][1]
    names = [f.name for f in card.fields]
    assert "Streak" in names and "Leaderboard · this week" in names
    assert any("Alice" in f.value for f in card.fields if f.name.startswith("Leaderboard"))
    assert await console.app.core.member_overview(alice, "another-workspace") == []
    newcomer = MemberRef("console", "zed", "Zed")
    assert await console.app.core.member_overview(newcomer, "local") == []
    other = ChannelRef("console", "local", "general")
    replies = await console.app.core.handle(Invocation("stats", "", alice, other))
    assert replies[0].title == card.title
