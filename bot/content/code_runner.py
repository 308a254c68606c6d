"""Runs a coding question's solution against its tests, in a child process.

`run_code_tests` starts `python -m bot.content.code_runner` with the solution
and the tests as JSON on standard input and a time limit; the child executes
the code and prints one result per test. Nothing here imports the rest of
the bot, so the child starts fast.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["TestOutcome", "results_match", "run_code_tests"]

_REL_TOL = 1e-6
_ABS_TOL = 1e-9


@dataclass(frozen=True, slots=True)
class TestOutcome:
    """How one test call went."""

    index: int
    passed: bool
    detail: str = ""


def _plain(value: Any) -> Any:
    """Return a value with arrays, tuples and sets turned into lists."""
    if hasattr(value, "tolist") and callable(value.tolist):
        return _plain(value.tolist())
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_plain(v) for v in value), key=repr)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "item") and callable(value.item):  # NumPy scalars
        return value.item()
    return value


def _approx(got: Any, expected: Any) -> bool:
    if isinstance(expected, bool) or isinstance(got, bool):
        return got is expected or got == expected
    if isinstance(expected, int | float) and isinstance(got, int | float):
        return math.isclose(got, expected, rel_tol=_REL_TOL, abs_tol=_ABS_TOL) or (
            math.isnan(got) and math.isnan(expected)
        )
    if isinstance(expected, list) and isinstance(got, list):
        return len(got) == len(expected) and all(map(_approx, got, expected))
    if isinstance(expected, dict) and isinstance(got, dict):
        return got.keys() == expected.keys() and all(_approx(got[k], expected[k]) for k in got)
    return bool(got == expected)


def results_match(got: Any, expected: Any, compare: str) -> bool:
    """Tell whether a result equals the expected one under a comparison mode."""
    got, expected = _plain(got), _plain(expected)
    if compare == "exact":
        return bool(got == expected)
    if compare == "unordered":
        if not isinstance(got, list) or not isinstance(expected, list):
            return False
        return sorted(map(repr, got)) == sorted(map(repr, expected))
    return _approx(got, expected)


def _run_in_child(job: dict[str, Any]) -> list[dict[str, Any]]:
    namespace: dict[str, Any] = {"__name__": "solution"}
    exec(compile(job["solution"], "<solution>", "exec"), namespace)
    function = namespace[job["function"]]
    out: list[dict[str, Any]] = []
    for test in job["tests"]:
        try:
            got = function(*test["args"], **test["kwargs"])
        except Exception as exc:
            out.append({"passed": False, "detail": f"raised {type(exc).__name__}: {exc}"})
            continue
        ok = results_match(got, test["expected"], test["compare"])
        detail = "" if ok else f"returned {_plain(got)!r}, expected {test['expected']!r}"
        out.append({"passed": ok, "detail": detail[:300]})
    return out


def run_code_tests(
    solution: str,
    function: str,
    tests: Sequence[tuple[Sequence[Any], dict[str, Any], Any, str]],
    *,
    timeout: float = 10.0,
) -> list[TestOutcome]:
    """Run `function` from `solution` on each (args, kwargs, expected, compare) test."""
    job = {
        "solution": solution,
        "function": function,
        "tests": [
            {"args": list(a), "kwargs": dict(k), "expected": e, "compare": c}
            for a, k, e, c in tests
        ],
    }
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot.content.code_runner"],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=_package_root(),
        )
    except subprocess.TimeoutExpired:
        return [TestOutcome(0, False, f"timed out after {timeout:g} s")]
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return [TestOutcome(0, False, f"the solution failed to run: {last}")]
    results = json.loads(done.stdout)
    return [TestOutcome(i, r["passed"], r["detail"]) for i, r in enumerate(results)]


def _package_root() -> str:
    return str(Path(__file__).resolve().parents[2])


if __name__ == "__main__":
    print(json.dumps(_run_in_child(json.load(sys.stdin))))
