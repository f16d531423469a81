"""Per-world wording: each world writes interchangeable words its own way.

The phrase pools are shared by every world, so without this a detector trained on one world would
meet only phrases it had already seen in another. Each world keeps its own share of every synonym
set (``data/synonyms.toml``) and rewrites any member to one of the kept ones.
"""

from __future__ import annotations

import math
import re
import tomllib
from functools import cache
from importlib import resources

from grayshield.core.errors import ConfigError
from grayshield.sim.content.draw import Draw

KEPT_SHARE = 0.6  # of each set, per world: enough that two worlds differ, few enough to stay natural


@cache
def synonym_sets() -> tuple[tuple[str, ...], ...]:
    raw = tomllib.loads(resources.files(__package__).joinpath("data/synonyms.toml").read_text("utf-8"))
    sets = tuple(tuple(members) for members in raw["sets"])
    seen: set[str] = set()
    for members in sets:
        for word in members:
            if word in seen:
                raise ConfigError(f"synonym {word!r} is listed in two sets")
            seen.add(word)
    return sets


class Dialect:
    """The kept synonyms of one world, applied with one regular-expression pass per text."""

    def __init__(self, draw: Draw, lexicon_terms: frozenset[str]) -> None:
        self._draw = draw
        self._kept: dict[str, tuple[str, ...]] = {}
        for members in synonym_sets():
            clashes = [word for word in members for term in lexicon_terms if word in term]
            if clashes:
                raise ConfigError(f"synonyms {clashes} occur inside lexicon terms; rewriting them would break terms")
            kept = tuple(draw.shuffled(members)[: max(1, math.ceil(KEPT_SHARE * len(members)))])
            for word in members:
                self._kept[word] = kept
        words = sorted(self._kept, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, words)))

    def rewrite(self, text: str) -> str:
        return self._pattern.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        return self._draw.choice(self._kept[match.group(0)])
