"""A cache of the parsed bank, so start-up does not parse YAML it parsed before.

The cache file's name is a fingerprint of every bank file (path, size, mtime)
and of the code that shapes a question; any edit gives a new name, so an edited
bank is always parsed and validated again. A cache that cannot be read or
written is ignored: the bank is then loaded from its files.

The cache is JSON, read back into the frozen model classes with every field's
type checked, so a planted or damaged file can at worst be ignored: reading it
never runs code (as unpickling did). The cache folder is created owner-only
(0700); a folder or file owned by another user, or one that group or others may
write to, is not used, and the log says why. Files are opened relative to the
checked folder and never through a symbolic link.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import bot
from bot import model
from bot.content import schema
from bot.content.bank import CategorySpec, QuestionBank, Syllabus, load_bank, titled
from bot.model import AllOf, CodeTest, Difficulty, KeyPoint, Question, WrongSolution

__all__ = ["bank_fingerprint", "load_bank_cached"]

log = logging.getLogger(__name__)

_FORMAT = 5  # bump when the layout below changes (the fingerprint covers model.py too)
_COMPARES = frozenset({"approx", "exact", "unordered"})


def bank_fingerprint(content_dir: Path) -> str:
    """Return a digest that changes whenever a bank file or the question code changes."""
    digest = hashlib.sha256(bot.__version__.encode())
    digest.update(f"cache format {_FORMAT}\n".encode())
    sources = [Path(schema.__file__), Path(model.__file__), Path(__file__)]
    files = [*sorted((content_dir / "questions").glob("*.yaml")), content_dir / "syllabus.yaml"]
    for path in [*sources, *files]:
        try:
            stat_result = path.stat()
        except FileNotFoundError:
            continue
        digest.update(
            f"{path.resolve()}|{stat_result.st_size}|{stat_result.st_mtime_ns}\n".encode()
        )
    return digest.hexdigest()[:24]


def load_bank_cached(content_dir: Path, cache_dir: Path | None) -> QuestionBank:
    """Load the bank from the cache when it is current, else from its files (then cache it)."""
    if cache_dir is None:
        return load_bank(content_dir)
    fingerprint = bank_fingerprint(content_dir)
    folder = _open_folder(cache_dir)
    if folder is None:
        return load_bank(content_dir)
    try:
        name = f"bank-{fingerprint}.json"
        cached = _read_cache(folder, name, fingerprint, cache_dir / name)
        if cached is not None:
            return cached
        bank = load_bank(content_dir)
        _write_cache(folder, name, _bank_to_json(bank, fingerprint), cache_dir)
        return bank
    finally:
        os.close(folder)


def _unsafe(found: os.stat_result) -> str | None:
    """Say why a cache folder or file must not be trusted, or None if it may be."""
    if found.st_uid != os.geteuid():
        return f"it belongs to uid {found.st_uid}, not to this process's uid {os.geteuid()}"
    if found.st_mode & 0o022:
        return f"group or others may write to it (mode {stat.S_IMODE(found.st_mode):03o})"
    return None


def _open_folder(cache_dir: Path) -> int | None:
    """Create the cache folder (0700) if needed and return a descriptor of it, if it is safe."""
    try:
        cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder = os.open(cache_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        log.info("not caching the question bank: cannot use the folder %s: %s", cache_dir, exc)
        return None
    problem = _unsafe(os.fstat(folder))
    if problem is not None:
        os.close(folder)
        log.warning("not using the question bank cache folder %s: %s", cache_dir, problem)
        return None
    return folder


def _read_cache(folder: int, name: str, fingerprint: str, path: Path) -> QuestionBank | None:
    """Return the cached bank, or None when there is none or it cannot be used."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(name, flags, dir_fd=folder)
    except FileNotFoundError:
        return None
    except OSError as exc:  # a symbolic link, say
        log.warning("ignoring the question bank cache %s: %s", path, exc)
        return None
    with open(fd, "rb") as handle:
        found = os.fstat(fd)
        problem = _unsafe(found)
        if problem is None and not stat.S_ISREG(found.st_mode):
            problem = "it is not a regular file"
        if problem is not None:
            log.warning("ignoring the question bank cache %s: %s", path, problem)
            return None
        try:
            return _bank_from_json(json.loads(handle.read()), fingerprint)
        except (OSError, ValueError, TypeError, KeyError, RecursionError) as exc:
            # a damaged or outdated cache is only a slower start
            log.warning("ignoring the question bank cache %s: %s", path, exc)
            return None


def _write_cache(folder: int, name: str, data: dict[str, Any] | None, cache_dir: Path) -> None:
    """Write the cache file atomically (0600); a failure is logged and otherwise ignored."""
    if data is None:
        return
    temporary = f".{name}.{secrets.token_hex(8)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(temporary, flags, 0o600, dir_fd=folder)
        with open(fd, "wb") as handle:
            handle.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    except OSError as exc:
        log.info("could not write the question bank cache in %s: %s", cache_dir, exc)
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=folder)


# --- The JSON layout ---------------------------------------------------------------------
#
# {"format": 1, "fingerprint": "...",
#  "syllabus": null | [[name, minimum, [[topic, text]], title]],
#  "sources": [[id, label]], "questions": [[id, category, difficulty, topics, tags, prompt,
#  hint, answer, [[text, [terms]]], follow_ups, signature, solution,
#  [[args, [[name, value]], expected, compare, raises]], [[why, code]]]]}
#
# Lists rather than objects: they are smaller and faster to read back.


class _NotJson(Exception):
    """A value of a coding test that JSON would not give back unchanged."""


def _check_json_value(value: Any) -> Any:
    """Return `value` if JSON gives it back equal and of the same types, else raise _NotJson."""
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) is list:
        for item in value:
            _check_json_value(item)
        return value
    if type(value) is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise _NotJson(f"a key {key!r} that is not a string")
            _check_json_value(item)
        return value
    raise _NotJson(f"a value of type {type(value).__name__}")


def _bank_to_json(bank: QuestionBank, fingerprint: str) -> dict[str, Any] | None:
    """Return the bank as JSON-ready data, or None if a test value would not come back intact."""
    try:
        questions = [
            [
                q.id,
                q.category,
                q.difficulty.value,
                list(q.topics),
                list(q.tags),
                q.prompt,
                q.hint,
                q.answer,
                [
                    [
                        k.text,
                        [_rule_json(r) for r in k.match],
                        list(k.against),
                        list(k.not_covered_by),
                    ]
                    for k in q.key_points
                ],
                list(q.follow_ups),
                q.signature,
                q.solution,
                [
                    [
                        [_check_json_value(a) for a in t.args],
                        [[k, _check_json_value(v)] for k, v in t.kwargs],
                        _check_json_value(t.expected),
                        t.compare,
                        t.raises,
                    ]
                    for t in q.tests
                ],
                [[w.why, w.code] for w in q.wrong_solutions],
                list(q.wrong_answers),
                list(q.paraphrases),
            ]
            for q in bank.questions
        ]
    except _NotJson as exc:
        log.info("not caching the question bank: a coding test holds %s", exc)
        return None
    syllabus = None
    if bank.syllabus is not None:
        syllabus = [
            [c.name, c.minimum, [[k, v] for k, v in c.topics.items()], c.title]
            for c in bank.syllabus.categories.values()
        ]
    return {
        "format": _FORMAT,
        "fingerprint": fingerprint,
        "syllabus": syllabus,
        "sources": [[k, v] for k, v in bank.sources.items()],
        "questions": questions,
    }


def _text(value: Any) -> str:
    if type(value) is not str:
        raise ValueError(f"expected a string, found {type(value).__name__}")
    return value


def _texts(value: Any) -> tuple[str, ...]:
    return tuple(_text(v) for v in _list(value))


def _list(value: Any, length: int | None = None) -> list[Any]:
    if type(value) is not list or (length is not None and len(value) != length):
        raise ValueError("a list of the wrong shape")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _pairs(value: Any) -> Mapping[str, str]:
    return {_text(k): _text(v) for k, v in map(lambda p: _list(p, 2), _list(value))}


def _code_test(row: Any) -> CodeTest:
    args, kwargs, expected, compare, raises = _list(row, 5)
    if compare not in _COMPARES:
        raise ValueError(f"unknown comparison {compare!r}")
    pairs = tuple((_text(k), v) for k, v in map(lambda p: _list(p, 2), _list(kwargs)))
    return CodeTest(tuple(_list(args)), pairs, expected, compare, _optional_text(raises))


def _question(row: Any) -> Question:
    (
        qid,
        category,
        difficulty,
        topics,
        tags,
        prompt,
        hint,
        answer,
        key_points,
        follow_ups,
        signature,
        solution,
        tests,
        wrong_solutions,
        wrong_answers,
        paraphrases,
    ) = _list(row, 16)
    return Question(
        id=_text(qid),
        category=_text(category),
        difficulty=Difficulty(_text(difficulty)),
        topics=_texts(topics),
        tags=_texts(tags),
        prompt=_text(prompt),
        hint=_text(hint),
        answer=_text(answer),
        key_points=tuple(
            KeyPoint(
                _text(text),
                tuple(_rule(r) for r in _list(match)),
                _texts(against),
                _texts(fixtures),
            )
            for text, match, against, fixtures in map(lambda p: _list(p, 4), _list(key_points))
        ),
        follow_ups=_texts(follow_ups),
        signature=_optional_text(signature),
        solution=_optional_text(solution),
        tests=tuple(_code_test(t) for t in _list(tests)),
        wrong_solutions=tuple(
            WrongSolution(_text(why), _text(code))
            for why, code in map(lambda p: _list(p, 2), _list(wrong_solutions))
        ),
        wrong_answers=_texts(wrong_answers),
        paraphrases=_texts(paraphrases),
    )


def _rule_json(rule: str | AllOf) -> str | list[list[str]]:
    """Return a match rule as JSON: a phrase, or an AllOf's groups."""
    return rule if isinstance(rule, str) else [list(group) for group in rule.groups]


def _rule(data: Any) -> str | AllOf:
    """Rebuild a match rule from its JSON."""
    if type(data) is str:
        return data
    return AllOf(tuple(_texts(group) for group in _list(data)))


def _bank_from_json(data: Any, fingerprint: str) -> QuestionBank:
    """Rebuild the bank from its JSON, checking every field; ValueError if anything is off."""
    if type(data) is not dict or data.get("format") != _FORMAT:
        raise ValueError("not a question bank cache of this version")
    if data.get("fingerprint") != fingerprint:
        raise ValueError("made for other bank files")
    syllabus = None
    if data["syllabus"] is not None:
        categories: dict[str, CategorySpec] = {}
        for row in _list(data["syllabus"]):
            name, minimum, topics, title = _list(row, 4)
            if type(minimum) is not int:
                raise ValueError("a category minimum is not an integer")
            categories[_text(name)] = CategorySpec(
                _text(name), minimum, _pairs(topics), title=_text(title)
            )
        syllabus = Syllabus(categories)
    questions = tuple(titled(_question(row), syllabus) for row in _list(data["questions"]))
    return QuestionBank(questions, syllabus, dict(_pairs(data["sources"])))
