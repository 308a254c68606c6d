"""The words of an answer: normalised, stemmed, and compared with a little typo tolerance.

Text is case-folded, compatibility-decomposed and stripped of accents; words
are reduced to a light stem so that inflections (scaled, scaling) and common
derivations (collinear, collinearity) compare equal. A misspelt word may match
a term within one or two edits, but a word that is English in its own right
never does: "production" is not a typo of "prediction", nor "retraining" of
"retained". Which words are real, and which common, comes from wordfreq's
English lists (read straight from their data files, without importing the
library, which is slow to import).
"""

from __future__ import annotations

import gzip
import importlib.util
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

import msgpack

__all__ = [
    "STOP_WORDS",
    "is_common_word",
    "normalise",
    "plain",
    "real_words",
    "stem",
    "typo_budget",
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
        "some",
        "any",
        "each",
        "every",
        "all",
        "either",
        "both",
        "neither",
        "not",
        "no",
        "nor",
        "only",
        "own",
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
    ]
)

_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
_ISE = re.compile(r"(?<=[a-z]{3})is(e|ed|es|ing|ation|ations)$")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# A word at least this frequent (wordfreq's Zipf scale: 2 is once per hundred million
# words; "retraining" and "spline" are above it, "precison" and "varience" are not) is a
# real word, never taken for a misspelling of another.
REAL_ZIPF = 2.0
# A word at least this frequent is common English: one alone says nothing as a term.
COMMON_ZIPF = 3.0


def _strip_marks(match: re.Match[str]) -> str:
    return "".join(ch for ch in match.group() if not unicodedata.combining(ch))


# Greek letters by name, as members type them when they have no Greek keyboard.
_GREEK = str.maketrans(
    {
        "α": " alpha ",
        "β": " beta ",
        "γ": " gamma ",
        "δ": " delta ",
        "ε": " epsilon ",
        "η": " eta ",
        "θ": " theta ",
        "λ": " lambda ",
        "μ": " mu ",
        "π": " pi ",
        "ρ": " rho ",
        "σ": " sigma ",
        "τ": " tau ",
        "φ": " phi ",
        "ω": " omega ",
    }
)


_A_B = re.compile(r"\ba/b\b")


def plain(text: str) -> str:
    """Return the text case-folded, compatibility-decomposed and without accents."""
    folded = text.casefold()
    if "a/b" in folded:  # one word: "a" is a stop word, and "b" alone says nothing
        folded = _A_B.sub("ab", folded)
    if folded.isascii():  # nothing to decompose, no combining marks
        return folded
    folded = folded.translate(_GREEK)
    return _NON_ASCII.sub(_strip_marks, unicodedata.normalize("NFKD", folded))


def normalise(text: str) -> list[str]:
    """Return the lower-case, accent-free word tokens of a text."""
    return _TOKEN.findall(plain(text))


# Derivations a stem merges: the noun or adverb of an adjective or verb ("collinearity"
# reads as "collinear", "interpretability" as "interpretable").
_DERIVATIONS = (
    ("abilities", "able"),
    ("ability", "able"),
    ("ibility", "ible"),
    ("arities", "ar"),
    ("arity", "ar"),
    ("nesses", ""),
    ("ness", ""),
    ("ity", ""),  # sparsity, complexity, density: sparse, complex, dense
)


# Verbs ending in -ly, not adverbs: "apply" must not read as "app".
_PLY_VERBS = frozenset(["apply", "reply", "supply", "multiply", "comply", "imply", "rely"])
# Short words whose forms the suffix rules below cannot join.
_IRREGULAR = {"uses": "use", "used": "use", "using": "use", "plateaus": "plateau"}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Reduce a word to a light stem so that its inflections and near derivations agree."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, replacement in _DERIVATIONS:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            derived = word[: len(word) - len(suffix)] + replacement
            if derived.endswith("i"):  # readiness: ready
                return stem(derived[:-1] + "y")
            # The adjective's own stem: "sparsity" -> "spars", as "sparse" is.
            return derived[:-1] if derived.endswith("e") else derived
    w = _ISE.sub(lambda m: "iz" + m.group(1), word) if len(word) > 5 else word
    for suffix, replacement in (
        ("sses", "ss"),
        ("ies", "y"),
        ("ied", "y"),
        ("ations", ""),
        ("ation", ""),
        ("ating", ""),  # calibrate, calibrated, calibrating, calibration: "calibr"
        ("ated", ""),
        ("ates", ""),
        ("ate", ""),
        ("ingly", ""),
        ("edly", ""),
        ("ings", ""),
        ("ing", ""),
        ("ed", ""),
        ("ly", ""),
    ):
        if suffix.startswith("at") and len(w) - len(suffix) < 4:
            continue  # rate, rated: "rat"; date, dated: "dat"
        if suffix == "ly" and w in _PLY_VERBS:
            continue  # apply, reply, multiply: a verb, not an adverb
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: len(w) - len(suffix)] + replacement
            if replacement == "y":  # "implies", "implied": stemmed as "imply" is
                return stem(w)
            break
    else:
        if w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 4:
            w = w[:-1]
    if w.endswith("e") and len(w) >= 4:  # tune, tuned, tuning: "tun"
        w = w[:-1]
    if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "aeiou":
        w = w[:-1]
    return w


def typo_budget(length: int) -> int:
    """Return how many edits (a transposition counts once) a word of this length may carry."""
    return 2 if length >= 9 else 1


@cache
def _zipf_buckets(wordlist: str, floor: float) -> frozenset[str]:
    """Return the English words of a wordfreq list at least as frequent as `floor` (Zipf)."""
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    data = Path(next(iter(spec.submodule_search_locations))) / "data" / f"{wordlist}_en.msgpack.gz"
    with gzip.open(data) as file:
        buckets = msgpack.load(file, raw=False)
    # The first entry is a header; bucket i holds the words of frequency 10^(-i/100),
    # whose Zipf value is 9 - i/100.
    found: set[str] = set()
    for i, bucket in enumerate(buckets[1:]):
        if 9 - i / 100 < floor:
            break
        found.update(bucket)
    return frozenset(found)


def real_words() -> frozenset[str]:
    """Return the (plain, lower-case) words that are English in their own right: never typos."""
    return _zipf_buckets("large", REAL_ZIPF)


def is_common_word(word: str) -> bool:
    """Tell whether a (plain, lower-case) word is common English (a term of it alone is vague)."""
    return word in _zipf_buckets("small", COMMON_ZIPF)
