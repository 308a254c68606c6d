"""The parsed-bank cache: used when current, never when a file changed, never able to run code."""

from __future__ import annotations

import io
import logging
import os
import pickle
import shutil
import stat
from pathlib import Path

import pytest

from bot.content.bank import ContentError, load_bank
from bot.content.cache import bank_fingerprint, load_bank_cached
from tests.conftest import FIXTURE_CONTENT


@pytest.fixture
def content(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE_CONTENT, tmp_path / "content")
    return tmp_path / "content"


def cache_file(content: Path, cache: Path) -> Path:
    return cache / f"bank-{bank_fingerprint(content)}.json"


class _Payload:
    """Unpickling this opens (creates) a marker file: a stand-in for any code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (io.open, (str(self.marker), "w"))


def test_the_cache_is_written_then_used(content: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = load_bank_cached(content, cache)
    [cached] = list(cache.glob("bank-*"))
    assert cached == cache_file(content, cache)
    assert load_bank_cached(content, cache) == first  # read back from the cache
    (content / "questions" / "nlp.yaml").rename(content / "nlp.yaml.off")
    again = load_bank_cached(content, cache)  # another set of files: parsed again
    assert len(again) == len(first) - 2


def test_the_cache_gives_back_the_bank_it_was_given(content: Path, tmp_path: Path) -> None:
    (content / "questions" / "coding.yaml").write_text(CODING)
    (content / "syllabus.yaml").write_text(
        (content / "syllabus.yaml").read_text()
        + "  coding:\n    title: Coding\n    minimum: 1\n    topics:\n"
        "      add: Adding\n"
    )
    cache = tmp_path / "cache"
    parsed = load_bank(content)
    load_bank_cached(content, cache)
    # Mark the cache file, to tell a bank read from it from one parsed again.
    path = cache_file(content, cache)
    path.write_text(path.read_text().replace("Use plus.", "Use plus, from the cache."))
    cached = load_bank_cached(content, cache)
    question, original = cached.get("coding-add"), parsed.get("coding-add")
    assert question is not None and original is not None
    assert question.answer == "Use plus, from the cache."
    assert question.tests == original.tests  # tuples, lists, dicts, None, bools, floats
    assert question.tests[2].raises == "TypeError"
    assert question.tests[1].kwargs == (("b", [1, {"x": None}]),)
    assert question.wrong_solutions == original.wrong_solutions != ()
    assert [q for q in cached.questions if q is not question] == [
        q for q in parsed.questions if q is not original
    ]
    assert (cached.syllabus, cached.sources) == (parsed.syllabus, parsed.sources)
    assert cached.categories == parsed.categories


CODING = """
- id: coding-add
  category: coding
  difficulty: easy
  topics: [add]
  prompt: Write add(a, b) that returns the sum of two integers, for a warm-up.
  hint: There is an operator for it.
  answer: Use plus.
  key_points:
    - {text: Use the plus operator, match: [plus]}
    - {text: Return the value, match: [use]}
    - {text: Nothing else, match: [plus]}
  signature: "def add(a: int, b: int) -> int:"
  solution: |
    def add(a, b=0):
        return a + b
  tests:
    - {args: [1, 1], expected: 2}
    - {args: [[0.5, true]], kwargs: {b: [1, {x: null}]}, expected: {k: [1.5, "2"]}, compare: exact}
    - {args: [null], raises: TypeError}
  wrong_solutions:
    - {why: subtracts, code: "def add(a, b=0):\n    return a - b"}
"""


def test_an_edited_file_is_parsed_and_validated_again(content: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_bank_cached(content, cache)
    path = content / "questions" / "nlp.yaml"
    path.write_text(path.read_text().replace("difficulty: easy", "difficulty: trivial"))
    with pytest.raises(ContentError, match="nlp-tf-idf: difficulty"):
        load_bank_cached(content, cache)


def test_the_cache_folder_is_created_owner_only(content: Path, tmp_path: Path) -> None:
    cache = tmp_path / "deeper" / "cache"
    old_umask = os.umask(0)  # even with a permissive umask
    try:
        load_bank_cached(content, cache)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert stat.S_IMODE(cache_file(content, cache).stat().st_mode) == 0o600


@pytest.mark.parametrize("name", ["json", "pickle"])
def test_a_planted_pickle_runs_no_code(
    content: Path, tmp_path: Path, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    marker = tmp_path / "marker"
    planted = cache / f"bank-{bank_fingerprint(content)}.{name}"
    planted.write_bytes(pickle.dumps(_Payload(marker)))
    with caplog.at_level(logging.INFO, logger="bot.content.cache"):
        bank = load_bank_cached(content, cache)
    assert not marker.exists()
    assert len(bank) == 8
    if name == "json":
        assert f"ignoring the question bank cache {planted}" in caplog.text


def test_garbage_json_is_ignored_and_logged(
    content: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    load_bank_cached(content, cache)
    path = cache_file(content, cache)
    good = path.read_text()
    for garbage in ["not json at all", "[1, 2]", '{"format": 1}', good.replace('"easy"', '"x"')]:
        path.write_text(garbage)
        with caplog.at_level(logging.WARNING, logger="bot.content.cache"):
            caplog.clear()
            assert len(load_bank_cached(content, cache)) == 8
        assert f"ignoring the question bank cache {path}" in caplog.text, garbage


def test_a_damaged_cache_is_ignored(content: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    cache_file(content, cache).write_bytes(b"\x80not json")
    assert len(load_bank_cached(content, cache)) == 8


def test_a_folder_others_may_write_to_is_not_used(
    content: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    load_bank_cached(content, cache)
    path = cache_file(content, cache)
    path.write_text(path.read_text().replace('"nlp-tf-idf"', '"nlp-planted"'))
    cache.chmod(0o777)
    with caplog.at_level(logging.WARNING, logger="bot.content.cache"):
        bank = load_bank_cached(content, cache)
    assert bank.get("nlp-planted") is None and bank.get("nlp-tf-idf") is not None
    assert "group or others may write to it (mode 777)" in caplog.text
    cache.chmod(0o700)
    path.chmod(0o666)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bot.content.cache"):
        bank = load_bank_cached(content, cache)
    assert bank.get("nlp-planted") is None
    assert f"ignoring the question bank cache {path}: group or others" in caplog.text
    # The bank was parsed again and its cache written afresh over the untrusted file.
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "nlp-planted" not in path.read_text()


def test_a_folder_or_file_of_another_user_is_not_used(
    content: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    if os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root")
    cache = tmp_path / "cache"
    load_bank_cached(content, cache)
    path = cache_file(content, cache)
    path.write_text(path.read_text().replace('"nlp-tf-idf"', '"nlp-planted"'))
    os.chown(path, 65534, 65534)
    with caplog.at_level(logging.WARNING, logger="bot.content.cache"):
        assert load_bank_cached(content, cache).get("nlp-planted") is None
    assert "it belongs to uid 65534" in caplog.text
    os.chown(path, 0, 0)
    os.chown(cache, 65534, 65534)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bot.content.cache"):
        assert load_bank_cached(content, cache).get("nlp-planted") is None
    assert f"not using the question bank cache folder {cache}: it belongs to uid" in caplog.text


def test_a_symbolic_link_is_not_followed(content: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_bank_cached(content, cache)
    path = cache_file(content, cache)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(path.read_text().replace('"nlp-tf-idf"', '"nlp-planted"'))
    path.unlink()
    path.symlink_to(elsewhere)
    assert load_bank_cached(content, cache).get("nlp-planted") is None


def test_an_unwritable_cache_folder_only_costs_speed(content: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    assert len(load_bank_cached(content, blocker / "cache")) == 8
