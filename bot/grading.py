"""Key-point coverage of an answer: deterministic, typo-tolerant matching.

Grading is feedback, not a verdict: an answer covers a key point when it
contains one of the point's match terms, after normalisation (case, accents,
punctuation), light stemming and a small typo tolerance for longer words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from bot.model import KeyPoint

__all__ = [
    "STOP_WORDS",
    "Coverage",
    "grade",
    "normalise",
    "stem",
    "term_tokens",
]

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "then",
        "than",
        "so",
        "such",
        "into",
        "onto",
        "over",
        "under",
        "about",
        "i",
        "you",
        "he",
        "she",
        "we",
        "they",
        "me",
        "him",
        "her",
        "us",
        "them",
        "my",
        "your",
        "our",
        "their",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "do",
        "does",
        "did",
        "doing",
        "done",
        "have",
        "has",
        "had",
        "having",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "also",
        "just",
        "very",
        "more",
        "most",
        "less",
        "some",
        "any",
        "each",
        "every",
        "all",
        "both",
        "either",
        "neither",
        "not",
        "no",
        "nor",
        "only",
        "own",
        "same",
        "too",
        "s",
        "t",
        "how",
        "why",
        "when",
        "where",
        "while",
        "because",
        "until",
        "again",
        "further",
        "once",
    ]
)

_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
_MAX_GAP = 2  # neighbours of a phrase may stand at most one word apart
_ISE = re.compile(r"is(e|ed|es|ing|ation|ations)$")


def normalise(text: str) -> list[str]:
    """Return the lower-case, accent-free word tokens of a text."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _TOKEN.findall(plain)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Reduce a word to a light stem so that its inflections compare equal."""
    if len(word) <= 3 or not word.isalpha():
        return word
    w = _ISE.sub(lambda m: "iz" + m.group(1), word) if len(word) > 5 else word
    for suffix, replacement in (
        ("sses", "ss"),
        ("ies", "y"),
        ("ations", ""),
        ("ation", ""),
        ("ingly", ""),
        ("edly", ""),
        ("ings", ""),
        ("ing", ""),
        ("ed", ""),
        ("ly", ""),
    ):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: len(w) - len(suffix)] + replacement
            break
    else:
        if w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 4:
            w = w[:-1]
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "aeiou":
        w = w[:-1]
    return w


@lru_cache(maxsize=16384)
def term_tokens(term: str) -> tuple[str, ...]:
    """Return the stemmed content words of a match term (stop words dropped)."""
    return tuple(stem(t) for t in normalise(term) if t not in STOP_WORDS)


def _typo_budget(length: int) -> int:
    """Return how many edits (a transposition counts once) a word of this length may carry."""
    return 2 if length >= 9 else 1


@dataclass(frozen=True, slots=True)
class _Answer:
    positions: dict[str, list[int]]

    @classmethod
    def of(cls, text: str) -> _Answer:
        words = [stem(t) for t in normalise(text) if t not in STOP_WORDS]
        positions: dict[str, list[int]] = {}
        for i, w in enumerate(words):
            positions.setdefault(w, []).append(i)
        for i in range(len(words) - 1):  # "k means" also matches the term "kmeans"
            positions.setdefault(words[i] + words[i + 1], []).append(i)
        return cls(positions)

    def places(self, token: str) -> list[int]:
        exact = self.positions.get(token)
        if len(token) < 5 or not token.isalpha():
            return exact or []
        found = set(exact or ())
        budget = _typo_budget(len(token))
        near = [
            w for w in self.positions if w[0] == token[0] and abs(len(w) - len(token)) <= budget
        ]
        matches = process.extract(
            token, near, scorer=DamerauLevenshtein.distance, score_cutoff=budget, limit=None
        )
        for word, _, _ in matches:
            found.update(self.positions[word])
        return sorted(found)

    def contains(self, tokens: Sequence[str]) -> bool:
        if not tokens:
            return False
        joined = "".join(tokens)
        if len(tokens) > 1 and joined in self.positions:
            return True
        reach = set(self.places(tokens[0]))
        for token in tokens[1:]:
            if not reach:
                return False
            reach = {p for p in self.places(token) if any(0 < p - q <= _MAX_GAP for q in reach)}
        return bool(reach)


@dataclass(frozen=True, slots=True)
class Coverage:
    """Which key points an answer covered, and by which term."""

    covered: tuple[bool, ...]
    matched_terms: tuple[str | None, ...]

    @property
    def ratio(self) -> float:
        """Return the share of key points covered, from 0.0 to 1.0."""
        if not self.covered:
            return 0.0
        return sum(self.covered) / len(self.covered)

    @property
    def count(self) -> int:
        """Return how many key points were covered."""
        return sum(self.covered)


def grade(answer: str, key_points: Iterable[KeyPoint]) -> Coverage:
    """Return which of the key points the answer covers."""
    prepared = _Answer.of(answer)
    covered: list[bool] = []
    matched: list[str | None] = []
    for point in key_points:
        hit = next((t for t in point.match if prepared.contains(term_tokens(t))), None)
        covered.append(hit is not None)
        matched.append(hit)
    return Coverage(tuple(covered), tuple(matched))
