"""A cache of the parsed bank, so start-up does not parse YAML it parsed before.

The cache file's name is a fingerprint of every bank file (path, size, mtime)
and of the code that shapes a question; any edit gives a new name, so an edited
bank is always parsed and validated again. A cache that cannot be read or
written is ignored: the bank is then loaded from its files.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from pathlib import Path

import bot
from bot import model
from bot.content import schema
from bot.content.bank import QuestionBank, load_bank

__all__ = ["bank_fingerprint", "load_bank_cached"]

log = logging.getLogger(__name__)


def bank_fingerprint(content_dir: Path) -> str:
    """Return a digest that changes whenever a bank file or the question code changes."""
    digest = hashlib.sha256(bot.__version__.encode())
    sources = [Path(schema.__file__), Path(model.__file__)]
    files = [*sorted((content_dir / "questions").glob("*.yaml")), content_dir / "syllabus.yaml"]
    for path in [*sources, *files]:
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        digest.update(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:24]


def load_bank_cached(content_dir: Path, cache_dir: Path | None) -> QuestionBank:
    """Load the bank from the cache when it is current, else from its files (then cache it)."""
    if cache_dir is None:
        return load_bank(content_dir)
    cache_file = cache_dir / f"bank-{bank_fingerprint(content_dir)}.pickle"
    cached = _read_cache(cache_file)
    if cached is not None:
        return cached
    bank = load_bank(content_dir)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=cache_dir, delete=False) as tmp:
            pickle.dump(bank, tmp, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp.name, cache_file)
    except OSError as exc:
        log.info("could not write the question bank cache in %s: %s", cache_dir, exc)
    return bank


def _read_cache(cache_file: Path) -> QuestionBank | None:
    """Return the cached bank, or None when there is none or it cannot be used."""
    try:
        with cache_file.open("rb") as handle:
            bank = pickle.load(handle)  # our own file in our own cache folder
    except FileNotFoundError:
        return None
    except Exception as exc:  # a damaged or outdated cache is only a slower start
        log.warning("ignoring the question bank cache %s: %s", cache_file, exc)
        return None
    return bank if isinstance(bank, QuestionBank) else None
