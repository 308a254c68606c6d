"""A clause speaks under its section's heading: the heading may give a claim its subject."""

from __future__ import annotations

from bot.grading import grade
from bot.grading.sections import clauses_in_context
from bot.model import AllOf, KeyPoint

BOOSTING = KeyPoint(
    "Boosting mainly reduces bias", (AllOf((("boosting",), ("lower bias", "reduces bias"))),)
)


def covered(answer: str, point: KeyPoint) -> bool:
    return grade(answer, [point]).covered[0]


def test_a_bullet_under_a_heading_speaks_of_the_heading() -> None:
    answer = "Boosting\n- Trees are built one after another.\n- The main effect is lower bias."
    assert covered(answer, BOOSTING)
    assert covered("### Boosting\nIts main effect is lower bias, round after round.", BOOSTING)
    assert covered("**Boosting**\n\nThe main effect is lower bias.", BOOSTING)


def test_without_the_heading_the_claim_has_no_subject() -> None:
    answer = "Trees are built one after another.\nThe main effect is lower bias."
    assert not covered(answer, BOOSTING)
    assert not covered("Bagging\n- The main effect is lower bias.", BOOSTING)


def test_a_heading_holds_until_the_next_one() -> None:
    answer = "Boosting\n- Sequential trees.\n\nBagging\n- The main effect is lower bias."
    assert not covered(answer, BOOSTING)


def test_the_heading_gives_a_subject_never_the_whole_claim() -> None:
    point = KeyPoint("Boosting and its bias", ("boosting bias",))
    assert not covered("Boosting bias\n- Trees are built in sequence.", point)
    both = KeyPoint("p", (AllOf((("boosting",), ("bias",))),))
    assert not covered("Boosting bias\n- Trees are built in sequence.", both)


def test_a_short_first_sentence_heads_its_paragraph() -> None:
    assert covered("Boosting. The main effect is lower bias.", BOOSTING)
    found = clauses_in_context("PCA. It looks for the directions of most variance.\n\nNext one.")
    assert [(c.text, c.context) for c in found] == [
        ("PCA", ()),
        ("It looks for the directions of most variance.", ("PCA",)),
        ("Next one.", ()),
    ]


def test_a_sentence_or_a_colon_is_no_heading() -> None:
    found = clauses_in_context("Boosting lowers bias over the rounds.\nThe trees are shallow.")
    assert all(c.context == () for c in found)
    found = clauses_in_context("UCB explores through uncertainty: rare arms look better.")
    assert [c.context for c in found] == [()]
    found = clauses_in_context("- Boosting\n- Bagging\n- Stacking")
    assert all(c.context == () for c in found)  # a list's items head nothing


def test_a_lettered_heading_with_a_colon_heads_its_lines() -> None:
    found = clauses_in_context("(b) Total inquiries:\nThe two features are correlated.")
    assert found[-1].context == ("Total inquiries",)
