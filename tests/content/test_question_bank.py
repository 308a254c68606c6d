"""The real question bank: it loads, and every question passes every per-question check."""

from __future__ import annotations

from bot.config import default_content_dir
from bot.content.bank import load_bank
from bot.content.lint import lint_content


def test_the_bank_loads_strictly() -> None:
    bank = load_bank(default_content_dir())
    assert len(bank) >= 15
    assert len(bank.categories) >= 3


def test_every_question_passes_lint() -> None:
    """Schema, lengths, self-coverage, coding tests and near-duplicates, question by question."""
    report = lint_content(default_content_dir())
    per_question = [str(p) for p in report.problems if p.question_id is not None]
    assert per_question == []
