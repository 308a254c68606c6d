"""The code runner: a solution runs confined, and only the parent judges its results."""

from __future__ import annotations

import ast
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.content import code_child
from bot.content.code_runner import TestOutcome as Outcome
from bot.content.code_runner import run_code_tests
from tests.conftest import REPO


def run(solution: str, *tests: tuple[list[Any], Any], timeout: float = 60.0) -> list[Outcome]:
    """Run `f` of a solution on (args, expected) tests, compared exactly."""
    cases = [(args, {}, expected, "exact") for args, expected in tests]
    return run_code_tests(textwrap.dedent(solution), "f", cases, timeout=timeout)


def live_members(pgid: int) -> list[int]:
    """Return the processes of a process group that are still running (zombies are dead)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, pgrp = fields[0], int(fields[2])
        if pgrp == pgid and state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def wait_until_gone(pgid: int, seconds: float = 10.0) -> list[int]:
    """Wait for a group's processes to die (SIGKILL is delivered asynchronously)."""
    deadline = time.monotonic() + seconds
    while (left := live_members(pgid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def kill_left_behind(pgid: int, pid: int) -> None:
    """Kill what a failed run left: its group, or only `pid` if the group is this test's."""
    for member in live_members(pgid) if pgid != os.getpgrp() else [pid]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(member, signal.SIGKILL)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP server on this host's loopback that nobody should reach."""
    server = socket.create_server(("127.0.0.1", 0))
    server.setblocking(False)
    yield server
    server.close()


def test_results_are_compared_by_the_parent() -> None:
    outcomes = run(
        """
        import numpy as np
        def f(kind):
            if kind == "array":
                return np.arange(3) * 1.5
            if kind == "dict":
                return {1: "a", "b": (1, 2), None: {3}}
            if kind == "raise":
                raise ValueError("no")
            return object()
        """,
        (["array"], [0.0, 1.5, 3.0]),
        (["dict"], {1: "a", "b": [1, 2], None: [3]}),
        (["raise"], 0),
        (["object"], 0),
    )
    assert [o.passed for o in outcomes] == [True, True, False, False]
    assert outcomes[2].detail == "raised ValueError: no"
    assert outcomes[3].detail == "returned a object, not plain data"


@pytest.mark.parametrize("exit_early", [False, True])
def test_a_forged_all_pass_fails(exit_early: bool) -> None:
    forged_old = json.dumps([{"passed": True, "detail": ""}] * 3)
    forged_new = [{"ready": {}}, *({"test": i, "value": 1} for i in range(3)), {"done": 3}]
    lines = "".join(json.dumps(frame) + "\n" for frame in forged_new)
    solution = f"""
        import os, sys
        def f(x):
            print({forged_old!r}, flush=True)
            for fd in set(range(3, 21)) | {{int(n) for n in os.listdir("/proc/self/fd")}}:
                for text in ({forged_old!r} + "\\n", {lines!r}):
                    try:
                        os.write(fd, text.encode())
                    except OSError:
                        pass
            if {exit_early!r}:
                os._exit(0)
            return x + 100
        """
    outcomes = run(solution, ([1], 1), ([2], 2), ([3], 3))
    assert len(outcomes) == 3
    assert not any(o.passed for o in outcomes)
    assert "the results channel carried lines the runner did not write" in outcomes[0].detail


def test_the_expected_values_never_reach_the_child() -> None:
    outcomes = run(
        """
        import gc
        def f():
            secret = "12345" + "-secret"
            for o in gc.get_objects():
                values = o.values() if isinstance(o, dict) else o if isinstance(o, list) else ()
                if any(type(v) is str and v == secret for v in values):
                    return "found"
            return "hidden"
        """,
        ([], "12345-secret"),
    )
    assert outcomes == [Outcome(0, False, "returned 'hidden', expected '12345-secret'")]


def test_the_child_gets_neither_the_environment_nor_python_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STUDYBOT_DATABASE_URL", "postgresql://bot:s3cret@db/studybot")
    monkeypatch.setenv("DISCORD_TOKEN", "a-discord-token")
    monkeypatch.setenv("PYTHONPATH", "/nowhere")
    outcomes = run(
        """
        import os, sys
        def f(what):
            if what == "environment":
                return [k for k in ("STUDYBOT_DATABASE_URL", "DISCORD_TOKEN") if k in os.environ]
            if what == "isolated":
                here = {"", ".", os.getcwd()}
                return [sys.flags.isolated, "/nowhere" in sys.path, bool(here & set(sys.path))]
        """,
        (["environment"], []),
        (["isolated"], [1, False, False]),
    )
    assert outcomes == [Outcome(0, True), Outcome(1, True)]


def test_the_child_works_in_a_fresh_folder_removed_afterwards(tmp_path: Path) -> None:
    report = tmp_path / "cwd.txt"
    outcomes = run(
        f"""
        import os
        def f():
            if os.listdir("."):
                return "not a fresh folder"
            open("scratch.txt", "w").write("x")
            open({str(report)!r}, "w").write(os.getcwd())
            return "ok"
        """,
        ([], "ok"),
    )
    assert outcomes == [Outcome(0, True)]
    folder = Path(report.read_text())
    assert folder != REPO and not folder.exists()


def test_a_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    report = tmp_path / "group.json"
    solution = f"""
        import json, os, time
        def f():
            child = os.fork()
            if child == 0:  # a grandchild that lets go of every pipe, then sleeps on
                os.closerange(0, 1024)
                time.sleep(120)
                os._exit(0)
            with open({str(report)!r}, "w") as out:
                json.dump({{"group": os.getpgrp(), "grandchild": child}}, out)
            time.sleep(120)
        """
    started = time.monotonic()
    [outcome] = run(solution, ([], None), timeout=8)
    elapsed = time.monotonic() - started
    ids = json.loads(report.read_text())
    try:
        assert outcome == Outcome(0, False, "timed out after 8 s")
        assert elapsed < 40
        assert ids["group"] != os.getpgrp()
        assert wait_until_gone(ids["group"]) == []
    finally:
        kill_left_behind(ids["group"], ids["grandchild"])


def test_processes_a_passing_solution_leaves_behind_die_with_the_run(tmp_path: Path) -> None:
    report = tmp_path / "sleeper.json"
    solution = f"""
        import json, os, subprocess, sys
        sleeper = subprocess.Popen(
            [sys.executable, "-c", "import time; time.sleep(120)"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        with open({str(report)!r}, "w") as out:
            json.dump({{"group": os.getpgrp(), "pid": sleeper.pid}}, out)
        def f(x):
            return x * 2
        """
    assert run(solution, ([2], 4)) == [Outcome(0, True)]
    ids = json.loads(report.read_text())
    try:
        assert ids["group"] != os.getpgrp()
        assert wait_until_gone(ids["group"]) == []
    finally:
        kill_left_behind(ids["group"], ids["pid"])


def test_a_4_gib_allocation_fails_cleanly() -> None:
    outcomes = run(
        """
        def f(gib):
            return len(bytes(gib << 30))
        """,
        ([4], 4 << 30),
        ([0], 0),
    )
    assert outcomes[0] == Outcome(0, False, "raised MemoryError (the memory limit is 1024 MiB)")
    assert outcomes[1] == Outcome(1, True)  # the process goes on


def test_numpy_works_within_the_limits() -> None:
    outcomes = run(
        """
        import numpy as np
        def f(n):
            a = np.random.default_rng(0).random((n, n))
            return bool(np.allclose(np.linalg.inv(a) @ a, np.eye(n)))
        """,
        ([200], True),
    )
    assert outcomes == [Outcome(0, True)]


def test_a_10_mib_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "big.bin"
    outcomes = run(
        f"""
        def f(mib):
            with open({str(target)!r}, "wb") as out:
                return out.write(bytes(mib << 20))
        """,
        ([10], 10 << 20),
    )
    assert not outcomes[0].passed
    assert outcomes[0].detail == (
        "raised OSError: [Errno 27] File too large (the file size limit is 1024 KiB)"
    )
    assert target.stat().st_size <= 1 << 20


@pytest.mark.slow
def test_a_spinning_solution_is_stopped_by_the_cpu_limit() -> None:
    started = time.monotonic()
    outcomes = run("def f():\n    while True:\n        pass\n", ([], None), ([], None), timeout=120)
    assert outcomes == [
        Outcome(0, False, "used more than 5 s of CPU time (the limit)"),
        Outcome(1, False, "not run: the solution stopped at test 0"),
    ]
    assert time.monotonic() - started < 120


def test_a_solution_that_ends_the_process_fails_the_rest() -> None:
    outcomes = run(
        """
        import os
        def f(x):
            if x == 2:
                os._exit(0)
            return x
        """,
        ([1], 1),
        ([2], 2),
        ([3], 3),
    )
    assert outcomes == [
        Outcome(0, True),
        Outcome(1, False, "the solution ended the process before its tests were done"),
        Outcome(2, False, "not run: the solution stopped at test 1"),
    ]


def test_a_solution_that_does_not_load_fails_every_test() -> None:
    outcomes = run("def f(:\n", ([], 1), ([], 2))
    assert not outcomes[0].passed
    assert outcomes[0].detail.startswith("the solution failed to run: SyntaxError")
    assert outcomes[1] == Outcome(1, False, "not run: the solution did not load")


def test_the_socket_module_opens_no_connection(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    outcomes = run(
        """
        import _socket, asyncio, socket
        def f(how, port):
            try:
                if how == "create_connection":
                    socket.create_connection(("127.0.0.1", port), timeout=5).close()
                elif how == "_socket":
                    _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM).close()
                elif how == "socketpair":  # local and harmless: asyncio needs one
                    a, b = socket.socketpair()
                    a.sendall(b"hi")
                    return b.recv(2).decode()
                elif how == "asyncio":
                    return asyncio.run(asyncio.sleep(0, result="ran"))
            except OSError:
                return "refused"
            return "connected"
        """,
        (["create_connection", port], "refused"),
        (["_socket", port], "refused"),
        (["socketpair", port], "hi"),
        (["asyncio", port], "ran"),
    )
    assert [o.passed for o in outcomes] == [True] * 4, outcomes
    with pytest.raises(BlockingIOError):
        listener.accept()


def _network_namespaces_work() -> bool:
    """Tell whether this machine lets a process enter a network namespace of its own."""
    probe = (
        "import ctypes, sys; unshare = ctypes.CDLL(None, use_errno=True).unshare;"
        "sys.exit(0 if unshare(0x50000000) == 0 or unshare(0x40000000) == 0 else 1)"
    )
    return subprocess.run([sys.executable, "-I", "-c", probe], check=False).returncode == 0


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or not _network_namespaces_work(),
    reason="no network namespaces here: only the socket stub stands, which this gets past",
)
def test_the_network_namespace_stops_what_the_stub_cannot(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    connect = f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=5)"
    outcomes = run(
        f"""
        import subprocess, sys
        def f():
            # A new interpreter has a socket module of its own, without the stub.
            done = subprocess.run([sys.executable, "-c", {connect!r}], capture_output=True)
            return "connected" if done.returncode == 0 else "refused"
        """,
        ([], "refused"),
    )
    assert outcomes == [Outcome(0, True)]
    with pytest.raises(BlockingIOError):
        listener.accept()


FORK_MANY = """
import os, time
def f(n):
    started = 0
    for _ in range(n):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            time.sleep(5)
            os._exit(0)
        started += 1
    return started
"""


def _interpreter_for(uid: int) -> str | None:
    """Return a Python 3.11+ that user `uid` may run, or None."""
    for candidate in (sys.executable, shutil.which("python3"), "/usr/bin/python3"):
        if candidate is None:
            continue
        try:
            probe = subprocess.run(
                [candidate, "-c", "import sys; sys.exit(sys.version_info < (3, 11))"],
                user=uid,
                cwd="/",
                capture_output=True,
                check=False,
            )
        except OSError:  # not a file this user may run
            continue
        if probe.returncode == 0:
            return candidate
    return None


def run_as_a_user_other_than_root(program: str) -> str:
    """Run a Python program (with the repository and FORK_MANY as arguments) as non-root.

    As root, the program runs as the user nobody, with a Python nobody may run:
    the runner needs the standard library only.
    """
    if os.geteuid() != 0:
        command, user = [sys.executable], None
    else:
        python = _interpreter_for(65534)
        if python is None:
            pytest.skip("no Python that the user nobody may run")
        command, user = [python], 65534
    done = subprocess.run(
        [*command, "-I", "-c", program, str(REPO), FORK_MANY],
        user=user,
        group=user,
        extra_groups=None if user is None else [],
        cwd="/",
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def test_the_process_limit_holds_for_a_user_other_than_root() -> None:
    """RLIMIT_NPROC binds every user but root: as root, the check runs as `nobody`."""
    program = """if True:
        import json, sys
        sys.path.insert(0, sys.argv[1])
        from bot.content.code_runner import run_code_tests
        [outcome] = run_code_tests(sys.argv[2], "f", [([200], {}, 200, "exact")], timeout=60)
        print(json.dumps([outcome.passed, outcome.detail]))
        """
    passed, detail = json.loads(run_as_a_user_other_than_root(program))
    assert not passed
    started = int(detail.removeprefix("returned ").split(",")[0])
    assert 0 < started <= 32


def test_without_a_user_namespace_the_limit_counts_the_users_tasks() -> None:
    """Where the child gets no user namespace, its limit is the user's tasks plus 32."""
    program = """if True:
        import os, sys
        sys.path.insert(0, sys.argv[1])
        from bot.content import code_child
        namespace = {}
        exec(sys.argv[2], namespace)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.setpgid(0, 0)
            code_child.limit_resources(own_user_namespace=False)
            os.write(write, str(namespace["f"](200)).encode())
            os._exit(0)
        os.close(write)
        os.waitpid(pid, 0)
        print(int(os.read(read, 100)))
        os.killpg(pid, 9)
        """
    started = int(run_as_a_user_other_than_root(program))
    assert 0 < started <= code_child.PROCESSES


def test_tasks_of_user_counts_this_process() -> None:
    count = code_child.tasks_of_user(os.getuid())
    assert count is not None and count >= 1


def test_the_child_script_imports_the_standard_library_alone() -> None:
    """The child runs as `python -I code_child.py`: nothing beside it is importable."""
    tree = ast.parse(Path(code_child.__file__).read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, "a relative import"
            imported.add(node.module or "")
    roots = {name.split(".")[0] for name in imported}
    assert roots <= sys.stdlib_module_names | {"__future__"}, roots - sys.stdlib_module_names
