"""The scanner: one regex pass and one Aho-Corasick pass over a text, then overlap resolution.

Everything expensive (compiling the joined regex, building the automaton) happens once per scanner; a scan is
two C-level passes plus Python work proportional to the number of candidates, never to the number of characters.

:meth:`Scanner.scan_many` scans many documents in one pass: they are joined with :data:`SEPARATOR` (NUL), which
every recogniser treats exactly like the start or end of a text (no pattern, cue or context window crosses it),
so each document gets the hits a scan of it alone gives (a test checks this on the whole evaluation corpus).
Per-document costs (a regex call, an automaton call, list building) are then paid once per batch.
"""

from __future__ import annotations

import bisect
import gc
import operator
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any

import ahocorasick

from grayshield.core.errors import ConfigError
from grayshield.core.registry import Registry
from grayshield.pii.entities import Hit
from grayshield.pii.native import build_engine
from grayshield.pii.recognisers import (
    RECOGNISERS,
    Classifier,
    ContextRecogniser,
    LexiconMatch,
    PatternRecogniser,
    Recogniser,
)

DEFAULT_THRESHOLD = 0.5
# Joins documents in a batch; recognisers treat it as a text boundary. A document that holds it is scanned alone.
SEPARATOR = "\x00"


class Scanner:
    """Runs the selected recognisers over texts; ``threshold`` drops hits less certain than it."""

    def __init__(
        self,
        enabled: list[str] | None = None,
        disabled: list[str] | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        registry: Registry[Recogniser] = RECOGNISERS,
        native: bool = True,
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ConfigError(f"PII confidence threshold must be between 0 and 1, got {threshold}")
        self.threshold = threshold
        selected = registry.select(enabled, disabled)
        self.recogniser_names = list(selected)
        patterns = [r for r in selected.values() if isinstance(r, PatternRecogniser)]
        first_chars = "".join(p.first for p in patterns)
        alternatives = "|".join(f"(?P<r{i}>(?<=[{p.first}]){p.rest})" for i, p in enumerate(patterns))
        self._regex = re.compile(f"[{first_chars}](?:{alternatives})") if patterns else None
        # Indexed by group number (``match.lastindex``, an int, is cheaper to read than the group's name).
        self._classifiers: list[Classifier | None] = [None] * (1 + (self._regex.groups if self._regex else 0))
        for i, pattern in enumerate(patterns):
            self._classifiers[self._regex.groupindex[f"r{i}"]] = pattern.classify  # type: ignore[union-attr]
        self._context: list[ContextRecogniser] = [
            r for r in selected.values() if not isinstance(r, PatternRecogniser)
        ]
        entries = automaton_entries(self._context)
        self._automaton = _build_automaton(entries)
        # The compiled fast path (grayshield.pii.native) when it is built, current and covers a recogniser
        # here; ``native=False`` keeps the pure-Python reference (the specification the tests compare with).
        self.native: Any = (
            build_engine(patterns, self._context, self._regex, entries, threshold) if native else None
        )

    def scan(self, text: str) -> list[Hit]:
        """Every PII hit in ``text``, non-overlapping, ordered by position."""
        return self._scan(text)

    def scan_many(self, texts: Sequence[str]) -> list[list[Hit]]:
        """The hits of each text, exactly as :meth:`scan` gives them, found in one pass over all of them."""
        if len(texts) < 2 or any(SEPARATOR in t for t in texts):
            return [self._scan(t) for t in texts]
        starts = _starts(texts)
        doc, next_start, offset = 0, starts[1], 0
        with paused_gc():
            per_doc: list[list[Hit]] = [[] for _ in texts]
            for hit in self._scan(SEPARATOR.join(texts)):
                if hit.start >= next_start:
                    while hit.start >= starts[doc + 1]:
                        doc += 1
                    offset, next_start = starts[doc], starts[doc + 1]
                if offset:
                    hit = Hit(hit[0], hit[1] - offset, hit[2] - offset, hit[3], hit[4], hit[5], hit[6])
                per_doc[doc].append(hit)
        return per_doc

    def _scan(self, text: str) -> list[Hit]:
        if self.native is not None:  # None back: the engine is busy with another call (see _fast.Engine)
            native_hits: list[Hit] | None = self.native.scan(text)
            if native_hits is not None:
                return native_hits
        hits: list[Hit] = []
        if self._regex is not None:
            classifiers = self._classifiers
            for match in self._regex.finditer(text):
                hits += classifiers[match.lastindex](text, *match.span())  # type: ignore[index,misc]
        if self._automaton is not None and text:
            per_recogniser = _lexicon_matches(self._automaton, text, len(self._context))
            for recogniser, matches in zip(self._context, per_recogniser, strict=True):
                if matches:
                    hits += recogniser.find(text, matches)
        if not hits:
            return hits
        threshold = self.threshold
        return resolve_overlaps([h for h in hits if h.confidence >= threshold])


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch is scanned.

    A batch allocates many small tuples (hits, matches) and no reference cycles; every few hundred allocations
    the collector would walk all young objects for nothing, a quarter of the batch time when measured. Plain
    reference counting still frees everything; the previous state is restored.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _starts(texts: Sequence[str]) -> list[int]:
    """Offset of each text in ``SEPARATOR.join(texts)``, plus a sentinel past the end."""
    starts = [0]
    for text in texts:
        starts.append(starts[-1] + len(text) + 1)
    return starts


def _as_bytes(text: str) -> str:
    """UTF-8 bytes spelled as a Latin-1 string.

    pyahocorasick searches a node's children linearly; with a gazetteer the root has hundreds of first
    characters and the search dominates. Over UTF-8 bytes the root has a handful (CJK lead bytes), which makes
    the pass several times faster; UTF-8 is self-synchronising, so byte matches are exactly character matches.
    """
    return text.encode("utf-8").decode("latin-1")


AutomatonEntries = dict[str, list[tuple[int, str, str, int]]]


def automaton_entries(recognisers: list[ContextRecogniser]) -> AutomatonEntries:
    """Every dictionary word of the context recognisers, with (recogniser index, tag, word, length) per use."""
    entries: AutomatonEntries = {}
    for index, recogniser in enumerate(recognisers):
        for word, tag in recogniser.words():
            entries.setdefault(word, []).append((index, tag, word, len(word)))
    return entries


def _build_automaton(entries: AutomatonEntries) -> ahocorasick.Automaton | None:
    if not entries:
        return None
    automaton = ahocorasick.Automaton()
    for word, values in entries.items():
        automaton.add_word(_as_bytes(word), tuple(values))
    automaton.make_automaton()
    return automaton


def _lexicon_matches(
    automaton: ahocorasick.Automaton, text: str, recognisers: int
) -> list[list[LexiconMatch]]:
    """Every dictionary word in ``text``, in character offsets, as one list per context recogniser.

    The automaton runs over UTF-8 bytes; match ends are byte offsets. A few are converted by decoding the bytes
    between consecutive matches; a batch's many are converted at once from a running count of the bytes that
    start a character (UTF-8 continuation bytes are ``10xxxxxx``).
    """
    per_recogniser: list[list[LexiconMatch]] = [[] for _ in range(recognisers)]
    encoded = _as_bytes(text)
    found = list(automaton.iter(encoded))
    if not found:
        return per_recogniser
    ends: Iterable[int]
    if len(encoded) == len(text):  # ASCII: bytes are characters
        ends = [byte_last + 1 for byte_last, _ in found]
    elif len(found) >= _BULK_OFFSETS:
        import numpy as np

        raw = np.frombuffer(encoded.encode("latin-1"), dtype=np.uint8)
        # int32 counts: numpy's default int64 cumsum of booleans is several times slower on a batch's bytes
        count_type = np.int32 if len(raw) < 2**31 else np.int64
        chars_before = np.cumsum((raw & 0xC0) != 0x80, dtype=count_type)
        ends = chars_before[np.fromiter((last for last, _ in found), np.int64, len(found))].tolist()
    else:
        ends = _decoded_ends(encoded, found)
    appends = [matches.append for matches in per_recogniser]
    for end, (_, entries) in zip(ends, found, strict=True):
        for index, tag, word, length in entries:
            appends[index](_new_match(LexiconMatch, (end - length, end, tag, word)))
    return per_recogniser


# LexiconMatch's own constructor is a Python function around this call: half the cost of every dictionary match.
_new_match = tuple.__new__


_BULK_OFFSETS = 64  # matches in one text from which the vectorised byte-to-character conversion pays off


def _decoded_ends(encoded: str, found: list[tuple[int, Any]]) -> list[int]:
    ends: list[int] = []
    byte_cursor = char_end = 0
    for byte_last, _ in found:
        byte_end = byte_last + 1
        char_end += len(encoded[byte_cursor:byte_end].encode("latin-1").decode("utf-8"))
        byte_cursor = byte_end
        ends.append(char_end)
    return ends


def resolve_overlaps(hits: Iterable[Hit]) -> list[Hit]:
    """Keep the most confident hit where hits overlap, the longer one on a tie, the earlier one after that.

    Hits are ranked only within clusters of (transitively) overlapping hits: clusters cannot affect each other,
    and a batch of many documents has many small clusters, not one large ranking.
    """
    by_start = sorted(hits, key=_START)
    kept: list[Hit] = []
    cluster: list[Hit] = []
    cluster_end = -1
    for hit in by_start:
        if hit.start >= cluster_end:
            if len(cluster) > 1:
                kept += _resolve_cluster(cluster)
            elif cluster:
                kept.append(cluster[0])
            cluster = [hit]
            cluster_end = hit.end
        else:
            cluster.append(hit)
            if hit.end > cluster_end:
                cluster_end = hit.end
    if len(cluster) > 1:
        kept += _resolve_cluster(cluster)
    elif cluster:
        kept.append(cluster[0])
    return kept


def _rank(hit: Hit) -> tuple[float, int, int]:
    return -hit.confidence, hit.start - hit.end, hit.start


def _resolve_cluster(by_start: list[Hit]) -> list[Hit]:
    if len(by_start) == 2:  # the usual cluster: two readings of one span; they overlap, the better one stays
        first, second = by_start
        if first.start < first.end and second.start < second.end:
            return [first if _rank(first) <= _rank(second) else second]
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


_START = operator.attrgetter("start")  # read in C while sorting


@cache
def default_scanner() -> Scanner:
    """All registered recognisers at the default threshold, built once per process."""
    return Scanner()


def scan_text(text: str, scanner: Scanner | None = None) -> list[Hit]:
    """PII hits in ``text`` (entity, span, text, confidence, reason), non-overlapping, by position."""
    return (scanner or default_scanner()).scan(text)
