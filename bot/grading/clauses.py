"""An answer as clauses: where claims begin and end, what each negates, whether it is a claim.

A clause is a sentence, or the part of one that a semicolon, a line break (a
bullet) or a contrasting conjunction ("but", "whereas", "although" ...) sets
apart. The words of a key point must meet in one clause, so a property is
credited only to the subject it is claimed of.

Negation. A negator governs the words after it, never past punctuation nor
past a condition or a reason ("unless", "until", "because", "since"). One
followed by a dismissive word ("X is not needed", "X doesn't matter") or a
dismissive word alone ("X is unnecessary") governs the words before it in
that stretch as well. "no" and "without" name what
they exclude ("no leakage" still speaks of leakage) and are kept apart, so a
term written with them can ask for them. "not only X" and "whether or not"
affirm, and "never exceeds X" states a bound.

A claim has sentence structure: a clause of three or more words whose
function words are fewer than one in seven, with no verb the bot knows, is
a run of terms (a keyword list), and covers nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import takewhile

from bot.grading.words import STOP_WORDS, plain, stem

__all__ = [
    "ABSENCE_WORDS",
    "ABSENT",
    "BULLET_MARKS",
    "NEGATED",
    "NEGATORS",
    "PLAIN",
    "Clause",
    "clauses",
    "drop_lists",
    "scan",
]

NEGATORS = frozenset(
    [
        "not",
        "never",
        "nor",
        "neither",
        "cannot",
        "none",
        "nothing",
        "nobody",
        "nowhere",
        "hardly",
        "barely",
        "scarcely",
        "lack",
        "lacks",
        "lacking",
        "fail",
        "fails",
        "failed",
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
# "no" and "without" negate too, but they name what they exclude (see the module text).
ABSENCE_WORDS = frozenset(["no", "without"])
# After a negator, these dismiss what came before it: "an A/B test is not needed here".
_DISMISSIVE_AFTER_LIST = """
    need needed necessary required require matter matters help helps work works important
    useful relevant enough fix fixes solve solves apply applies true case correct right good
    idea worth concern problem issue worry
"""
_DISMISSIVE_AFTER = frozenset(_DISMISSIVE_AFTER_LIST.split())
# These dismiss after "no" only: "X plays no role", "no reason to X", "no point in X"
# (after "not" they are verbs: "it cannot reason across clauses").
_DISMISSIVE_AFTER_NO = _DISMISSIVE_AFTER | frozenset(["role", "reason", "point"])
# How many words after a negator a dismissive word may stand ("isn't really needed"); further
# on it belongs to another predicate ("does not remove weights that matter").
_DISMISSAL_REACH = 3
# Words that dismiss on their own: "X is unnecessary", "an unnecessary X".
_DISMISSIVE = frozenset(
    [
        "unnecessary",
        "irrelevant",
        "pointless",
        "useless",
        "needless",
        "unneeded",
        "unhelpful",
        "overrated",
        "bureaucracy",
        "bureaucratic",
    ]
)
# A negator right before one of these affirms ("not only X but also Y", "not just X").
_AFFIRMING_NEXT = frozenset(["only", "just", "merely", "simply"])
_OR, _NON, _NO, _LONGER = "or", "non", "no", "longer"
# A negator before one of these states a bound, not a denial: "it never exceeds 0.25".
_BOUNDS = frozenset(["exceed", "exceeds", "exceeded", "surpass", "surpasses", "above"])
_FAILS = frozenset(["fail", "fails", "failed"])
PLAIN, ABSENT, NEGATED = 0, 1, 2  # how a word is governed, weakest first
# "X instead of Y", "X rather than Y": Y is what the claim turns down.
_INSTEAD = {"instead": "of", "rather": "than"}
_STRENGTH = {
    **dict.fromkeys(ABSENCE_WORDS, ABSENT),
    **dict.fromkeys(
        [*NEGATORS, "n't", "can't", "won't", "shan't", *_DISMISSIVE, *_INSTEAD], NEGATED
    ),
}
_CUES = frozenset([*_STRENGTH, _NON])
_BREAKS = frozenset(".,;:!?()[]\u2013\u2014")
_NOT_WORDS = STOP_WORDS | _CUES | _BREAKS
_FUNCTION_WORDS = STOP_WORDS | _CUES

# Verbs and auxiliaries that make a run of words a clause even when it has few
# function words ("k-fold reduces variance", "trees overfit").
_VERB_ENDINGS = ("izes", "ises", "ized", "ised", "ifies", "ified", "ates", "ated")
_VERB_LIST = """
    is are was were be been being do does did have has had can could would should will
    shall may might must use uses used make makes made give gives gave get gets got take
    takes took need needs help helps keep keeps let lets cause causes caused
    reduce reduces reduced increase increases increased lower lowers lowered raise raises
    raised prevent prevents avoid avoids add adds added drop drops split splits learn
    learns learned train trains trained fit fits fitted overfit overfits underfit
    underfits predict predicts measure measures capture captures depend depends change
    changes show shows tell tells work works find finds lead leads become becomes stay
    stays leak leaks compute computes computed count counts run runs ran choose chooses
    go goes went look looks see sees saw seem seems suggest suggests put puts set sets
    try tries tried want wants know knows think thinks say says said come comes came
    grow grows grew shrink shrinks shrank hurt hurts hide hides hid break breaks broke
    rank ranks ranked score scores scored sample samples sampled draw draws drew
    remove removes removed return returns returned matter matters improve improves
    improved depend handle handles handled apply applies applied combine combines
    combined update updates updated estimate estimates estimated explain explains
    explained assume assumes assumed require requires required include includes
    included produce produces produced create creates created reach reaches reached
    times plus minus track tracks monitor monitors report reports compare compares check
    checks plot plots tune tunes label labels fix fixes mask masks ask asks benchmark
    log logs test tests validate validates deploy deploys evaluate evaluates retrain
    retrains scale scales encode encodes impute imputes sort sorts store stores send sends
    keep kept start starts stop stops begin begins gets give treat treats weight weights
    mix mixes mixed blend blends blended
    weigh weighs weighed vary varies varied rise rises rose differ differs ignore ignores
    ignored converge converges converged diverge diverges diverged explodes exploded vanish
    vanishes vanished outperform outperforms holds allow allows allowed ensure ensures
    ensured affect affects affected missed replace replaces replaced contain contains
    contained represent represents represented remain remains remained behave behaves
    shifted collapses collapsed lose loses lost moved pushes pushed pulled appear appears
    appeared occur occurs occurred happen happens happened meant given taken known seen
    shown chosen driven drawn grown written kept brought thought caught taught spent dealt
    penalise penalize punish punishes favor favors favour favours generalise generalize
    memorise memorize
"""
_VERBS = frozenset(_VERB_LIST.split())
# Verbs that are nouns as often ("row sums", "cached features"): a verb only in a clause
# of four words or more ("BM25 matches exact rare terms").
_NOUN_VERB_LIST = """
    match matches matched reward rewards rewarded blur blurs blurred retrieve retrieves
    retrieved rerank reranks reranked embed embeds embedded cost costs serve serves served
    route routes routed cache caches cached decode decodes decoded generate generates
    generated cite cites cited attend attends attended overlap overlaps beat beats win wins
    won miss misses catch catches rely relies relied sum sums summed average averages
    averaged fall falls fell hallucinate hallucinates hallucinated means lean leans cap caps
    capped
"""
_NOUN_VERBS = frozenset(_NOUN_VERB_LIST.split())
_NOUN_VERB_MIN_WORDS = 4
_MIN_FUNCTION_SHARE = 1 / 7
# A function word and a full stop make a sentence even when its verb is not one the bot
# knows (an imperative: "Convert sentinel values like -999 into proper missing values.");
# shorter clauses with a function word pass the share rule anyway.
_ENDS = (".", "!")
_EQUATION_SIGNS = ("=", "+", "\u2248", "\u2192", "<", ">", "\u2264", "\u2265")
# How many content words after a negator it governs: the first, and one more across
# an adverb ("isn't really convex"); None: every word up to the next punctuation mark.
NEGATION_REACH: int | None = None
_ADVERBS = frozenset(["always", "even", "ever", "quite", "yet", "much", "well"])
# After the words a negator governs, one of these starts a new predicate it does not reach.
_PREDICATE_STARTS = "should would will can could must may might shall is are was were"
# A short heading (three words at most) ending in a colon or a bold full stop.
_HEADING = re.compile(r"^\W*(?:[\w'-]+\s+){0,2}[\w'-]+(?::|\.\*\*|\*\*:|\*\*\.)\s")
_COPULAS = frozenset(["is", "are", "was", "were", "be", "been", "seem", "seems", "look", "looks"])
_NEW_PREDICATE = frozenset(_PREDICATE_STARTS.split())
# A negator never reaches past these: what follows is a condition or a reason, not what it
# denies ("don't stop early unless the test is sequential").
_SCOPE_ENDS = frozenset(["unless", "until", "because", "since"])

_APOSTROPHES = str.maketrans(dict.fromkeys("\u2018\u2019\u02bc", "'"))
_NT = ("n't", "n\u2018t", "n\u2019t", "n\u02bct")
# "nonconvex" reads "non" + "convex"; "none", "nonce", "nonsense" and "nonetheless" stay words.
_NON_PREFIX = re.compile(r"non(?<![a-z0-9]non)(?=[a-z]{4,}\b)(?!sense\b|etheless\b)")
_SCAN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?|[.,;:!?()[\]\u2013\u2014]")
_SCAN_NT = re.compile(
    r"\b(?:ca|wo|sha)n't\b|[a-z]+(?=n't\b)|n't\b|[a-z0-9]+(?:\.[0-9]+)?|[.,;:!?()[\]\u2013\u2014]"
)
# Where one clause ends and the next begins: a sentence's end, a semicolon, a line
# break, or a contrasting conjunction (which belongs to neither side). The look-behind for
# the sentence's end comes first: it fails at once on most characters, sparing the
# abbreviation checks (the four make the split a third slower when they come first).
CLAUSE_BREAK = re.compile(
    r"(?<=[.!?])(?<!e\.g\.)(?<!i\.e\.)(?<!etc\.)(?<!vs\.)\s+|;|\n\s*\n+|\n(?=\s*(?:[-*\u2022>]|\d+[.)])\s)|"
    r"\s*\b(?:but|whereas|while|although|though|unlike"
    r"|however(?!\s+(?:much|long|many|few|large|small|big|far|often|hard)\b))\b\s*",
    re.IGNORECASE,
)


def _is_adverb(token: str) -> bool:
    return token in _ADVERBS or (
        len(token) >= 5 and token.endswith("ly") and not token.endswith("ply")
    )


# A stop word hyphened to a word makes a word of its own: on-policy is not policy.
_JOINED_PREFIX = re.compile(r"\b(on|over|under|in)-(?=[a-z])")


def _tokens(text: str) -> list[str]:
    """Return the word, negation and punctuation tokens of a text."""
    folded = plain(text)
    if "-" in folded:
        folded = _JOINED_PREFIX.sub(r"\1", folded)
    if _NON in folded:
        folded = _NON_PREFIX.sub("non ", folded)
    if any(nt in folded for nt in _NT):
        return _SCAN_NT.findall(folded.translate(_APOSTROPHES))
    return _SCAN.findall(folded)


@dataclass(frozen=True, slots=True)
class Scan:
    """A text's content words (stemmed) and how negation governs them."""

    words: tuple[str, ...]
    raw: tuple[str, ...]  # the same words, unstemmed (for the typo rule)
    governed: dict[int, int] = field(default_factory=dict)  # word index -> ABSENT/NEGATED
    followed: frozenset[int] = frozenset()  # words a negator directly follows
    tokens: int = 0  # words of every kind (function words too)
    function_words: int = 0
    verbs: int = 0


def scan(text: str) -> Scan:
    """Return the content words of a text and which of them negation governs."""
    tokens = _tokens(text)
    content = [
        (k, t)
        for k, t in enumerate(tokens)
        if t not in _NOT_WORDS or t in _INSTEAD or _inert(tokens, k)  # "instead" says something
    ]
    raw = tuple(t for _, t in content)
    words = tuple(map(stem, raw))
    index_of = {k: i for i, (k, _) in enumerate(content)}
    alpha = [t for t in tokens if t not in _BREAKS]
    function, verbs, noun_verbs = _counts(alpha)
    if len(alpha) >= _NOUN_VERB_MIN_WORDS:
        verbs += noun_verbs
    verbs += sum(text.count(sign) for sign in _EQUATION_SIGNS)  # "IoU = 400 / 2800" claims
    if _HEADING.match(text):
        verbs += 1  # "Limits: a, b", "**Better.** It ...": said of it
    governed: dict[int, int] = {}
    followed: set[int] = set()
    for k, token in enumerate(tokens):
        if token in _CUES and not _inert(tokens, k):
            _govern(tokens, k, index_of, governed, followed)
    return Scan(words, raw, governed, frozenset(followed), len(alpha), function, verbs)


def _counts(words: list[str]) -> tuple[int, int, int]:
    """Count the function words, the verbs and the verbs that are nouns as often, in one pass."""
    function = verbs = noun_verbs = 0
    for t in words:
        function += t in _FUNCTION_WORDS
        verbs += t in _VERBS or t.endswith(_VERB_ENDINGS) or t == "n't"
        noun_verbs += t in _NOUN_VERBS
    return function, verbs, noun_verbs


def _inert(tokens: list[str], k: int) -> bool:
    """Tell whether a word that can negate does not here ("fail over", "rather small")."""
    token, following = tokens[k], tokens[k + 1] if k + 1 < len(tokens) else ""
    if token in _FAILS:
        return following != "to"
    if token == "nothing" and k and tokens[k - 1] == "to":
        return True  # "it fades to nothing": an amount, not a denial
    if token == _NO and following == "matter":
        return True  # "no matter how much data arrives": whatever, not a denial
    if token in _INSTEAD:
        return following != _INSTEAD[token]
    return following in _BOUNDS and token not in ABSENCE_WORDS  # "never exceeds 0.25": a bound


def _govern(
    tokens: list[str],
    k: int,
    index_of: dict[int, int],
    governed: dict[int, int],
    followed: set[int],
) -> None:
    """Mark what the cue at `k` negates."""
    cue, last = tokens[k], len(tokens) - 1
    if cue == _NON:  # a prefix: it negates the word it is attached to
        if k < last and k + 1 in index_of:
            governed[index_of[k + 1]] = NEGATED
        return
    if (k < last and tokens[k + 1] in _AFFIRMING_NEXT) or (k and tokens[k - 1] == _OR):
        return
    before = next((j for j in range(k - 1, -1, -1) if j in index_of), None)
    if before is not None:  # the content word the cue follows ("retrain without")
        followed.add(index_of[before])
    strength = _STRENGTH[cue]
    start = k + 1
    ahead = list(takewhile(lambda t: t not in _BREAKS, tokens[k + 1 : k + 9]))
    if cue == "nothing" and "wrong" in ahead[:2]:
        return  # "nothing is wrong with refitting daily" affirms
    if cue == _NO and any(t in _DISMISSIVE_AFTER_NO for t in ahead):
        strength = NEGATED  # "no need for a test", "no monitoring is needed"
    if cue == _NO and k < last and tokens[k + 1] == _LONGER:  # negates like "not"
        strength, start = NEGATED, k + 2
    stretch_end = next((j for j in range(start, last + 1) if tokens[j] in _BREAKS), last + 1)
    reach = stretch_end - start if NEGATION_REACH is None else NEGATION_REACH
    if cue in _DISMISSIVE:
        reach = 0  # "X is irrelevant" dismisses X; "irrelevant features" names a kind
    governed_any = False
    for j in range(start, stretch_end if reach else start):
        if tokens[j] in _SCOPE_ENDS:
            break
        if j not in index_of:
            if tokens[j] in _CUES or (governed_any and tokens[j] in _NEW_PREDICATE):
                break  # "videos never shown | should be treated as negatives"
            continue
        governed_any = True
        governed[index_of[j]] = max(governed.get(index_of[j], PLAIN), strength)
        reach -= 1
        if not reach or (NEGATION_REACH is not None and not _is_adverb(tokens[j])):
            break
    dismissive = cue in _DISMISSIVE or _dismisses(tokens, k, start, stretch_end)
    if dismissive and strength == NEGATED:
        # A mark right before the cue does not end what it dismisses: "The region: irrelevant."
        stretch_start = next((j + 1 for j in range(k - 2, -1, -1) if tokens[j] in _BREAKS), 0)
        # The subject is before the copula: "items never seen are counted as irrelevant"
        # dismisses the items, not the counting.
        copula = next((j for j in range(k - 1, stretch_start - 1, -1) if tokens[j] in _COPULAS), k)
        for j in range(stretch_start, copula):
            if j in index_of:
                governed[index_of[j]] = NEGATED


def _dismisses(tokens: list[str], k: int, start: int, stretch_end: int) -> bool:
    """Tell whether the negator at `k` dismisses what came before it ("X is not needed")."""
    if tokens[k] == "nothing" and tokens[k + 1 : k + 4] == ["to", "do", "with"]:
        return True  # "ensembles have nothing to do with it"
    reach = min(stretch_end, start + _DISMISSAL_REACH)
    words = _DISMISSIVE_AFTER_NO if tokens[k] == _NO else _DISMISSIVE_AFTER
    return any(tokens[j] in words for j in range(start, reach))


@dataclass(frozen=True, slots=True)
class Clause:
    """One clause of an answer: its text (for evidence), its words, and its structure."""

    text: str
    scan: Scan
    is_claim: bool  # it has sentence structure (it is not a run of terms)
    is_bare: bool  # it is one bare term or a few (a list's item, one per line)
    context: tuple[str, ...] = ()  # what it speaks under: the heading of its section

    @classmethod
    def of(cls, text: str, context: tuple[str, ...] = ()) -> Clause:
        """Scan a clause's text."""
        found = scan(text)
        bare = 0 < found.tokens <= 5 and found.function_words <= 1 and not found.verbs
        return cls(text, found, _has_structure(text, found), bare, context)


def _has_structure(text: str, s: Scan) -> bool:
    """Tell whether a clause has sentence structure (it is not a run of terms)."""
    if not s.words or _is_list(text):
        return False
    if s.verbs:
        return True
    if s.tokens < 3:
        return False
    if s.function_words and text.endswith(_ENDS):
        return True  # ends like a sentence, verb unknown: "Convert sentinel values into nulls."
    return s.function_words >= _MIN_FUNCTION_SHARE * s.tokens


_ITEM_BREAK = re.compile(r"[,/|\u2022\u00b7]")
_MIN_ITEMS = 5
_BARE_SHARE = 0.75


def _function_words(text: str) -> int:
    return sum(1 for t in _tokens(text) if t in STOP_WORDS or t in _CUES)


def _is_bare(item: str) -> bool:
    """Tell whether a list item is a bare term: a few words, no verb, one function word at most."""
    words = [t for t in _tokens(item) if t not in _BREAKS]
    function = sum(1 for t in words if t in STOP_WORDS or t in _CUES)
    return (
        0 < len(words) <= 5
        and function <= 1
        and not any(t in _VERBS for t in words)
        and not any(sign in item for sign in _EQUATION_SIGNS)
    )


def drop_lists(parts: list[Clause]) -> list[Clause]:
    """Return the clauses that may claim something, leaving out a bulleted list's terms.

    An answer whose clauses are mostly bare terms, one per line, is a list: its
    bare clauses say nothing about their terms, whatever verb one of them holds.
    """
    bare = [c.is_bare for c in parts]
    if len(parts) >= _MIN_ITEMS and sum(bare) >= _BARE_SHARE * len(parts):
        return [c for c, is_bare in zip(parts, bare, strict=True) if not is_bare and c.is_claim]
    return [c for c in parts if c.is_claim]


def _is_list(text: str) -> bool:
    """Tell whether a clause is a list of terms ("bias, variance, bootstrap, bagging")."""
    if len(_ITEM_BREAK.findall(text)) < _MIN_ITEMS - 1:
        return False  # most clauses: too few commas to be a list
    items = [i for i in _ITEM_BREAK.split(text) if i.strip()]
    if len(items) < _MIN_ITEMS or _function_words(items[0]) > 1:
        return False  # a sentence that ends in an enumeration starts with its claim
    return sum(map(_is_bare, items)) >= _BARE_SHARE * len(items)


# What a bullet or a heading's marks leave around a clause's text.
BULLET_MARKS = " \t-*•>#"
# "A common answer is X - that's wrong: Y": the verdict parts the rejected claim from Y
# (tried only on a text that holds one of the words: the split runs on every answer).
_VERDICT = re.compile(
    r"[\s,:\u2013\u2014-]*\b(?:that's|that is|this is|which is|it's|it is)\s+"
    r"(?:wrong|a mistake|a myth|false|incorrect|not true)\b"
    r"(?=\s*(?:[,:.!\u2013\u2014-]|because\b|since\b|$))[\s,:.!\u2013\u2014-]*",
    re.IGNORECASE,
)
_VERDICT_WORDS = ("wrong", "mistake", "myth", "false", "incorrect", "not true")


def _split_clauses(text: str) -> list[str]:
    """Return the texts of a passage's clauses, before stripping."""
    parts = CLAUSE_BREAK.split(text)
    lowered = text.lower()
    if any(word in lowered for word in _VERDICT_WORDS):
        parts = [piece for part in parts for piece in _VERDICT.split(part)]
    return parts


def clauses(text: str, context: tuple[str, ...] = ()) -> Iterator[Clause]:
    """Split a passage into its clauses, each speaking under `context` (its heading)."""
    for part in _split_clauses(text):
        stripped = part.strip(BULLET_MARKS)
        if stripped:
            yield Clause.of(stripped, context)
