from __future__ import annotations

import pytest

from bot.grading import grade, normalise, stem, term_tokens
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
    assert stem("implies") == stem("implied") == stem("imply")  # -ies, -ied and -y agree
    assert stem("applies") == stem("applied") == stem("apply")
    assert stem("studies") == stem("studied") == stem("study")


# Negation: a negator governs the next word, or the next two across an adverb, and a
# match counts only when its polarity agrees with the term's.


@pytest.mark.parametrize(
    ("negated", "affirmed", "term"),
    [
        ("the loss is not convex", "the loss is convex", "convex"),
        ("the loss is NOT convex", "the loss is CONVEX", "convex"),
        ("it never overfits", "it often overfits", "overfit"),
        ("trees cannot extrapolate", "trees can extrapolate", "extrapolate"),
        ("neither convex nor smooth", "both convex and smooth", "convex"),
        ("neither convex nor smooth", "both convex and smooth", "smooth"),
        ("they no longer add up", "they now add up", "add up"),
        ("it is not a convex function", "it is a convex function", "convex function"),
        ("ranked not higher but lower", "ranked higher, not lower", "ranked higher"),
        ("the modle does not converge", "the modle does converge", "converge"),
        ("it is not convx", "it is convx", "convex"),  # a typo does not escape the negation
        ("it is not k means", "it is k means", "kmeans"),  # nor does a joined pair
        ("a non-convex loss", "a convex loss", "convex"),
        ("a non convex loss", "a convex loss", "convex"),
        ("a nonconvex loss", "a convex loss", "convex"),
    ],
)
def test_a_negated_mention_does_not_cover_a_plain_term(
    negated: str, affirmed: str, term: str
) -> None:
    assert not covers(negated, term)
    assert covers(affirmed, term)


@pytest.mark.parametrize("apostrophe", ["'", "\u2019", "\u2018", "\u02bc"])
@pytest.mark.parametrize(
    "answer",
    ["it isn{}t convex", "it doesn{}t converge", "it can{}t be convex", "it won{}t be convex"],
)
def test_contractions_negate_with_any_apostrophe(answer: str, apostrophe: str) -> None:
    text = answer.format(apostrophe)
    term = text.split()[-1]
    assert not covers(text, term)
    assert covers(text, "not " + term)


@pytest.mark.parametrize("answer", ["it isnt convex", "it doesnt overfit", "it dont converge"])
def test_contractions_without_an_apostrophe_negate(answer: str) -> None:
    term = answer.split()[-1]
    assert not covers(answer, term)
    assert covers(answer, "not " + term)


@pytest.mark.parametrize(
    ("answer", "term"),
    [
        ("is not differentiable", "not differentiable"),
        ("isn't differentiable", "not differentiable"),
        ("isn’t differentiable", "not differentiable"),
        ("non differentiable", "not differentiable"),
        ("non-differentiable", "not differentiable"),
        ("nondifferentiable", "not differentiable"),
        ("never differentiable", "not differentiable"),
        ("it is not differentable at zero", "not differentiable"),  # typo in the negated word
        ("a non-convex loss", "non-convex"),
        ("a non convex loss", "non-convex"),
        ("a nonconvex loss", "non-convex"),
        ("the loss is not convex", "non-convex"),
        ("the loss is not convex", "nonconvex"),
        ("the no free lunch theorem", "no free lunch"),
        ("sampling without replacement", "without replacement"),
        ("it does not overfit", "never overfit"),
        ("the model isn't really overfitting", "not overfitting"),
        ("assignments no longer change", "assignments no longer change"),
        ("cases not yet treated", "not yet treated"),
    ],
)
def test_a_negated_term_needs_a_negation(answer: str, term: str) -> None:
    assert covers(answer, term)


@pytest.mark.parametrize(
    ("answer", "term"),
    [
        ("it is differentiable", "not differentiable"),
        ("it is differentiable", "non-differentiable"),
        ("a convex loss", "non-convex"),
        ("a convex loss", "nonconvex"),
        ("free lunch", "no free lunch"),
        ("sampling with replacement", "without replacement"),
        ("sampling with or without replacement", "without replacement"),  # a choice
        ("it overfits", "never overfit"),
        ("the network is differentiable. No way around it", "not differentiable"),
    ],
)
def test_a_negated_term_is_not_covered_without_its_negation(answer: str, term: str) -> None:
    assert not covers(answer, term)


def test_an_unnegated_mention_elsewhere_still_counts() -> None:
    assert covers("it is not convex in w, but convex in each block", "convex")
    assert not covers("it is not convex in w, nor convex in each block", "convex")


def test_the_negation_reaches_one_word_past_an_adverb_and_no_further() -> None:
    # Across an adverb: without the two-word window this would count as convex.
    assert not covers("the loss isn't really convex", "convex")
    assert not covers("the loss is not always convex", "convex")
    # Past an ordinary word the negation stops: the time is not negated.
    assert covers("it will not be available at prediction time", "prediction time")
    assert not covers("it will not be available at prediction time", "available")
    # Only adverbs extend it: a known limit, a linking verb stops it.
    assert covers("the loss does not look convex", "convex")
    # Nor does it cross a clause break.
    assert covers("Trees do not. High cardinality hurts linear models", "high cardinality")
    assert covers("it overfits (or doesn't), convexity aside", "convexity")
    assert covers("expand, or stop if not (bandit-style)", "bandit")


@pytest.mark.parametrize(
    ("answer", "term"),
    [
        ("not only accuracy but also calibration", "accuracy"),
        ("it isn't just accuracy", "accuracy"),
        ("it is not merely accuracy", "accuracy"),
        ("whether or not the residuals are normal", "residuals"),
    ],
)
def test_phrases_that_affirm_do_not_negate(answer: str, term: str) -> None:
    assert covers(answer, term)


def test_no_and_without_name_what_they_exclude() -> None:
    # "no leakage" still mentions leakage ...
    assert covers("split by time so there is no data leakage", "leakage")
    assert covers("split by time so there is no data leakage", "data leakage")
    assert covers("boosting overfits without early stopping", "early stopping")
    # ... and satisfies terms written with a negation,
    assert covers("split by time so there is no leakage", "without leakage")
    assert covers("no leakage", "no leakage")
    assert not covers("there was leakage", "no leakage")
    # while "no longer" negates like "not".
    assert not covers("the probabilities no longer sum to one", "sum to one")


def test_the_prefix_non_negates_only_its_own_word() -> None:
    assert covers("apply non-maximum suppression", "suppression")
    assert covers("apply non-maximum suppression", "non maximum suppression")
    assert not covers("apply maximum suppression", "non-maximum suppression")
    assert not covers("a non-zero gradient", "zero gradient")
    assert covers("a non-zero gradient", "gradient")
    assert covers("nonparametric models grow", "non-parametric")
    assert not covers("nonparametric models grow", "parametric")


@pytest.mark.parametrize(
    ("answer", "term"),
    [
        ("none of them converge", "converge"),
        ("nothing leaks", "leak"),
        ("hardly convex", "convex"),
        ("it lacks convexity", "convexity"),
    ],
)
def test_words_that_are_not_negators_leave_matches_alone(answer: str, term: str) -> None:
    assert covers(answer, term)


@pytest.mark.parametrize("word", ["none", "nonce", "nonsense", "nonetheless"])
def test_words_starting_with_non_that_are_not_prefixed_stay_whole(word: str) -> None:
    assert term_tokens(word) == (stem(word),)


def test_a_term_ending_with_a_negator_needs_one_after_the_match() -> None:
    assert covers("retrain without the feature and compare", "retrain without")
    assert covers("compare rows with and without sqft", "rows with and without")
    assert not covers("retrain the model with the feature", "retrain without")


def test_negation_terms_and_plain_terms_of_one_point() -> None:
    point = KeyPoint("convexity", ("not convex", "convex"))
    assert grade("the loss is not convex", [point]).matched_terms == ("not convex",)
    assert grade("the loss is convex", [point]).matched_terms == ("convex",)
    assert grade("the loss is not convex, but convex in w", [point]).matched_terms == (
        "not convex",
    )


def test_term_tokens_drop_negators() -> None:
    assert term_tokens("not differentiable") == term_tokens("differentiable")
    assert term_tokens("non-convex") == term_tokens("nonconvex") == ("convex",)
    assert term_tokens("k-means") == ("k", stem("means"))


def test_normalise_is_unchanged_for_accents_and_apostrophes() -> None:
    assert normalise("Ça n’est pas R² — isn't Überfitting") == [
        "ca",
        "n",
        "est",
        "pas",
        "r2",
        "isn",
        "t",
        "uberfitting",
    ]
