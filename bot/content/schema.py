"""The schema of a question file, as editors write it (validated with pydantic)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.model import AllOf, CodeTest, Difficulty, KeyPoint, Question, WrongSolution

__all__ = [
    "AllOfSpec",
    "CodeTestSpec",
    "KeyPointSpec",
    "QuestionSpec",
    "WrongSolutionSpec",
    "question_json_schema",
]

_SIGNATURE = re.compile(r"^def\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(")
_TAG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class AllOfSpec(_Spec):
    """Groups of alternatives that must meet in one clause (`a | b` separates alternatives)."""

    all: list[str | list[str]] = Field(min_length=2, max_length=4)

    @field_validator("all")
    @classmethod
    def _groups_not_blank(cls, groups: list[str | list[str]]) -> list[str | list[str]]:
        for group in groups:
            alternatives = group.split("|") if isinstance(group, str) else group
            if not alternatives or any(not a.strip() for a in alternatives):
                raise ValueError("a group of an `all` rule has an empty alternative")
        return groups

    def to_rule(self) -> AllOf:
        """Return the domain value of this rule."""
        return AllOf(
            tuple(
                tuple(a.strip() for a in (g.split("|") if isinstance(g, str) else g))
                for g in self.all
            )
        )


def _stripped_entries(texts: list[str]) -> list[str]:
    """Return a list of texts stripped; ValueError if one is blank."""
    if any(not t.strip() for t in texts):
        raise ValueError("an entry is empty")
    return [t.strip() for t in texts]


class KeyPointSpec(_Spec):
    """A key point: the claim, what recognises it, and what contradicts it."""

    text: str = Field(min_length=3, max_length=200)
    match: list[str | AllOfSpec] = Field(min_length=1, max_length=10)
    against: list[str] = Field(default_factory=list, max_length=10)
    not_covered_by: list[str] = Field(default_factory=list, max_length=5)

    @field_validator("match")
    @classmethod
    def _terms_not_blank(cls, terms: list[str | AllOfSpec]) -> list[str | AllOfSpec]:
        cleaned = [t.strip() if isinstance(t, str) else t for t in terms]
        if any(isinstance(t, str) and not t for t in cleaned):
            raise ValueError("a match term is empty")
        return cleaned

    @field_validator("against", "not_covered_by")
    @classmethod
    def _not_blank(cls, texts: list[str]) -> list[str]:
        return _stripped_entries(texts)

    def to_key_point(self) -> KeyPoint:
        """Return the domain value of this key point."""
        rules = tuple(t if isinstance(t, str) else t.to_rule() for t in self.match)
        return KeyPoint(self.text, rules, tuple(self.against), tuple(self.not_covered_by))


class CodeTestSpec(_Spec):
    """One test call of a coding question's reference solution: its result, or what it raises."""

    args: list[Any] = Field(default_factory=list)
    kwargs: dict[str, Any] = Field(default_factory=dict)
    expected: Any = None
    raises: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$",
        description="an exception class (`ValueError`): the call must raise it or a subclass",
    )
    compare: Literal["approx", "exact", "unordered"] = "approx"

    @model_validator(mode="after")
    def _expected_or_raises(self) -> CodeTestSpec:
        if ("expected" in self.model_fields_set) == (self.raises is not None):
            raise ValueError("a test gives either `expected` or `raises`")
        if self.raises is not None and "compare" in self.model_fields_set:
            raise ValueError("`compare` applies to `expected`, not to `raises`")
        return self

    def to_code_test(self) -> CodeTest:
        """Return the domain value of this test."""
        kwargs = tuple(sorted(self.kwargs.items()))
        return CodeTest(tuple(self.args), kwargs, self.expected, self.compare, self.raises)


class WrongSolutionSpec(_Spec):
    """A plausible wrong solution (a mistake candidates make): the lint checks a test fails it."""

    why: str = Field(min_length=3, max_length=200, description="the mistake, in one line")
    code: str = Field(min_length=1, description="defines the function of the signature")

    @field_validator("why")
    @classmethod
    def _one_line(cls, why: str) -> str:
        if "\n" in why:
            raise ValueError("`why` is one line")
        return why

    def to_wrong_solution(self) -> WrongSolution:
        """Return the domain value of this wrong solution."""
        return WrongSolution(self.why, self.code)


class QuestionSpec(_Spec):
    """A question as written in a category's YAML file."""

    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)+$", max_length=80)
    category: str = Field(min_length=2)
    difficulty: Difficulty
    topics: list[str] = Field(min_length=1, max_length=3)
    tags: list[str] = Field(default_factory=list, max_length=8)
    prompt: str = Field(min_length=40, max_length=1500)
    hint: str = Field(min_length=10, max_length=300)
    answer: str = Field(min_length=1)
    key_points: list[KeyPointSpec] = Field(min_length=3, max_length=6)
    follow_ups: list[str] = Field(default_factory=list, max_length=3)
    signature: str | None = None
    solution: str | None = None
    tests: list[CodeTestSpec] = Field(default_factory=list)
    wrong_solutions: list[WrongSolutionSpec] = Field(default_factory=list)
    wrong_answers: list[str] = Field(
        default_factory=list,
        max_length=3,
        description="lint fixtures: fluent wrong answers; none may cover a key point",
    )
    paraphrases: list[str] = Field(
        default_factory=list,
        max_length=3,
        description="lint fixtures: correct answers in other words; each covers every point",
    )

    @field_validator("wrong_answers", "paraphrases")
    @classmethod
    def _fixtures_not_blank(cls, texts: list[str]) -> list[str]:
        return _stripped_entries(texts)

    @field_validator("tags")
    @classmethod
    def _tags_kebab(cls, tags: list[str]) -> list[str]:
        for tag in tags:
            if not _TAG.match(tag):
                raise ValueError(f"tag {tag!r} is not lowercase kebab-case")
        return tags

    @model_validator(mode="after")
    def _coding_fields_together(self) -> QuestionSpec:
        given = [self.signature is not None, self.solution is not None, bool(self.tests)]
        if any(given) and not all(given):
            raise ValueError("signature, solution and tests go together: give all three or none")
        if self.wrong_solutions and self.signature is None:
            raise ValueError("wrong_solutions need a signature, a solution and tests")
        if self.signature is not None and not _SIGNATURE.match(self.signature):
            raise ValueError("signature must start with 'def name('")
        if not self.id.startswith(self.category + "-"):
            raise ValueError(f"id must start with its category: '{self.category}-...'")
        return self

    @property
    def function_name(self) -> str | None:
        """Return the name of the function a coding question asks for."""
        if self.signature is None:
            return None
        found = _SIGNATURE.match(self.signature)
        return found.group(1) if found else None

    def to_question(self) -> Question:
        """Return the frozen domain value of this question."""
        return Question(
            id=self.id,
            category=self.category,
            difficulty=self.difficulty,
            topics=tuple(self.topics),
            tags=tuple(self.tags),
            prompt=self.prompt,
            hint=self.hint,
            answer=self.answer,
            key_points=tuple(k.to_key_point() for k in self.key_points),
            follow_ups=tuple(self.follow_ups),
            signature=self.signature,
            solution=self.solution,
            tests=tuple(t.to_code_test() for t in self.tests),
            wrong_solutions=tuple(w.to_wrong_solution() for w in self.wrong_solutions),
            wrong_answers=tuple(self.wrong_answers),
            paraphrases=tuple(self.paraphrases),
        )


def question_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of a category file (a list of questions), for editors."""
    item = QuestionSpec.model_json_schema()
    defs = item.pop("$defs", {})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "studybot question file",
        "type": "array",
        "items": item,
        "$defs": defs,
    }
