"""A clause that turns a key point's direction around does not state it."""

from __future__ import annotations

import pytest

from bot.grading import grade
from bot.grading.contraries import CONTRARY_PAIRS, contrary_words
from bot.grading.words import stem
from bot.model import AllOf, KeyPoint

UCB = KeyPoint(
    "UCB adds an uncertainty bonus to each arm's mean",
    (AllOf((("ucb",), ("uncertainty", "exploration"))),),
)
STABLE = KeyPoint(
    "Stability requires the learning rate below about 2 / lambda_max",
    (AllOf((("2 / lambda_max", "2 over the largest eigenvalue"), ("learning rate",))),),
)
LOCAL = KeyPoint("Use a local, per-applicant attribution such as SHAP", ("shap",))
FEWER = KeyPoint(
    "Discriminative models make fewer assumptions and are more accurate with plenty of data",
    (AllOf((("logistic regression",), ("assumes", "assumptions"))),),
)


def covered(answer: str, point: KeyPoint) -> bool:
    return grade(answer, [point]).covered[0]


@pytest.mark.parametrize(
    ("answer", "point"),
    [
        ("UCB subtracts an uncertainty penalty from each arm's mean.", UCB),
        ("The learning rate must stay above 2 / lambda_max for stability.", STABLE),
        ("SHAP is a global method that repeats the importance chart.", LOCAL),
    ],
)
def test_the_opposite_direction_word_voids_the_match(answer: str, point: KeyPoint) -> None:
    assert not covered(answer, point)


@pytest.mark.parametrize(
    ("answer", "point"),
    [
        ("UCB adds a bonus for uncertainty to every arm.", UCB),
        ("UCB explores through uncertainty: rarely tried arms look better.", UCB),  # no word
        ("Keep the learning rate below 2 / lambda_max, never above it.", STABLE),  # both
        ("SHAP explains each applicant's own score.", LOCAL),
        ("SHAP is local, unlike the global importance chart.", LOCAL),
        # "less" is on the side of the text's own "fewer": no opposite of it
        ("Logistic regression assumes less and wins with plenty of data.", FEWER),
    ],
)
def test_the_same_direction_or_none_keeps_the_match(answer: str, point: KeyPoint) -> None:
    assert covered(answer, point)


def test_each_direction_word_of_the_text_is_checked() -> None:
    point = KeyPoint("A larger k lowers the variance", (AllOf((("larger k",), ("variance",))),))
    assert covered("A larger k lowers the variance of the vote.", point)
    assert not covered("A larger k raises the variance of the vote.", point)  # 2nd word turned


def test_a_negated_opposite_is_no_opposite() -> None:
    assert covered("UCB adds no penalty: it adds an uncertainty term.", UCB)


def test_a_rule_written_with_the_opposite_word_keeps_it() -> None:
    point = KeyPoint("UCB adds a bonus, never a penalty", (AllOf((("ucb",), ("not a penalty",))),))
    assert covered("UCB's term is not a penalty on uncertainty.", point)
    written = KeyPoint("A global model is worse here than local ones", ("global model",))
    assert covered("A single global model loses to the local ones.", written)


def test_a_rule_turned_around_leaves_the_next_rule_to_try_the_same_clause() -> None:
    point = KeyPoint(
        "Boosting increases the fit to the data",
        ("boosting", AllOf((("boosting",), ("reduces bias",)))),
    )
    coverage = grade("Boosting reduces bias.", [point])
    # "boosting" alone matches, but the clause says "reduces" where the text says
    # "increases"; the second rule is written with "reduces" and covers the point.
    assert coverage.matched_terms == ("boosting + reduces bias",)


def test_direction_words_of_a_text_and_their_opposites() -> None:
    found = dict(contrary_words("A larger k lowers the variance"))
    assert found == {
        stem("larger"): {stem("smaller")},
        stem("lowers"): {stem("higher"), stem("raises")},
    }
    assert contrary_words("A model of the data") == ()
    # a negated word of the text says no direction
    assert dict(contrary_words("not higher, but lower")) == {
        stem("lower"): {stem("higher"), stem("raises")}
    }


def test_every_pair_is_two_disjoint_sides_of_real_words() -> None:
    for left, right in CONTRARY_PAIRS:
        a = {stem(w) for w in left.split()}
        b = {stem(w) for w in right.split()}
        assert a and b and not a & b, (left, right)


def test_a_word_compared_with_than_turns_nothing_around() -> None:
    point = KeyPoint(
        "Binned by predicted value, actuals less extreme than the predictions show overfitting",
        (AllOf((("too extreme",), ("predictions",))),),
    )
    answer = "The predictions are too extreme, a sign of overfitting (regularise more)."
    assert covered(answer, point)  # "more" is no opposite of a compared "less"
    assert contrary_words("A needs less traffic than B") == ()


def test_a_contrary_claim_in_one_clause_leaves_the_point_stated_in_another() -> None:
    point = KeyPoint("kNN is supervised", ("supervised",), against=("k-means is supervised",))
    answer = "k-means is supervised. kNN is supervised: it needs the labels."
    assert covered(answer, point)
    assert not covered("k-means is supervised.", point)
