"""Wrong solutions of a coding question: lint fixtures that some test must catch."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.content.bank import ContentError, load_bank
from bot.content.lint import lint_content
from bot.content.schema import question_json_schema
from bot.model import WrongSolution
from tests.conftest import FIXTURE_CONTENT

CODING = """
- id: coding-largest
  category: coding
  difficulty: easy
  topics: [max]
  prompt: Write largest(xs) that returns the largest number of a non-empty list of numbers.
  hint: Keep the best value seen so far.
  answer: Keep the best value seen so far.
  key_points:
    - {text: Keep the best value so far, match: [best value]}
    - {text: Start from the first element, match: [first element]}
    - {text: One pass, match: [one pass]}
  signature: "def largest(xs: list[float]) -> float:"
  solution: |
    def largest(xs):
        return max(xs)
  tests:
    - {args: [[1, 5, 2]], expected: 5}
    - {args: [[7]], expected: 7}
    - {args: [[0, 3, 3]], expected: 3}
    - {args: [[2, 4]], expected: 4}
  wrong_solutions:
    - why: starts from 0, so a list of negative numbers gives 0
      code: |
        def largest(xs):
            best = 0
            for x in xs:
                best = max(best, x)
            return best
    - why: skips the last element
      code: |
        def largest(xs):
            return max(xs[:-1])
    - why: sorts and takes the first element (the smallest)
      code: |
        def largest(xs):
            return sorted(xs)[0]
    - why: divides by zero
      code: |
        def largest(xs):
            return max(xs) / 0
    - why: names the function differently
      code: |
        def biggest(xs):
            return max(xs)
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE_CONTENT, tmp_path / "content")
    content = tmp_path / "content"
    (content / "questions" / "coding.yaml").write_text(CODING)
    (content / "syllabus.yaml").write_text(
        (content / "syllabus.yaml").read_text()
        + "  coding:\n    title: Coding\n    minimum: 1\n    topics:\n      max: Maximum\n"
    )
    return content


def test_wrong_solutions_reach_the_question(content: Path) -> None:
    question = load_bank(content).get("coding-largest")
    assert question is not None
    assert len(question.wrong_solutions) == 5
    assert question.wrong_solutions[1] == WrongSolution(
        "skips the last element", "def largest(xs):\n    return max(xs[:-1])"
    )


def test_a_wrong_solution_that_passes_every_test_is_reported(content: Path) -> None:
    report = lint_content(content, [content / "questions" / "coding.yaml"])
    wrong = [str(p) for p in report.problems if (p.field or "").startswith("wrong_solutions")]
    # no test has only negative numbers, so starting from 0 goes unnoticed; the
    # others fail a test, raise or do not load
    assert wrong == [
        "content/questions/coding.yaml: coding-largest: wrong_solutions.0: wrong solution "
        "'starts from 0, so a list of negative numbers gives 0' passes every test: "
        "add a test that catches it"
    ]


def test_a_test_that_catches_it_silences_the_report(content: Path) -> None:
    path = content / "questions" / "coding.yaml"
    path.write_text(
        path.read_text().replace(
            "    - {args: [[2, 4]], expected: 4}\n",
            "    - {args: [[2, 4]], expected: 4}\n    - {args: [[-3, -1]], expected: -1}\n",
        )
    )
    report = lint_content(content, [path])
    assert not [p for p in report.problems if (p.field or "").startswith("wrong_solutions")]
    assert not [p for p in report.problems if (p.field or "").startswith("tests")]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("why: skips the last element", "why: ''", "at least 3 characters"),
        ("why: skips the last element", "why: |\n        skips\n        the last", "one line"),
        ("      code: |", "      source: |", "Extra inputs are not permitted"),
    ],
)
def test_a_malformed_wrong_solution_is_refused(
    content: Path, old: str, new: str, message: str
) -> None:
    path = content / "questions" / "coding.yaml"
    path.write_text(path.read_text().replace(old, new, 1))
    with pytest.raises(ContentError) as caught:
        load_bank(content)
    assert message in str(caught.value)


def test_wrong_solutions_need_a_coding_question(content: Path) -> None:
    path = content / "questions" / "coding.yaml"
    text = path.read_text()
    start, end = text.index("  signature:"), text.index("  wrong_solutions:")
    path.write_text(text[:start] + text[end:])
    with pytest.raises(ContentError) as caught:
        load_bank(content)
    assert "wrong_solutions need a signature, a solution and tests" in str(caught.value)


def test_the_json_schema_describes_wrong_solutions() -> None:
    schema = question_json_schema()
    field = schema["items"]["properties"]["wrong_solutions"]
    assert field["items"] == {"$ref": "#/$defs/WrongSolutionSpec"}
    spec = schema["$defs"]["WrongSolutionSpec"]
    assert spec["required"] == ["why", "code"]
    json.dumps(schema)


def test_a_coding_question_needs_two_wrong_solutions(content: Path) -> None:
    path = content / "questions" / "coding.yaml"
    text = path.read_text()
    second = text.index("    - why: skips the last element")
    path.write_text(text[:second])  # only the first wrong solution is left
    report = lint_content(content, [path], run_code=False)
    assert [str(p) for p in report.problems if p.field == "wrong_solutions"] == [
        "content/questions/coding.yaml: coding-largest: wrong_solutions: has 1; at least 2 "
        "(the mistakes candidates make, each caught by a test)"
    ]
    path.write_text(text)
    report = lint_content(content, [path], run_code=False)
    assert not [p for p in report.problems if p.field == "wrong_solutions"]
