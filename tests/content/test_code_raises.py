"""Tests that expect an exception: `raises: ValueError` instead of `expected`."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bot.content.bank import load_bank
from bot.content.code_runner import Raises, raised_matches, run_code_tests
from bot.content.code_runner import TestOutcome as Outcome
from bot.content.lint import lint_content
from bot.content.schema import CodeTestSpec
from bot.model import CodeTest
from tests.conftest import FIXTURE_CONTENT

SOLUTION = """
    import numpy as np

    class NegativeError(ValueError):
        pass

    def f(kind):
        if kind == "value":
            raise ValueError("bad value")
        if kind == "sub":
            raise NegativeError("below zero")
        if kind == "key":
            raise KeyError("k")
        if kind == "singular":
            return np.linalg.inv(np.zeros((2, 2)))
        if kind == "object":
            return object()
        return 3
    """


def run(*tests: tuple[str, Any]) -> list[Outcome]:
    """Run `f` of SOLUTION on (kind, expected) tests, compared exactly."""
    cases = [([kind], {}, expected, "exact") for kind, expected in tests]
    return run_code_tests(textwrap.dedent(SOLUTION), "f", cases, timeout=60)


def test_a_raises_test_passes_on_the_class_or_a_subclass() -> None:
    outcomes = run(
        ("value", Raises("ValueError")),
        ("sub", Raises("ValueError")),
        ("sub", Raises("solution.NegativeError")),
        ("key", Raises("LookupError")),
        ("singular", Raises("LinAlgError")),
        ("singular", Raises("numpy.linalg.LinAlgError")),
        ("value", Raises("Exception")),
        ("plain", 3),
    )
    assert outcomes == [Outcome(i, True) for i in range(8)]


def test_a_raises_test_fails_with_a_clear_detail() -> None:
    outcomes = run(
        ("plain", Raises("ValueError")),
        ("key", Raises("ValueError")),
        ("object", Raises("ValueError")),
        ("value", Raises("TypeError")),
        ("value", Raises("linalg.ValueError")),  # a dotted path must be the whole path
        ("value", 3),
    )
    assert outcomes == [
        Outcome(0, False, "returned 3, expected it to raise ValueError"),
        Outcome(1, False, "raised KeyError: 'k', expected ValueError"),
        Outcome(2, False, "returned a object, expected it to raise ValueError"),
        Outcome(3, False, "raised ValueError: bad value, expected TypeError"),
        Outcome(4, False, "raised ValueError: bad value, expected linalg.ValueError"),
        Outcome(5, False, "raised ValueError: bad value"),
    ]


def test_a_forged_exception_report_is_not_trusted() -> None:
    solution = """
        import os
        def f(x):
            line = '{"test": 0, "raised": "ValueError", "classes": "ValueError"}\\n'
            for fd in {int(n) for n in os.listdir("/proc/self/fd")} - {0, 1, 2}:
                try:
                    os.write(fd, line.encode())
                except OSError:
                    pass
            os._exit(0)
        """
    cases = [([1], {}, Raises("ValueError"), "exact")]
    [outcome] = run_code_tests(textwrap.dedent(solution), "f", cases, timeout=60)
    assert not outcome.passed
    assert "the results channel carried lines the runner did not write" in outcome.detail


def test_raised_matches_names_and_paths() -> None:
    classes = ["numpy.linalg.LinAlgError", "ValueError", "Exception", "BaseException", "object"]
    assert raised_matches("LinAlgError", classes)
    assert raised_matches("numpy.linalg.LinAlgError", classes)
    assert raised_matches("ValueError", classes)
    assert not raised_matches("linalg.LinAlgError", classes)
    assert not raised_matches("TypeError", classes)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"args": [1]}, "either `expected` or `raises`"),
        ({"args": [1], "expected": 1, "raises": "ValueError"}, "either `expected` or `raises`"),
        ({"raises": "ValueError", "compare": "exact"}, "`compare` applies to `expected`"),
        ({"raises": "not a class"}, "should match pattern"),
    ],
)
def test_a_test_gives_expected_or_raises(given: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        CodeTestSpec.model_validate(given)
    assert message in str(caught.value)


def test_expected_may_be_null_and_raises_reaches_the_domain() -> None:
    assert CodeTestSpec.model_validate({"expected": None}).to_code_test().expected is None
    spec = CodeTestSpec.model_validate({"args": [-1], "raises": "ValueError"})
    assert spec.to_code_test() == CodeTest((-1,), (), None, "approx", "ValueError")


CODING = """
- id: coding-checked-sqrt
  category: coding
  difficulty: easy
  topics: [roots]
  prompt: Write checked_sqrt(x) that returns the square root of x and refuses a negative x.
  hint: Check the sign first.
  answer: Check the sign first.
  key_points:
    - {text: Check the sign, match: [sign]}
    - {text: Raise on a negative number, match: [first]}
    - {text: Use the power, match: [check]}
  signature: "def checked_sqrt(x: float) -> float:"
  solution: |
    def checked_sqrt(x):
        if x < 0:
            raise ValueError("negative")
        return x ** 0.5
  tests:
    - {args: [4], expected: 2}
    - {args: [0], expected: 0}
    - {args: [2.25], expected: 1.5}
    - {args: [-1], raises: ValueError}
  wrong_solutions:
    - why: returns nan for a negative number
      code: |
        def checked_sqrt(x):
            return x ** 0.5 if x >= 0 else float("nan")
    - why: raises the wrong exception class
      code: |
        def checked_sqrt(x):
            if x < 0:
                raise TypeError("negative")
            return x ** 0.5
"""


def test_the_lint_runs_raises_tests(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    path = content / "questions" / "coding.yaml"
    path.write_text(CODING)
    (content / "syllabus.yaml").write_text(
        (content / "syllabus.yaml").read_text()
        + "  coding:\n    title: Coding\n    minimum: 1\n    topics:\n      roots: Roots\n"
    )
    question = load_bank(content).get("coding-checked-sqrt")
    assert question is not None and question.tests[3].raises == "ValueError"
    report = lint_content(content, [path])
    assert not [p for p in report.problems if p.field and p.field.startswith(("tests", "wrong"))]
    path.write_text(CODING.replace("raises: ValueError", "raises: Exception"))
    report = lint_content(content, [path])  # a TypeError is an Exception too
    assert [str(p) for p in report.problems if (p.field or "").startswith(("tests", "wrong"))] == [
        "content/questions/coding.yaml: coding-checked-sqrt: wrong_solutions.1: wrong solution "
        "'raises the wrong exception class' passes every test: add a test that catches it"
    ]
    path.write_text(CODING.replace("raises: ValueError", "expected: 0"))
    report = lint_content(content, [path])
    [problem] = [p for p in report.problems if (p.field or "").startswith(("tests", "wrong"))]
    assert (problem.field, problem.message) == (
        "tests.3",
        "the reference solution fails: raised ValueError: negative",
    )
