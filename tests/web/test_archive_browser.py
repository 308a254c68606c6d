"""The web archive in a real browser (Debian's chromium through Selenium), where one is installed.

It loads the rounds list, follows a link to a round and comes back, reading
the headings a member reads, and saves a screenshot it checks is a picture of
the page (its size, and more than one colour). Without `/usr/bin/chromium`, or
without Selenium (`pip install selenium`), it is skipped with the reason.
"""

from __future__ import annotations

import asyncio
import io
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.content.bank import QuestionBank
from bot.health import HealthServer
from tests.conftest import CONSOLE_START, open_console
from tests.png import png_size
from tests.web.archive_play import Connected, play_rounds, turn_on

CHROMIUM = Path("/usr/bin/chromium")


def _driver() -> Any:
    """Return a headless chromium driven by Selenium, or skip saying what is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"no browser: {CHROMIUM} is missing (Debian: apt-get install chromium)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="Selenium is not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--window-size=1024,768"):
        options.add_argument(argument)
    found = shutil.which("chromedriver")
    service = webdriver.ChromeService(executable_path=found) if found else None
    return webdriver.Chrome(options=options, service=service)


def _browse(driver: Any, url: str, shot: Path) -> list[str]:
    """Open the rounds list, a round and back, the leaderboard and its leader's page.

    Returns the headings read on the way, and the widths of the leader's page's pictures.
    """
    from selenium.webdriver.common.by import By

    seen = []
    driver.get(url)
    seen.append(driver.find_element(By.TAG_NAME, "h1").text)
    driver.find_element(By.CSS_SELECTOR, "tbody a").click()
    seen.append(driver.find_element(By.TAG_NAME, "h1").text)
    driver.back()
    seen.append(driver.find_element(By.TAG_NAME, "h1").text)
    driver.save_screenshot(str(shot))
    driver.find_element(By.LINK_TEXT, "Leaderboard").click()
    seen.append(driver.find_element(By.TAG_NAME, "h1").text)
    driver.find_element(By.CSS_SELECTOR, "tbody a").click()  # the leader's progress page
    seen.append(driver.find_element(By.TAG_NAME, "h1").text)
    pictures = driver.find_elements(By.TAG_NAME, "img")
    drawn = [driver.execute_script("return arguments[0].naturalWidth", p) for p in pictures]
    seen.append(f"pictures drawn: {[w for w in drawn if w]}")
    return seen


async def test_a_member_reads_the_rounds_and_a_round_in_a_browser(
    tmp_path: Path, fixture_bank: QuestionBank
) -> None:
    driver = _driver()
    from PIL import Image

    c = await open_console(tmp_path / "bot.sqlite3", fixture_bank, CONSOLE_START)
    server = HealthServer(c.app, Connected(), 0, "127.0.0.1")
    try:
        await play_rounds(c)
        path = await turn_on(c)
        await server.start()
        shot = tmp_path / "rounds.png"
        url = f"http://127.0.0.1:{server.port}{path}"
        seen = await asyncio.to_thread(_browse, driver, url, shot)
    finally:
        driver.quit()
        await server.stop()
        await c.app.stop()
    assert seen[0] == seen[2] == "Past rounds" and seen[1] == "Round of 2026-12-01"
    assert seen[3].startswith("Leaderboard: ") and seen[4], seen
    assert seen[5] == "pictures drawn: [800]", seen  # the /stats chart, loaded by the browser
    data = shot.read_bytes()
    width, height = png_size(data)
    assert width >= 800 and height >= 500
    colours = Image.open(io.BytesIO(data)).convert("RGB").getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 10  # text and lines on the page, not a blank one
