"""Normalisation against evasion, lexicon matching, and the map from normalised text back to the original.

Two steps. Character folding (:mod:`grayshield.text.fold`) undoes what is done to single characters.
Term canonicalisation then finds lexicon terms in the key view (:mod:`grayshield.text.phonetic`) with one
Aho-Corasick pass, checks each sound-alike match, and writes the canonical term in place of the variant
(亭息挂帐 -> 停息挂账), so the classifiers see one spelling. Every hit keeps its span in the original text,
which is what an analyst is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import ahocorasick

from grayshield.text.fold import fold, fold_with_offsets
from grayshield.text.lexicon import Lexicon, Term, load_lexicon
from grayshield.text.phonetic import Variant, alias_variant, key_view, variants


@dataclass(frozen=True)
class Hit:
    """A lexicon term found in a text; ``start``/``end`` index the normalised text."""

    term: Term
    start: int
    end: int
    folded_start: int
    folded_end: int
    sound_alike: bool  # found through a homophone or pinyin spelling, not the term's own characters


@dataclass
class Normalised:
    """A text after normalisation, with the hits that shaped it; offsets are worked out only when asked for."""

    original: str
    text: str
    hits: list[Hit]

    @cached_property
    def _folded_offsets(self) -> list[int]:
        return fold_with_offsets(self.original)[1]

    @cached_property
    def spans(self) -> list[tuple[int, int]]:
        """For each normalised character, the ``[start, end)`` of the original text it stands for."""
        offsets = self._folded_offsets
        result: list[tuple[int, int]] = []
        position = 0
        for hit in self.hits:
            result += [(offsets[i], offsets[i] + 1) for i in range(position, hit.folded_start)]
            if hit.sound_alike:
                whole = (offsets[hit.folded_start], offsets[hit.folded_end - 1] + 1)
                result += [whole] * (hit.end - hit.start)
            else:
                result += [(offsets[i], offsets[i] + 1) for i in range(hit.folded_start, hit.folded_end)]
            position = hit.folded_end
        result += [(offsets[i], offsets[i] + 1) for i in range(position, len(offsets))]
        return result

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original text's ``[start, end)`` behind normalised ``[start, end)``."""
        if start >= end:
            raise ValueError("empty span")
        spans = self.spans
        return spans[start][0], spans[end - 1][1]

    def hit_dict(self, hit: Hit) -> dict[str, Any]:
        """A hit as analysts and scripts see it: term, category, weight and where it is in the original."""
        start, end = self.original_span(hit.start, hit.end)
        surface = self.original[start:end]
        return {
            "term": hit.term.text,
            "category": hit.term.category,
            "signal": hit.term.signal,
            "weight": hit.term.weight,
            "start": start,
            "end": end,
            "surface": surface,
            "evasion": surface != hit.term.text,
        }


class Normaliser:
    """Folding plus lexicon-aware canonicalisation; build once per lexicon (building takes ~0.5 s)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._automaton = ahocorasick.Automaton()
        entries: dict[str, list[tuple[Term, Variant]]] = {}
        for term in lexicon.terms:
            for variant in [*variants(term.text, term.evasion_variants), *map(alias_variant, term.aliases)]:
                entries.setdefault(variant.key, []).append((term, variant))
        for key, candidates in entries.items():
            self._automaton.add_word(key, tuple(candidates))
        self._automaton.make_automaton()

    def normalise(self, text: str) -> Normalised:
        folded = fold(text)
        hits = self._find(text, folded)
        return Normalised(text, _rewrite(folded, hits), hits)

    def _find(self, text: str, folded: str) -> list[Hit]:
        hits: list[Hit] = []
        shift = 0  # canonical spellings may be shorter or longer than the variants they replace
        offsets: list[int] = []
        for end_index, candidates in self._automaton.iter_long(key_view(folded)):
            for term, variant in candidates:
                start = end_index + 1 - len(variant.key)
                end = end_index + 1
                exact = folded[start:end] == term.text
                if variant.alias and folded[start:end] != variant.spelling:
                    continue  # an alias is trusted as written, not its homophones
                if _within_a_number(folded, start, end):
                    continue
                if _is_alnum(folded[start]) | _is_alnum(folded[end - 1]):
                    offsets = offsets or fold_with_offsets(text)[1]
                    if _runs_into_a_word(text, offsets[start], offsets[end - 1]):
                        continue
                if exact or variant.alias or (term.evasion_variants and _plausible(folded, start, term, variant)):
                    hits.append(Hit(term, start + shift, start + shift + len(term.text), start, end, not exact))
                    shift += len(term.text) - (end - start)
                    break
        return hits


def _is_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _within_a_number(folded: str, start: int, end: int) -> bool:
    """Digits at the edge of a match that continue into more digits once separators are gone: 12345 in a
    spaced phone number 138 12345 678 is not the 12345 hotline."""
    return (folded[start].isdigit() and start > 0 and folded[start - 1].isdigit()) or (
        folded[end - 1].isdigit() and end < len(folded) and folded[end].isdigit())


def _runs_into_a_word(text: str, first: int, last: int) -> bool:
    """Whether letters or digits at the edge of a match continue into a longer Latin word or number in the
    original ('txt' is not tx; 12345 inside a handle abc_12345 or a phone number is not the hotline).

    Checked on the original, where spaces still separate words that folding has joined.
    """
    before = text[first - 1] if first > 0 else " "
    after = text[last + 1] if last + 1 < len(text) else " "
    return (_is_alnum(text[first]) and (_is_alnum(before) or before == "_")) or (
        _is_alnum(text[last]) and (_is_alnum(after) or after == "_"))


def _plausible(folded: str, start: int, term: Term, variant: Variant) -> bool:
    """Whether a sound-alike match is an evasion of the term rather than an unrelated word: a
    two-character term needs one of its own characters (亭息 counts, 听戏 does not)."""
    if len(term.text) > 2 or variant.all_latin:
        return True
    position, own_characters = start, 0
    for char, length, latin in zip(term.text, variant.lengths, variant.latin, strict=True):
        own_characters += not latin and folded[position] == char
        position += length
    return own_characters > 0


def _rewrite(folded: str, hits: list[Hit]) -> str:
    if not any(h.sound_alike for h in hits):
        return folded
    parts, position = [], 0
    for hit in hits:
        parts += [folded[position : hit.folded_start], hit.term.text]
        position = hit.folded_end
    parts.append(folded[position:])
    return "".join(parts)


_NORMALISERS: dict[str, Normaliser] = {}


def normaliser_for(lexicon: Lexicon) -> Normaliser:
    """One shared normaliser per lexicon version: the automaton is the expensive part."""
    if lexicon.identity not in _NORMALISERS:
        _NORMALISERS[lexicon.identity] = Normaliser(lexicon)
    return _NORMALISERS[lexicon.identity]


def default_normaliser() -> Normaliser:
    return normaliser_for(load_lexicon())
