"""Per-world wording: each world writes interchangeable words its own way.

The phrase pools are shared by every world, so without this a detector trained on one world would
meet only phrases it had already seen in another. Each world keeps its own share of every synonym
set (``data/synonyms.toml``) and rewrites any member to one of the kept ones.
"""

from __future__ import annotations

import math
import tomllib
from functools import cache
from importlib import resources

import ahocorasick

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
    """The kept synonyms of one world, found in one Aho-Corasick pass per text (longest match first)."""

    def __init__(self, draw: Draw, lexicon_terms: frozenset[str]) -> None:
        self._draw = draw
        self._automaton = ahocorasick.Automaton()
        for members in synonym_sets():
            clashes = [word for word in members for term in lexicon_terms if word in term]
            if clashes:
                raise ConfigError(f"synonyms {clashes} occur inside lexicon terms; rewriting them would break terms")
            kept = tuple(draw.shuffled(members)[: max(1, math.ceil(KEPT_SHARE * len(members)))])
            for word in members:
                self._automaton.add_word(word, (len(word), kept))
        self._automaton.make_automaton()

    def rewrite(self, text: str) -> str:
        out: list[str] = []
        position = 0
        for end, (length, kept) in self._automaton.iter_long(text):
            out.append(text[position:end + 1 - length])
            out.append(kept[int(self._draw.random() * len(kept))])
            position = end + 1
        if not out:
            return text
        out.append(text[position:])
        return "".join(out)
