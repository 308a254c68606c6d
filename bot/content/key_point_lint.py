"""Checks of a question's key points, and of its answer fixtures graded as members' are.

Each key point is a claim its reference answer states, that neither the
prompt nor an answer committing its pitfall covers, and that a wrong answer
fixture never reaches while a paraphrase always does.
"""

from __future__ import annotations

from bot.content.bank import Problem
from bot.grading import STOP_WORDS, grade, normalise, term_tokens
from bot.grading.claims import phrase as compiled_phrase
from bot.grading.words import is_common_word, real_words, stem
from bot.model import KeyPoint, Question

__all__ = ["key_point_problems"]


def key_point_problems(q: Question, label: str, strict: bool) -> list[Problem]:
    """Return what is wrong with a question's key points and its answer fixtures.

    `strict` (a category written as claims) adds the checks that keep a keyword
    list, the prompt and a wrong answer from scoring.
    """
    out: list[Problem] = []
    for index, point in enumerate(q.key_points):
        where = f"key_points.{index}.match"
        for term in _phrases(point):
            if not term_tokens(term):  # stop words and negators alone never match
                problem = f"term {term!r} has only stop words or negations"
                out.append(Problem(label, q.id, where, problem))
        if not grade(q.answer, [point], q.prompt).covered[0]:
            out.append(
                Problem(
                    label,
                    q.id,
                    where,
                    f"the reference answer states none of the rules of {point.text!r} "
                    "(in one clause, with sentence structure, beyond the prompt's words)",
                )
            )
        out.extend(_cut_words(q, index, point, label))
        if strict:
            out.extend(_claim_problems(q, index, point, label))
    if strict:
        out.extend(_answer_fixture_problems(q, label))
    return out


# Endings a word cut short by hand lacks ("calibrat" for calibrate, "amplif" for amplify).
_WHOLE_WORD_ENDINGS = ("e", "y", "ise", "ize", "es", "ed", "ing", "ion", "ate")
_NOT_CUT = frozenset(["probit", "discriminator"])  # words of the trade wordfreq does not list


def _cut_words(q: Question, index: int, point: KeyPoint, label: str) -> list[Problem]:
    """Return the words of a key point's terms that are cut short, so match no whole word.

    The grader compares the stems of whole words: "calibrat" is no stem of
    "calibrated" ("calibr"), and a rule written with it never matches.
    """
    real = real_words()
    out: list[Problem] = []
    for phrase in [*_phrases(point), *point.against]:
        for word in normalise(phrase):
            if word in real or word in _NOT_CUT or len(word) < 5 or not word.isalpha():
                continue
            whole = [word + end for end in _WHOLE_WORD_ENDINGS if word + end in real]
            if whole and all(stem(w) != stem(word) for w in whole):
                problem = (
                    f"{word!r} in {phrase!r} is cut short and matches no word: write it whole "
                    f"({whole[0]!r}); the grader compares the stems of whole words"
                )
                out.append(Problem(label, q.id, f"key_points.{index}", problem))
    return out


def _claim_problems(q: Question, index: int, point: KeyPoint, label: str) -> list[Problem]:
    """Return what keeps a key point from being a claim the clause grader can check."""
    where = f"key_points.{index}"
    out: list[Problem] = []
    prompt_words = set(term_tokens(q.prompt))
    for rule in point.match:
        groups = [(rule,)] if isinstance(rule, str) else rule.groups
        if all(any(set(term_tokens(p)) <= prompt_words for p in g) for g in groups):
            shown = rule if isinstance(rule, str) else " + ".join(" | ".join(g) for g in groups)
            out.append(
                Problem(label, q.id, where, f"rule {shown!r} is made of the prompt's own words")
            )
        for phrase in [p for g in groups for p in g]:
            words = normalise(phrase)
            content = [w for w in words if w not in STOP_WORDS]
            if len(content) == 1 and is_common_word(content[0]) and isinstance(rule, str):
                problem = f"term {phrase!r} is one common word: it says nothing on its own"
                out.append(Problem(label, q.id, where, problem))
    for phrase in point.against:
        words = [w for w in normalise(phrase) if w not in STOP_WORDS]
        single = len(term_tokens(phrase)) == 1 and not compiled_phrase(phrase).negated
        if single and is_common_word(words[-1]):
            problem = (
                f"against {phrase!r} keeps one common word: it would void every clause naming it"
            )
            out.append(Problem(label, q.id, where, problem))
    if grade(q.prompt, [point]).covered[0]:
        out.append(Problem(label, q.id, where, "the prompt itself covers this key point"))
    for n, fixture in enumerate(point.not_covered_by):
        if grade(fixture, [point], q.prompt).covered[0]:
            problem = f"not_covered_by.{n} (it commits the pitfall) covers the point"
            out.append(Problem(label, q.id, where, problem))
    return out


def _phrases(point: KeyPoint) -> list[str]:
    """Return every phrase of a key point's match rules."""
    found: list[str] = []
    for rule in point.match:
        found.extend([rule] if isinstance(rule, str) else [p for g in rule.groups for p in g])
    return found


def _answer_fixture_problems(q: Question, label: str) -> list[Problem]:
    """Return the key points a wrong answer fixture covers, or a paraphrase misses."""
    out: list[Problem] = []
    for n, fixture in enumerate(q.wrong_answers):
        found = grade(fixture, q.key_points, q.prompt)
        verdicts = zip(q.key_points, found.covered, found.evidence, strict=True)
        for point, covered, evidence in verdicts:
            if covered:
                problem = (
                    f"the wrong answer covers {point.text!r} with {evidence!r}: "
                    "a contrary claim must void it (against, or a tighter rule)"
                )
                out.append(Problem(label, q.id, f"wrong_answers.{n}", problem))
    for n, fixture in enumerate(q.paraphrases):
        found = grade(fixture, q.key_points, q.prompt)
        for point, covered in zip(q.key_points, found.covered, strict=True):
            if not covered:
                problem = f"the paraphrase states {point.text!r} but no rule covers it"
                out.append(Problem(label, q.id, f"paraphrases.{n}", problem))
    return out
