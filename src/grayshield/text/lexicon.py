"""The lexicon: analyst-edited, validated, versioned TOML; one registry so a bank can add its own.

A lexicon is data, like a rule set: it is validated before use (unknown keys, empty or duplicate terms,
weights out of range are refused with the file and the place named), and its name and version travel
with every hit and every trained model so a finding can be traced to the word list that made it.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError

from grayshield.core.errors import NotFoundError, ValidationError
from grayshield.core.registry import Registry
from grayshield.core.settings import get_settings
from grayshield.text.fold import fold

SIGNALS = ("blackgray_ad", "proxy_representation", "escalation_threat", "coached_customer")
Weight = Annotated[float, Field(gt=0, le=10)]
TermText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TermSpec(_Strict):
    """A term with its own weight or known spellings the variant generator cannot guess (sx for 私信)."""

    term: TermText
    weight: Weight | None = None
    aliases: list[TermText] = Field(default_factory=list)


class CategorySpec(_Strict):
    label: str = Field(min_length=1, description="Chinese name shown to analysts")
    signal: str = Field(description=f"classifier label the category speaks for: {', '.join(SIGNALS)}")
    weight: Weight = 1.0
    evasion_variants: bool = False
    terms: list[TermText | TermSpec] = Field(min_length=1)

    @field_validator("signal")
    @classmethod
    def _known_signal(cls, value: str) -> str:
        if value not in SIGNALS:
            raise ValueError(f"unknown signal {value!r}; one of {', '.join(SIGNALS)}")
        return value


class LexiconSpec(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: str = Field(pattern=r"^\d+(\.\d+){1,3}$", description="bump on every edit, e.g. 2026.11.1")
    description: str = ""
    categories: dict[str, CategorySpec] = Field(min_length=1)

    @field_validator("categories")
    @classmethod
    def _category_names(cls, value: dict[str, CategorySpec]) -> dict[str, CategorySpec]:
        for name in value:
            if not name.replace("_", "").isalnum() or not name.isascii() or not name.islower():
                raise ValueError(f"category name must be lower_snake_case ASCII: {name!r}")
        return value

    @model_validator(mode="after")
    def _terms_unique_and_meaningful(self) -> LexiconSpec:
        seen: dict[str, str] = {}
        for category, spec in self.categories.items():
            for item in spec.terms:
                spellings = [item] if isinstance(item, str) else [item.term, *item.aliases]
                for text in spellings:
                    key = fold(text)
                    if not key:
                        raise ValueError(f"term {text!r} in {category!r} is empty once normalised (only symbols?)")
                    if text is not spellings[0] and len(key) < 2:
                        raise ValueError(f"alias {text!r} of {spellings[0]!r} is under two characters once normalised")
                    if key in seen:
                        raise ValueError(f"term {text!r} appears twice: in {seen[key]!r} and in {category!r}")
                    seen[key] = category
        return self


@dataclass(frozen=True)
class Term:
    """One lexicon entry as the matcher uses it: ``text`` is already in normalised form."""

    text: str
    category: str
    signal: str
    weight: float
    evasion_variants: bool
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lexicon:
    name: str
    version: str
    categories: dict[str, CategorySpec]
    terms: tuple[Term, ...]
    digest: str

    @property
    def identity(self) -> str:
        """``name@version#digest``: what findings and models record about the word list."""
        return f"{self.name}@{self.version}#{self.digest[:12]}"

    def merged(self, other: Lexicon) -> Lexicon:
        """This lexicon plus a bank's own; a term in both is an error, not a silent override."""
        clash = {t.text for t in self.terms} & {t.text for t in other.terms}
        if clash:
            raise ValidationError(f"lexicons {self.name} and {other.name} both define: {', '.join(sorted(clash))}")
        shared = set(self.categories) & set(other.categories)
        conflicting = [c for c in shared if self.categories[c].signal != other.categories[c].signal]
        if conflicting:
            raise ValidationError(f"category {conflicting[0]!r} has different signals in {self.name} and {other.name}")
        return Lexicon(
            name=f"{self.name}+{other.name}",
            version=f"{self.version}+{other.version}",
            categories={**other.categories, **self.categories},
            terms=self.terms + other.terms,
            digest=hashlib.sha256((self.digest + other.digest).encode()).hexdigest(),
        )


def parse_lexicon(raw: bytes, source: str) -> Lexicon:
    """Validate TOML bytes into a :class:`Lexicon`; errors name ``source`` and the offending place."""
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValidationError(f"{source}: not valid UTF-8 TOML ({exc})") from exc
    try:
        spec = LexiconSpec.model_validate(data)
    except PydanticValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}" for err in exc.errors()
        )
        raise ValidationError(f"{source}: invalid lexicon: {problems}") from exc
    terms = []
    for category, cat in spec.categories.items():
        for item in cat.terms:
            if isinstance(item, str):
                item = TermSpec(term=item)
            aliases = tuple(fold(a) for a in item.aliases)
            weight = cat.weight if item.weight is None else item.weight
            terms.append(Term(fold(item.term), category, cat.signal, weight, cat.evasion_variants, aliases))
    return Lexicon(spec.name, spec.version, dict(spec.categories), tuple(terms), hashlib.sha256(raw).hexdigest())


def load_lexicon_file(path: Path) -> Lexicon:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise NotFoundError(f"cannot read lexicon file {path}: {exc.strerror}") from exc
    return parse_lexicon(raw, str(path))


LEXICONS: Registry[Path] = Registry("lexicon")
"""Named lexicon files. A bank registers its own (``LEXICONS.register("mybank", Path(...))``) and asks
for ``load_lexicon("default", "mybank")`` to use both."""

LEXICONS.register("default", Path(str(resources.files("grayshield.text") / "data" / "default.toml")))


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def saved_versions(lexicons_dir: Path | None, name: str) -> list[Path]:
    """Files of ``name`` saved as versions (``<lexicons_dir>/<name>/<version>.toml``), oldest first."""
    folder = lexicons_dir / name if lexicons_dir is not None else None
    if folder is None or not folder.is_dir():
        return []
    files = [p for p in folder.glob("*.toml") if all(part.isdigit() for part in p.stem.split("."))]
    return sorted(files, key=lambda p: version_key(p.stem))


def lexicon_path(name: str, lexicons_dir: Path | None = None) -> Path:
    """The file in force for ``name``: the newest version analysts saved, else the registered file.

    Saved versions were validated when saved and are never overwritten, so the newest one is what the
    analysts last approved; models trained afterwards use it.
    """
    saved = saved_versions(lexicons_dir, name)
    if saved:
        return saved[-1]
    return LEXICONS.get(name)


@lru_cache(maxsize=16)
def _load_path(path: Path) -> Lexicon:
    return load_lexicon_file(path)


def _load_registered(name: str) -> Lexicon:
    return _load_path(lexicon_path(name, get_settings().lexicons_dir))


def load_lexicon(*names: str) -> Lexicon:
    """The lexicons ``names`` (default: ``"default"``) in force, merged into one."""
    chosen = names or ("default",)
    lexicon = _load_registered(chosen[0])
    for name in chosen[1:]:
        lexicon = lexicon.merged(_load_registered(name))
    return lexicon
