"""The claim rules (bot.grading.claims): phrases in order, polarity, and what context may give."""

from __future__ import annotations

from bot.grading import grade
from bot.model import AllOf, KeyPoint


def covers(answer: str, *terms: str) -> bool:
    return grade(answer, [KeyPoint("point", terms)]).covered[0]


def test_a_phrase_that_repeats_a_word_needs_it_twice() -> None:
    assert not covers("Take one step.", "step by step")
    assert covers("Take one step, then another step.", "step by step")


def test_a_clause_with_the_exact_word_is_tried_when_another_misspells_it() -> None:
    answer = "The precison is low. Precision matters most here."
    assert covers(answer, "precision matters most")


def test_short_words_forgive_no_typo() -> None:
    answer = "Boosting has high bais at first, then the variance and the bias fall."
    assert not covers(answer, "high bias")


def test_every_word_of_a_negated_phrase_must_be_there_in_order() -> None:
    assert not covers("There is no data in the holdout.", "no data leakage")
    answer = "No data went into the holdout, yet its leakage was measured."
    assert not covers(answer, "no data leakage")


def test_every_word_of_a_phrase_with_a_trailing_negator_must_be_there() -> None:
    assert not covers("Retrain it without the feature.", "retrain the full model without")
    answer = "For the full model, retrain it without the feature."
    assert not covers(answer, "retrain the full model without")  # in another order


def test_a_negated_phrase_matches_with_its_word_also_stated_elsewhere() -> None:
    assert covers("For w near zero the loss is not convex in w.", "not convex in w")
    assert covers("For w near zero the loss is not convex anywhere in w.", "not convex in w")


def test_an_alternative_of_stop_words_only_matches_nothing() -> None:
    point = KeyPoint("p", (AllOf((("bias", "the"),)),))
    assert grade("High bias and variance.", [point]).covered == (True,)
    assert grade("The variance is high.", [point]).covered == (False,)


def test_a_phrase_never_spans_the_heading_and_the_clause() -> None:
    point = KeyPoint("p", (AllOf((("boosting bias",), ("lower",))),))
    assert not grade("Boosting\n- It gives lower bias.", [point]).covered[0]


def test_a_heading_may_give_a_phrase_with_a_trailing_negator() -> None:
    point = KeyPoint("p", (AllOf((("retrain without",), ("compare",))),))
    answer = "### Retrain without the feature:\nThen compare the scores."
    assert grade(answer, [point]).covered[0]


def test_a_typo_under_a_heading_is_forgiven() -> None:
    assert covers("Bagging\n- Its main effect is a lower varience.", "lower variance")


def test_a_typo_in_the_clause_counts_for_a_group_read_with_its_heading() -> None:
    point = KeyPoint("p", (AllOf((("bagging",), ("lower variance",))),))
    # "bagging" stands only in the heading: the groups are read in the clause's words
    # with its heading's, where the clause's own misspelling must still be forgiven.
    assert grade("Bagging\n- Its main effect is a lower varience.", [point]).covered[0]


def test_a_negation_under_a_heading_still_negates() -> None:
    assert not covers("Boosting\n- The main effect is not lower variance.", "lower variance")
    assert covers("Boosting\n- The main effect is not lower variance.", "not lower variance")


def test_a_misspelt_word_may_carry_the_trailing_negator() -> None:
    answer = "We retrain the model, then retrian it without the leaky feature."
    assert covers(answer, "retrain without")
