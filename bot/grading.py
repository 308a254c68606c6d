"""Key-point coverage of an answer: deterministic, typo-tolerant matching.

Grading is feedback, not a verdict: an answer covers a key point when it
contains one of the point's match terms, after normalisation (case, accents,
punctuation), light stemming and a small typo tolerance for longer words.

Negation: a negator ("not", "never", n't, the prefix "non", ...) governs the next
word, or the next two across an adverb ("isn't really convex"), and a match counts
only when its polarity agrees with the term's: "not convex" does not cover "convex"
and "differentiable" does not cover "not differentiable", while "isn't
differentiable" and "non-differentiable" do. "no" and "without" name what they
exclude, so "no leakage" still covers "leakage" as well as the term "no leakage".
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
    "ABSENCE_WORDS",
    "NEGATORS",
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

# Negation. A negator governs the first content word after it, and the next one
# too when that first word is an adverb ("isn't really convex"): at most _MAX_GAP
# words, as for a phrase, and never past a clause break (. , ; : ! ?, a bracket or a
# long dash).
# A term matches only where its polarity agrees (see _Answer.contains).
#
# NEGATORS flip what they govern: a match containing a word they govern does not
# count for a term without negation ("not convex" does not cover "convex"). The n't
# contractions ("isn't", "can’t", with ' or ’) count as "not" (normalise would split
# them into "isn" + "t"); the apostrophe-less spellings of chat text ("isnt",
# "dont") are listed. The prefix "non" ("non-convex", "non convex", "nonconvex")
# negates only the word it is attached to: "non-maximum suppression" still
# mentions suppression. "no longer" counts as "not".
NEGATORS = frozenset(
    [
        "not",
        "never",
        "nor",
        "neither",
        "cannot",
        "aint",
        "arent",
        "cant",
        "couldnt",
        "didnt",
        "doesnt",
        "dont",
        "hadnt",
        "hasnt",
        "havent",
        "isnt",
        "mustnt",
        "neednt",
        "shouldnt",
        "wasnt",
        "werent",
        "wont",
        "wouldnt",
    ]
)
# ABSENCE_WORDS negate too, but they name the thing they exclude: "no leakage",
# "without early stopping" still mention leakage and early stopping (in the bank's
# reference answers they nearly always do), so they do not stop a term without
# negation from matching; they do satisfy a term written with a negation ("no free
# lunch", "without replacement").
ABSENCE_WORDS = frozenset(["no", "without"])
# "none", "nothing", "hardly", "lack of" and the prefixes "un-" and "in-" negate nothing.
# Double negation is not resolved: "not non-convex" stays negated.

_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
_MAX_GAP = 2  # neighbours of a phrase may stand at most one word apart
_ISE = re.compile(r"is(e|ed|es|ing|ation|ations)$")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# The words of _TOKEN and the punctuation that ends a negator's reach ("trees do
# not. High cardinality ...", "stop if not (bandit-style)").
_SCAN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?|[.,;:!?()[\]\u2013\u2014]")
# The same when the text has an n't contraction: "isn't" -> "is" "n't", "can't" -> "can't".
_SCAN_NT = re.compile(
    r"\b(?:ca|wo|sha)n't\b|[a-z]+(?=n't\b)|n't\b|[a-z0-9]+(?:\.[0-9]+)?|[.,;:!?()[\]\u2013\u2014]"
)
_APOSTROPHES = str.maketrans(dict.fromkeys("\u2018\u2019\u02bc", "'"))
_NT = ("n't", "n\u2018t", "n\u2019t", "n\u02bct")
# "nonconvex" reads "non" + "convex"; "none", "nonce", "nonsense" and "nonetheless" stay words.
_NON_PREFIX = re.compile(r"non(?<![a-z0-9]non)(?=[a-z]{4,}\b)(?!sense\b|etheless\b)")
_NO, _LONGER, _OR, _NON = "no", "longer", "or", "non"
# A negator right before one of these affirms ("not only X but also Y", "not just X");
# one right after "or" offers a choice ("whether or not", "with or without").
_AFFIRMING_NEXT = frozenset(["only", "just", "merely", "simply"])
_ADVERBS = frozenset(["always", "even", "ever", "quite", "yet", "much", "well"])
_PLAIN, _ABSENT, _NEGATED = 0, 1, 2  # how a word is governed, weakest first
_STRENGTH = {
    **dict.fromkeys(ABSENCE_WORDS, _ABSENT),
    **dict.fromkeys([*NEGATORS, "n't", "can't", "won't", "shan't"], _NEGATED),
}
_CUES = frozenset([*_STRENGTH, _NON])
_BREAKS = frozenset(".,;:!?()[]\u2013\u2014")
_NOT_WORDS = STOP_WORDS | _CUES | _BREAKS


def _strip_marks(match: re.Match[str]) -> str:
    return "".join(ch for ch in match.group() if not unicodedata.combining(ch))


def _plain(text: str) -> str:
    """Return the text case-folded, compatibility-decomposed and without accents."""
    folded = text.casefold()
    if folded.isascii():  # nothing to decompose, no combining marks
        return folded
    return _NON_ASCII.sub(_strip_marks, unicodedata.normalize("NFKD", folded))


def normalise(text: str) -> list[str]:
    """Return the lower-case, accent-free word tokens of a text."""
    return _TOKEN.findall(_plain(text))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Reduce a word to a light stem so that its inflections compare equal."""
    if len(word) <= 3 or not word.isalpha():
        return word
    w = _ISE.sub(lambda m: "iz" + m.group(1), word) if len(word) > 5 else word
    for suffix, replacement in (
        ("sses", "ss"),
        ("ies", "y"),
        ("ied", "y"),
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
            if replacement == "y":  # "implies", "implied": stemmed as "imply" is
                return stem(w)
            break
    else:
        if w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 4:
            w = w[:-1]
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "aeiou":
        w = w[:-1]
    return w


def _is_adverb(token: str) -> bool:
    return token in _ADVERBS or (
        len(token) >= 5 and token.endswith("ly") and not token.endswith("ply")
    )


def _tokens(text: str) -> list[str]:
    """Return the word, negation and clause-break tokens of a text."""
    plain = _plain(text)
    if _NON in plain:
        plain = _NON_PREFIX.sub("non ", plain)
    if any(nt in plain for nt in _NT):
        return _SCAN_NT.findall(plain.translate(_APOSTROPHES))
    return _SCAN.findall(plain)


def _scan(text: str) -> tuple[list[str], dict[int, int], set[int]]:
    """Return a text's stemmed content words and how the governed ones are governed.

    The second value maps the index of each word a negator governs to _NEGATED,
    or to _ABSENT when only "no" or "without" governs it; the third holds the
    indices of the words a negator directly follows.
    """
    tokens = _tokens(text)
    not_words = _NOT_WORDS
    words = [stem(t) for t in tokens if t not in not_words]
    governed: dict[int, int] = {}
    followed: set[int] = set()
    if _CUES.isdisjoint(tokens):
        return words, governed, followed
    last = len(tokens) - 1
    count = prev = 0  # count: how many words tokens[:prev] holds
    for k in [k for k, t in enumerate(tokens) if t in _CUES]:
        count += k - prev - sum(map(not_words.__contains__, tokens[prev:k]))
        prev, cue = k, tokens[k]
        if cue == _NON:  # a prefix: it negates the word it is attached to
            if k < last and tokens[k + 1] not in not_words:
                governed[count] = _NEGATED
            continue
        if (k < last and tokens[k + 1] in _AFFIRMING_NEXT) or (k and tokens[k - 1] == _OR):
            continue
        if count:
            followed.add(count - 1)
        strength, start, index, reach = _STRENGTH[cue], k + 1, count, _MAX_GAP
        if cue == _NO and k < last and tokens[k + 1] == _LONGER:  # negates like "not"
            strength, start, index = _NEGATED, k + 2, count + 1
            governed[count] = _NEGATED
        for j in range(start, last + 1):
            token = tokens[j]
            if token in not_words:
                if token in _BREAKS or token in _CUES:
                    break
                continue
            governed[index] = max(governed.get(index, _PLAIN), strength)
            index += 1
            reach -= 1
            if not reach or not _is_adverb(token):
                break
    return words, governed, followed


@dataclass(frozen=True, slots=True)
class _Term:
    tokens: tuple[str, ...]
    negated: bool  # it contains a negation: a match needs a negated word
    trailing: bool  # it ends with a negator ("retrain without"): one must follow the match


@lru_cache(maxsize=16384)
def _term(term: str) -> _Term:
    words, governed, followed = _scan(term)
    trailing = bool(words) and len(words) - 1 in followed
    return _Term(tuple(words), bool(governed), trailing)


def term_tokens(term: str) -> tuple[str, ...]:
    """Return the stemmed content words of a match term (stop words and negators dropped)."""
    return _term(term).tokens


def _typo_budget(length: int) -> int:
    """Return how many edits (a transposition counts once) a word of this length may carry."""
    return 2 if length >= 9 else 1


def _places(table: dict[str, list[int]], token: str) -> list[int]:
    """Return where the token, or a word within its typo budget, stands in a word table."""
    exact = table.get(token)
    if len(token) < 5 or not token.isalpha():
        return exact or []
    found = set(exact or ())
    budget = _typo_budget(len(token))
    near = [w for w in table if w[0] == token[0] and abs(len(w) - len(token)) <= budget]
    matches = process.extract(
        token, near, scorer=DamerauLevenshtein.distance, score_cutoff=budget, limit=None
    )
    for word, _, _ in matches:
        found.update(table[word])
    return sorted(found)


def _after(p: int, reach: set[int]) -> bool:
    return any(0 < p - q <= _MAX_GAP for q in reach)


@dataclass(frozen=True, slots=True)
class _Answer:
    positions: dict[str, list[int]]  # words (and joined pairs) a term without negation may match
    negated: dict[str, list[int]]  # words (and joined pairs) governed by any negator
    followed: frozenset[int]  # words a negator directly follows

    @classmethod
    def of(cls, text: str) -> _Answer:
        words, governed, followed = _scan(text)
        positions: dict[str, list[int]] = {}
        for i, w in enumerate(words):
            positions.setdefault(w, []).append(i)
        for i in range(len(words) - 1):  # "k means" also matches the term "kmeans"
            positions.setdefault(words[i] + words[i + 1], []).append(i)
        negated: dict[str, list[int]] = {}
        if governed:  # move the governed words, and the pairs with one, to `negated`
            pairs = {j for i in governed for j in (i - 1, i) if 0 <= j < len(words) - 1}
            entries = [(words[i], i, state) for i, state in sorted(governed.items())]
            entries += [
                (
                    words[j] + words[j + 1],
                    j,
                    max(governed.get(j, _PLAIN), governed.get(j + 1, _PLAIN)),
                )
                for j in sorted(pairs)
            ]
            for key, at, state in entries:
                negated.setdefault(key, []).append(at)
                if state == _NEGATED:
                    positions[key].remove(at)
                    if not positions[key]:
                        del positions[key]
        return cls(positions, negated, frozenset(followed))

    def contains(self, term: _Term) -> bool:
        """Tell whether the term occurs here with its polarity.

        A term without negation needs a match none of whose words a NEGATORS word
        governs; a term with one needs a match with at least one negated word; a
        term ending with a negator ("retrain without") needs one right after it.
        """
        tokens = term.tokens
        if not tokens:
            return False
        ends = self._negated_ends(tokens) if term.negated else self._plain_ends(tokens)
        if term.trailing:
            return any(p in self.followed for p in ends)
        return bool(ends)

    def _plain_ends(self, tokens: Sequence[str]) -> set[int]:
        """Return where matches of the tokens without a NEGATORS-governed word stand."""
        joined = "".join(tokens)
        if len(tokens) > 1 and joined in self.positions:
            return set(self.positions[joined])
        reach = set(_places(self.positions, tokens[0]))
        for token in tokens[1:]:
            if not reach:
                break
            reach = {p for p in _places(self.positions, token) if _after(p, reach)}
        return reach

    def _negated_ends(self, tokens: Sequence[str]) -> set[int]:
        """Return where matches of the tokens with at least one negated word stand."""
        joined = "".join(tokens)
        if len(tokens) > 1 and joined in self.negated:
            return set(self.negated[joined])
        hit = set(_places(self.negated, tokens[0]))  # matches so far with a negated word
        reach = hit.union(_places(self.positions, tokens[0]))  # all matches so far
        for token in tokens[1:]:
            if not reach:
                break
            plain, negated = _places(self.positions, token), _places(self.negated, token)
            hit = {p for p in negated if _after(p, reach)} | {p for p in plain if _after(p, hit)}
            reach = {p for p in (*plain, *negated) if _after(p, reach)}
        return hit


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
        hit = next((t for t in point.match if prepared.contains(_term(t))), None)
        covered.append(hit is not None)
        matched.append(hit)
    return Coverage(tuple(covered), tuple(matched))
