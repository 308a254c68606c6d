from __future__ import annotations

import itertools
from collections import Counter

from bot.content.bank import QuestionBank
from bot.content.choice import choose_question
from bot.model import Difficulty, KeyPoint, Question


def make(i: int, category: str, level: str) -> Question:
    return Question(
        f"{category}-q{i}",
        category,
        Difficulty(level),
        ("t",),
        (),
        "p" * 40,
        "hint",
        "answer",
        (KeyPoint("k", ("k",)),) * 3,
    )


BANK = [
    make(i, c, lv)
    for i, (c, lv) in enumerate(
        [(c, lv) for c in ("a", "b", "c") for lv in ("easy", "medium", "medium", "hard")] * 3
    )
]
MIX = (("easy", 1), ("medium", 2), ("hard", 1))


def run(days: int, bank: list[Question] = BANK) -> list[Question]:
    asked: list[str] = []
    out = []
    for day in range(days):
        q = choose_question(bank, asked, MIX, f"g1:{day}")
        assert q is not None
        asked.append(q.id)
        out.append(q)
    return out


def test_no_repeat_until_the_bank_is_exhausted() -> None:
    picked = run(len(BANK) * 2)
    first, second = picked[: len(BANK)], picked[len(BANK) :]
    assert len({q.id for q in first}) == len(BANK)
    assert len({q.id for q in second}) == len(BANK)


def test_categories_rotate_and_the_mix_is_honoured() -> None:
    picked = run(24)
    for a, b in itertools.pairwise(picked):
        assert a.category != b.category
    levels = Counter(q.difficulty.value for q in picked)
    assert levels == {"easy": 6, "medium": 12, "hard": 6}


def test_choice_is_deterministic_and_empty_banks_give_none() -> None:
    assert [q.id for q in run(10)] == [q.id for q in run(10)]
    assert choose_question([], [], MIX, "x") is None


def test_fixture_bank_select(fixture_bank: QuestionBank) -> None:
    assert {q.category for q in fixture_bank.select(["nlp"])} == {"nlp"}
    assert {q.difficulty for q in fixture_bank.select([], ["hard"])} == {Difficulty.HARD}
