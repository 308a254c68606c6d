"""The web archive end to end: an admin turns it on in the console, a member reads it over HTTP."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from unittest import mock

import pytest
from aiohttp.test_utils import make_mocked_request

from bot.content.bank import QuestionBank
from bot.web.site import SECURITY_HEADERS, RateLimit, client_address
from tests.conftest import CONSOLE_START, Console, console_on, open_console
from tests.png import png_size
from tests.web.archive_play import (
    EVIL,
    GOOD_ANSWER,
    PATH,
    SETUP,
    archive_client,
    play_rounds,
    served_archive,
    turn_on,
)

ROUND_LINK = re.compile(r'href="/archive/[^/]+/rounds/(\d+)"')
MEMBER_LINK = re.compile(r'href="/archive/[^/]+/members/(\d+)">Bea<')


@pytest.fixture
async def played(tmp_path: Path, fixture_bank: QuestionBank) -> Console:
    c = await open_console(
        tmp_path / "bot.sqlite3", fixture_bank, CONSOLE_START, public_url="https://bot.example.org/"
    )
    await play_rounds(c)
    yield c
    await c.app.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
async def both(
    request: pytest.FixtureRequest, tmp_path: Path, fixture_bank: QuestionBank
) -> AsyncIterator[Console]:
    """Two rounds played on the console, on a real SQLite file, then on PostgreSQL."""
    async with console_on(request.param, tmp_path, fixture_bank) as c:
        await play_rounds(c)
        yield c


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
async def test_web_on_gives_a_private_link_that_works_until_web_off(
    database: str, tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    async with console_on(database, tmp_path, fixture_bank) as c:
        await play_rounds(c)
        out = await c.run(":as Alice", "/studybot settings web=on")
        assert "[only Alice sees this]" in out and "STUDYBOT_PUBLIC_URL" in out
        path = PATH.search(out)
        assert path is not None
        token = path.group(1)
        shown = await c.run("/studybot settings")
        assert "Web archive" in shown and "on (answers hidden)" in shown and token not in shown
        async with archive_client(c.app) as client:
            page = await client.get(path.group(0))
            assert page.status == 200
            assert "Past rounds" in await page.text()
            unknown = await client.get("/archive/" + "x" * 43 + "/")
            await c.run("/studybot settings web=off")
            assert "-- Web archive --\n  off" in await c.run("/studybot settings")
            revoked = await client.get(path.group(0))
            assert revoked.status == unknown.status == 404
            assert await revoked.text() == await unknown.text()
            again = PATH.search(await c.run("/studybot settings web=on"))
            assert again is not None and again.group(1) != token
            assert (await client.get(again.group(0))).status == 200
            assert (await client.get(path.group(0))).status == 404  # the old link stays dead
        row = await c.app.store.archive_of(1)
        assert row is not None and token not in row.token_hash and len(row.token_hash) == 64


async def test_the_link_starts_with_the_public_url_and_a_bad_choice_changes_nothing(
    played: Console,
) -> None:
    out = await played.run(":as Alice", "/studybot settings web=maybe")
    assert "web='maybe' is not a choice" in out and "Nothing was changed" in out
    assert "on (answers" not in await played.run("/studybot settings")
    out = await played.run("/studybot settings web=on")
    assert re.search(r"https://bot\.example\.org/archive/[A-Za-z0-9_\-]{43}/\n", out)
    # Turning answers on keeps the link the admin has: no new one is shown.
    out = await played.run("/studybot settings web=answers")
    assert "on (answers shown)" in out and not PATH.search(out)


async def test_pages_show_rounds_results_boards_and_progress(both: Console) -> None:
    path = await turn_on(both)
    async with archive_client(both.app) as client:
        listed = await (await client.get(path)).text()
        assert '<html lang="en">' in listed and "2 revealed rounds, newest first" in listed
        assert listed.index("2026-12-01") < listed.index("2026-11-30")
        round_id = ROUND_LINK.findall(listed)[-1]  # the oldest: answered by both
        page = await (await client.get(f"{path}rounds/{round_id}")).text()
        assert "Round of 2026-11-30" in page and "Compare L1 and L2 regularization" in page
        assert "Elastic net mixes both." in page  # the reference answer
        assert "<li>L1 gives sparse weights</li>" in page  # a key point
        assert re.search(r">Bea</a></td><td>17</td><td>33%</td><td>1 of 3</td>", page)
        assert GOOD_ANSWER not in page  # answers are hidden unless web=answers
        board = await (await client.get(f"{path}leaderboard?period=all")).text()
        assert "Leaderboard: all time" in board and "2 members with points" in board
        assert re.search(r"<td>1</td><td><a [^>]+>Bea</a></td><td>36</td><td>2</td>", board)
        week = await (await client.get(f"{path}leaderboard?period=week&when=2026-W49")).text()
        assert "Bea" in week
        member_id = MEMBER_LINK.search(board)
        assert member_id is not None
        member = await (await client.get(f"{path}members/{member_id.group(1)}")).text()
        assert "<h1>Bea</h1>" in member and "<dd>2</dd>" in member and "Algorithms" in member
        chart = await client.get(f"{path}members/{member_id.group(1)}/chart.png")
        assert chart.headers["Content-Type"] == "image/png"
        assert png_size(await chart.read())[0] == 800
        style = await client.get("/archive/static/site.css")
        assert style.headers["Content-Type"].startswith("text/css")


async def test_answers_show_only_with_web_answers(both: Console) -> None:
    path = await turn_on(both, "answers")
    async with archive_client(both.app) as client:
        listed = await (await client.get(path)).text()
        round_url = f"{path}rounds/{ROUND_LINK.findall(listed)[-1]}"
        assert GOOD_ANSWER in await (await client.get(round_url)).text()
        await both.run("/studybot settings web=on")
        assert GOOD_ANSWER not in await (await client.get(round_url)).text()


async def test_member_names_are_escaped_and_never_markup(played: Console) -> None:
    path = await turn_on(played, "answers")
    async with archive_client(played.app) as client:
        listed = await (await client.get(path)).text()
        page = await (await client.get(f"{path}rounds/{ROUND_LINK.findall(listed)[-1]}")).text()
        board = await (await client.get(f"{path}leaderboard?period=all")).text()
    for text in (page, board):
        assert "&lt;script&gt;alert(1)&lt;/script&gt; @everyone" in text
        assert "<script" not in text and EVIL not in text


async def test_another_groups_rounds_and_members_are_not_found(both: Console) -> None:
    path = await turn_on(both)
    await both.run(":channel other", SETUP, ":at 2026-12-02T09:00", ":as Cy", GOOD_ANSWER)
    await both.run(":at 2026-12-02T10:00", ":as Alice", "/studybot reveal")
    other = await turn_on(both)
    async with archive_client(both.app) as client:
        theirs = await (await client.get(other)).text()
        [their_round] = ROUND_LINK.findall(theirs)
        their_board = await (await client.get(f"{other}leaderboard?period=all")).text()
        their_member = re.search(r"members/(\d+)\">Cy<", their_board)
        assert their_member is not None
        nothing = await (await client.get("/archive/" + "y" * 43 + "/")).text()
        for url in (
            f"{path}rounds/{their_round}",
            f"{path}members/{their_member.group(1)}",
            f"{path}members/{their_member.group(1)}/chart.png",
        ):
            response = await client.get(url)
            assert response.status == 404 and await response.text() == nothing
        assert (await client.get(f"{other}rounds/{their_round}")).status == 200


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("?page=999999", 400),
        ("?page=99999999999999999999", 400),
        ("?page=0", 400),
        ("?page=-1", 400),
        ("?page=two", 400),
        ("?category=%3Cscript%3E", 400),
        ("leaderboard?period=year", 400),
        ("leaderboard?period=month&when=2026-13", 400),
        ("leaderboard?period=week&when=2099-W01", 400),
        ("leaderboard?when=%00", 400),
        ("rounds/99999999999999999999999", 404),
        ("rounds/abc", 404),
        ("members/0", 404),
        ("nowhere", 404),
    ],
)
async def test_bad_input_is_a_clear_page_never_a_500(
    played: Console, query: str, status: int
) -> None:
    path = await turn_on(played)
    async with archive_client(played.app) as client:
        response = await client.get(path + query)
        assert response.status == status
        text = await response.text()
        assert "<h1>" in text and "<script" not in text
        assert (await client.post(path)).status == 405


async def test_every_archive_response_has_the_security_headers(played: Console) -> None:
    path = await turn_on(played)
    async with archive_client(played.app) as client:
        for url in (
            path,
            f"{path}leaderboard",
            "/archive/nope/",
            f"{path}?page=x",
            "/archive/static/site.css",
        ):
            response = await client.get(url)
            for name, value in SECURITY_HEADERS.items():
                assert response.headers[name] == value, (url, name)
        assert "default-src 'none'" in SECURITY_HEADERS["Content-Security-Policy"]


async def test_too_many_requests_from_one_address_get_429_with_retry_after(
    played: Console,
) -> None:
    path = await turn_on(played)
    now = [0.0]
    async with archive_client(played.app, RateLimit(30, 10.0, clock=lambda: now[0])) as client:
        statuses = [(await client.get(path)).status for _ in range(30)]
        assert statuses == [200] * 30
        refused = await client.get(path)
        assert refused.status == 429 and refused.headers["Retry-After"] == "1"
        assert refused.headers["Cache-Control"] == "no-store"
        now[0] = 1.0  # three requests' worth refilled
        assert [(await client.get(path)).status for _ in range(4)] == [200, 200, 200, 429]


def test_the_rate_limit_forgets_addresses_whose_bucket_is_full_again() -> None:
    now = [0.0]
    limit = RateLimit(2, 1.0, clock=lambda: now[0])
    assert [limit.wait("a"), limit.wait("a")] == [0.0, 0.0] and limit.wait("a") == pytest.approx(
        0.5
    )
    assert limit.wait("b") == 0.0
    now[0] = 10.0
    assert limit.wait("a") == 0.0


async def test_the_token_never_reaches_the_logs(
    played: Console, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    path = await turn_on(played)
    token = path.split("/")[2]
    async with served_archive(played.app) as session:
        for url in (path, f"{path}rounds/1", f"{path}leaderboard?period=all", f"{path}x"):
            async with session.get(url) as response:
                assert response.status in (200, 404)
                assert response.headers["X-Frame-Options"] == "DENY"
    logged = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert len(logged) == 4 and all("/archive/***/" in line for line in logged)
    assert token not in caplog.text


async def test_a_category_filter_lists_only_its_rounds(played: Console) -> None:
    path = await turn_on(played)
    async with archive_client(played.app) as client:
        nlp = await (await client.get(f"{path}?category=nlp")).text()
        algorithms = await (await client.get(f"{path}?category=algorithms")).text()
    assert "No round has been revealed yet." in nlp and '<option value="nlp" selected>' in nlp
    assert "2 revealed rounds" in algorithms and len(ROUND_LINK.findall(algorithms)) == 2


async def test_setup_with_web_on_gives_the_link_at_once(
    tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    c = await open_console(tmp_path / "bot.sqlite3", fixture_bank, CONSOLE_START)
    try:
        out = await c.run(f"{SETUP} web=on")
        assert "Daily questions are on" in out and PATH.search(out)
        assert "on (answers hidden)" in out
    finally:
        await c.app.stop()


@pytest.mark.parametrize(
    ("peer", "forwarded", "counted"),
    [
        ("93.184.216.34", "", "93.184.216.34"),
        ("93.184.216.34", "198.51.100.1", "93.184.216.34"),  # a client cannot name itself another
        ("127.0.0.1", "198.51.100.1, 198.51.100.7", "198.51.100.7"),  # the proxy's entry
        ("10.0.0.5", "198.51.100.7", "198.51.100.7"),
        ("10.0.0.5", "", "10.0.0.5"),
    ],
)
def test_the_rate_limit_counts_the_client_behind_a_private_proxy(
    peer: str, forwarded: str, counted: str
) -> None:
    transport = mock.Mock()
    transport.get_extra_info.return_value = (peer, 40000)
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    request = make_mocked_request("GET", "/archive/x/", headers=headers, transport=transport)
    assert client_address(request) == counted


async def test_a_member_with_only_a_non_attempt_is_listed_without_a_dead_link(
    played: Console,
) -> None:
    """A round lists a non-attempt's 0 points, but links only members who have a page."""
    await played.run(":at 2026-12-02T09:00", ":as Dot", ".", ":as Bea", GOOD_ANSWER)
    await played.run(":at 2026-12-02T10:00", ":as Alice", "/studybot reveal")
    path = await turn_on(played)
    async with archive_client(played.app) as client:
        listed = await (await client.get(path)).text()
        newest = await (await client.get(f"{path}rounds/{ROUND_LINK.findall(listed)[0]}")).text()
        assert "<tr><td>Dot</td><td>0</td>" in newest, newest
        bea = re.search(r'members/(\d+)">Bea<', newest)
        assert bea is not None
        page = await (await client.get(f"{path}members/{bea.group(1)}")).text()
        assert "<h1>Bea</h1>" in page and "chart.png" in page
