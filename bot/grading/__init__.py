"""Key-point coverage of an answer: claims checked clause by clause, deterministic and explained.

An answer covers a key point when one of its clauses states the point's
claim: a match rule of the point holds in that clause with the right
polarity (`bot.grading.claims`), the clause has sentence structure (a run of
terms is no claim), it does not state one of the point's contrary claims
nor turn the direction its text states around (`bot.grading.contraries`),
and the words that matched are not only words the question's prompt already
says. The clause that covered a point is its evidence.

An answer is a real attempt only when it has a few words, at least one
clause with sentence structure, and is not the prompt pasted back; anything
else earns no points (see `attempt_problem`), and covers nothing anyway: a run
of terms states no claim, and the prompt's words prove nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.grading.claims import (
    Vocabulary,
    Words,
    clause_words,
    context_words,
    phrase,
    rule_words,
    states_against,
)
from bot.grading.clauses import ABSENCE_WORDS, NEGATORS, Clause, drop_lists, scan
from bot.grading.contraries import contrary_words, turns_around
from bot.grading.sections import clauses_in_context
from bot.grading.words import STOP_WORDS, normalise, stem
from bot.model import AllOf, KeyPoint

__all__ = [
    "ABSENCE_WORDS",
    "NEGATORS",
    "STOP_WORDS",
    "Coverage",
    "attempt_problem",
    "grade",
    "normalise",
    "rule_text",
    "stem",
    "term_tokens",
]

_EVIDENCE_CHARS = 160
_MIN_WORDS = 2  # fewer content words than this is no answer
_ECHO_SHARE = 0.8  # an answer whose words are mostly the prompt's is the prompt pasted back


@dataclass(frozen=True, slots=True)
class Coverage:
    """Which key points an answer covered, with the member's words that covered each."""

    covered: tuple[bool, ...]
    matched_terms: tuple[str | None, ...]  # the rule that matched, as written
    evidence: tuple[str | None, ...] = ()  # the clause that covered the point
    attempt: bool = True  # a real attempt: it may earn points
    problem: str | None = None  # why it is not a real attempt

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


def term_tokens(term: str) -> tuple[str, ...]:
    """Return the stemmed content words of a match phrase (stop words and negators dropped)."""
    return phrase(term).tokens


def rule_text(rule: str | AllOf) -> str:
    """Return a match rule as written: a phrase, or its groups joined by `+`."""
    if isinstance(rule, str):
        return rule
    return " + ".join(" | ".join(group) for group in rule.groups)


@lru_cache(maxsize=1024)
def _prompt_words(prompt: str) -> frozenset[str]:
    """Return the stemmed content words of a prompt (the same few prompts, again and again)."""
    return frozenset(scan(prompt).words)


def attempt_problem(answer: str, prompt: str = "") -> str | None:
    """Return why an answer is not a real attempt (None: it is one).

    Blank, punctuation or invisible characters; a handful of words; the
    prompt pasted back; or a run of terms with no sentence (a keyword list).
    """
    return _attempt_problem(clauses_in_context(answer), _prompt_words(prompt))


def _attempt_problem(parts: Sequence[Clause], prompt_words: frozenset[str]) -> str | None:
    words = [w for c in parts for w in c.scan.words]
    if len(words) < _MIN_WORDS:
        return "it has no sentence to grade"
    if prompt_words:
        echoed = sum(1 for w in words if w in prompt_words)
        if echoed >= _ECHO_SHARE * len(words):
            return "it repeats the question"
    if not drop_lists(list(parts)):
        return "it is a list of terms, not sentences that say something about them"
    return None


def _excerpt(clause: Clause) -> str:
    text = " ".join(clause.text.split())
    if len(text) <= _EVIDENCE_CHARS:
        return text
    return text[: _EVIDENCE_CHARS - 1].rstrip() + "…"


class _Indexed:
    """An answer's clauses, each indexed (own words, and with its context) when first needed.

    Most clauses of a long answer hold no word of any rule: the vocabulary
    keeps them out of reach, and they are never indexed.
    """

    def __init__(self, clauses: Sequence[Clause]) -> None:
        self._clauses = clauses
        self._done: dict[int, tuple[Clause, Words, Words]] = {}

    def __getitem__(self, index: int) -> tuple[Clause, Words, Words]:
        """Return a clause with its own words and its words in context, indexed once."""
        if index not in self._done:
            clause = self._clauses[index]
            own = clause_words(clause)
            self._done[index] = (clause, own, context_words(clause, own))
        return self._done[index]


def _covering(
    point: KeyPoint,
    parts: _Indexed,
    vocabulary: Vocabulary,
    prompt_words: frozenset[str],
) -> tuple[str | None, str | None]:
    """Return the rule that covers the point and the clause it did so in, if any."""
    candidates = {r: vocabulary.clauses_for(r) for r in point.match}
    directions = contrary_words(point.text)
    reachable = sorted(set().union(*candidates.values())) if candidates else []
    for index in reachable:
        clause, indexed, wider = parts[index]
        if states_against(point.against, indexed):
            continue
        for rule, where in candidates.items():
            if index not in where:
                continue
            used = rule_words(rule, wider, prompt_words, indexed)
            if used is None:
                continue
            if prompt_words and used <= prompt_words:
                continue  # words the question already says prove nothing
            if directions and turns_around(directions, indexed, frozenset(used)):
                continue  # it says the opposite of the point's own direction word
            return rule_text(rule), _excerpt(clause)
    return None, None


def grade(answer: str, key_points: Iterable[KeyPoint], prompt: str = "") -> Coverage:
    """Return which key points an answer covers, with evidence, and whether it is an attempt.

    `prompt` is the question's prompt: pasting it back is no attempt, and a
    match made only of its words covers nothing.
    """
    points = tuple(key_points)
    split = clauses_in_context(answer)
    prompt_words = _prompt_words(prompt)
    problem = _attempt_problem(split, prompt_words)
    kept = drop_lists(split)
    vocabulary = Vocabulary.of(kept, tuple(rule for point in points for rule in point.match))
    parts = _Indexed(kept)
    found = [_covering(p, parts, vocabulary, prompt_words) for p in points]
    return Coverage(
        tuple(rule is not None for rule, _ in found),
        tuple(rule for rule, _ in found),
        tuple(evidence for _, evidence in found),
        problem is None,
        problem,
    )
