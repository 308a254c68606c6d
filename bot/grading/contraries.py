"""Contrary words: a clause that turns a key point's direction around does not state it.

A key point's text says which way its claim goes ("a larger k lowers the
variance", "UCB adds an uncertainty bonus", "SHAP gives a local
explanation"). A clause that matches the point's rule but uses the opposite
word in place of the text's ("a larger k raises the variance", "UCB
subtracts a penalty", "SHAP is a global method") states the contrary claim,
even where the point lists no `against` phrase for it. The rule is narrow on
purpose: the clause must hold the opposite word plainly (neither negated nor
excluded with "no" or "without") and not the text's own word, and the rule
that matched must not itself be written with the opposite word. A word the
text compares with "than" is left out: "A needs less traffic than B" is "B
needs more traffic than A".
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.grading.claims import Words
from bot.grading.clauses import scan
from bot.grading.words import stem

__all__ = ["CONTRARY_PAIRS", "contrary_words", "turns_around"]

# Pairs of words whose swap turns a claim around, as written (each side with its forms).
CONTRARY_PAIRS: tuple[tuple[str, str], ...] = (
    ("higher", "lower"),
    ("high", "low"),
    ("increase increases increased increasing", "decrease decreases decreased decreasing"),
    ("increase increases increased increasing", "reduce reduces reduced reducing"),
    ("raise raises raised raising", "lower lowers lowered lowering"),
    ("more", "less fewer"),
    ("larger", "smaller"),
    ("large", "small"),
    ("bigger", "smaller"),
    ("above", "below"),
    ("overestimate overestimates overestimated", "underestimate underestimates underestimated"),
    ("overfit overfits overfitting", "underfit underfits underfitting"),
    ("faster", "slower"),
    ("add adds added adding", "subtract subtracts subtracted subtracting"),
    ("bonus", "penalty"),
    ("maximise maximises maximize maximizes", "minimise minimises minimize minimizes"),
    ("wider", "narrower"),
    ("longer", "shorter"),
    ("stronger", "weaker"),
    ("better", "worse"),
    ("past", "future"),
    ("local", "global"),
    ("deep deeper", "shallow shallower"),
    ("pairwise", "pointwise"),
    ("random randomly", "deterministic deterministically"),
    ("online", "offline"),
    ("earlier", "later"),
    ("dense", "sparse"),
    ("explicit", "implicit"),
    ("cheap cheaper", "expensive costly"),
    ("generative", "discriminative"),
    ("minimum", "maximum"),
    ("grow grows", "shrink shrinks"),
    ("overconfident", "underconfident"),
    ("optimistic optimistically", "pessimistic pessimistically"),
)


# A direction word compared with "than" ("actuals less extreme than the predictions") says
# the same as its opposite with the two sides swapped ("predictions more extreme than
# actuals"): it turns nothing around.
_COMPARED = re.compile(r"\b(?=([a-z]+)\b(?:\s+[\w-]+){0,2}\s+than\b)")


@lru_cache(maxsize=1)
def _sides() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Return, for each stem of a contrary pair, its own side's stems and its opposites."""
    table: dict[str, tuple[set[str], set[str]]] = {}
    for left, right in CONTRARY_PAIRS:
        a = frozenset(stem(w) for w in left.split())
        b = frozenset(stem(w) for w in right.split())
        for side, other in ((a, b), (b, a)):
            for word in side:
                same, opposite = table.setdefault(word, (set(), set()))
                same.update(side)
                opposite.update(other)
    return {w: (frozenset(s), frozenset(o)) for w, (s, o) in table.items()}


@lru_cache(maxsize=8192)
def contrary_words(text: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """Return the direction words of a key point's text, each with its opposites (stemmed)."""
    sides = _sides()
    found = scan(text)
    compared = {stem(m.group(1)) for m in _COMPARED.finditer(text.lower())}
    # In the text's order, each word once (a set's order would change from run to run).
    said = list(
        dict.fromkeys(
            w
            for i, w in enumerate(found.words)
            if w in sides and i not in found.governed and w not in compared
        )
    )
    # A word on the side of another of the text's words is no opposite ("fewer ... more").
    same = set().union(*(sides[w][0] for w in said)) if said else set()
    pairs = {w: sides[w][1] - same for w in said}
    return tuple((w, o) for w, o in pairs.items() if o)


def turns_around(
    pairs: tuple[tuple[str, frozenset[str]], ...], words: Words, rule_tokens: frozenset[str]
) -> bool:
    """Tell whether a clause uses the opposite of one of the text's direction words instead."""
    for word, opposites in pairs:
        if word in words.positions or word in words.negated:
            continue
        if any(
            o in words.positions and o not in words.negated and o not in rule_tokens
            for o in opposites
        ):
            return True
    return False
