"""A member's overview (Slack's Home tab) reads the member's groups, not every group."""

from __future__ import annotations

from typing import Any

from bot.model import MemberRef
from tests.conftest import Console


class QueryCounter:
    """Counts the statements a database runs, passing each one on."""

    def __init__(self, db: Any) -> None:
        self.count = 0
        self._db = db
        self._originals = {name: getattr(db, name) for name in ("fetch", "fetchrow")}
        for name, original in self._originals.items():
            setattr(db, name, self._counting(original))

    def _counting(self, original: Any) -> Any:
        async def run(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return await original(*args, **kwargs)

        return run

    def stop(self) -> None:
        for name in self._originals:
            delattr(self._db, name)


async def test_the_overview_costs_the_same_however_many_groups_there_are(
    console: Console,
) -> None:
    await console.run("/studybot setup time=09:00 tz=UTC days=daily reveal=17:00")
    await console.run(":at 2026-11-30T09:00", "bias and variance", ":at 2026-11-30T17:00")
    alice = MemberRef("console", "alice", "Alice")

    async def queries() -> int:
        counter = QueryCounter(console.app.store.db)
        try:
            overview = await console.app.core.member_overview(alice, "local")
        finally:
            counter.stop()
        assert [place.channel_id for place, _ in overview] == ["general"]
        return counter.count

    few = await queries()
    for n in range(40):  # groups she has no points in
        await console.run(f":channel quiet{n}", "/studybot setup time=09:00 tz=UTC days=daily")
    assert await queries() == few
