"""The mutation-testing tables agree with the code: modules, test files, equivalents.

Cheap checks of mutation/modules.toml and mutation/equivalent.toml (no mutation run);
./scripts/mutate reads both.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TABLE = tomllib.loads((REPO / "mutation" / "modules.toml").read_text(encoding="utf-8"))
EQUIVALENTS = tomllib.loads((REPO / "mutation" / "equivalent.toml").read_text(encoding="utf-8"))


def _prefix(module: str) -> str:
    return module.removesuffix(".py").removesuffix("/__init__").replace("/", ".") + "."


def test_every_module_and_test_file_of_the_table_exists() -> None:
    assert TABLE["modules"], "no module to mutate"
    for module, entry in TABLE["modules"].items():
        assert module.endswith(".py") and (REPO / module).is_file(), module
        assert entry["tests"], f"{module} names no test file"
        for test_file in entry["tests"]:
            assert (REPO / test_file).is_file(), f"{test_file} (for {module}) does not exist"


def test_every_equivalent_mutant_names_a_module_of_the_table_and_why() -> None:
    seen: set[str] = set()
    for entry in EQUIVALENTS.get("equivalent", []):
        assert entry["module"] in TABLE["modules"], entry
        assert entry["mutant"].startswith(_prefix(entry["module"])), entry
        assert entry["mutant"] not in seen, f"{entry['mutant']} is listed twice"
        seen.add(entry["mutant"])
        assert entry["change"].strip(), entry
        assert len(entry["reason"].split()) >= 4, f"say why {entry['mutant']} is equivalent"
