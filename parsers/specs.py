"""What a form and a write-up are read by: the labels, choices and limits a campaign's profile
gives (rules/profile.py builds them from TOML; the parsers only read them)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """A length limit in 字: `hard` for 以内/不超过 (an error), else 约 (a warning)."""

    min: int | None
    max: int | None
    hard: bool

    def describe(self) -> str:
        if self.hard:
            return f"{self.max}字以内"
        if self.min is not None and self.max is not None:
            return f"约{self.min}–{self.max}字"
        return f"约{self.max or self.min}字"


@dataclass(frozen=True)
class FieldSpec:
    key: str
    labels: tuple[str, ...]
    type: str = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    limit: Limit | None = None
    # The blank form's own instruction text in the value cell: never a value.
    prompts: tuple[str, ...] = ()
    # For a grid of rows × columns (企业负责人 × 姓名): the column header this field sits under.
    column: str | None = None


@dataclass(frozen=True)
class FormSpec:
    titles: tuple[str, ...]
    fields: tuple[FieldSpec, ...]

    def field(self, key: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.key == key), None)


@dataclass(frozen=True)
class SectionSpec:
    name: str
    labels: tuple[str, ...]
    limit: Limit | None


@dataclass(frozen=True)
class WriteupSpec:
    # Words that mark a document as this campaign's write-up (template headings).
    markers: tuple[str, ...]
    subtitle_pattern: str | None
    subtitle_example: str
    sections: tuple[SectionSpec, ...]
    # The notice's own word for the write-up (案例报告, 案例编辑模板): its file's name in the
    # review folder.
    name: str = "案例报告"
