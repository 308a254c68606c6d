from __future__ import annotations

import pytest

from bot.grading import attempt_problem, grade, normalise, rule_text, stem, term_tokens
from bot.grading.clauses import clauses
from bot.grading.words import is_common_word, plain, typo_budget
from bot.model import AllOf, KeyPoint


def covers(answer: str, *terms: str) -> bool:
    return grade(answer, [KeyPoint("point", terms)]).covered[0]


@pytest.mark.parametrize(
    ("answer", "term"),
    [
        ("the labelled examples", "label"),
        ("Labels were wrong", "labeling"),
        ("a precison of 0.8", "precision"),  # a typo in a long word
        ("the modle overfits", "model"),  # a transposition
        ("it has high varience", "variance"),
        ("normalisation of inputs", "normalization"),  # British spelling
        ("it ranked the positive higher", "ranked higher"),  # one word between
        ("we used kmeans", "k-means"),
        ("we tried k means clustering", "kmeans"),
        ("R² is 0.7", "r2"),
        ("THE PROBABILITIES ARE CALIBRATED", "probability"),
        ("Überfitting is the risk", "uberfitting"),
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
        ("it is non differentiable", "not differentiable"),
        ("it is non-differentiable", "not differentiable"),
        ("it is nondifferentiable", "not differentiable"),
        ("it is never differentiable", "not differentiable"),
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


def test_the_negation_reaches_to_the_next_punctuation_mark_and_no_further() -> None:
    assert not covers("the loss isn't really convex", "convex")
    assert not covers("the loss is not always convex", "convex")
    # Everything after the negator in its stretch is negated ...
    assert not covers("it will not be available at prediction time", "prediction time")
    assert covers("it will not be available at prediction time", "not available")
    assert not covers("the loss does not look convex", "convex")
    # ... but not past a punctuation mark.
    assert covers("Trees do not. High cardinality hurts the linear models", "high cardinality")
    assert covers("it overfits (or doesn't), convexity aside", "convexity")
    assert covers("expand, or stop if not (bandit-style)", "bandit")
    assert covers("it does not overfit, and the validation loss falls", "validation loss")


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
    assert covers("there is no leakage", "no leakage")
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
        ("it is hardly convex", "convex"),
        ("it lacks convexity", "convexity"),
        ("the model fails to generalise", "generalise"),
    ],
)
def test_fuller_negators_negate_too(answer: str, term: str) -> None:
    """None, nothing, hardly, lacks, fails to: an answer that says them does not claim it."""
    assert not covers(answer, term)
    assert covers(answer, "not " + term)


@pytest.mark.parametrize(
    "answer",
    ["an A/B test is not needed here", "an A/B test isn't necessary", "an A/B test is unnecessary"],
)
def test_a_dismissal_after_the_term_negates_it(answer: str) -> None:
    assert not covers(answer, "a/b test")
    assert covers("run an A/B test before the launch", "a/b test")


@pytest.mark.parametrize("word", ["nonce", "nonsense", "nonetheless"])
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


# The clause grader's rules (issue #14): direction, contrast, names of letters.


def test_direction_words_are_part_of_a_claim() -> None:
    assert covers("the trees become less correlated", "less correlated")
    assert not covers("the trees become less correlated", "more correlated")
    assert covers("each example is used for validation once", "validation once")


def test_what_is_turned_down_with_instead_of_or_rather_than_is_not_claimed() -> None:
    assert not covers("use MAE instead of MSE here", "mse")
    assert covers("use MAE instead of MSE here", "mae")
    assert not covers("rank by recall rather than accuracy", "accuracy")
    assert covers("the loss is rather small", "small")  # "rather" alone turns nothing down


def test_a_dismissal_reaches_back_but_an_adjective_does_not_negate_forward() -> None:
    assert not covers("that feature is irrelevant for churn", "feature")
    assert covers("irrelevant features dominate the distance", "features dominate")


def test_fail_negates_only_as_fails_to() -> None:
    assert not covers("the model fails to converge", "converge")
    assert covers("the service can fail over to a replica", "fail over")


def test_greek_letters_read_as_their_names() -> None:
    assert covers("the floor is ρσ² however many trees", "rho sigma")


def test_a_claim_needs_its_words_in_one_clause() -> None:
    point = KeyPoint("p", (AllOf((("yolo",), ("single stage", "one pass"))),))
    wrong = "YOLO is the two-stage one; Faster R-CNN does it in one pass."
    right = "YOLO predicts every box in one pass over the image."
    assert not grade(wrong, [point]).covered[0]
    assert grade(right, [point]).covered[0]


def test_a_clause_stating_the_contrary_claim_gives_no_credit() -> None:
    point = KeyPoint("p", ("supervised",), against=("k-means is supervised",))
    assert not grade("k-means is supervised and learns from labels.", [point]).covered[0]
    assert grade("kNN is supervised: it needs the labels.", [point]).covered[0]


def test_words_the_prompt_already_says_prove_nothing() -> None:
    prompt = "Why is k-fold cross-validation better than a single split?"
    point = KeyPoint("p", ("k-fold cross-validation", "every example validated"))
    assert not grade("K-fold cross-validation is better.", [point], prompt).covered[0]
    assert grade("Every example is validated once.", [point], prompt).covered[0]


def test_a_list_of_terms_covers_nothing_and_is_no_attempt() -> None:
    point = KeyPoint("p", ("bagging", "variance"))
    listed = grade("bagging, variance, bootstrap, decorrelation, out-of-bag", [point])
    bullets = grade("- bagging\n- variance\n- bootstrap\n- out-of-bag\n- oob error", [point])
    for coverage in (listed, bullets):
        assert coverage.covered == (False,) and not coverage.attempt
    sentence = grade("Bagging lowers the variance of the ensemble.", [point])
    assert sentence.covered == (True,) and sentence.attempt
    assert sentence.evidence == ("Bagging lowers the variance of the ensemble.",)


def test_no_that_dismisses_negates_and_nothing_wrong_affirms() -> None:
    assert not covers("There is no need for monitoring here.", "monitoring")
    assert not covers("No monitoring is needed.", "monitoring")
    assert covers("Nothing is wrong with refitting daily.", "refitting daily")


def test_forms_of_one_word_stem_alike_and_verbs_in_ply_stay_whole() -> None:
    assert stem("calibration") == stem("calibrated") == stem("calibrate")
    assert stem("estimation") == stem("estimate") == stem("estimated")
    assert stem("rising") == stem("rise")
    assert stem("apply") == stem("applied") == stem("applies") != stem("app")
    assert stem("cheaply") == stem("cheap")
    assert stem("used") == stem("uses") == stem("use")


def test_a_negation_stops_where_a_new_predicate_starts() -> None:
    answer = "Videos that were never shown should be treated as negatives."
    assert covers(answer, "treated as negatives")
    assert not covers(answer, "videos shown")


def test_a_short_claim_with_a_determiner_is_a_sentence_not_a_list() -> None:
    assert covers("Elastic net mixes both.", "elastic net")
    assert not covers("elastic net lasso ridge", "elastic net")
    assert covers("Common words weigh less.", "common words weigh less")


def test_a_typo_budget_of_two_edits_from_nine_letters_and_one_below() -> None:
    # "precision" (9 letters) forgives two edits, not three; "gradient" (8) only one.
    assert covers("the presicion is what matters here", "precision")  # two edits
    assert not covers("the preshizion is what matters here", "precision")  # three
    assert covers("the gradiant is what matters here", "gradient")  # one edit
    assert not covers("the grodiant is what matters here", "gradient")  # two
    # asked directly too: the grader caches its typo look-ups, which hides the budget
    assert [typo_budget(n) for n in (1, 8, 9, 20)] == [1, 1, 2, 2]


def test_plain_text_loses_accents_and_case_and_keeps_other_scripts_whole() -> None:
    assert plain("Ünïcödé") == "unicode"
    assert plain("中文") == "中文"  # nothing to strip: the characters stay side by side


def test_common_english_words_are_told_from_technical_terms() -> None:
    assert is_common_word("model") and is_common_word("data")
    assert not is_common_word("heteroscedasticity") and not is_common_word("overfitting")


def test_a_word_both_stated_and_denied_in_one_clause_is_stated() -> None:
    answer = "The loss is convex in the bias and not convex in w."
    assert covers(answer, "convex") and covers(answer, "not convex")


def test_an_english_word_near_a_term_is_no_typo_of_it() -> None:
    assert not covers("the variants are what matters here", "variance")  # one edit away


def test_an_alternative_saying_more_than_the_prompt_is_preferred() -> None:
    prompt = "What is dropout?"
    either = KeyPoint("p", (AllOf((("dropout", "drops units"),)),))
    answer = "Dropout drops units at random during training."
    assert grade(answer, [either], prompt).covered == (True,)
    assert grade(answer, [either], "Dropout?").covered == (True,)  # the prompt's words exactly
    only_the_prompt = KeyPoint("p", (AllOf((("dropout",),)),))
    assert grade("Dropout is a method we use in training.", [only_the_prompt], prompt).covered == (
        False,
    )


def test_what_is_no_attempt_is_said_plainly() -> None:
    prompt = "How does dropout reduce overfitting in networks?"
    assert attempt_problem("Dropout.") == "it has no sentence to grade"
    assert attempt_problem("Dropout regularises.") is None  # two words make a sentence
    assert attempt_problem("lasso, ridge, elastic net, sparsity") == (
        "it is a list of terms, not sentences that say something about them"
    )
    # Four of five words the prompt's (exactly the 80% share): the prompt pasted back.
    echo = "Dropout reduces overfitting in deep networks."
    assert attempt_problem(echo, prompt) == "it repeats the question"
    pasted = grade(prompt, [KeyPoint("p", ("dropout",))], prompt)
    assert (pasted.attempt, pasted.problem) == (False, "it repeats the question")
    # Half the prompt's words: an answer that says something of its own.
    own = "Dropout reduces overfitting in networks by averaging many thinned models."
    assert attempt_problem(own, prompt) is None
    assert grade(own, [KeyPoint("p", ("dropout",))], prompt).problem is None


def test_a_rule_is_named_as_written() -> None:
    both = AllOf((("yolo", "single shot"), ("one pass",)))
    assert rule_text(both) == "yolo | single shot + one pass"
    result = grade("YOLO detects objects in one pass.", [KeyPoint("p", (both,))])
    assert result.matched_terms == ("yolo | single shot + one pass",)


def test_evidence_is_the_clause_cut_to_160_characters() -> None:
    exactly = "Dropout drops units " + "and more units " * 9 + "here."
    assert len(exactly) == 160
    assert grade(exactly, [KeyPoint("p", ("drops units",))]).evidence == (exactly,)
    longer = "Dropouts " + "drops units " * 20 + "at random."
    evidence = grade(longer, [KeyPoint("p", ("drops units",))]).evidence[0]
    assert evidence == longer[:158] + "…"  # the cut fell on a space: no space before the …
    mid_word = "Dropout " + "drops units " * 20 + "at random."
    evidence = grade(mid_word, [KeyPoint("p", ("drops units",))]).evidence[0]
    assert evidence == mid_word[:159] + "…" and len(evidence) == 160


def test_after_a_rule_of_prompt_words_the_next_rule_is_tried() -> None:
    prompt = "What is dropout?"
    answer = "Dropout drops units at random during training."
    assert grade(answer, [KeyPoint("p", ("dropout",))], prompt).covered == (False,)
    assert grade(answer, [KeyPoint("p", ("dropout", "drops units"))], prompt).covered == (True,)
    # Without a prompt every word counts, and nothing is an echo.
    assert grade("Xxxx is the placeholder we use.", [KeyPoint("p", ("xxxx",))]).covered == (True,)
    assert attempt_problem("Xxxx is xxxx.") is None


def test_nothing_to_do_with_dismisses_its_subject() -> None:
    assert not covers("Bagging has nothing to do with boosting.", "bagging")


@pytest.mark.parametrize(
    ("answer", "term"),
    [
        ("Overflow isn't really a concern for the sigmoid here.", "overflow"),
        ("Spam is not a problem since users report it.", "spam"),
        ("Privacy is no issue in this design.", "privacy"),
        ("Cost tagging and budgets are just bureaucracy.", "budgets"),
        ("Budget alerts are unhelpful for a small team.", "budget alerts"),
        ("Offline metrics are overrated for ranking.", "offline metrics"),
    ],
)
def test_a_subject_dismissed_as_no_concern_or_as_bureaucracy_is_not_claimed(
    answer: str, term: str
) -> None:
    assert not covers(answer, term)
    assert covers(f"For this team, {term} matter a great deal.", term)


def test_a_verb_that_is_also_a_noun_makes_a_claim_only_in_a_longer_clause() -> None:
    assert covers("BM25 matches exact rare terms thanks to IDF.", "exact rare terms")
    assert not covers("row sums, column sums, macro average, micro average, trace", "row sums")


def test_a_verdict_on_a_rejected_claim_parts_it_from_the_right_one() -> None:
    point = KeyPoint("p", ("time-based split",), against=("random split is fine",))
    answer = (
        "A common answer is that a random split is fine — that's wrong, use a time-based split."
    )
    assert grade(answer, [point]).covered[0]
    assert not grade("A random split is fine, and a time-based split too.", [point]).covered[0]
    parts = [c.text for c in clauses("It is wrong to shuffle the rows.")]
    assert parts == ["It is wrong to shuffle the rows."]  # a verdict with no claim after it


def test_no_with_a_long_subject_dismissed_later_in_the_clause_negates_it() -> None:
    assert not covers("No gap between training and test is needed here.", "gap between")
    assert covers("No leakage, so the gap between training and test is needed.", "gap between")


def test_a_negated_joined_term_covers_its_spaced_form() -> None:
    assert covers("DBSCAN is not kmeans: it needs no k.", "not k-means")
    assert covers("DBSCAN is not k-means.", "not kmeans")


def test_no_reaches_a_dismissal_eight_words_on_and_no_further() -> None:
    # "needed" is the eighth word after "no": the gap is dismissed
    assert not covers("No gap between training and the test is needed.", "gap between")
    # the ninth: "no" only names what it excludes, and the gap is still spoken of
    assert covers("No gap between the training and the test is needed.", "gap between")


def test_a_sentence_with_a_verb_the_bot_does_not_know_still_claims() -> None:
    answer = "Convert sentinel values like -999 into proper missing values."
    assert covers(answer, "sentinel values")
    assert not covers(
        "Convert sentinel values like -999 into proper missing values", "sentinel values"
    )
    assert not covers("sentinel values.", "sentinel values")  # too short for a sentence


def test_a_dismissal_right_after_a_mark_reaches_back_past_it() -> None:
    assert not covers("The region: irrelevant.", "region")
    assert not covers("An A/B test, not needed here.", "a/b test")
    assert covers("Use the region, not the city.", "region")  # "not" dismisses nothing here


def test_a_mark_two_words_before_a_dismissal_still_ends_what_it_dismisses() -> None:
    assert covers("Tune the depth, bias irrelevant.", "depth")
    assert not covers("Tune the depth, bias irrelevant.", "bias")
