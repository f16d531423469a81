"""The scanner: one regex pass and one Aho-Corasick pass over a text, then overlap resolution.

Everything expensive (compiling the joined regex, building the automaton) happens once per scanner; a scan is
two C-level passes plus Python work proportional to the number of candidates, never to the number of characters.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from functools import cache

import ahocorasick

from grayshield.core.errors import ConfigError
from grayshield.core.registry import Registry
from grayshield.pii.entities import Hit
from grayshield.pii.recognisers import (
    RECOGNISERS,
    ContextRecogniser,
    LexiconMatch,
    PatternRecogniser,
    Recogniser,
)

DEFAULT_THRESHOLD = 0.5


class Scanner:
    """Runs the selected recognisers over texts; ``threshold`` drops hits less certain than it."""

    def __init__(
        self,
        enabled: list[str] | None = None,
        disabled: list[str] | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        registry: Registry[Recogniser] = RECOGNISERS,
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ConfigError(f"PII confidence threshold must be between 0 and 1, got {threshold}")
        self.threshold = threshold
        selected = registry.select(enabled, disabled)
        self.recogniser_names = list(selected)
        patterns = [r for r in selected.values() if isinstance(r, PatternRecogniser)]
        self._classifiers = {f"r{i}": p.classify for i, p in enumerate(patterns)}
        self._regex = (
            re.compile("|".join(f"(?P<r{i}>{p.pattern})" for i, p in enumerate(patterns)))
            if patterns
            else None
        )
        self._context: list[ContextRecogniser] = [
            r for r in selected.values() if not isinstance(r, PatternRecogniser)
        ]
        self._automaton = _build_automaton(self._context)

    def scan(self, text: str) -> list[Hit]:
        """Every PII hit in ``text``, non-overlapping, ordered by position."""
        hits: list[Hit] = []
        if self._regex is not None:
            for match in self._regex.finditer(text):
                group = match.lastgroup
                assert group is not None
                hits.extend(self._classifiers[group](text, match.start(), match.end()))
        if self._automaton is not None and text:
            per_recogniser: list[list[LexiconMatch]] = [[] for _ in self._context]
            for end, entries in self._automaton.iter(text):
                for index, tag, word in entries:
                    per_recogniser[index].append(LexiconMatch(end - len(word) + 1, end + 1, tag, word))
            for recogniser, matches in zip(self._context, per_recogniser, strict=True):
                if matches:
                    hits.extend(recogniser.find(text, matches))
        return resolve_overlaps(h for h in hits if h.confidence >= self.threshold)


def _build_automaton(recognisers: list[ContextRecogniser]) -> ahocorasick.Automaton | None:
    entries: dict[str, list[tuple[int, str, str]]] = {}
    for index, recogniser in enumerate(recognisers):
        for word, tag in recogniser.words():
            entries.setdefault(word, []).append((index, tag, word))
    if not entries:
        return None
    automaton = ahocorasick.Automaton()
    for word, values in entries.items():
        automaton.add_word(word, tuple(values))
    automaton.make_automaton()
    return automaton


def resolve_overlaps(hits: Iterable[Hit]) -> list[Hit]:
    """Keep the most confident hit where hits overlap, the longer one on a tie, the earlier one after that."""
    ranked = sorted(hits, key=lambda h: (-h.confidence, -(h.end - h.start), h.start))
    starts: list[int] = []
    kept: list[Hit] = []  # sorted by start, non-overlapping
    for hit in ranked:
        i = bisect.bisect_left(starts, hit.start)
        if i > 0 and kept[i - 1].end > hit.start:
            continue
        if i < len(kept) and kept[i].start < hit.end:
            continue
        starts.insert(i, hit.start)
        kept.insert(i, hit)
    return kept


@cache
def default_scanner() -> Scanner:
    """All registered recognisers at the default threshold, built once per process."""
    return Scanner()


def scan_text(text: str, scanner: Scanner | None = None) -> list[Hit]:
    """PII hits in ``text`` (entity, span, text, confidence, reason), non-overlapping, by position."""
    return (scanner or default_scanner()).scan(text)
