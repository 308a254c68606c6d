"""Runs a coding question's solution against its tests, in a confined child process.

`run_code_tests` runs this file as a script, `python -I code_runner.py FD`, and
sends it the solution and the arguments of each test call as JSON on standard
input. The child is confined as follows (POSIX; the namespace part is Linux):

- Environment: none of the parent's (no tokens, no database URL); only
  `_CHILD_ENV`, which pins NumPy's BLAS libraries to one thread so that an
  import stays within the memory and process limits. `-I` (isolated mode)
  ignores every `PYTHON*` variable and the user's site directory and puts
  neither the current directory nor the script's folder on `sys.path`.
- Working directory: a fresh temporary directory, removed after the run.
- Processes: the child leads its own session and process group. When the run
  ends (the child exits, or the time limit passes) the parent kills the whole
  group with SIGKILL, so processes the solution started die with it, unless
  one left the group (`setsid`): only a cgroup or a PID namespace would stop that.
- Limits, set by the child on itself before it compiles the solution
  (`_limit_resources`): CPU time, address space, file size, open files, no core
  files, and a process count (see `_process_limit` for why that one only holds
  for a user other than root).
- Network: the child first tries to enter a new, empty network namespace
  (`unshare(CLONE_NEWUSER | CLONE_NEWNET)`, which needs no privileges where
  unprivileged user namespaces are allowed; else `CLONE_NEWNET`, for root).
  There the kernel refuses every connection, even to the parent's loopback, and
  that holds for anything the solution starts. In every case it also swaps
  `_socket.socket` (which `socket.socket` calls) for a class that refuses to
  open a new socket. That stub is no sandbox: it only binds this interpreter's
  socket modules; ctypes or a new interpreter get past it. Without the
  namespace (e.g. a container whose seccomp profile forbids `unshare`) only the
  stub stands. Neither stops Unix-domain sockets named by a path, and nothing
  here hides the filesystem: the solution can read whatever the user running
  it can read.
- Results: the parent never sends the expected values. The child writes only
  what each call returned (or raised), as JSON lines on a pipe of its own
  (never standard output, which goes nowhere), and the parent compares them with
  the expected values itself. A line the runner did not write (the solution can
  find the pipe: it runs in the same process) breaks the strict sequence of
  lines and fails every test; a solution that ended the process early fails the
  tests not run. Forged lines can only claim return values, which are then
  compared like real ones.

This file imports nothing of the bot, so the child starts fast.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import math
import numbers
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["TestOutcome", "results_match", "run_code_tests"]

log = logging.getLogger(__name__)

_REL_TOL = 1e-6
_ABS_TOL = 1e-9

# The limits of a run. CPU: the bank's slowest solution needs a fraction of a
# second for all its tests; 5 s leaves room on a loaded machine while a busy
# loop stops long before the default 10 s wall-clock limit. Address space: 1 GiB
# holds the interpreter with NumPy imported (about 145 MiB of mappings with one
# BLAS thread) and the arrays of any test, and stops a runaway allocation. File
# size: 1 MiB is plenty for a scratch file. Open files: 64 (the runner needs a
# handful). Processes: 32 tasks (processes and threads) beyond those present.
_CPU_SECONDS = 5
_MEMORY_BYTES = 1 << 30
_FILE_BYTES = 1 << 20
_OPEN_FILES = 64
_PROCESSES = 32

# What the parent keeps of the child's output: every result line up to 8 MiB
# (more stops the run), the last 16 KiB of standard error for the failure detail.
_CHANNEL_BYTES = 8 << 20
_STDERR_BYTES = 16 << 10
_DETAIL_CHARS = 300

# OpenBLAS (NumPy's wheels) starts a thread per core, each reserving memory, at
# import: one thread keeps the import within the address-space and process limits.
_CHILD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000

_RUNNER = str(Path(__file__).resolve())


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


# --- The values that cross the channel --------------------------------------------------
#
# JSON, with every dict sent as {"dict": [[key, value], ...]} so that keys other
# than strings survive and a JSON object never means anything else.

_SCALARS = (bool, int, float, str)


class _NotPlain(Exception):
    """A returned value the runner cannot send: not numbers, strings, lists and dicts."""


def _to_wire(value: Any) -> Any:
    """Return a returned value as JSON-ready data (the child side); _NotPlain if it is not."""
    if value is None or type(value) in _SCALARS:
        return value
    if hasattr(value, "tolist") and callable(value.tolist):  # NumPy arrays and scalars
        return _to_wire(value.tolist())
    if isinstance(value, tuple | list):
        return [_to_wire(v) for v in value]
    if isinstance(value, set | frozenset):
        return [_to_wire(v) for v in _plain(value)]
    if isinstance(value, dict):
        pairs = []
        for key, item in value.items():
            key = _to_wire(key)
            if key is not None and type(key) not in _SCALARS:
                raise _NotPlain(f"a dict with a key of type {type(key).__name__}")
            pairs.append([key, _to_wire(item)])
        return {"dict": pairs}
    if hasattr(value, "item") and callable(value.item):
        return _to_wire(value.item())
    for kind in _SCALARS:  # subclasses: an IntEnum, a str subclass
        if isinstance(value, kind):
            return kind(value)
    if isinstance(value, numbers.Real):  # a Fraction
        return float(value)
    raise _NotPlain(f"a {type(value).__name__}")


def _from_wire(data: Any) -> Any:
    """Return the value a child sent (the parent side); ValueError if it is malformed."""
    if data is None or type(data) in _SCALARS:
        return data
    if type(data) is list:
        return [_from_wire(v) for v in data]
    if type(data) is dict and data.keys() == {"dict"} and type(data["dict"]) is list:
        out: dict[Any, Any] = {}
        for pair in data["dict"]:
            if type(pair) is not list or len(pair) != 2:
                raise ValueError("a dict entry is not a [key, value] pair")
            key = _from_wire(pair[0])
            if key is not None and type(key) not in _SCALARS:
                raise ValueError("a dict key is not a scalar")
            out[key] = _from_wire(pair[1])
        return out
    raise ValueError(f"unexpected JSON {type(data).__name__}")


# --- The child ----------------------------------------------------------------------------


def _enter_namespaces() -> tuple[bool, bool]:
    """Move this process into a new, empty network namespace, with a user namespace if it may.

    Returns whether it got a network namespace and whether it got a user namespace.
    A user namespace lets an unprivileged user have a network namespace of its own,
    and makes the process count of `_process_limit` one of this run alone.
    """
    try:
        import ctypes  # the child alone needs it

        unshare = ctypes.CDLL(None, use_errno=True).unshare
    except (ImportError, OSError, AttributeError):  # no ctypes, or not Linux
        return False, False
    if unshare(_CLONE_NEWUSER | _CLONE_NEWNET) == 0:
        return True, True
    return unshare(_CLONE_NEWNET) == 0, False  # root (CAP_SYS_ADMIN) may without one


def _tasks_of_user(uid: int) -> int | None:
    """Return how many tasks (threads) the real user `uid` runs, from /proc; None if unknown."""
    try:
        names = os.listdir("/proc")
    except OSError:
        return None
    count = 0
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status", "rb") as handle:
                status = handle.read()
        except OSError:  # it ended meanwhile
            continue
        real_uid = threads = 0
        for line in status.splitlines():
            if line.startswith(b"Uid:"):
                real_uid = int(line.split()[1])
            elif line.startswith(b"Threads:"):
                threads = int(line.split()[1])
        if real_uid == uid:
            count += threads
    return count or None


def _process_limit(own_user_namespace: bool) -> int | None:
    """Return the RLIMIT_NPROC to set, or None when it would do nothing useful.

    The kernel counts RLIMIT_NPROC per user and never enforces it for root.
    In a user namespace of its own the count covers this run's tasks alone, so
    `_PROCESSES` is the limit; otherwise the limit is the tasks the user already
    runs (all of them, read from /proc) plus `_PROCESSES`. For root (uid 0
    outside any namespace) nothing is set: the process-group kill at the end of
    the run is all that stops a fork bomb.
    """
    if own_user_namespace:
        return _PROCESSES
    if os.getuid() == 0:
        return None
    present = _tasks_of_user(os.getuid())
    return None if present is None else present + _PROCESSES


def _limit_resources(own_user_namespace: bool) -> None:
    """Lower this process's resource limits (never raising a hard limit)."""
    import resource  # POSIX only; the child alone needs it

    limits = [
        (resource.RLIMIT_CPU, _CPU_SECONDS, _CPU_SECONDS + 1),  # SIGXCPU, then SIGKILL
        (resource.RLIMIT_AS, _MEMORY_BYTES, _MEMORY_BYTES),
        (resource.RLIMIT_FSIZE, _FILE_BYTES, _FILE_BYTES),
        (resource.RLIMIT_NOFILE, _OPEN_FILES, _OPEN_FILES),
        (resource.RLIMIT_CORE, 0, 0),
    ]
    nproc = _process_limit(own_user_namespace)
    if nproc is not None:
        limits.append((resource.RLIMIT_NPROC, nproc, nproc))
    for which, soft, hard in limits:
        old_hard = resource.getrlimit(which)[1]
        if old_hard != resource.RLIM_INFINITY:
            hard = min(hard, old_hard)
        resource.setrlimit(which, (min(soft, hard), hard))
    # A write beyond the file-size limit then fails with EFBIG (an OSError the
    # test reports) instead of killing the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _disable_sockets() -> None:
    """Make every socket of this interpreter refuse to open, unless it wraps a descriptor.

    `socket.socket.__init__` calls `_socket.socket.__init__` by name, so replacing
    that one name stops both `socket.socket(...)` and `_socket.socket(...)`;
    wrapping an existing descriptor stays allowed, so `socket.socketpair` (and
    with it asyncio) works. This binds only this interpreter's socket module.
    """
    import _socket
    import socket  # first: its class subclasses the real type, and keeps doing so

    real = _socket.socket

    class NoNetworkSocket(_socket.socket):
        __slots__ = ()

        def __init__(
            self, family: int = -1, type: int = -1, proto: int = -1, fileno: int | None = None
        ) -> None:
            if fileno is None:
                raise PermissionError(errno.EACCES, "the code runner allows no network access")
            real.__init__(self, family, type, proto, fileno)

    assert issubclass(socket.socket, real)
    _socket.__dict__["socket"] = _socket.__dict__["SocketType"] = NoNetworkSocket


def _describe(exc: BaseException) -> str:
    """Return `Type: message` for an exception, naming the limit it hit if any."""
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, MemoryError):
        text += f" (the memory limit is {_MEMORY_BYTES >> 20} MiB)"
    elif isinstance(exc, OSError) and exc.errno == errno.EFBIG:
        text += f" (the file size limit is {_FILE_BYTES >> 10} KiB)"
    elif isinstance(exc, OSError) and exc.errno == errno.EAGAIN:
        text += f" (the process limit is {_PROCESSES} processes or threads)"
    return text[:_DETAIL_CHARS]


def _child_main(result_fd: int) -> None:
    """Run the job from standard input; write one JSON line per event to `result_fd`."""
    job = json.loads(sys.stdin.buffer.read())
    os.set_inheritable(result_fd, False)  # the solution's subprocesses do not get it

    def send(frame: dict[str, Any]) -> None:
        data = (json.dumps(frame) + "\n").encode()
        while data:
            data = data[os.write(result_fd, data) :]

    network_namespace, user_namespace = _enter_namespaces()
    _limit_resources(user_namespace)
    _disable_sockets()
    send({"ready": {"network_namespace": network_namespace}})
    namespace: dict[str, Any] = {"__name__": "solution"}
    try:
        exec(compile(job["solution"], "<solution>", "exec"), namespace)
        function = namespace.get(job["function"])
        if not callable(function):
            raise NameError(f"the solution defines no function {job['function']!r}")
    except BaseException as exc:  # SystemExit too: report it, never leave silently
        send({"error": _describe(exc)})
        os._exit(0)
    calls = job["calls"]
    for index, call in enumerate(calls):
        try:
            got = function(*call["args"], **call["kwargs"])
        except BaseException as exc:
            send({"test": index, "raised": _describe(exc)})
            continue
        try:
            send({"test": index, "value": _to_wire(got)})
        except (_NotPlain, ValueError) as exc:
            send({"test": index, "unsendable": str(exc)[:_DETAIL_CHARS]})
        except RecursionError:
            send({"test": index, "unsendable": "a value nested too deeply"})
    send({"done": len(calls)})
    os._exit(0)  # threads the solution left running do not hold the process


# --- The parent ---------------------------------------------------------------------------


@dataclass
class _ChildRun:
    """What the parent saw of one child process."""

    results: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    returncode: int | None = None
    cpu_seconds: float = 0.0
    timed_out: bool = False
    overflowed: bool = False
    start_error: str | None = None


def _kill_group(pgid: int) -> None:
    """Send SIGKILL to every process of the group (none left is fine)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _has_exited(pid: int) -> bool:
    """Tell whether the child has ended, leaving it unreaped (so its group id stays its own)."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


class _Pipes:
    """The parent's ends of the child's pipes: the job goes in, results and errors come out."""

    def __init__(
        self, run: _ChildRun, payload: bytes, stdin: int, results: int, stderr: int
    ) -> None:
        self.run, self.payload, self.sent = run, payload, 0
        self.selector = selectors.DefaultSelector()
        self.open: set[int] = set()
        for fd, name, event in (
            (stdin, "stdin", selectors.EVENT_WRITE),
            (results, "results", selectors.EVENT_READ),
            (stderr, "stderr", selectors.EVENT_READ),
        ):
            os.set_blocking(fd, False)
            self.selector.register(fd, event, name)
            self.open.add(fd)

    def pump(self, wait: float) -> None:
        """Move what can move within `wait` seconds; close each pipe once it is done."""
        for key, _ in self.selector.select(wait):
            fd = key.fd  # always registered by number
            if key.data == "stdin":
                try:
                    self.sent += os.write(fd, self.payload[self.sent : self.sent + 65536])
                except BlockingIOError:
                    continue
                except BrokenPipeError:  # the child ended before reading it all
                    self.sent = len(self.payload)
                if self.sent >= len(self.payload):
                    self.close(fd)  # end of file: the child starts
                continue
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                continue
            if not chunk:
                self.close(fd)
            elif key.data == "results":
                self.run.results += chunk
                self.run.overflowed = len(self.run.results) > _CHANNEL_BYTES
            else:
                self.run.stderr += chunk
                del self.run.stderr[:-_STDERR_BYTES]

    def close(self, fd: int) -> None:
        """Stop watching one pipe and close it."""
        self.selector.unregister(fd)
        self.open.discard(fd)
        os.close(fd)

    def close_all(self) -> None:
        """Close every pipe still open."""
        for fd in list(self.open):
            self.close(fd)
        self.selector.close()


def _run_child(payload: bytes, timeout: float) -> _ChildRun:
    """Run the child on `payload` in a fresh directory; return what it sent and how it ended."""
    run = _ChildRun()
    deadline = time.monotonic() + timeout
    with tempfile.TemporaryDirectory(prefix="studybot-code-", ignore_cleanup_errors=True) as work:
        # (parent's end, child's end) of the job, the results and standard error
        job, results, errors = os.pipe()[::-1], os.pipe(), os.pipe()
        try:
            proc = subprocess.Popen(
                [sys.executable, "-I", _RUNNER, str(results[1])],
                stdin=job[1],
                stdout=subprocess.DEVNULL,
                stderr=errors[1],
                env=dict(_CHILD_ENV),
                cwd=work,
                pass_fds=(results[1],),
                start_new_session=True,  # its own session and process group: pgid == pid
            )
        except OSError as exc:
            for fd in (job[0], results[0], errors[0]):
                os.close(fd)
            run.start_error = str(exc)
            return run
        finally:
            for fd in (job[1], results[1], errors[1]):
                os.close(fd)
        pipes = _Pipes(run, payload, job[0], results[0], errors[0])
        try:
            while not _has_exited(proc.pid) and not run.overflowed:
                left = deadline - time.monotonic()
                if left <= 0:
                    run.timed_out = True
                    break
                pipes.pump(min(left, 0.05))
            _kill_group(proc.pid)
            # The group is dead: read what is left until every pipe is closed, briefly,
            # as a process that left the group may still hold one.
            grace = time.monotonic() + 1.0
            while pipes.open and time.monotonic() < grace and not run.overflowed:
                pipes.pump(0.05)
        finally:
            _kill_group(proc.pid)  # also when this thread is interrupted
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            pipes.close_all()
        run.returncode = proc.returncode
        run.cpu_seconds = usage.ru_utime + usage.ru_stime
    return run


def _stop_reason(run: _ChildRun, timeout: float) -> str:
    """Say why the child stopped before it reported every test."""
    if run.start_error is not None:
        return f"the code runner could not start: {run.start_error}"
    if run.timed_out:
        return f"timed out after {timeout:g} s"
    if run.overflowed:
        return f"the solution sent more than {_CHANNEL_BYTES >> 20} MiB of results"
    code = run.returncode or 0
    if code == -signal.SIGXCPU or (code == -signal.SIGKILL and run.cpu_seconds >= _CPU_SECONDS):
        return f"used more than {_CPU_SECONDS} s of CPU time (the limit)"
    if code < 0:
        return f"the solution was killed by {signal.Signals(-code).name}"
    lines = run.stderr.decode(errors="replace").strip().splitlines()
    if code > 0:
        return f"the solution failed to run: {lines[-1] if lines else f'exit status {code}'}"
    return "the solution ended the process before its tests were done"


def _read_frames(run: _ChildRun, count: int) -> tuple[dict[str, Any], ...] | None:
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
        if type(frame) is not dict or len(frame) != 1 + ("test" in frame):
            return None
        step = len(frames)
        if "test" in frame:
            kind = next(k for k in frame if k != "test")
            ok = type(frame["test"]) is int and frame["test"] == step - 1 < count
            ok = ok and (
                kind == "value" or (kind in ("raised", "unsendable") and type(frame[kind]) is str)
            )
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
    """Compare one test's reported result with the expected value."""
    if "raised" in frame:
        return False, f"raised {frame['raised']}"
    if "unsendable" in frame:
        return False, f"returned {frame['unsendable']}, not plain data"
    got = _from_wire(frame["value"])
    if results_match(got, expected, compare):
        return True, ""
    return False, f"returned {got!r}, expected {expected!r}"[:_DETAIL_CHARS]


def run_code_tests(
    solution: str,
    function: str,
    tests: Sequence[tuple[Sequence[Any], dict[str, Any], Any, str]],
    *,
    timeout: float = 10.0,
) -> list[TestOutcome]:
    """Run `function` from `solution` on each (args, kwargs, expected, compare) test.

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
    run = _run_child(payload, timeout)
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
        outcomes.append(TestOutcome(len(outcomes), False, _stop_reason(run, timeout)))
    why = "the solution did not load" if frames and "error" in frames[-1] else None
    why = why or f"the solution stopped at test {len(outcomes) - 1}"
    outcomes.extend(
        TestOutcome(i, False, f"not run: {why}") for i in range(len(outcomes), len(cases))
    )
    return outcomes


if __name__ == "__main__":
    _child_main(int(sys.argv[1]))
