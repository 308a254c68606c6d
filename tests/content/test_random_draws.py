"""A reference solution may not draw random numbers: its expected values would hang on a stream."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content.lint import lint_content, random_draws
from tests.conftest import FIXTURE_CONTENT


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("import numpy as np\nrng = np.random.default_rng(0)\n", ["np.random.default_rng"]),
        (
            "import numpy as np\nnp.random.seed(1)\nnp.random.permutation(3)\n",
            ["np.random.seed", "np.random.permutation"],
        ),
        ("from numpy.random import default_rng\n", ["numpy.random.default_rng"]),
        ("from numpy import random\n", ["numpy.random"]),
        ("import random\nrandom.shuffle([1, 2])\n", ["random.shuffle"]),
        ("from random import sample\n", ["random.sample"]),
        ("import secrets\n", ["secrets"]),
        ("import os\nos.urandom(4)\n", ["os.urandom"]),
        ("import numpy as np\nx = np.argsort([2, 1])\nrandom_state = 3\n", []),
        ("def f(:\n", []),
    ],
)
def test_random_draws_finds_generators(source: str, found: list[str]) -> None:
    assert random_draws(source) == found


CODING = """
- id: coding-shuffled
  category: coding
  difficulty: easy
  topics: [shuffle]
  prompt: Write shuffled(n) that returns the numbers 0 to n - 1 in a reproducible random order.
  hint: Use a seeded generator.
  answer: Use a seeded generator.
  key_points:
    - {text: Use a seeded generator, match: [seeded generator]}
    - {text: Return every number once, match: [every number]}
    - {text: Keep it reproducible, match: [same order]}
  signature: "def shuffled(n: int) -> list[int]:"
  solution: |
    import numpy as np

    def shuffled(n):
        return np.random.default_rng(0).permutation(n).tolist()
  tests:
    - {args: [0], expected: []}
    - {args: [1], expected: [0]}
    - {args: [2], expected: [1, 0], compare: exact}
    - {args: [3], expected: [0, 1, 2], compare: unordered}
"""


def test_the_lint_refuses_a_reference_solution_that_draws(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    path = content / "questions" / "coding.yaml"
    path.write_text(CODING)
    report = lint_content(content, [path], run_code=False)
    [problem] = [p for p in report.problems if p.field == "solution"]
    assert problem.question_id == "coding-shuffled"
    assert "draws random numbers (np.random.default_rng)" in problem.message
    path.write_text(
        CODING.replace("shuffled(n):", "shuffled(n, perm):").replace(
            "return np.random.default_rng(0).permutation(n).tolist()", "return list(perm)"
        )
    )
    report = lint_content(content, [path], run_code=False)
    assert not [p for p in report.problems if p.field == "solution"]
