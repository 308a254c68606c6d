"""The house's floors: every import runs down (or across a floor), never back up.

Each module of `bot/` and `adapters/` sits on a floor, from plain values at
the bottom to the command line at the top. A module may import modules of
its own floor or below; the imports form no cycle; an adapter never imports
another platform's adapter. A new module must be given a floor here, which
is the moment to ask where it belongs.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import REPO

# Lowest first. A name stands for the module and, ending in ".", for a package's modules.
FLOORS: tuple[tuple[str, ...], ...] = (
    # values and the words of commands
    (
        "bot",
        "bot.model",
        "bot.replies",
        "bot.clock",
        "bot.markup",
        "bot.config",
        "bot.commands",
        "bot.command_refs",
        "bot.command_translations",
        "bot.store",
        "bot.records",
        "bot.store.database",
        "bot.telemetry.context",
        "bot.telemetry.metrics",
    ),
    # pure rules, the bank, the events adapters send, and telemetry around them
    (
        "bot.ports",
        "bot.telemetry",
        "bot.telemetry.",
        "bot.group_settings",
        "bot.settings_errors",
        "bot.settings_text",
        "bot.holidays",
        "bot.time_zones",
        "bot.grading",
        "bot.grading.",
        "bot.scoring",
        "bot.review_schedule",
        "bot.periods",
        "bot.question_figures",
        "bot.recap_figures",
        "bot.chart_data",
        "bot.remind_setting",
        "bot.web_setting",
        "bot.recount",
        "bot.streak_guard",
        "bot.away_days",
        "bot.schedule",
        "bot.content",
        "bot.content.",
    ),
    # words, storage, and the machinery use-cases run on
    (
        "bot.messages",
        "bot.appeal_messages",
        "bot.question_messages",
        "bot.recap_messages",
        "bot.reminder_messages",
        "bot.review_note_messages",
        "bot.standing_replies",
        "bot.practice_messages",
        "bot.help_messages",
        "bot.notices",
        "bot.store.",
        "bot.store_ports",
        "bot.store_appeal_ports",
        "bot.store_streak_ports",
        "bot.streak_messages",
        "bot.store_chart_ports",
        "bot.store_archive_ports",
        "bot.chart_drawing",
        "bot.limits",
        "bot.jobs",
        "bot.reconnect",
    ),
    # use-cases
    (
        "bot.answers",
        "bot.appeals",
        "bot.question_stats",
        "bot.peer_judges",
        "bot.private_notes",
        "bot.recaps",
        "bot.reminders",
        "bot.review_notes",
        "bot.votes",
        "bot.feedback",
        "bot.groups",
        "bot.practice",
        "bot.streaks",
        "bot.rounds",
        "bot.charts",
        "bot.standings",
        "bot.archive_access",
        "bot.web",
        "bot.web.",
        "bot.deliveries",
    ),
    # the front door
    ("bot.routes", "bot.core"),
    # the composition root, and what runs it
    ("bot.app",),
    ("bot.health", "bot.service"),
    # the platforms
    ("adapters", "adapters."),
    # the command line, which picks a platform
    ("bot.cli", "bot.db_cli", "bot.subcommands"),
)


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(tops: tuple[str, ...] = ("bot", "adapters")) -> Iterator[tuple[str, Path]]:
    for top in tops:
        for path in sorted((REPO / top).rglob("*.py")):
            yield module_name(path), path


def floor_of(module: str) -> int:
    best: tuple[int, int] | None = None  # (length of the matching name, floor)
    for floor, names in enumerate(FLOORS):
        for name in names:
            matches = module == name or (name.endswith(".") and module.startswith(name))
            if matches and (best is None or len(name) > best[0]):
                best = (len(name), floor)
    assert best is not None, f"{module} has no floor: add it to FLOORS in {__file__}"
    return best[1]


def imports_of(path: Path, known: set[str]) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        found.update(n for n in names if n in known)
    return found


def graph() -> dict[str, set[str]]:
    found = dict(modules())
    known = set(found)
    return {name: imports_of(path, known) - {name} for name, path in found.items()}


def test_every_import_runs_down_or_across() -> None:
    upward = [
        f"{module} (floor {floor_of(module)}) imports {target} (floor {floor_of(target)})"
        for module, targets in graph().items()
        for target in sorted(targets)
        if floor_of(target) > floor_of(module)
    ]
    assert upward == []


def test_the_imports_form_no_cycle() -> None:
    edges = graph()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            raise AssertionError("import cycle: " + " -> ".join([*path, module]))
        if module in done:
            return
        for target in sorted(edges[module]):
            visit(target, [*path, module])
        done.add(module)

    for module in sorted(edges):
        visit(module, [])


def test_an_adapter_imports_no_other_platform_and_the_core_no_platform_library() -> None:
    for module, path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
        } | {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        if module.startswith("adapters."):
            platform = module.split(".")[1]
            others = {i for i in imported if i.startswith("adapters.")} - {"adapters"}
            assert all(i.split(".")[1] == platform for i in others), (module, others)
        elif module != "bot.cli":
            roots = {i.split(".")[0] for i in imported}
            assert not roots & {"discord", "slack_bolt", "slack_sdk", "adapters"}, module


def test_the_shipped_code_imports_no_test_support() -> None:
    # the platforms' loopback fakes, the tests and the benchmarks are never shipped
    for module, path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
        } | {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        roots = {i.split(".")[0] for i in imported}
        assert not roots & {"loopback", "tests", "bench"}, module


def test_the_front_door_is_small_and_no_module_or_function_is_long() -> None:
    assert len((REPO / "bot/core.py").read_text(encoding="utf-8").splitlines()) < 200
    too_long: list[str] = []
    for module, path in modules(("bot", "adapters", "loopback")):
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > 500:
            too_long.append(f"{module}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 60:
                    too_long.append(f"{module}.{node.name}: {length} lines")
    assert too_long == []
