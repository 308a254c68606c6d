"""A hand-written in-memory store for the services' unit tests: the ports, without SQL.

It keeps plain dicts and follows the rules the real store keeps in SQL, so a
service test checks the service's own rules, quickly, without a database. Like
`bot.store.sql_store.SqlStore`, it combines one mixin per area over a shared base
(`tests.services.memory_base.MemoryBase`, the dicts and the reads):

- `MemoryGroups` (memory_groups): groups, their settings, members;
- `MemoryRounds` (memory_rounds): claims, posts, leases, reveals' status, look-ups;
- `MemoryAnswers` (memory_answers): answers and helpful votes;
- `MemoryScores` (memory_scores): a reveal's results, leaderboards, members' stats;
- `MemoryPractice` (memory_practice): practice attempts and reviews;
- `MemoryAppeals` (memory_appeals): appeals, and answers as an admin regrades them;
- `MemoryQuestions` (memory_questions): rounds' figures, problem reports;
- `MemoryPrivate` (memory_private): members whose direct messages are closed;
- `MemoryStreaks` (memory_streaks): away days, streaks a reveal may bridge;
- `MemoryCharts` (memory_charts): what the charts read.
"""

from __future__ import annotations

from tests.services.memory_answers import MemoryAnswers
from tests.services.memory_appeals import MemoryAppeals
from tests.services.memory_charts import MemoryCharts
from tests.services.memory_groups import MemoryGroups
from tests.services.memory_practice import MemoryPractice
from tests.services.memory_private import MemoryPrivate
from tests.services.memory_questions import MemoryQuestions
from tests.services.memory_rounds import MemoryRounds
from tests.services.memory_scores import MemoryScores
from tests.services.memory_streaks import MemoryStreaks

__all__ = ["MemoryStore"]


class MemoryStore(
    MemoryGroups,
    MemoryRounds,
    MemoryAnswers,
    MemoryScores,
    MemoryPractice,
    MemoryAppeals,
    MemoryQuestions,
    MemoryPrivate,
    MemoryStreaks,
    MemoryCharts,
):
    """Groups, rounds, answers, scores and practice in dicts; every port of bot.store_ports.

    Built as `MemoryStore(owner="local")`: `owner` names this process in leases.
    """
