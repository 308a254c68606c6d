"""The real question bank: it loads, and every question passes every per-question check."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.config import default_content_dir
from bot.content.bank import load_bank
from bot.content.lint import lint_content, near_duplicate_prompts
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
