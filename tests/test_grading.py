from __future__ import annotations

import pytest

from bot.grading import grade, stem
from bot.model import KeyPoint


def covers(answer: str, *terms: str) -> bool:
    return grade(answer, [KeyPoint("point", terms)]).covered[0]


@pytest.mark.parametrize(
    ("answer", "term"),
    [
        ("the labelled examples", "label"),
        ("Labels were wrong", "labeling"),
        ("a precison of 0.8", "precision"),  # a typo in a long word
        ("the modle overfits", "model"),  # a transposition
        ("high varience", "variance"),
        ("normalisation of inputs", "normalization"),  # British spelling
        ("it ranked the positive higher", "ranked higher"),  # one word between
        ("we used kmeans", "k-means"),
        ("k means clustering", "kmeans"),
        ("R² is 0.7", "r2"),
        ("PROBABILITIES", "probability"),
        ("Überfitting aside", "uberfitting"),
    ],
)
def test_forgiving_matches(answer: str, term: str) -> None:
    assert covers(answer, term)


@pytest.mark.parametrize(
    ("answer", "term"),
    [
        ("the decision boundary", "precision"),  # similar, but another word
        ("a good design", "destination"),
        ("we retrain weekly", "train"),
        ("a random forest", "randomise"),
        ("higher than it ranked", "ranked higher"),  # wrong order
        ("ranked it far and away higher", "ranked higher"),  # too far apart
        ("model with l2", "l1"),  # short tokens must match exactly
        ("", "anything"),
        ("the and of", "the"),  # stop-word-only terms never match
    ],
)
def test_misses(answer: str, term: str) -> None:
    assert not covers(answer, term)


def test_coverage_counts_points_and_names_the_matching_term() -> None:
    points = [
        KeyPoint("a", ("variance",)),
        KeyPoint("b", ("bias", "underfit")),
        KeyPoint("c", ("leakage",)),
    ]
    result = grade("High variance and it underfits nothing", points)
    assert result.covered == (True, True, False)
    assert result.matched_terms == ("variance", "underfit", None)
    assert result.ratio == pytest.approx(2 / 3)
    assert grade("High variance and it underfits nothing", points) == result  # deterministic


def test_stem_merges_inflections() -> None:
    assert stem("scaling") == stem("scaled") == stem("scale")
    assert stem("classes") == stem("class")
