"""The schema of a question file, as editors write it (validated with pydantic)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.model import CodeTest, Difficulty, KeyPoint, Question

__all__ = ["CodeTestSpec", "KeyPointSpec", "QuestionSpec", "question_json_schema"]

_SIGNATURE = re.compile(r"^def\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(")
_TAG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class KeyPointSpec(_Spec):
    """A key point: what it says and the terms that recognise it in an answer."""

    text: str = Field(min_length=3, max_length=200)
    match: list[str] = Field(min_length=1, max_length=10)

    @field_validator("match")
    @classmethod
    def _terms_not_blank(cls, terms: list[str]) -> list[str]:
        cleaned = [t.strip() for t in terms]
        if any(not t for t in cleaned):
            raise ValueError("a match term is empty")
        return cleaned


class CodeTestSpec(_Spec):
    """One test call of a coding question's reference solution."""

    args: list[Any] = Field(default_factory=list)
    kwargs: dict[str, Any] = Field(default_factory=dict)
    expected: Any
    compare: Literal["approx", "exact", "unordered"] = "approx"


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
            key_points=tuple(KeyPoint(k.text, tuple(k.match)) for k in self.key_points),
            follow_ups=tuple(self.follow_ups),
            signature=self.signature,
            solution=self.solution,
            tests=tuple(
                CodeTest(tuple(t.args), tuple(sorted(t.kwargs.items())), t.expected, t.compare)
                for t in self.tests
            ),
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
