"""A small phrase grammar: texts built from slots with many alternatives, so no two need be alike.

Hand-written rather than a library: the simulator expands it millions of times, and what it
needs beyond plain substitution (lexicon terms that may be disguised, per-world subsets of the
wording, a record of which skeleton was used) is a few lines here. Alternatives are strings in
which ``{slot}`` expands a slot, ``{?slot}`` expands it half of the time, ``{@slot}`` expands a
lexicon slot as a term that may be given an evasion spelling, and ``{$name}`` inserts a value the
caller passes (a name, an amount, a contact).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from grayshield.core.errors import ConfigError
from grayshield.sim.content.draw import Draw

_REFERENCE = re.compile(r"\{([?@$]?)([A-Za-z0-9_]+)\}")
Part = str | tuple[str, str]
Alternative = tuple[Part, ...]


def _compile(text: str) -> Alternative:
    parts: list[Part] = []
    position = 0
    for match in _REFERENCE.finditer(text):
        if match.start() > position:
            parts.append(text[position:match.start()])
        parts.append((match.group(1), match.group(2)))
        position = match.end()
    if position < len(text):
        parts.append(text[position:])
    return tuple(parts)


@dataclass
class Expansion:
    """What one expansion needs and what it reports back (terms used and disguised, skeleton)."""

    values: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)
    evasion_rate: float = 0.0
    evader: Callable[[str], str] | None = None
    terms: list[str] = field(default_factory=list)
    evaded: int = 0
    skeleton: list[int] = field(default_factory=list)


class Grammar:
    """Compiled slots; ``variety`` in (0, 1] keeps a per-world random share of each wording slot.

    Lexicon slots (``lexicon``) are always kept whole, so every clean term can occur in any world.
    """

    def __init__(
        self, slots: Mapping[str, Sequence[str]], draw: Draw, variety: float, lexicon: frozenset[str],
    ) -> None:
        self._draw = draw
        self._slots: dict[str, tuple[Alternative, ...]] = {}
        for name, alternatives in slots.items():
            if not alternatives:
                raise ConfigError(f"text grammar slot {name!r} has no alternatives")
            kept = list(alternatives)
            if name not in lexicon and len(kept) > 2:
                keep = max(2, math.ceil(variety * len(kept)))
                kept = draw.shuffled(kept)[:keep]
            self._slots[name] = tuple(_compile(text) for text in kept)
        self._check_references()

    def _check_references(self) -> None:
        for name, alternatives in self._slots.items():
            for alternative in alternatives:
                for part in alternative:
                    if isinstance(part, tuple) and part[0] != "$" and part[1] not in self._slots:
                        raise ConfigError(f"text grammar slot {name!r} refers to unknown slot {part[1]!r}")

    def has(self, name: str) -> bool:
        return name in self._slots

    def expand(self, symbol: str, expansion: Expansion) -> str:
        """Expand ``symbol``; the alternatives chosen at the top two levels are the skeleton."""
        out: list[str] = []
        self._expand(symbol, expansion, out, 0)
        return "".join(out)

    def _expand(self, symbol: str, expansion: Expansion, out: list[str], depth: int) -> None:
        alternatives = self._slots[symbol]
        index = int(self._draw.random() * len(alternatives))
        if depth < 2:
            expansion.skeleton.append(index)
        for part in alternatives[index]:
            if isinstance(part, str):
                out.append(part)
                continue
            op, name = part
            name = expansion.aliases.get(name, name)
            if op == "$":
                out.append(expansion.values[name])
            elif op == "@":
                out.append(self._term(name, expansion))
            elif op == "?":
                if self._draw.random() < 0.5:
                    self._expand(name, expansion, out, depth + 1)
            else:
                self._expand(name, expansion, out, depth + 1)

    def _term(self, name: str, expansion: Expansion) -> str:
        term_out: list[str] = []
        self._expand(name, expansion, term_out, 99)
        term = "".join(term_out)
        expansion.terms.append(term)
        if expansion.evader is not None and self._draw.random() < expansion.evasion_rate:
            expansion.evaded += 1
            return expansion.evader(term)
        return term
