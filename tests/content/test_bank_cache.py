"""The parsed-bank cache: used when current, never when a file changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content.bank import ContentError
from bot.content.cache import bank_fingerprint, load_bank_cached
from tests.conftest import FIXTURE_CONTENT


@pytest.fixture
def content(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE_CONTENT, tmp_path / "content")
    return tmp_path / "content"


def test_the_cache_is_written_then_used(content: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = load_bank_cached(content, cache)
    [cached] = list(cache.glob("bank-*.pickle"))
    assert cached.name == f"bank-{bank_fingerprint(content)}.pickle"
    assert load_bank_cached(content, cache) == first  # read back from the cache
    (content / "questions" / "nlp.yaml").rename(content / "nlp.yaml.off")
    again = load_bank_cached(content, cache)  # another set of files: parsed again
    assert len(again) == len(first) - 2


def test_an_edited_file_is_parsed_and_validated_again(content: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_bank_cached(content, cache)
    path = content / "questions" / "nlp.yaml"
    path.write_text(path.read_text().replace("difficulty: easy", "difficulty: trivial"))
    with pytest.raises(ContentError, match="nlp-tf-idf: difficulty"):
        load_bank_cached(content, cache)


def test_a_damaged_cache_is_ignored(content: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / f"bank-{bank_fingerprint(content)}.pickle").write_bytes(b"not a pickle")
    assert len(load_bank_cached(content, cache)) == 8


def test_an_unwritable_cache_folder_only_costs_speed(content: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    assert len(load_bank_cached(content, blocker / "cache")) == 8
