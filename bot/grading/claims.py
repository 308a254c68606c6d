"""Whether a clause states a key point: its phrases, in order, with the right polarity.

A phrase matches a clause when its words stand there in order, neighbours at
most one word apart, forgiving word forms and (for a word that is not itself
common English) a typo or two. A phrase without negation needs a match that
no negator governs ("not convex" does not cover "convex"); a phrase with one
needs a negated word ("not causation" is covered by "isn't causation"); a
phrase ending with a negator ("retrain without") needs one right after the
match. An AllOf needs one phrase of each group in the same clause.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, pairwise

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from bot.grading.clauses import NEGATED, PLAIN, Clause, Scan, scan
from bot.grading.words import real_words, typo_budget
from bot.model import AllOf

__all__ = [
    "Phrase",
    "Vocabulary",
    "Words",
    "clause_words",
    "context_words",
    "phrase",
    "rule_words",
    "states_against",
]

_MAX_GAP = 2  # neighbours of a phrase may stand at most one word apart
_CONTEXT_OFFSET = 100_000  # where a clause's context words stand: before it, far away


@dataclass(frozen=True, slots=True)
class Phrase:
    """A match phrase, compiled: its stemmed words and its polarity."""

    text: str
    tokens: tuple[str, ...]
    negated: bool  # it contains a negation: a match needs a negated word
    trailing: bool  # it ends with a negator ("retrain without"): one must follow the match


@lru_cache(maxsize=32768)
def phrase(text: str) -> Phrase:
    """Compile a match phrase."""
    found = scan(text)
    trailing = bool(found.words) and len(found.words) - 1 in found.followed
    return Phrase(text, found.words, bool(found.governed), trailing)


@lru_cache(maxsize=65536)
def _near(token: str, misspelt: frozenset[str]) -> tuple[str, ...]:
    """Return the misspelt words within the token's typo budget (same first letter)."""
    if not misspelt:
        return ()
    budget = typo_budget(len(token))
    candidates = [
        w
        for w in misspelt
        if w[0] == token[0] and abs(len(w) - len(token)) <= budget and w != token
    ]
    if not candidates:
        return ()
    matches = process.extract(
        token, candidates, scorer=DamerauLevenshtein.distance, score_cutoff=budget, limit=None
    )
    return tuple(word for word, _, _ in matches)


def _after(p: int, reach: set[int]) -> bool:
    return any(0 < p - q <= _MAX_GAP for q in reach)


def _misspelt(found: Scan) -> frozenset[str]:
    """Return the stems of a scanned text that only uncommon words gave: they may be typos."""
    real = real_words()  # looked up once, not once a word
    common = {w for w, r in zip(found.words, found.raw, strict=True) if r in real}
    return frozenset(w for w in found.words if w not in common)


@dataclass(frozen=True, slots=True)
class Words:
    """Where each word of one clause stands, split by polarity."""

    positions: dict[str, list[int]]  # words (and joined pairs) a plain phrase may match
    negated: dict[str, list[int]]  # words (and joined pairs) any negator governs
    followed: frozenset[int]
    misspelt: frozenset[str]  # stems that only uncommon words gave: they may be typos

    @classmethod
    def of(cls, found: Scan) -> Words:
        """Index the words of a scanned clause."""
        words = found.words
        positions: dict[str, list[int]] = {}
        for i, w in enumerate(words):
            positions.setdefault(w, []).append(i)
        for i in range(len(words) - 1):  # "k means" also matches the phrase "kmeans"
            positions.setdefault(words[i] + words[i + 1], []).append(i + 1)  # where it ends
        negated: dict[str, list[int]] = {}
        governed = found.governed
        if governed:
            pairs = {j for i in governed for j in (i - 1, i) if 0 <= j < len(words) - 1}
            entries = [(words[i], i, state) for i, state in sorted(governed.items())]
            entries += [
                (
                    words[j] + words[j + 1],
                    j + 1,  # a joined pair stands where it ends
                    max(governed.get(j, PLAIN), governed.get(j + 1, PLAIN)),
                )
                for j in sorted(pairs)
            ]
            for key, at, state in entries:
                negated.setdefault(key, []).append(at)
                if state == NEGATED and at in positions.get(key, ()):
                    positions[key].remove(at)
                    if not positions[key]:
                        del positions[key]
        return cls(positions, negated, found.followed, _misspelt(found))

    def within(self, context: Sequence[Words]) -> Words:
        """Return these words with the words of their context, which no phrase spans."""
        if not context:
            return self
        positions = {w: list(p) for w, p in self.positions.items()}
        negated = {w: list(p) for w, p in self.negated.items()}
        followed = set(self.followed)
        misspelt = set(self.misspelt)
        for n, words in enumerate(context, start=1):
            offset = -_CONTEXT_OFFSET * n  # far from the clause's words and from each other
            for table, theirs in ((positions, words.positions), (negated, words.negated)):
                for w, places in theirs.items():
                    table.setdefault(w, []).extend(p + offset for p in places)
            followed.update(p + offset for p in words.followed)
            misspelt |= words.misspelt
        return Words(positions, negated, frozenset(followed), frozenset(misspelt))

    def _places(self, table: dict[str, list[int]], token: str) -> list[int]:
        """Return where the token, or a misspelling of it, stands in a word table."""
        exact = table.get(token)
        if len(token) < 5 or not token.isalpha():
            return exact or []
        near = [w for w in _near(token, self.misspelt) if w in table]
        if not near:
            return exact or []
        found = set(exact or ())
        for word in near:
            found.update(table[word])
        return sorted(found)

    def may_hold(self, term: Phrase) -> bool:
        """Tell at once whether every word of the phrase is here (or misspelt here)."""
        tokens = term.tokens
        if len(tokens) > 1:
            joined = "".join(tokens)
            if joined in self.positions or joined in self.negated:
                return True
        return all(
            t in self.positions
            or t in self.negated
            or (len(t) >= 5 and t.isalpha() and bool(_near(t, self.misspelt)))
            for t in tokens
        )

    def matches(self, term: Phrase) -> set[int]:
        """Return where the phrase ends in this clause, with its polarity (empty: nowhere)."""
        if not term.tokens or not self.may_hold(term):
            return set()
        ends = self._negated_ends(term.tokens) if term.negated else self._plain_ends(term.tokens)
        if term.trailing:
            return {p for p in ends if p in self.followed}
        return ends

    def span(self, term: Phrase) -> set[str]:
        """Return the words a match of the phrase uses (for the prompt rule)."""
        return set(term.tokens)

    def _plain_ends(self, tokens: Sequence[str]) -> set[int]:
        joined = "".join(tokens)
        if len(tokens) > 1 and joined in self.positions:
            return set(self.positions[joined])
        reach = set(self._places(self.positions, tokens[0]))
        for token in tokens[1:]:
            if not reach:
                break
            reach = {p for p in self._places(self.positions, token) if _after(p, reach)}
        return reach

    def _negated_ends(self, tokens: Sequence[str]) -> set[int]:
        joined = "".join(tokens)
        if len(tokens) > 1 and joined in self.negated:
            return set(self.negated[joined])
        hit = set(self._places(self.negated, tokens[0]))
        reach = hit.union(self._places(self.positions, tokens[0]))
        for token in tokens[1:]:
            if not reach:
                break
            plain, negated = self._places(self.positions, token), self._places(self.negated, token)
            hit = {p for p in negated if _after(p, reach)} | {p for p in plain if _after(p, hit)}
            reach = {p for p in (*plain, *negated) if _after(p, reach)}
        return hit


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Which clauses of an answer hold each word: a rule is tried only where it may hold."""

    # The sets are read, never changed: freezing them took longer than all the lookups.
    where: dict[str, set[int]]  # a word (or joined pair) -> the clauses that have it
    misspelt: dict[str, set[int]]  # a misspelt word -> the clauses that have it
    typos: frozenset[str]  # the misspelt words (the keys of `misspelt`), for `_near`
    # The clauses each phrase may hold in, found once: key points share their phrases.
    reach: dict[tuple[str, ...], frozenset[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, clauses: Sequence[Clause], rules: tuple[str | AllOf, ...]) -> Vocabulary:
        """Index the words of an answer's clauses (with their headings') that the rules use.

        The vocabulary answers `clauses_for` for these rules only: a word no
        rule uses is not indexed (most of an answer's words).
        """
        asked = _asked_words(rules)
        where: defaultdict[str, set[int]] = defaultdict(set)
        misspelt: defaultdict[str, set[int]] = defaultdict(set)
        for index, clause in enumerate(clauses):
            keys, typos = _keys(clause)
            for word in asked.intersection(keys):
                where[word].add(index)
            for word in typos:
                misspelt[word].add(index)
        return cls(dict(where), dict(misspelt), frozenset(misspelt))

    def clauses_for(self, rule: str | AllOf) -> frozenset[int]:
        """Return the clauses where the rule may hold: each of its words is there."""
        if isinstance(rule, str):
            return self._phrase_clauses(phrase(rule).tokens)
        found: set[int] | None = None
        for group in rule.groups:
            union: set[int] = set()
            for alternative in group:
                union |= self._phrase_clauses(phrase(alternative).tokens)
            found = union if found is None else found & union
            if not found:
                return frozenset()
        return frozenset(found or ())

    def _phrase_clauses(self, tokens: tuple[str, ...]) -> frozenset[int]:
        """Return the clauses where a phrase's words all stand (or stand joined), once each."""
        if tokens not in self.reach:
            self.reach[tokens] = frozenset(self._find_phrase(tokens))
        return self.reach[tokens]

    def _find_phrase(self, tokens: tuple[str, ...]) -> set[int]:
        if not tokens:
            return set()
        joined = self.where.get("".join(tokens)) if len(tokens) > 1 else None
        found: set[int] | None = None
        for token in tokens:
            here = self._word_clauses(token)
            found = set(here) if found is None else found & here
            if not found:
                break
        return (found or set()) | set(joined or ())

    def _word_clauses(self, token: str) -> set[int]:
        """Return the clauses that hold a word or a misspelling of it (read, never changed)."""
        here = self.where.get(token, set())
        if len(token) >= 5 and token.isalpha():
            near = _near(token, self.typos)
            if near:
                here = here.union(*(self.misspelt[word] for word in near))
        return here


@lru_cache(maxsize=1024)
def _asked_words(rules: tuple[str | AllOf, ...]) -> frozenset[str]:
    """Return the words the vocabulary is asked about for these rules.

    Each word of each phrase, and a phrase's words joined ("kmeans" for "k means").
    """
    phrases = [p for r in rules for p in ((r,) if isinstance(r, str) else chain(*r.groups))]
    asked: set[str] = set()
    for text in phrases:
        tokens = phrase(text).tokens
        asked.update(tokens)
        if len(tokens) > 1:
            asked.add("".join(tokens))
    return frozenset(asked)


def rule_words(
    rule: str | AllOf,
    words: Words,
    prompt_words: frozenset[str] = frozenset(),
    own: Words | None = None,
) -> set[str] | None:
    """Return the words with which a rule matches a clause, or None if it does not.

    Of a group's alternatives that match, one saying more than the prompt is preferred.
    `words` may hold the clause's context (`Words.within`); then `own`, the
    clause's own words, must hold a phrase rule entirely, and one group of an
    AllOf at least.
    """
    if isinstance(rule, str):
        term = phrase(rule)
        return set(term.tokens) if (own or words).matches(term) else None
    if (
        own is not None
        and own is not words
        and not any(own.matches(phrase(p)) for group in rule.groups for p in group)
    ):
        return None  # the context may give the subject, never the whole claim
    used: set[str] = set()
    for group in rule.groups:
        hits = [phrase(p) for p in group if words.matches(phrase(p))]
        if not hits:
            return None
        best = next((h for h in hits if not set(h.tokens) <= prompt_words), hits[0])
        used.update(best.tokens)
    return used


def states_against(against: Sequence[str], words: Words) -> bool:
    """Tell whether a clause states one of a point's contrary claims."""
    return any(words.matches(phrase(a)) for a in against)


def _keys(clause: Clause) -> tuple[list[str], set[str]]:
    """Return the words a clause's `Words` in context hold, and which may be typos.

    The words are those of the clause and its joined pairs ("k means" also gives
    "kmeans"), then its heading's: the keys of `context_words`, without where
    each stands, read straight from the scan (most clauses are never indexed).
    """
    words = clause.scan.words
    keys = [*words, *(a + b for a, b in pairwise(words))]
    typos = set(_misspelt(clause.scan))
    for text in clause.context:
        heading = _heading_words(text)
        keys += [*heading.positions, *heading.negated]
        typos |= heading.misspelt
    return keys, typos


def clause_words(clause: Clause) -> Words:
    """Index a clause's own words."""
    return Words.of(clause.scan)


def context_words(clause: Clause, own: Words) -> Words:
    """Index a clause's words with those of the heading it speaks under."""
    if not clause.context:
        return own
    return own.within([_heading_words(text) for text in clause.context])


@lru_cache(maxsize=1024)
def _heading_words(text: str) -> Words:
    """Index a heading's words once for all the clauses under it (read, never changed)."""
    return Words.of(scan(text))
