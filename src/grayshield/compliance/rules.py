"""The transcript QA rulebook: mandatory items and forbidden speech as analyst-edited, self-testing data.

A rulebook is TOML validated strictly (unknown keys, unknown targets, bad regular expressions are errors
naming the rule) and every rule carries examples that must pass before the rulebook is accepted, the way a
rule version is dry-run before it is published. Patterns run on folded text (grayshield.text.fold), so
traditional characters, full-width digits and punctuation an ASR system sprinkles in do not matter.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic import ValidationError as PydanticError

from grayshield.contract.truth import BREACH_TYPES, MANDATORY_ITEMS
from grayshield.core.errors import NotFoundError, ValidationError
from grayshield.text.fold import fold

BREACHES = tuple(b for b in BREACH_TYPES if b != "none")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleExample(_Strict):
    text: str = Field(min_length=1)
    match: bool


class QaRule(_Strict):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    kind: Literal["mandatory", "forbidden"]
    target: str
    title_zh: str = Field(min_length=1)
    patterns: tuple[str, ...] = Field(min_length=1)
    exclude: tuple[str, ...] = ()
    penalty: int = Field(ge=0, le=100)
    examples: tuple[RuleExample, ...] = Field(min_length=2)

    @field_validator("patterns", "exclude")
    @classmethod
    def _compiles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _known_target(self) -> QaRule:
        allowed = MANDATORY_ITEMS if self.kind == "mandatory" else BREACHES
        if self.target not in allowed:
            raise ValueError(f"rule {self.id}: {self.kind} target {self.target!r} must be one of {', '.join(allowed)}")
        if not any(e.match for e in self.examples) or all(e.match for e in self.examples):
            raise ValueError(f"rule {self.id}: examples need at least one match and one non-match")
        return self

    @cached_property
    def _regex(self) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p})" for p in self.patterns))

    @cached_property
    def _excluded(self) -> re.Pattern[str] | None:
        return re.compile("|".join(f"(?:{p})" for p in self.exclude)) if self.exclude else None

    def find(self, folded: str) -> str | None:
        """The matched phrase in an already folded text, or None (also when an exclusion applies)."""
        found = self._regex.search(folded)
        if found is None or (self._excluded is not None and self._excluded.search(folded)):
            return None
        return found.group(0)

    def matches_many(self, folded: Sequence[str]) -> list[bool]:
        search, excluded = self._regex.search, self._excluded
        if excluded is None:
            return [search(t) is not None for t in folded]
        return [search(t) is not None and excluded.search(t) is None for t in folded]


class RuleBook(_Strict):
    version: str = Field(min_length=1)
    description: str = ""
    rules: tuple[QaRule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> RuleBook:
        ids = [r.id for r in self.rules]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate rule ids: {', '.join(duplicates)}")
        return self

    def of_kind(self, kind: str) -> list[QaRule]:
        return [r for r in self.rules if r.kind == kind]

    @property
    def identity(self) -> str:
        """Version plus a digest of the rules, recorded on every finding the rulebook makes."""
        digest = hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:10]
        return f"{self.version}#{digest}"


@dataclass(frozen=True)
class ExampleFailure:
    rule_id: str
    text: str
    expected: bool

    def message(self) -> str:
        should = "should match" if self.expected else "should not match"
        return f"rule {self.rule_id}: example {self.text!r} {should}"


def check_examples(book: RuleBook) -> list[ExampleFailure]:
    """Every rule's own examples, run the way production runs the rule (on folded text)."""
    return [ExampleFailure(rule.id, e.text, e.match) for rule in book.rules for e in rule.examples
            if (rule.find(fold(e.text)) is not None) != e.match]


def parse_rulebook(text: str, source: str = "rulebook") -> RuleBook:
    """Validate a TOML rulebook and run its examples; any problem is a ValidationError naming the rule."""
    try:
        book = RuleBook.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"{source} is not valid TOML: {exc}") from exc
    except PydanticError as exc:
        raise ValidationError(f"{source} is not a valid QA rulebook: {exc}") from exc
    failures = check_examples(book)
    if failures:
        raise ValidationError(f"{source}: rule examples fail: " + "; ".join(f.message() for f in failures))
    return book


def load_rulebook(path: Path | None = None) -> RuleBook:
    """The bank's rulebook at ``path``, or the packaged default."""
    if path is None:
        text = resources.files("grayshield.compliance").joinpath("data/qa_rules.toml").read_text(encoding="utf-8")
        return parse_rulebook(text, "default QA rulebook")
    if not path.is_file():
        raise NotFoundError(f"QA rulebook {path} does not exist")
    return parse_rulebook(path.read_text(encoding="utf-8"), str(path))
