"""The console writes a chart to a file of its own and prints where it is."""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.console.chat import ConsoleChat
from bot.config import Config
from bot.content.bank import QuestionBank
from bot.replies import Image
from tests.conftest import CONSOLE_START, Console, open_console
from tests.png import assert_drawn, png_size

SETUP = "/studybot setup time=09:00 tz=UTC days=daily categories=algorithms difficulty=medium"
PICTURE = re.compile(r"^    \[picture: (.+)\]$", re.MULTILINE)


def _read(path: str) -> bytes:
    return Path(path).read_bytes()


@pytest.fixture
async def charting(tmp_path: Path, fixture_bank: QuestionBank) -> AsyncIterator[Console]:
    """A console writing its charts in tmp_path/charts."""
    c = await open_console(
        tmp_path / "bot.sqlite3", fixture_bank, CONSOLE_START, chart_dir=tmp_path / "charts"
    )
    yield c
    await c.app.stop()


async def test_stats_and_the_leaderboard_chart_are_written_to_files_whose_paths_are_shown(
    charting: Console, tmp_path: Path
) -> None:
    await charting.run(SETUP)
    out = await charting.run(":as Bea", "/stats")
    assert "Answer a round to see your chart." in out and not PICTURE.search(out)
    await charting.run(":at 2026-11-30T09:00", ":as Bea")
    await charting.run("L1 drives some weights to exactly zero, so it selects features.")
    await charting.run(":at 2026-11-30T10:00", ":as Alice", "/studybot reveal", ":as Bea")
    first = PICTURE.findall(await charting.run("/stats"))
    second = PICTURE.findall(await charting.run("/stats"))
    assert len(first) == len(second) == 1 and first != second  # a new file each time
    for shown in first + second:
        path = Path(shown)
        assert path.parent == tmp_path / "charts" and re.fullmatch(r"stats-.+\.png", path.name)
        assert png_size(_read(shown))[0] == 800
    assert_drawn(_read(first[0]))
    [board] = PICTURE.findall(await charting.run("/leaderboard week chart"))
    assert Path(board).name.startswith("leaderboard-") and png_size(_read(board))
    assert not PICTURE.findall(await charting.run("/leaderboard week"))


def test_the_chart_folder_comes_from_the_environment_else_the_system_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configured = Config.from_env({"STUDYBOT_CHART_DIR": "/srv/charts"}, env_file=Path("/none"))
    assert configured.chart_dir == Path("/srv/charts")
    assert Config.from_env({}, env_file=Path("/none")).chart_dir is None
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    saved = ConsoleChat(io.StringIO()).save_image(Image(b"\x89PNG", "stats.png", "a chart"))
    assert saved.parent == tmp_path / "studybot-charts" and saved.read_bytes() == b"\x89PNG"
