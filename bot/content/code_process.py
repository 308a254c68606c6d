"""The parent side of the code runner: starting the child, its pipes, its time limit.

The child (`bot.content.code_child`) runs as `python -I code_child.py FD` with
none of the parent's environment (only `_CHILD_ENV`), in a fresh temporary
directory removed afterwards, as the leader of its own session and process
group. When the run ends (the child exits, or the time limit passes) the whole
group is killed with SIGKILL, so processes the solution started die with it,
unless one left the group (`setsid`): only a cgroup or a PID namespace would
stop that.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.content import code_child
from bot.content.code_child import CPU_SECONDS

__all__ = ["CHANNEL_BYTES", "ChildRun", "run_child", "stop_reason"]

# What the parent keeps of the child's output: every result line up to 8 MiB
# (more stops the run), the last 16 KiB of standard error for the failure detail.
CHANNEL_BYTES = 8 << 20
_STDERR_BYTES = 16 << 10

# OpenBLAS (NumPy's wheels) starts a thread per core, each reserving memory, at
# import: one thread keeps the import within the address-space and process limits.
_CHILD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

# The child's script: run by path, so that it imports nothing beside it.
_CHILD_SCRIPT = str(Path(code_child.__file__).resolve())


@dataclass
class ChildRun:
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
        self, run: ChildRun, payload: bytes, stdin: int, results: int, stderr: int
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
                self.run.overflowed = len(self.run.results) > CHANNEL_BYTES
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


def _watch(proc: subprocess.Popen[bytes], pipes: _Pipes, deadline: float) -> float:
    """Feed and read the child until it ends or the deadline passes; kill its group; reap it.

    Returns the CPU time the child used, in seconds.
    """
    run = pipes.run
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
    return float(usage.ru_utime + usage.ru_stime)


def run_child(payload: bytes, timeout: float) -> ChildRun:
    """Run the child on `payload` in a fresh directory; return what it sent and how it ended."""
    run = ChildRun()
    deadline = time.monotonic() + timeout
    with tempfile.TemporaryDirectory(prefix="studybot-code-", ignore_cleanup_errors=True) as work:
        # (parent's end, child's end) of the job, the results and standard error
        job, results, errors = os.pipe()[::-1], os.pipe(), os.pipe()
        try:
            proc = subprocess.Popen(
                [sys.executable, "-I", _CHILD_SCRIPT, str(results[1])],
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
        cpu_seconds = _watch(proc, _Pipes(run, payload, job[0], results[0], errors[0]), deadline)
        run.returncode = proc.returncode
        run.cpu_seconds = cpu_seconds
    return run


def stop_reason(run: ChildRun, timeout: float) -> str:
    """Say why the child stopped before it reported every test."""
    if run.start_error is not None:
        return f"the code runner could not start: {run.start_error}"
    if run.timed_out:
        return f"timed out after {timeout:g} s"
    if run.overflowed:
        return f"the solution sent more than {CHANNEL_BYTES >> 20} MiB of results"
    code = run.returncode or 0
    if code == -signal.SIGXCPU or (code == -signal.SIGKILL and run.cpu_seconds >= CPU_SECONDS):
        return f"used more than {CPU_SECONDS} s of CPU time (the limit)"
    if code < 0:
        return f"the solution was killed by {signal.Signals(-code).name}"
    lines = run.stderr.decode(errors="replace").strip().splitlines()
    if code > 0:
        return f"the solution failed to run: {lines[-1] if lines else f'exit status {code}'}"
    return "the solution ended the process before its tests were done"
