"""The real question bank: it loads, and every question passes every per-question check."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.config import default_content_dir
from bot.content.bank import QuestionBank, load_bank
from bot.content.lint import (
    SAME_SCENARIO_SIMILARITY,
    lint_content,
    near_duplicate_prompts,
    same_scenario_across_categories,
)
from bot.grading import grade


def test_the_bank_loads_strictly() -> None:
    bank = load_bank(default_content_dir())
    assert len(bank) >= 15
    assert len(bank.categories) >= 3


@pytest.mark.slow
def test_the_whole_bank_lints() -> None:
    """Schema, lengths, self-coverage, coding tests (run in a subprocess with a time limit),
    near-duplicates, syllabus minimums and topics, and the difficulty mix."""
    report = lint_content(default_content_dir())
    assert [str(p) for p in report.problems] == []
    assert len(report.questions) >= 384


def test_every_reference_answer_covers_all_its_key_points() -> None:
    for q in load_bank(default_content_dir()).questions:
        assert all(grade(q.answer, q.key_points).covered), q.id


def test_near_duplicates_are_caught_and_the_bank_has_none() -> None:
    bank = load_bank(default_content_dir())
    assert near_duplicate_prompts(bank.questions) == []
    original = bank.questions[0]
    reworded = replace(
        original,
        id=original.id + "-copy",
        prompt=original.prompt.replace("What", "Which").replace(" a ", " one "),
    )
    assert [(a.id, b.id) for a, b, _ in near_duplicate_prompts([original, reworded])] == [
        (original.id, reworded.id)
    ]


def test_one_scenario_retold_in_another_category_is_caught_and_the_bank_has_none() -> None:
    bank = load_bank(default_content_dir())
    assert same_scenario_across_categories(bank.questions) == []
    template = bank.questions[0]
    bias = replace(
        template,
        id="applied-modeling-bike-forecast-bias",
        category="applied-modeling",
        prompt=(
            "A bike-sharing company predicts how many bikes each of its 600 docking stations"
            " will need at 8 a.m., and vans rebalance the fleet overnight from those forecasts."
            " How would you check whether the forecasts are biased, and which slices would you"
            " look at?"
        ),
    )
    loss = replace(
        template,
        id="evaluation-bike-forecast-loss",
        category="evaluation",
        prompt=(
            "A bike-sharing company forecasts how many bikes each of its 600 docking stations"
            " needs at 8 a.m., and vans rebalance the fleet overnight to match. Which loss would"
            " you train the forecasting model with, given that an empty station costs more than"
            " a full one?"
        ),
    )
    assert near_duplicate_prompts([bias, loss]) == []  # two questions, not one reworded
    [(a, b, score)] = same_scenario_across_categories([bias, loss])
    assert (a.id, b.id) == (bias.id, loss.id)
    assert score >= SAME_SCENARIO_SIMILARITY
    # the same two prompts in one category are a family, not this check's business
    family = replace(loss, category="applied-modeling")
    assert same_scenario_across_categories([bias, family]) == []


def test_the_closest_cross_category_pair_without_a_shared_scenario_passes() -> None:
    """Two generic "X versus Y" prompts, the bank's most similar pair across categories."""
    by_id = {q.id: q for q in load_bank(default_content_dir()).questions}
    pair = [by_id["evaluation-offline-vs-online-metrics"], by_id["nlp-stemming-vs-lemmatization"]]
    assert near_duplicate_prompts(pair, threshold=55)  # close in wording...
    assert same_scenario_across_categories(pair) == []  # ...but no scenario in common


def test_a_question_s_category_even_once_it_left_the_bank() -> None:
    bank = load_bank(default_content_dir())
    question = bank.questions[0]
    assert bank.category_of(question.id) == question.category
    # Gone from the bank: its id names it, the longest category it starts with winning.
    assert bank.category_of("deep-learning-a-question-long-gone") == "deep-learning"
    assert bank.category_of("nlp-retired") == "nlp"
    assert bank.category_of("astronomy-black-holes") is None
    assert bank.category_of("nlp") is None
    two = QuestionBank(
        (
            replace(question, id="data-a", category="data"),
            replace(question, id="data-eng-b", category="data-eng"),
        )
    )
    assert two.category_of("data-eng-gone") == "data-eng"
    assert two.category_of("data-gone") == "data"
