"""Reading a Dockerfile and a .dockerignore the way Docker does, for the deploy tests.

Only what studybot's files use: instructions with backslash continuations and
comments, build stages, `--flag=value` options, `ENV` pairs, and .dockerignore
patterns (`*`, `**`, `?`, `!` exceptions, the last matching pattern wins, a
pattern that matches a folder matches what is in it).
"""

from __future__ import annotations

import json
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction: its keyword, the text after it, and its build stage."""

    keyword: str
    args: str
    stage: str

    def options(self) -> dict[str, str]:
        """Return the instruction's leading `--name=value` options."""
        found: dict[str, str] = {}
        for word in self.args.split():
            if not word.startswith("--"):
                break
            name, _, value = word[2:].partition("=")
            found[name] = value
        return found

    def operands(self) -> list[str]:
        """Return the words after the options (shell words; a JSON array as its items)."""
        text = self.args
        while text.startswith("--"):
            text = text.split(None, 1)[1] if " " in text else ""
        if text.startswith("["):
            items: list[str] = json.loads(text)
            return items
        return shlex.split(text)


def parse_dockerfile(text: str) -> list[Instruction]:
    """Return the instructions of a Dockerfile, continuation lines joined, comments dropped."""
    instructions: list[Instruction] = []
    stage = ""
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and not pending):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        whole = (pending + stripped).strip()
        pending = ""
        if not whole:
            continue
        keyword, _, args = whole.partition(" ")
        keyword = keyword.upper()
        args = " ".join(args.split())
        if keyword == "FROM":
            words = args.split()
            stage = words[2] if len(words) >= 3 and words[1].upper() == "AS" else words[0]
        instructions.append(Instruction(keyword, args, stage))
    return instructions


def stage_names(instructions: list[Instruction]) -> list[str]:
    """Return the build stages' names, in order."""
    return [i.stage for i in instructions if i.keyword == "FROM"]


def in_stage(instructions: list[Instruction], stage: str, keyword: str) -> list[Instruction]:
    """Return the instructions with this keyword in this stage."""
    return [i for i in instructions if i.stage == stage and i.keyword == keyword]


def env_of(instructions: list[Instruction], stage: str) -> dict[str, str]:
    """Return the variables the stage's `ENV` instructions set."""
    env: dict[str, str] = {}
    for instruction in in_stage(instructions, stage, "ENV"):
        for word in shlex.split(instruction.args):
            name, _, value = word.partition("=")
            env[name] = value
    return env


def arg_defaults(instructions: list[Instruction]) -> dict[str, str]:
    """Return the default values of the `ARG`s declared before the first stage."""
    defaults: dict[str, str] = {}
    for instruction in instructions:
        if instruction.stage == "" and instruction.keyword == "ARG":
            name, _, value = instruction.args.partition("=")
            defaults[name] = value
    return defaults


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            out.append(pattern[i : end + 1])
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


@dataclass(frozen=True)
class DockerIgnore:
    """The patterns of a .dockerignore file."""

    rules: tuple[tuple[bool, str], ...]  # (is an exception "!", pattern)

    @classmethod
    def read(cls, path: Path) -> DockerIgnore:
        """Return the rules of a .dockerignore file."""
        rules: list[tuple[bool, str]] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            exception = line.startswith("!")
            pattern = os.path.normpath(line.removeprefix("!").strip()).lstrip("/")
            rules.append((exception, pattern))
        return cls(tuple(rules))

    def ignores(self, relative: str) -> bool:
        """Tell whether the build context leaves this path (relative, with /) out."""
        parts = relative.split("/")
        prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        ignored = False
        for exception, pattern in self.rules:
            regex = _pattern_regex(pattern)
            if any(regex.match(prefix) for prefix in prefixes):
                ignored = not exception
        return ignored

    def may_include_below(self, folder: str) -> bool:
        """Tell whether an exception could bring back something inside an ignored folder."""
        return any(exception and p.startswith(folder + "/") for exception, p in self.rules)

    def context_files(self, root: Path) -> list[str]:
        """Return the files under `root` that the build context holds (relative, with /)."""
        kept: list[str] = []
        for folder, dirs, files in os.walk(root):
            base = Path(folder).relative_to(root).as_posix()
            prefix = "" if base == "." else base + "/"
            dirs[:] = [
                d
                for d in dirs
                if not self.ignores(prefix + d) or self.may_include_below(prefix + d)
            ]
            kept.extend(prefix + f for f in files if not self.ignores(prefix + f))
        return sorted(kept)
