"""Sound-alike spellings of lexicon terms: homophones (亭息), full pinyin (tingxi) and initials (tx).

Rather than listing every homophone of every character (dozens per syllable), the text is read in a
*key view* where each Chinese character stands for its toneless syllable (one private-use code point per
syllable, so the view stays one character per character and offsets need no mapping). A term's variants
are then few: its syllables, with at most two positions spelled in Latin letters, or all of them.
"""

from __future__ import annotations

import itertools
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_PUA_BASE = 0xE000
_MAX_READINGS = 3
_MAX_LATIN_POSITIONS_MIXED = 2
_SYLLABLES: dict[str, str] = {}


def _is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff"


def _syllable_key(syllable: str) -> str:
    """One private-use character per toneless syllable; folded text never contains private-use code points."""
    if syllable not in _SYLLABLES:
        _SYLLABLES[syllable] = chr(_PUA_BASE + len(_SYLLABLES))
    return _SYLLABLES[syllable]


@lru_cache(maxsize=65536)
def readings(char: str) -> tuple[str, ...]:
    """Toneless pinyin readings of one character, the most common first; () for non-Han characters."""
    if not _is_han(char):
        return ()
    from pypinyin import Style, pinyin

    found = [r for r in pinyin(char, style=Style.NORMAL, heteronym=True)[0] if r.isascii() and r.isalpha()]
    return tuple(dict.fromkeys(found))[:_MAX_READINGS]


class _KeyTable(dict[int, str]):
    def __missing__(self, code: int) -> str:
        char = chr(code)
        found = readings(char)
        key = _syllable_key(found[0]) if found else char
        self[code] = key
        return key


KEY_TABLE = _KeyTable()


def key_view(folded: str) -> str:
    """The folded text with every Han character replaced by its syllable's key (same length)."""
    return folded.translate(KEY_TABLE)


@dataclass(frozen=True)
class Variant:
    """One spelling of a term in the key view; ``latin[i]`` says position ``i`` is spelled in letters."""

    key: str
    latin: tuple[bool, ...]
    lengths: tuple[int, ...]  # characters of folded text each term position takes
    alias: bool = False  # an analyst-listed spelling, trusted as it is
    spelling: str = ""  # for aliases: the folded spelling that must appear exactly

    @property
    def all_latin(self) -> bool:
        return all(self.latin)


def _initials(syllable: str) -> tuple[str, ...]:
    first = syllable[0]
    return (syllable[:2], first) if syllable[:2] in ("zh", "ch", "sh") else (first,)


def _position_options(char: str, with_latin: bool) -> list[tuple[str, bool]]:
    """(key text, is_latin) choices for one term character."""
    found = readings(char)
    if not found:
        return [(char, False)]
    options = [(_syllable_key(r), False) for r in found]
    value = unicodedata.numeric(char, -1)
    if with_latin and value in range(10):  # 零元销卡 written 0元销卡
        options.append((str(int(value)), False))
    if with_latin:
        latin = set(found) | {i for r in found for i in _initials(r)}
        options += [(spelling, True) for spelling in sorted(latin)]
    return options


def _one_block(latin: tuple[bool, ...]) -> bool:
    """Letters in one stretch (xyk逾期, 个性化fq) rather than scattered (x用k逾q)."""
    first = latin.index(True)
    return all(latin[first : first + sum(latin)])


def alias_variant(alias: str) -> Variant:
    return Variant(key_view(alias), (), (), alias=True, spelling=alias)


def variants(term: str, sound_alike: bool) -> list[Variant]:
    """The term's exact key (heteronym readings included) and, with ``sound_alike``, its pinyin spellings.

    Mixed spellings keep at most two positions in letters (tx挂账, ting息gz) unless the letters form one
    stretch (xyk逾期); all-letter spellings need
    three or more characters when they are initials only, since two initials (tx) are too common.
    """
    per_position = [_position_options(c, sound_alike) for c in term]
    found: dict[str, Variant] = {}
    for combo in itertools.product(*per_position):
        latin = tuple(is_latin for _, is_latin in combo)
        count = sum(latin)
        if 0 < count < len(term) and count > _MAX_LATIN_POSITIONS_MIXED and not _one_block(latin):
            continue
        if count == len(term) and len(term) < 3 and all(len(k) == 1 for k, _ in combo):
            continue
        key = "".join(k for k, _ in combo)
        if key not in found:
            found[key] = Variant(key, latin, tuple(len(k) if lat else 1 for k, lat in combo))
        if len(found) > 4000:  # a guard against a pathological analyst term, not a tuning knob
            break
    return list(found.values())
