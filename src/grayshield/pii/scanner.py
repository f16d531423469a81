"""The scanner: one regex pass and one Aho-Corasick pass over a text, then overlap resolution.

Everything expensive (compiling the joined regex, building the automaton) happens once per scanner; a scan is
two C-level passes plus Python work proportional to the number of candidates, never to the number of characters.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
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
        first_chars = "".join(p.first for p in patterns)
        alternatives = "|".join(f"(?P<r{i}>(?<=[{p.first}]){p.rest})" for i, p in enumerate(patterns))
        self._regex = re.compile(f"[{first_chars}](?:{alternatives})") if patterns else None
        self._context: list[ContextRecogniser] = [
            r for r in selected.values() if not isinstance(r, PatternRecogniser)
        ]
        self._automaton = _build_automaton(self._context)

    def scan(self, text: str) -> list[Hit]:
        """Every PII hit in ``text``, non-overlapping, ordered by position."""
        hits: list[Hit] = []
        if self._regex is not None:
            classifiers = self._classifiers
            for match in self._regex.finditer(text):
                hits += classifiers[match.lastgroup](text, *match.span())  # type: ignore[index]
        if self._automaton is not None and text:
            per_recogniser: list[list[LexiconMatch]] = [[] for _ in self._context]
            for start, end, entries in _lexicon_matches(self._automaton, text):
                for index, tag, word in entries:
                    per_recogniser[index].append(LexiconMatch(start, end, tag, word))
            for recogniser, matches in zip(self._context, per_recogniser, strict=True):
                if matches:
                    hits += recogniser.find(text, matches)
        if not hits:
            return hits
        threshold = self.threshold
        return resolve_overlaps([h for h in hits if h.confidence >= threshold])


def _as_bytes(text: str) -> str:
    """UTF-8 bytes spelled as a Latin-1 string.

    pyahocorasick searches a node's children linearly; with a gazetteer the root has hundreds of first
    characters and the search dominates. Over UTF-8 bytes the root has a handful (CJK lead bytes), which makes
    the pass several times faster; UTF-8 is self-synchronising, so byte matches are exactly character matches.
    """
    return text.encode("utf-8").decode("latin-1")


def _build_automaton(recognisers: list[ContextRecogniser]) -> ahocorasick.Automaton | None:
    entries: dict[str, list[tuple[int, str, str]]] = {}
    for index, recogniser in enumerate(recognisers):
        for word, tag in recogniser.words():
            entries.setdefault(word, []).append((index, tag, word))
    if not entries:
        return None
    automaton = ahocorasick.Automaton()
    for word, values in entries.items():
        automaton.add_word(_as_bytes(word), tuple(values))
    automaton.make_automaton()
    return automaton


def _lexicon_matches(
    automaton: ahocorasick.Automaton, text: str
) -> Iterator[tuple[int, int, tuple[tuple[int, str, str], ...]]]:
    """(start, end, entries) in character offsets; byte offsets are converted incrementally (ends ascend)."""
    encoded = _as_bytes(text)
    ascii_only = len(encoded) == len(text)
    byte_cursor = char_cursor = 0
    for byte_last, entries in automaton.iter(encoded):
        byte_end = byte_last + 1
        if ascii_only:
            char_end = byte_end
        else:
            char_cursor += len(encoded[byte_cursor:byte_end].encode("latin-1").decode("utf-8"))
            byte_cursor, char_end = byte_end, char_cursor
        yield char_end - len(entries[0][2]), char_end, entries


def resolve_overlaps(hits: Iterable[Hit]) -> list[Hit]:
    """Keep the most confident hit where hits overlap, the longer one on a tie, the earlier one after that."""
    by_start = sorted(hits, key=_position)
    if all(a.end <= b.start for a, b in zip(by_start, by_start[1:], strict=False)):
        return by_start  # nothing overlaps: the common case needs no ranking
    ranked = sorted(by_start, key=lambda h: (-h.confidence, -(h.end - h.start), h.start))
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


def _position(hit: Hit) -> int:
    return hit.start


@cache
def default_scanner() -> Scanner:
    """All registered recognisers at the default threshold, built once per process."""
    return Scanner()


def scan_text(text: str, scanner: Scanner | None = None) -> list[Hit]:
    """PII hits in ``text`` (entity, span, text, confidence, reason), non-overlapping, by position."""
    return (scanner or default_scanner()).scan(text)
