"""Desensitisation policies: which operator applies to which entity, as versioned TOML data.

A policy is validated as a whole before anything is masked: unknown entities, unknown operators and unknown
operator fields are errors naming the file and the offending key. Every masking run can record
``policy.version``, so an auditor knows which rules produced a masked file.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator

from grayshield.core.errors import ValidationError
from grayshield.pii.entities import ENTITY_TYPES
from grayshield.pii.operators import Operator, Placeholder


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    description: str = ""
    default: Operator = Placeholder()
    entities: dict[str, Operator] = Field(default_factory=dict)

    @field_validator("entities", mode="before")
    @classmethod
    def _known_entities(cls, value: dict[str, object]) -> dict[str, object]:
        unknown = sorted(set(value) - set(ENTITY_TYPES))
        if unknown:
            raise ValueError(f"unknown entities {unknown}; known: {', '.join(ENTITY_TYPES)}")
        return value

    def operator_for(self, entity: str) -> Operator:
        return self.entities.get(entity, self.default)


def parse_policy(data: dict[str, object], source: str) -> Policy:
    try:
        return Policy.model_validate(data)
    except pydantic.ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors())
        raise ValidationError(f"invalid PII policy {source}: {problems}") from None


def load_policy(path: Path) -> Policy:
    """Read and validate a policy TOML file; every problem is a :class:`ValidationError` naming the file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValidationError(f"PII policy file not found: {path}") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValidationError(f"cannot read PII policy {path}: {exc}") from None
    return parse_policy(data, str(path))


@cache
def default_policy() -> Policy:
    """The shipped policy: JR/T 0171-2020 Annex A display masking."""
    text = resources.files("grayshield.pii").joinpath("data/default_policy.toml").read_text(encoding="utf-8")
    return parse_policy(tomllib.loads(text), "default_policy.toml")
