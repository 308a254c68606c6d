"""Loading and linting the bank: precise errors for malformed files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import messages
from bot.cli import main
from bot.content.bank import ContentError, QuestionBank, load_bank
from bot.content.lint import lint_content
from tests.conftest import FIXTURE_CONTENT, REPO


@pytest.fixture
def content(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE_CONTENT, tmp_path / "content")
    return tmp_path / "content"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_a_bad_field_names_file_question_and_field(content: Path) -> None:
    edit(content / "questions" / "nlp.yaml", "difficulty: easy", "difficulty: trivial")
    with pytest.raises(ContentError) as caught:
        load_bank(content)
    [problem] = caught.value.problems
    assert problem.file.endswith("questions/nlp.yaml")
    assert (problem.question_id, problem.field) == ("nlp-tf-idf", "difficulty")


def test_invalid_yaml_and_duplicates(content: Path) -> None:
    (content / "questions" / "evaluation.yaml").write_text("- id: [unclosed\n")
    shutil.copy(content / "questions" / "nlp.yaml", content / "questions" / "algorithms.yaml")
    with pytest.raises(ContentError) as caught:
        load_bank(content)
    text = str(caught.value)
    assert "evaluation.yaml: not valid YAML at line" in text
    assert "algorithms.yaml: nlp-tf-idf: category: is 'nlp' in file algorithms.yaml" in text


def test_cli_stops_start_up_on_a_malformed_bank(
    content: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    edit(content / "questions" / "nlp.yaml", "key_points:", "key_point:")
    monkeypatch.setenv("STUDYBOT_CONTENT_DIR", str(content))
    monkeypatch.setenv("STUDYBOT_CACHE_DIR", "none")
    monkeypatch.setenv("STUDYBOT_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    monkeypatch.setattr("sys.stdin", open("/dev/null"))  # noqa: SIM115
    assert main(["run", "--script", "-"]) == 2
    err = capsys.readouterr().err
    assert "nlp.yaml: nlp-tf-idf: key_points: Field required" in err


def test_lint_reports_each_kind_of_problem(content: Path) -> None:
    questions = content / "questions"
    edit(questions / "nlp.yaml", "- term frequency", "- the of")
    edit(questions / "nlp.yaml", "- cosine", "- jaccard")
    edit(questions / "nlp.yaml", "- how often", "- isn't not")
    report = lint_content(content)
    messages = [str(p) for p in report.problems]
    assert any("term 'the of' has only stop words" in m for m in messages)
    assert any('term "isn\'t not" has only stop words or negations' in m for m in messages)
    assert any(
        "nlp-word-embeddings: key_points.2.match: the reference answer states none" in m
        for m in messages
    )
    assert any("has 27 words; it must have 120 to 400" in m for m in messages)
    assert not report.ok


def test_lint_runs_coding_solutions(content: Path) -> None:
    (content / "questions" / "coding.yaml").write_text("""
- id: coding-add
  category: coding
  difficulty: easy
  topics: [add]
  prompt: Write add(a, b) that returns the sum of two integers, for a warm-up.
  hint: There is an operator for it.
  answer: Use plus.
  key_points:
    - {text: Use the plus operator, match: [plus]}
    - {text: Return the value, match: [use]}
    - {text: Nothing else, match: [plus]}
  signature: "def add(a: int, b: int) -> int:"
  solution: |
    def add(a, b):
        return a - b
  tests:
    - {args: [1, 1], expected: 2}
    - {args: [0, 0], expected: 0}
    - {args: [2, 3], expected: 5}
    - {args: [-1, 1], expected: 0}
""")
    (content / "syllabus.yaml").write_text(
        (content / "syllabus.yaml").read_text() + "  coding:\n    minimum: 1\n    topics:\n"
        "      add: Adding\n"
    )
    report = lint_content(content, [content / "questions" / "coding.yaml"])
    failing = [p for p in report.problems if p.field and p.field.startswith("tests.")]
    assert {p.field for p in failing} == {"tests.0", "tests.2", "tests.3"}
    assert "returned 0, expected 2" in failing[0].message


def test_lint_checks_syllabus_coverage(content: Path) -> None:
    (content / "syllabus.yaml").write_text(
        (content / "syllabus.yaml")
        .read_text()
        .replace(
            "      text: Text representations",
            "      text: Text representations\n      parsing: Parsing",
        )
    )
    messages = [str(p) for p in lint_content(content).problems]
    assert any("topic nlp/parsing (Parsing) has no question" in m for m in messages)


def test_schema_and_stats_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["content", "--content", str(FIXTURE_CONTENT), "stats"]) == 0
    out = capsys.readouterr().out
    assert "evaluation" in out and "all" in out
    assert main(["content", "schema"]) == 0
    assert '"title": "studybot question file"' in capsys.readouterr().out


def test_a_category_written_as_claims_is_held_to_the_claim_checks(content: Path) -> None:
    """With `claims: true`, the lint refuses what lets a keyword list or the prompt score."""
    nlp = content / "questions" / "nlp.yaml"
    # a rule made only of the prompt's words, and a term that is one common word
    edit(
        nlp,
        "    - term frequency\n    - how often",
        "    - tf-idf weight\n    - how often\n    - word",
    )
    # a pitfall fixture that commits the pitfall yet covers the point
    edit(
        nlp,
        "    - common words\n    - stop words",
        "    - common words\n    - stop words\n    against: [common words get more weight]\n"
        "    not_covered_by:\n    - Common words and stop words get less weight, I think.",
    )
    before = {p.message for p in lint_content(content).problems}
    assert not any("prompt's own words" in m for m in before)  # not a claims category yet
    edit(
        content / "syllabus.yaml",
        "  nlp:\n    title: NLP\n    minimum: 2",
        "  nlp:\n    title: NLP\n    minimum: 2\n    claims: true",
    )
    problems = [str(p) for p in lint_content(content).problems]
    assert any("rule 'tf-idf weight' is made of the prompt's own words" in p for p in problems)
    assert any("term 'word' is one common word" in p for p in problems)
    assert any("not_covered_by.0 (it commits the pitfall) covers the point" in p for p in problems)


def test_a_rule_the_prompt_itself_states_is_refused_in_a_claims_category(content: Path) -> None:
    edit(
        content / "syllabus.yaml",
        "  nlp:\n    title: NLP\n    minimum: 2",
        "  nlp:\n    title: NLP\n    minimum: 2\n    claims: true",
    )
    edit(
        content / "questions" / "nlp.yaml",
        "  - text: Inverse document frequency\n    match:",
        "  - text: Inverse document frequency\n    match:\n    - better than raw counts",
    )
    problems = [str(p) for p in lint_content(content).problems]
    assert any("key_points.1: the prompt itself covers this key point" in p for p in problems)


def test_a_category_without_a_title_is_an_error(
    content: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(content / "syllabus.yaml", "  nlp:\n    title: NLP\n", "  nlp:\n")
    with pytest.raises(ContentError) as caught:
        load_bank(content)
    [problem] = caught.value.problems
    assert problem.file.endswith("syllabus.yaml") and problem.field == "categories.nlp.title"
    assert "every category needs the name members see" in problem.message
    linted = [str(p) for p in lint_content(content).problems]
    assert any("categories.nlp.title: missing" in p for p in linted)
    assert main(["content", "--content", str(content), "lint", "--no-code"]) != 0
    assert "categories.nlp.title" in capsys.readouterr().out


def test_questions_carry_their_categorys_title(fixture_bank: QuestionBank) -> None:
    shown = {q.category: q.category_title for q in fixture_bank.questions}
    assert shown == {"algorithms": "Algorithms", "evaluation": "Evaluation", "nlp": "NLP"}


def test_every_category_of_the_bank_is_shown_by_its_title() -> None:
    bank = load_bank(REPO / "content")
    assert bank.syllabus is not None
    titles = {name: spec.title for name, spec in bank.syllabus.categories.items()}
    assert titles["nlp"] == "NLP" and titles["mlops"] == "MLOps"
    assert titles["recsys-search"] == "Recommender systems & search"
    for question in bank.questions:
        assert question.category_title == titles[question.category]
        card = messages.practice_card(question, due_review=False)
        assert card.title == f"Practice · {titles[question.category]} · {question.difficulty}"


def test_lint_reports_a_scenario_retold_in_another_category(content: Path) -> None:
    nlp = content / "questions" / "nlp.yaml"
    assert not any("retells the scenario" in p.message for p in lint_content(content).problems)
    edit(
        nlp,
        "prompt: What does TF-IDF weight, and why is it better than raw counts for search?",
        "prompt: A spam filter flags 100 emails, 80 of them spam, out of 200 spam emails. Which"
        " words would TF-IDF weight most in the flagged emails?",
    )
    [problem] = [p for p in lint_content(content).problems if "retells the scenario" in p.message]
    assert problem.file.endswith("nlp.yaml") and problem.field == "prompt"
    assert "from another category (similarity 68)" in problem.message


def test_answer_fixtures_hold_the_key_points_to_whole_answers(content: Path) -> None:
    """A wrong answer fixture may cover no key point; a paraphrase must cover every one."""
    edit(
        content / "syllabus.yaml",
        "  nlp:\n    title: NLP\n    minimum: 2",
        "  nlp:\n    title: NLP\n    minimum: 2\n    claims: true",
    )
    nlp = content / "questions" / "nlp.yaml"
    edit(
        nlp,
        "    - common words\n    - stop words\n",
        "    - common words\n    - stop words\n"
        "  wrong_answers:\n"
        "  - It counts how often each term shows up in the page. Stop words get the most"
        " weight because they show up everywhere.\n"
        "  paraphrases:\n"
        "  - Count how often the term appears in the page, times the log of one over the share"
        " of pages holding it (inverse document frequency), so stop words matter little.\n",
    )
    messages = [str(p) for p in lint_content(content).problems]
    wrong = [m for m in messages if "wrong_answers.0" in m]
    assert len(wrong) == 2, messages
    assert any("'Term frequency in the document'" in m for m in wrong)
    assert any("'Common words get less weight'" in m and "Stop words get" in m for m in wrong)
    assert not [m for m in messages if "paraphrases.0" in m], messages
    # a contrary claim voids the point; the paraphrase still covers all three
    edit(
        nlp,
        "    - common words\n    - stop words\n",
        "    - common words\n    - stop words\n    against: [most weight]\n",
    )
    edit(nlp, "It counts how often each term", "It never looks at how often each term")
    edit(nlp, "appears in the page, times", "appears in the page times")
    messages = [str(p) for p in lint_content(content).problems]
    assert not [m for m in messages if "wrong_answers.0" in m or "paraphrases.0" in m], messages
    edit(nlp, "(inverse document frequency), so stop words matter little", "(weighting)")
    messages = [str(p) for p in lint_content(content).problems]
    missed = [m for m in messages if "paraphrases.0" in m]
    assert len(missed) == 2 and any("'Inverse document frequency'" in m for m in missed)


def test_a_word_hyphened_across_a_line_break_is_refused(content: Path) -> None:
    """Markdown joins a block's lines with a space: "gradient-" then "boosted" would show apart."""
    edit(
        content / "questions" / "nlp.yaml",
        "  hint: Think about what each quantity counts.\n  answer: TF-IDF",
        "  hint: Think about what each quantity counts.\n  answer: |-\n    a gradient-\n"
        "    boosted model, then a well - spaced dash.\n    TF-IDF",
    )
    messages = [str(p) for p in lint_content(content).problems]
    broken = [m for m in messages if "keep a hyphened word on one line" in m]
    assert broken == [
        "content/questions/nlp.yaml: nlp-tf-idf: answer: 'gradient-' then 'boosted' on the next"
        " line reads 'gradient- boosted': keep a hyphened word on one line"
    ], messages


def test_a_term_cut_short_by_hand_is_refused(content: Path) -> None:
    """'calibrat' is no stem the grader makes ('calibrated' is 'calibr'): it would never match."""
    edit(
        content / "questions" / "nlp.yaml",
        "    - term frequency\n    - how often",
        "    - term frequency\n    - how often\n    - calibrat scores\n    - probit model",
    )
    messages = [str(p) for p in lint_content(content).problems]
    cut = [m for m in messages if "is cut short" in m]
    assert len(cut) == 1 and "'calibrat' in 'calibrat scores'" in cut[0], messages
    assert "('calibrate')" in cut[0]
