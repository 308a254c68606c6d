"""Loading the question bank and its syllabus from `content/`."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.content.schema import QuestionSpec
from bot.model import Difficulty, Question

__all__ = [
    "CategorySpec",
    "ContentError",
    "Problem",
    "QuestionBank",
    "Syllabus",
    "load_bank",
    "load_syllabus",
    "read_question_file",
    "syllabus_problems",
    "titled",
]

log = logging.getLogger(__name__)

# The C loader is several times faster; PyYAML built without libyaml falls back.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the bank: where it is and what is wrong."""

    file: str
    question_id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.question_id:
            where.append(self.question_id)
        if self.field:
            where.append(self.field)
        return f"{': '.join(where)}: {self.message}"


class ContentError(Exception):
    """The bank cannot be loaded; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  {p}" for p in self.problems[:20])
        more = len(self.problems) - 20
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(f"the question bank has {len(self.problems)} problem(s):\n{lines}{tail}")


@dataclass(frozen=True, slots=True)
class CategorySpec:
    """A syllabus category: its title, minimum count and topics (id to description).

    `title` is the name members see (`NLP` for `nlp`); a category without one is
    a problem of the bank.
    """

    name: str
    minimum: int
    topics: Mapping[str, str]
    # Its key points are written as claims for the clause grader: the lint holds them to
    # the stricter checks (no prompt words, no one-word terms, pitfall fixtures).
    claims: bool = False
    title: str = ""


@dataclass(frozen=True, slots=True)
class Syllabus:
    """What the bank must cover."""

    categories: Mapping[str, CategorySpec]


@dataclass(frozen=True)
class QuestionBank:
    """Every question, indexed for the lookups the core makes."""

    questions: tuple[Question, ...]
    syllabus: Syllabus | None = None
    sources: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {q.id: q for q in self.questions})

    def get(self, question_id: str) -> Question | None:
        """Return the question with this id, if the bank has it."""
        by_id: dict[str, Question] = self._by_id  # type: ignore[attr-defined]
        return by_id.get(question_id)

    def __len__(self) -> int:
        return len(self.questions)

    def category_title(self, category: str) -> str:
        """Return the name a category is shown by (its syllabus title), or its id without one."""
        spec = self.syllabus.categories.get(category) if self.syllabus is not None else None
        return spec.title if spec is not None and spec.title else category

    def category_of(self, question_id: str) -> str | None:
        """Return a question's category; for one gone from the bank, what its id starts with.

        Ids are `<category>-<slug>`, so the longest category of the bank the id
        starts with names it; None when none does.
        """
        question = self.get(question_id)
        if question is not None:
            return question.category
        named = [c for c in self.categories if question_id.startswith(f"{c}-")]
        return max(named, key=len) if named else None

    @property
    def categories(self) -> tuple[str, ...]:
        """Return the categories of the bank, in syllabus order where known."""
        present = {q.category for q in self.questions}
        ordered = [c for c in (self.syllabus.categories if self.syllabus else ()) if c in present]
        return tuple(ordered + sorted(present - set(ordered)))

    def select(
        self,
        categories: Iterable[str] = (),
        difficulties: Iterable[Difficulty | str] = (),
    ) -> list[Question]:
        """Return the questions in any of the categories and difficulties (empty: all)."""
        cats = set(categories)
        diffs = {Difficulty(d) for d in difficulties}
        return [
            q
            for q in self.questions
            if (not cats or q.category in cats) and (not diffs or q.difficulty in diffs)
        ]


def load_syllabus(path: Path) -> Syllabus:
    """Read `syllabus.yaml`: the categories, their titles, minimum counts and topics.

    A category without a title reads with an empty one: `syllabus_problems` reports it.
    """
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    cats: dict[str, CategorySpec] = {}
    for name, spec in (raw or {}).get("categories", {}).items():
        topics = {str(k): str(v) for k, v in (spec.get("topics") or {}).items()}
        title = spec.get("title")
        cats[str(name)] = CategorySpec(
            str(name),
            int(spec.get("minimum", 0)),
            topics,
            bool(spec.get("claims", False)),
            " ".join(str(title).split()) if title is not None else "",
        )
    return Syllabus(cats)


def syllabus_problems(syllabus: Syllabus, label: str) -> list[Problem]:
    """Return what is wrong with a syllabus itself: categories without a title."""
    return [
        Problem(
            label,
            None,
            f"categories.{name}.title",
            "missing: every category needs the name members see (e.g. `title: NLP`)",
        )
        for name, spec in syllabus.categories.items()
        if not spec.title
    ]


def titled(question: Question, syllabus: Syllabus | None) -> Question:
    """Return a question carrying its category's title from the syllabus (if it has one)."""
    spec = syllabus.categories.get(question.category) if syllabus is not None else None
    if spec is None or not spec.title:
        return question
    return replace(question, category_title=spec.title)


def _field_of(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(question)"


def read_question_file(path: Path, label: str) -> tuple[list[QuestionSpec], list[Problem]]:
    """Parse and validate one category file; return its questions and its problems."""
    try:
        raw: Any = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        return [], [Problem(label, None, None, f"not valid YAML{where}: {reason}")]
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(label, None, None, f"cannot be read: {exc}")]
    if raw is None:
        return [], []
    if not isinstance(raw, list):
        return [], [Problem(label, None, None, "must be a list of questions")]
    specs: list[QuestionSpec] = []
    problems: list[Problem] = []
    category = path.stem
    for index, item in enumerate(raw):
        qid = item.get("id") if isinstance(item, dict) else None
        name = str(qid) if qid else f"question #{index + 1}"
        if not isinstance(item, dict):
            problems.append(Problem(label, name, None, "must be a mapping of fields"))
            continue
        try:
            spec = QuestionSpec.model_validate(item)
        except ValidationError as exc:
            for err in exc.errors():
                problems.append(Problem(label, name, _field_of(err["loc"]), err["msg"]))
            continue
        if spec.category != category:
            problems.append(
                Problem(label, name, "category", f"is {spec.category!r} in file {path.name}")
            )
            continue
        specs.append(spec)
    return specs, problems


def _label(path: Path, content_dir: Path) -> str:
    return str(path.relative_to(content_dir.parent)) if content_dir.parent else str(path)


def load_bank(content_dir: Path, *, strict: bool = True) -> QuestionBank:
    """Load and validate every question file under `content_dir/questions`.

    With `strict`, any problem raises ContentError naming the file, the question
    id and the field at fault; otherwise bad questions are left out and logged.
    """
    question_dir = content_dir / "questions"
    syllabus_path = content_dir / "syllabus.yaml"
    syllabus = load_syllabus(syllabus_path) if syllabus_path.exists() else None
    questions: list[Question] = []
    sources: dict[str, str] = {}
    problems: list[Problem] = []
    if syllabus is not None:
        problems.extend(syllabus_problems(syllabus, _label(syllabus_path, content_dir)))
    for path in sorted(question_dir.glob("*.yaml")):
        label = _label(path, content_dir)
        specs, found = read_question_file(path, label)
        problems.extend(found)
        for spec in specs:
            if spec.id in sources:
                problems.append(
                    Problem(label, spec.id, "id", f"duplicate: also in {sources[spec.id]}")
                )
                continue
            if syllabus is not None:
                known = syllabus.categories.get(spec.category)
                if known is None:
                    problems.append(Problem(label, spec.id, "category", "not in the syllabus"))
                    continue
                unknown = [t for t in spec.topics if t not in known.topics]
                if unknown:
                    problems.append(
                        Problem(label, spec.id, "topics", f"unknown topic(s): {', '.join(unknown)}")
                    )
                    continue
            sources[spec.id] = label
            questions.append(titled(spec.to_question(), syllabus))
    if problems:
        if strict:
            raise ContentError(problems)
        for problem in problems:
            log.warning("question bank: %s", problem)
    return QuestionBank(tuple(questions), syllabus, sources)
