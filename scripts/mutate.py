"""Mutation testing of the rule modules, one module at a time (run it as ./scripts/mutate).

For each module named (default: every module of mutation/modules.toml) it runs mutmut
on that module alone, against the test files the table gives it, and prints the mutants
generated, killed and survived, the kill rate, and each surviving mutant that
mutation/equivalent.toml does not list as equivalent. Equivalent mutants are left out
of the rate. `--report [module ...]` prints the last run's figures again, running
nothing. Exit status: 0, or 1 when a mutant survives that is not listed, 2 for a
module or test file the table does not know.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "mutation" / "modules.toml"
EQUIVALENTS = ROOT / "mutation" / "equivalent.toml"
KILLED = {"killed", "timeout", "caught by type check", "segfault"}


@dataclass(frozen=True)
class Equivalent:
    module: str
    mutant: str
    change: str
    reason: str


def load_table() -> dict[str, list[str]]:
    """Return each module of the table with its test files."""
    raw = tomllib.loads(TABLE.read_text(encoding="utf-8"))
    return {module: list(entry["tests"]) for module, entry in raw["modules"].items()}


def load_equivalents() -> list[Equivalent]:
    """Return the mutants listed as equivalent."""
    raw = tomllib.loads(EQUIVALENTS.read_text(encoding="utf-8"))
    return [
        Equivalent(e["module"], e["mutant"], e["change"], e["reason"])
        for e in raw.get("equivalent", [])
    ]


def mutant_prefix(module: str) -> str:
    """Return how mutmut's mutant names of a module start (`bot/scoring.py` -> `bot.scoring.`)."""
    return module.removesuffix(".py").removesuffix("/__init__").replace("/", ".") + "."


def _run_one(module: str, tests: list[str]) -> int:
    """Run mutmut on one module (in this process: mutmut's settings are process-wide)."""
    from mutmut import configuration
    from mutmut.__main__ import _run

    cfg = configuration.config()
    cfg.only_mutate = [module]
    cfg.pytest_add_cli_args_test_selection = tests
    try:
        _run([mutant_prefix(module) + "*"], max_children=1)
    except SystemExit as stop:
        if stop.code:
            return int(stop.code)
    _save_diffs(module)
    return 0


def _diffs_file(module: str) -> Path:
    return ROOT / "mutants" / (module + ".diffs.json")


def _save_diffs(module: str) -> None:
    """Keep the diff of each mutant not killed, read while mutants/ holds this module's."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code

    diffs: dict[str, str] = {}
    for name, code in _exit_codes(module).items():
        if status_by_exit_code[code] not in KILLED:
            try:
                diffs[name] = get_diff_for_mutant(name, path=module)
            except Exception as exc:  # a mutant mutmut cannot read back
                diffs[name] = f"(no diff: {exc})"
    _diffs_file(module).write_text(json.dumps(diffs, indent=1), encoding="utf-8")


def _exit_codes(module: str) -> dict[str, int | None]:
    meta = ROOT / "mutants" / (module + ".meta")
    codes: dict[str, int | None] = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    return codes


def _changed_lines(diff: str) -> list[str]:
    """Return the lines a mutant adds (or, for one that only removes, the lines it removes)."""
    lines = diff.splitlines()
    added = [ln[1:].strip() for ln in lines if ln.startswith("+") and not ln.startswith("+++")]
    removed = [ln[1:].strip() for ln in lines if ln.startswith("-") and not ln.startswith("---")]
    return [line for line in added if line not in removed] or removed


def report(module: str, equivalents: list[Equivalent]) -> bool:
    """Print a module's figures; return whether no mutant survived that is not listed."""
    from mutmut.stats import status_by_exit_code

    codes = _exit_codes(module)
    diffs: dict[str, str] = json.loads(_diffs_file(module).read_text(encoding="utf-8"))
    listed = {e.mutant: e for e in equivalents if e.module == module}
    status = {name: status_by_exit_code[code] for name, code in codes.items()}
    equivalent: list[str] = []
    stale: list[str] = []
    for name, entry in listed.items():
        if name in diffs and entry.change.strip() in _changed_lines(diffs[name]):
            equivalent.append(name)
        elif name in status and status[name] in KILLED:
            stale.append(f"{name} is killed now: take it off the list")
        else:
            stale.append(f"{name} (listed as changing `{entry.change}`) is no longer that mutant")
    counted = {n: s for n, s in status.items() if n not in equivalent}
    killed = sum(1 for s in counted.values() if s in KILLED)
    survivors = sorted(n for n, s in counted.items() if s not in KILLED)
    rate = killed / len(counted) if counted else 1.0
    print(f"\n== {module}")
    print(
        f"generated {len(status)}, equivalent {len(equivalent)}, killed {killed}, "
        f"survived {len(survivors)}, kill rate {rate:.1%} (of the {len(counted)} not equivalent)"
    )
    for name in stale:
        print(f"stale entry in {EQUIVALENTS.relative_to(ROOT)}: {name}")
    for name in survivors:
        print(f"-- survived ({status[name]}): {name}")
        print(diffs[name])
    return not survivors


def main(argv: list[str]) -> int:
    table = load_table()
    if argv[:1] == ["--one"]:
        module = argv[1]
        return _run_one(module, table[module])
    report_only = argv[:1] == ["--report"]
    if report_only:  # the figures of the last run again (after editing equivalent.toml)
        argv = argv[1:]
    modules = [a.removeprefix("./") for a in argv] or list(table)
    unknown = [m for m in modules if m not in table]
    missing = [t for m in modules if m in table for t in table[m] if not (ROOT / t).is_file()]
    if unknown or missing:
        for m in unknown:
            print(f"{m} is not in {TABLE.relative_to(ROOT)}; modules: {', '.join(table)}")
        for t in missing:
            print(f"{t}, named in {TABLE.relative_to(ROOT)}, does not exist")
        return 2
    equivalents = load_equivalents()
    clean = True
    for module in [] if report_only else modules:
        print(f"== mutating {module} against {' '.join(table[module])}", flush=True)
        # Fresh figures each run: mutmut keeps results, takes a copied file for one it has
        # mutated already, and keeps which tests reach which function (none for a module it
        # did not mutate last time) when the module it mutates changes between runs.
        mutants = ROOT / "mutants"
        for stale in (
            mutants / module,
            mutants / (module + ".meta"),
            _diffs_file(module),
            mutants / "mutmut-stats.json",
        ):
            stale.unlink(missing_ok=True)
        done = subprocess.run([sys.executable, __file__, "--one", module], cwd=ROOT, check=False)
        if done.returncode != 0:
            print(f"mutmut stopped on {module} with exit status {done.returncode}")
            return done.returncode
    for module in modules:
        if not _diffs_file(module).is_file():
            print(f"\n== {module}: no finished run to report (./scripts/mutate {module})")
            clean = False
            continue
        clean = report(module, equivalents) and clean
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
