"""Runs a coding question's solution against its tests, in a confined child process.

The runner has two sides. The child (`bot.content.code_child`, run as a script,
`python -I code_child.py FD`) confines itself and runs the solution; the parent
starts it and watches it (`bot.content.code_process`), and judges what it
reported (here). In short (POSIX; the namespace part is Linux):

- Environment: none of the parent's (no tokens, no database URL). `-I`
  (isolated mode) ignores every `PYTHON*` variable and the user's site
  directory and puts neither the current directory nor the script's folder on
  `sys.path`.
- Working directory: a fresh temporary directory, removed after the run.
- Processes: the child leads its own process group, killed whole with SIGKILL
  when the run ends or the time limit passes.
- Limits, set by the child on itself before it compiles the solution: CPU time,
  address space, file size, open files, no core files, and a process count.
- Network: an empty network namespace where the kernel allows one, and in
  every case a socket stub (no sandbox: ctypes or a new interpreter get past
  it). Neither stops Unix-domain sockets named by a path, and nothing here
  hides the filesystem: the solution can read whatever the user running it
  can read.
- Results: the parent never sends the expected values. The child writes only
  what each call returned (or raised, with the names of the exception's classes),
  as JSON lines on a pipe of its own (never standard output, which goes
  nowhere), and the parent compares them with the expected values (or the
  expected exception) itself. A line the runner did not write (the solution can
  find the pipe: it runs in the same process) breaks the strict sequence of
  lines and fails every test; a solution that ended the process early fails the
  tests not run. Forged lines can only claim return values or exceptions, which
  are then judged like real ones.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.content.code_child import DETAIL_CHARS, SCALARS, plain
from bot.content.code_process import ChildRun, run_child, stop_reason

__all__ = ["Raises", "TestOutcome", "raised_matches", "results_match", "run_code_tests"]

log = logging.getLogger(__name__)

_REL_TOL = 1e-6
_ABS_TOL = 1e-9


@dataclass(frozen=True, slots=True)
class TestOutcome:
    """How one test call went."""

    index: int
    passed: bool
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Raises:
    """The expected outcome of a test that must raise: an exception class, or a subclass.

    `name` is the class's name (`ValueError`, `LinAlgError`) or its dotted path
    (`numpy.linalg.LinAlgError`).
    """

    name: str


def raised_matches(name: str, classes: Sequence[str]) -> bool:
    """Tell whether an exception is an instance of the class called `name`.

    `classes` names the exception's class, then its bases; `name` is a bare
    class name or a dotted path.
    """
    return any(c == name or ("." not in name and c.rsplit(".", 1)[-1] == name) for c in classes)


def _approx(got: Any, expected: Any) -> bool:
    """Tell whether two plain values are equal, numbers within a small tolerance."""
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
    got, expected = plain(got), plain(expected)
    if compare == "exact":
        return bool(got == expected)
    if compare == "unordered":
        if not isinstance(got, list) or not isinstance(expected, list):
            return False
        return sorted(map(repr, got)) == sorted(map(repr, expected))
    return _approx(got, expected)


def _from_wire(data: Any) -> Any:
    """Return the value a child sent (its `code_child.to_wire`); ValueError if malformed.

    Every dict crosses as {"dict": [[key, value], ...]}, so that keys other than
    strings survive and a JSON object never means anything else.
    """
    if data is None or type(data) in SCALARS:
        return data
    if type(data) is list:
        return [_from_wire(v) for v in data]
    if type(data) is dict and data.keys() == {"dict"} and type(data["dict"]) is list:
        out: dict[Any, Any] = {}
        for pair in data["dict"]:
            if type(pair) is not list or len(pair) != 2:
                raise ValueError("a dict entry is not a [key, value] pair")
            key = _from_wire(pair[0])
            if key is not None and type(key) not in SCALARS:
                raise ValueError("a dict key is not a scalar")
            out[key] = _from_wire(pair[1])
        return out
    raise ValueError(f"unexpected JSON {type(data).__name__}")


def _is_test_report(frame: dict[str, Any]) -> bool:
    """Tell whether a test's line has one of the shapes the child writes (beside "test")."""
    kinds = set(frame) - {"test"}
    if kinds == {"value"}:
        return True
    if kinds == {"raised", "classes"}:
        classes = frame["classes"]
        texts = type(classes) is list and all(type(c) is str for c in classes)
        return type(frame["raised"]) is str and texts
    return kinds in ({"raised"}, {"unsendable"}) and all(type(frame[k]) is str for k in kinds)


def _read_frames(run: ChildRun, count: int) -> tuple[dict[str, Any], ...] | None:
    """Return the child's complete lines in protocol order, or None if any is not the runner's.

    The order is: ready, then either error, or test 0 .. count-1 and done.
    A last line cut short (the child was stopped mid-write) is dropped.
    """
    *lines, _partial = bytes(run.results).split(b"\n")
    frames: list[dict[str, Any]] = []
    for line in lines:
        try:
            frame = json.loads(line)
        except ValueError:
            return None
        if type(frame) is not dict or ("test" not in frame and len(frame) != 1):
            return None
        step = len(frames)
        if "test" in frame:
            ok = type(frame["test"]) is int and frame["test"] == step - 1 < count
            ok = ok and _is_test_report(frame)
        elif step == 0:
            ok = type(frame.get("ready")) is dict
        elif step == 1 and "error" in frame:
            ok = type(frame["error"]) is str
        else:
            ok = type(frame.get("done")) is int and frame["done"] == count == step - 1
        if not ok or (frames and ("error" in frames[-1] or "done" in frames[-1])):
            return None
        frames.append(frame)
    return tuple(frames)


def _judge(frame: dict[str, Any], expected: Any, compare: str) -> tuple[bool, str]:
    """Compare one test's reported result with the expected value (or exception)."""
    if isinstance(expected, Raises):
        return _judge_raised(frame, expected.name)
    if "raised" in frame:
        return False, f"raised {frame['raised']}"
    if "unsendable" in frame:
        return False, f"returned {frame['unsendable']}, not plain data"
    got = _from_wire(frame["value"])
    if results_match(got, expected, compare):
        return True, ""
    return False, f"returned {got!r}, expected {expected!r}"[:DETAIL_CHARS]


def _judge_raised(frame: dict[str, Any], name: str) -> tuple[bool, str]:
    """Tell whether a test that must raise `name` (or a subclass of it) did."""
    if "raised" in frame:
        if raised_matches(name, frame.get("classes", ())):
            return True, ""
        return False, f"raised {frame['raised']}, expected {name}"[:DETAIL_CHARS]
    if "unsendable" in frame:
        return False, f"returned {frame['unsendable']}, expected it to raise {name}"
    got = _from_wire(frame["value"])
    return False, f"returned {got!r}, expected it to raise {name}"[:DETAIL_CHARS]


def run_code_tests(
    solution: str,
    function: str,
    tests: Sequence[tuple[Sequence[Any], dict[str, Any], Any | Raises, str]],
    *,
    timeout: float = 10.0,
) -> list[TestOutcome]:
    """Run `function` from `solution` on each (args, kwargs, expected, compare) test.

    An expected value of `Raises(name)` asks for the call to raise that class
    (or a subclass); `compare` is then not used.

    The solution runs in a confined child process (see the module's docstring)
    which reports only return values; this process compares them. Returns one
    outcome per test, in order; a test that did not run because the solution
    failed to load, or stopped at an earlier test, fails with the reason.
    """
    cases = [
        (list(args), dict(kwargs), expected, compare) for args, kwargs, expected, compare in tests
    ]
    if not cases:
        return []
    job = {
        "solution": solution,
        "function": function,
        "calls": [{"args": args, "kwargs": kwargs} for args, kwargs, _, _ in cases],
    }
    try:
        payload = json.dumps(job).encode()
    except (TypeError, ValueError) as exc:
        detail = f"the test arguments are not plain JSON data: {exc}"
        return [TestOutcome(i, False, detail) for i in range(len(cases))]
    run = run_child(payload, timeout)
    frames = _read_frames(run, len(cases))
    if frames is None:
        detail = "the results channel carried lines the runner did not write; none is trusted"
        return [TestOutcome(i, False, detail) for i in range(len(cases))]
    if frames and not frames[0]["ready"].get("network_namespace"):
        log.debug("code runner: no network namespace; only the socket stub applies")
    outcomes: list[TestOutcome] = []
    for frame in frames[1:]:
        if "error" in frame:
            outcomes.append(TestOutcome(0, False, f"the solution failed to run: {frame['error']}"))
        elif "test" in frame:
            index = frame["test"]
            try:
                passed, detail = _judge(frame, cases[index][2], cases[index][3])
            except (ValueError, RecursionError):
                detail = "the results channel carried a value the runner did not write"
                return [TestOutcome(i, False, detail) for i in range(len(cases))]
            outcomes.append(TestOutcome(index, passed, detail))
    if len(outcomes) < len(cases) and not (frames and "error" in frames[-1]):
        outcomes.append(TestOutcome(len(outcomes), False, stop_reason(run, timeout)))
    why = "the solution did not load" if frames and "error" in frames[-1] else None
    why = why or f"the solution stopped at test {len(outcomes) - 1}"
    outcomes.extend(
        TestOutcome(i, False, f"not run: {why}") for i in range(len(outcomes), len(cases))
    )
    return outcomes
