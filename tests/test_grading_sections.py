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
    for mark in "-*\u2022":
        found = clauses_in_context(f"{mark} Boosting\n{mark} Bagging\n{mark} Stacking")
        assert all(c.context == () for c in found), mark  # a list's items head nothing


def test_a_lettered_heading_with_a_colon_heads_its_lines() -> None:
    found = clauses_in_context("(b) Total inquiries:\nThe two features are correlated.")
    assert found[-1].context == ("Total inquiries",)


def _contexts(text: str) -> list[tuple[str, ...]]:
    return [c.context for c in clauses_in_context(text)]


def test_a_plain_heading_has_six_words_at_most_and_no_verb() -> None:
    six = "Bias and variance of bagged trees"
    assert _contexts(f"{six}\n- The main effect is lower bias.")[-1] == (six,)
    seven = "Bias and variance of the bagged trees"
    assert _contexts(f"{seven}\n- The main effect is lower bias.")[-1] == ()


def test_a_line_ending_in_a_colon_heads_its_section_even_with_a_verb() -> None:
    assert _contexts("How boosting works:\nTrees are grown in sequence.")[-1] == (
        "How boosting works",
    )


def test_a_markdown_heading_heads_its_section_even_with_a_verb() -> None:
    assert _contexts("### How boosting works\nTrees are grown in sequence.")[-1] == (
        "How boosting works",
    )


def test_a_marked_heading_has_twelve_words_at_most() -> None:
    twelve = " ".join(["boosting"] * 12)
    assert _contexts(f"**{twelve}**\nIt lowers bias.")[-1] == (twelve,)
    thirteen = " ".join(["boosting"] * 13)
    assert _contexts(f"**{thirteen}**\nIt lowers bias.")[-1] == ()  # a bold sentence
    assert _contexts(f"# {thirteen}\nIt lowers bias.")[-1] == ()


def test_a_line_that_only_starts_in_bold_is_a_sentence() -> None:
    assert _contexts("**Boosting** lowers bias.\nTrees are grown in sequence.") == [(), ()]


def test_an_inline_heading_has_four_words_at_most_and_no_verb() -> None:
    assert _contexts("Bias of boosted trees. It is lower.")[-1] == ("Bias of boosted trees",)
    assert _contexts("Bias and variance of trees. It is lower.")[-1] == ()
    assert _contexts("Boosting works. The main effect is lower bias.")[-1] == ()


def test_marks_are_no_part_of_a_heading() -> None:
    found = clauses_in_context("**PCA**. It looks for the directions of most variance.")
    assert [(c.text, c.context) for c in found][-1] == (
        "It looks for the directions of most variance.",
        ("PCA",),
    )


def test_an_inline_heading_under_a_section_heading_adds_to_it() -> None:
    answer = "Models\n\nPCA. It looks for the directions of most variance."
    assert _contexts(answer)[-1] == ("Models PCA",)


def test_a_heading_alone_claims_nothing_whatever_marks_it() -> None:
    point = KeyPoint("p", ("boosting",))
    assert not covered("> Boosting\nIt is slow.", point)


def test_a_marked_heading_that_says_something_is_read_in_full() -> None:
    answer = "### XGBoost for tabular data\nIt handles missing values."
    assert covered(answer, KeyPoint("p", ("xgboost",)))


def test_a_quoted_line_of_terms_is_no_claim() -> None:
    answer = "Boosting lowers bias over rounds.\n> bagging variance bootstrap"
    assert not covered(answer, KeyPoint("p", ("bagging",)))
