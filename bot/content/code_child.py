"""The child side of the code runner: what runs inside the confined child process.

`bot.content.code_process` starts this file as a script, `python -I
code_child.py FD`, and sends it the solution and the arguments of each test
call as JSON on standard input. The child confines itself, then runs the calls:

- Limits (`limit_resources`), set before it compiles the solution: CPU time,
  address space, file size, open files, no core files, and a process count
  (see `_process_limit` for why that one only holds for a user other than root).
- Network: it first tries to enter a new, empty network namespace
  (`unshare(CLONE_NEWUSER | CLONE_NEWNET)`, which needs no privileges where
  unprivileged user namespaces are allowed; else `CLONE_NEWNET`, for root).
  There the kernel refuses every connection, even to the parent's loopback, and
  that holds for anything the solution starts. In every case it also swaps
  `_socket.socket` (which `socket.socket` calls) for a class that refuses to
  open a new socket. That stub is no sandbox: it only binds this interpreter's
  socket modules; ctypes or a new interpreter get past it.
- Reporting: only what each call returned (or raised: the exception and the
  names of its classes), as JSON lines on a pipe of its own (descriptor FD,
  never standard output), in the order ready, then either error, or test
  0 .. n-1 and done. The parent compares the values with the expected ones
  (and the classes with an expected exception) itself.

Run as a script under `-I`, this file can import no module beside it, nor
anything of the bot: it imports the standard library alone (which also keeps
the child's start fast). The parent imports it for the limits and the values'
wire format they share.
"""

from __future__ import annotations

import errno
import json
import numbers
import os
import signal
import sys
from typing import Any

__all__ = [
    "CPU_SECONDS",
    "DETAIL_CHARS",
    "FILE_BYTES",
    "MEMORY_BYTES",
    "OPEN_FILES",
    "PROCESSES",
    "SCALARS",
    "NotPlain",
    "child_main",
    "exception_classes",
    "limit_resources",
    "plain",
    "tasks_of_user",
    "to_wire",
]

# The limits of a run. CPU: the bank's slowest solution needs a fraction of a
# second for all its tests; 5 s leaves room on a loaded machine while a busy
# loop stops long before the default 10 s wall-clock limit. Address space: 1 GiB
# holds the interpreter with NumPy imported (about 145 MiB of mappings with one
# BLAS thread) and the arrays of any test, and stops a runaway allocation. File
# size: 1 MiB is plenty for a scratch file. Open files: 64 (the runner needs a
# handful). Processes: 32 tasks (processes and threads) beyond those present.
CPU_SECONDS = 5
MEMORY_BYTES = 1 << 30
FILE_BYTES = 1 << 20
OPEN_FILES = 64
PROCESSES = 32

# How long a failure's detail may be.
DETAIL_CHARS = 300

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


def plain(value: Any) -> Any:
    """Return a value with arrays, tuples and sets turned into lists."""
    if hasattr(value, "tolist") and callable(value.tolist):
        return plain(value.tolist())
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((plain(v) for v in value), key=repr)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if hasattr(value, "item") and callable(value.item):  # NumPy scalars
        return value.item()
    return value


# --- The values that cross the channel --------------------------------------------------
#
# JSON, with every dict sent as {"dict": [[key, value], ...]} so that keys other
# than strings survive and a JSON object never means anything else.

SCALARS = (bool, int, float, str)


class NotPlain(Exception):
    """A returned value the runner cannot send: not numbers, strings, lists and dicts."""


def to_wire(value: Any) -> Any:
    """Return a returned value as JSON-ready data; NotPlain if it is not plain data."""
    if value is None or type(value) in SCALARS:
        return value
    if hasattr(value, "tolist") and callable(value.tolist):  # NumPy arrays and scalars
        return to_wire(value.tolist())
    if isinstance(value, tuple | list):
        return [to_wire(v) for v in value]
    if isinstance(value, set | frozenset):
        return [to_wire(v) for v in plain(value)]
    if isinstance(value, dict):
        pairs = []
        for key, item in value.items():
            key = to_wire(key)
            if key is not None and type(key) not in SCALARS:
                raise NotPlain(f"a dict with a key of type {type(key).__name__}")
            pairs.append([key, to_wire(item)])
        return {"dict": pairs}
    if hasattr(value, "item") and callable(value.item):
        return to_wire(value.item())
    for kind in SCALARS:  # subclasses: an IntEnum, a str subclass
        if isinstance(value, kind):
            return kind(value)
    if isinstance(value, numbers.Real):  # a Fraction
        return float(value)
    raise NotPlain(f"a {type(value).__name__}")


def exception_classes(exc: BaseException) -> list[str]:
    """Return the names of an exception's class and its bases (`ValueError`, `module.Name`).

    A name is the class's qualified name, prefixed by its module unless that is
    `builtins`; the parent matches a test's `raises` against them, so a subclass
    of the named class counts.
    """
    names = []
    for cls in type(exc).__mro__:
        module = getattr(cls, "__module__", "builtins")
        qualname = str(getattr(cls, "__qualname__", cls.__name__))
        names.append(qualname if module == "builtins" else f"{module}.{qualname}")
    return names[:32]


# --- Confinement ---------------------------------------------------------------------------


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


def tasks_of_user(uid: int) -> int | None:
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
    `PROCESSES` is the limit; otherwise the limit is the tasks the user already
    runs (all of them, read from /proc) plus `PROCESSES`. For root (uid 0
    outside any namespace) nothing is set: the process-group kill at the end of
    the run is all that stops a fork bomb.
    """
    if own_user_namespace:
        return PROCESSES
    if os.getuid() == 0:
        return None
    present = tasks_of_user(os.getuid())
    return None if present is None else present + PROCESSES


def limit_resources(own_user_namespace: bool) -> None:
    """Lower this process's resource limits (never raising a hard limit)."""
    import resource  # POSIX only; the child alone needs it

    limits = [
        (resource.RLIMIT_CPU, CPU_SECONDS, CPU_SECONDS + 1),  # SIGXCPU, then SIGKILL
        (resource.RLIMIT_AS, MEMORY_BYTES, MEMORY_BYTES),
        (resource.RLIMIT_FSIZE, FILE_BYTES, FILE_BYTES),
        (resource.RLIMIT_NOFILE, OPEN_FILES, OPEN_FILES),
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


# --- Running and reporting -----------------------------------------------------------------


def _describe(exc: BaseException) -> str:
    """Return `Type: message` for an exception, naming the limit it hit if any."""
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, MemoryError):
        text += f" (the memory limit is {MEMORY_BYTES >> 20} MiB)"
    elif isinstance(exc, OSError) and exc.errno == errno.EFBIG:
        text += f" (the file size limit is {FILE_BYTES >> 10} KiB)"
    elif isinstance(exc, OSError) and exc.errno == errno.EAGAIN:
        text += f" (the process limit is {PROCESSES} processes or threads)"
    return text[:DETAIL_CHARS]


def child_main(result_fd: int) -> None:
    """Run the job from standard input; write one JSON line per event to `result_fd`."""
    job = json.loads(sys.stdin.buffer.read())
    os.set_inheritable(result_fd, False)  # the solution's subprocesses do not get it

    def send(frame: dict[str, Any]) -> None:
        data = (json.dumps(frame) + "\n").encode()
        while data:
            data = data[os.write(result_fd, data) :]

    network_namespace, user_namespace = _enter_namespaces()
    limit_resources(user_namespace)
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
            send({"test": index, "raised": _describe(exc), "classes": exception_classes(exc)})
            continue
        try:
            send({"test": index, "value": to_wire(got)})
        except (NotPlain, ValueError) as exc:
            send({"test": index, "unsendable": str(exc)[:DETAIL_CHARS]})
        except RecursionError:
            send({"test": index, "unsendable": "a value nested too deeply"})
    send({"done": len(calls)})
    os._exit(0)  # threads the solution left running do not hold the process


if __name__ == "__main__":
    child_main(int(sys.argv[1]))
