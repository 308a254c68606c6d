"""The archive's templates and style sheet ship in the wheel, and the style sheet is inline-free."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch

from tests.conftest import REPO

WEB = REPO / "bot" / "web"


def test_every_template_and_style_sheet_is_package_data() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    globs = pyproject["tool"]["setuptools"]["package-data"]["bot.web"]
    files = [p.relative_to(WEB).as_posix() for p in WEB.rglob("*") if p.suffix in (".html", ".css")]
    assert len(files) >= 9
    assert all(any(fnmatch(f, g) for g in globs) for f in files), (files, globs)


def test_no_template_carries_a_script_or_an_inline_style() -> None:
    for template in (WEB / "templates").glob("*.html"):
        text = template.read_text(encoding="utf-8").lower()
        assert "<script" not in text and "style=" not in text and "<style" not in text, template
