"""The clause rules (bot.grading.clauses): negation's reach, dismissals, lists and bare terms."""

from __future__ import annotations

from bot.grading import attempt_problem, grade
from bot.grading.sections import clauses_in_context
from bot.model import KeyPoint

LIST_PROBLEM = "it is a list of terms, not sentences that say something about them"


def covers(answer: str, *terms: str) -> bool:
    return grade(answer, [KeyPoint("point", terms)]).covered[0]


def test_a_bound_after_never_is_stated_not_denied() -> None:
    assert covers("The weight never exceeds 0.25 here.", "exceeds 0.25")
    # a key point may ask for the bound itself, as it is written
    assert covers("The KL term never exceeds the bound.", "never exceeds")
    assert covers("With clipping the update norm never exceeds", "never exceeds")  # at the end


def test_a_trailing_negator_may_follow_the_match_across_function_words() -> None:
    assert covers("We retrain it without the feature and compare.", "retrain without")


def test_a_negator_with_no_word_after_it_negates_nothing() -> None:
    assert covers("Leakage is the risk here, so the answer is no", "leakage")
    assert covers("The samples are non-i.i.d. here", "samples")  # "non" before "i"


def test_a_dismissal_reaches_past_a_function_word_to_its_subject() -> None:
    assert not covers("Bagging has nothing to do with boosting.", "bagging")
    assert not covers("Bagging has nothing to do with how boosting reweights errors.", "bagging")
    assert not covers("None are convex.", "convex")  # past the auxiliary "are"


def test_a_dismissal_reaches_back_even_after_a_new_predicate() -> None:
    assert not covers("An A/B test is not needed and is costly here.", "a/b test")


def test_a_dismissal_reaches_back_only_to_the_punctuation_mark_before_it() -> None:
    assert covers("For churn, the tenure is irrelevant.", "churn")
    assert covers("Churn: tenure is irrelevant to it.", "churn")
    assert not covers("For churn, tenure is irrelevant.", "tenure")  # right after the mark


def test_a_dismissal_reaches_back_to_the_copula_and_not_past_it() -> None:
    assert covers("Tenure is treated as irrelevant.", "treated")
    assert covers("Tenure is now treated as irrelevant.", "treated")
    assert covers("Items never shown are counted as irrelevant.", "counted")
    # the subject before the copula is dismissed, a relative clause in it too
    assert not covers("Rows that are duplicated are irrelevant here.", "duplicated")
    assert not covers("Tenure proved irrelevant, as it often is", "tenure")  # no copula


def test_only_a_dismissive_word_after_a_negator_reaches_back() -> None:
    assert covers("A good learning rate does not cause divergence.", "good learning rate")
    # a dismissive word further on, in a clause of its own, dismisses nothing
    assert covers("Pruning does not remove weights that matter much.", "pruning")


def test_a_sentence_that_ends_in_an_enumeration_is_a_claim() -> None:
    answer = "Tune on the validation set: depth, learning rate, subsample, colsample, lambda"
    assert covers(answer, "validation set")  # it opens with two function words
    # one function word is a term's share: then it is a list like any other
    assert not covers(answer.replace("Tune on the", "Tune on"), "validation set")


def test_a_list_whose_first_term_has_an_article_is_still_a_list() -> None:
    assert not covers("the bias, variance, bootstrap, bagging, oob error", "bias")
    assert not covers("the bias, the variance, a bootstrap, a bag, an oob error", "bias")


def test_items_with_two_function_words_are_phrases_not_bare_terms() -> None:
    answer = "the rate of decay, the mean of votes, the size of pools, the depth of trees"
    assert covers(answer + ", the rank of items", "rate of decay")


def test_a_clause_is_a_list_when_three_quarters_of_its_items_are_bare_terms() -> None:
    claims = "trees split greedily, boosting fits residuals"
    six = "bias, variance, bagging, boosting, stacking, blending"
    assert not covers(f"{six}, {claims}", "boosting fits residuals")  # 6 of 8
    five = "bias, variance, bagging, boosting, stacking"
    assert covers(f"{five}, {claims}", "boosting fits residuals")  # 5 of 7
    # items that say something are no list, one bare term among them or not
    answer = "bias, trees split greedily, boosting fits residuals, bagging averages votes, "
    assert covers(answer + "stacking learns weights", "boosting fits residuals")


def test_two_words_without_a_verb_are_no_claim() -> None:
    assert not covers("Gradient clipping.", "gradient clipping")
    assert attempt_problem("Gradient clipping.") == LIST_PROBLEM


def test_one_function_word_in_seven_makes_a_run_of_words_a_claim() -> None:
    assert covers("Batch norm statistics for small noisy batches", "batch norm statistics")
    assert not covers("Bias variance tradeoff and bagging boosting stacking blending", "bagging")


def test_a_stop_word_hyphened_to_a_word_joins_it() -> None:
    assert covers("The model is over-fitting the data.", "overfitting")
    assert covers("SARSA learns on-policy.", "onpolicy")


def test_a_verb_that_is_a_noun_as_often_counts_from_four_words() -> None:
    assert covers("BM25 matches rare terms.", "rare terms")
    assert covers("Rankers use cached scores.", "cached scores")  # a verb besides


def test_an_equation_sign_and_a_verb_both_make_a_claim() -> None:
    assert covers("Total error = bias squared plus variance", "bias squared")


def test_a_short_heading_with_a_colon_makes_a_claim_of_its_line() -> None:
    assert covers("Bagging: lowers variance.", "lowers variance")


def test_a_quoted_line_of_terms_is_no_attempt() -> None:
    assert attempt_problem("> bagging variance bootstrap") == LIST_PROBLEM


def test_a_one_letter_variable_is_a_word() -> None:
    assert attempt_problem("Scale X") is None


def test_a_bullet_with_a_verb_in_a_list_of_terms_still_claims() -> None:
    answer = "- bagging\n- boosting\n- stacking\n- blending\n- bagging lowers variance"
    assert covers(answer, "lowers variance")
    verbless = (
        "- bagging\n- boosting\n- stacking\n- blending\n- the trade-off of bias against variance"
    )
    assert covers(verbless, "trade-off of bias")


def test_a_bullet_is_a_bare_term_with_five_words_and_one_function_word_at_most() -> None:
    five = "- the mean absolute error metric\n" * 5
    assert not covers(five, "mean absolute error")
    six = "- the mean absolute error loss metric\n" * 5
    assert covers(six, "mean absolute error")
    two = "- the mean of absolute errors\n" * 5
    assert covers(two, "mean of absolute errors")


def test_a_list_of_bullets_is_three_quarters_bare_terms() -> None:
    terms = "".join(
        f"- the {w} term\n" for w in ("bias", "variance", "noise", "error", "loss", "risk")
    )
    claims = "- bagging lowers variance\n- boosting lowers bias"
    assert not covers(terms + claims, "bias term")  # 6 of 8 bullets: a list
    one = "- the bias term\n- bagging lowers variance\n- boosting lowers bias\n"
    assert covers(one + "- stacking mixes models\n- blending averages them", "bias term")


def test_list_items_are_bare_terms_with_one_function_word_at_most() -> None:
    items = "the mean of votes, the size of pools, the depth of trees, the rank of items"
    assert covers(f"decay rate, {items}", "mean of votes")  # phrases, not terms


def test_list_items_are_bare_terms_with_five_words_at_most() -> None:
    five = ["the mean absolute error metric", "the root mean squared error"]
    five += ["the median absolute error metric", "the mean squared log error"]
    assert not covers(", ".join(["bias", *five]), "root mean squared error")
    six = [f"{item} loss" for item in five]
    assert covers(", ".join(["bias", *six]), "root mean squared error")


def test_an_ellipsis_is_no_term_of_a_list() -> None:
    assert covers("bias, variance, bagging, trees split greedily, ...", "trees split greedily")
    bullets = "- the bias term\n- the variance term\n- the noise term\n- ...\n- bagging helps"
    assert covers(bullets, "bias term")


def test_a_verb_and_a_noun_that_is_a_verb_both_count() -> None:
    assert covers("Rankers use cached features.", "cached features")


def test_a_negated_verb_makes_a_first_line_a_sentence_not_a_heading() -> None:
    found = clauses_in_context("Bagging ain't magic\nIt averages many trees.")
    assert [c.context for c in found] == [()]


def test_a_condition_or_a_reason_after_a_negator_is_not_denied() -> None:
    assert covers("Do not stop the test early unless it is a sequential test.", "sequential test")
    assert covers("Never retrain daily because the labels arrive late.", "labels arrive late")
    assert covers("It won't converge until the rate decays.", "rate decays")
    assert not covers("Do not stop the test early unless it is sequential.", "stop the test")


def test_plays_no_role_no_reason_and_no_point_dismiss() -> None:
    assert not covers("Token-by-token decoding plays no role in the cost.", "decoding")
    assert not covers("There is no reason to log the propensities.", "log the propensities")
    assert not covers("There is no point in logging gradient norms.", "logging gradient norms")


def test_though_contrasts_like_although_and_however_much_does_not() -> None:
    # "though" parts two claims: the first says nothing of the second's subject
    assert not covers("Trees ignore scale, though kNN depends on it.", "trees depend")
    assert covers("Wait for the model to finish, however long it takes.", "model finish long")


def test_fading_to_nothing_is_an_amount_not_a_denial() -> None:
    assert covers("The gradient can fade to nothing or blow up.", "blow up")
    assert not covers("Nothing blows up here.", "blows up")


def test_a_slash_b_is_one_word_not_the_letter_b() -> None:
    assert covers("We ran an A/B test for two weeks.", "a/b")
    assert covers("We ran an A/B test for two weeks.", "ab test")
    assert not covers("People who went to A also went to B, like a recommender.", "a/b")


def test_reason_and_point_dismiss_after_no_only() -> None:
    # after "not", "reason" is a verb: the needle test is still what the clause speaks of
    assert covers("The needle test only shows a lookup, not reason across clauses.", "needle test")


def test_no_matter_how_means_whatever_not_a_denial() -> None:
    assert covers("Its weights stay put no matter how much data arrives.", "weights stay put")
    assert covers("It is parametric, no matter how much data arrives.", "much data arrives")


def test_means_leans_and_caps_are_verbs_in_a_sentence() -> None:
    assert attempt_problem("More buckets means fewer collisions.") is None
    assert covers("More buckets means fewer collisions.", "fewer collisions")
    assert covers("Judges lean towards longer answers.", "longer answers")
    assert covers("A capacity factor caps tokens per expert.", "caps tokens")
