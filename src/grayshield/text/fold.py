"""Character folding: the part of normalisation that looks at one character at a time.

Evasion spellings of ad words mostly change single characters: traditional forms (掛賬), full-width or
styled letters and digits (ｔｘ, ①, 𝟏, ❶), and separators slipped between the characters (停✖息, 停 息,
停\u200b息, 停🔥息). Each of those is a property of the character alone, so one lookup table handles them
all and ``str.translate`` applies it at C speed; offsets back to the original come from the same table.

The table is filled lazily (a ``dict`` with ``__missing__``): only characters actually met are computed,
so no start-up pass over the whole of Unicode is needed.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import numpy as np

# Categories dropped from the detection view: separators (Z), punctuation (P), symbols incl. emoji (S),
# format/control/private (C: zero-width joiners, BOMs, direction marks) and combining marks (M: strike-
# through overlays, variation selectors, keycap enclosures).
_DROPPED_CATEGORIES = frozenset("ZPSCM")
# Characters NFKC leaves alone that are spelling variants of a common character.
_VARIANTS = {"〇": "零"}


@lru_cache(maxsize=1)
def _opencc_t2s() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def _to_simplified(char: str) -> str:
    """OpenCC t2s on one character: character level keeps offsets one-to-one (phrase rules could not)."""
    if not "\u3400" <= char <= "\u9fff" and not "\uf900" <= char <= "\ufaff":
        return char
    converted: str = _opencc_t2s().convert(char)  # type: ignore[attr-defined]
    return converted if len(converted) == 1 else char


def fold_char(char: str, *, keep_separators: bool = False) -> str:
    """What one original character becomes: '' (dropped), one character, or rarely more (⑩ -> 10).

    With ``keep_separators`` punctuation and spaces survive as themselves and symbols as a space, which
    is the view contact extraction needs (digits must stay apart from their neighbours' words).
    """
    if char.isdigit() and not char.isascii():
        digit = unicodedata.digit(char, None)
        if digit is not None:  # ①, ❶, ⑴, ⒈, 𝟏, full-width ３: one styled digit is one digit
            return str(digit)
    if char in _VARIANTS and not keep_separators:
        return _VARIANTS[char]
    out = []
    for piece in unicodedata.normalize("NFKC", char):
        category = unicodedata.category(piece)
        if category[0] in _DROPPED_CATEGORIES:
            if not keep_separators or category[0] in "CM":
                continue
            piece = piece if category[0] in "ZP" else " "
        out.append(_to_simplified(piece).lower())
    return "".join(out)


class FoldTable(dict[int, str]):
    """``str.translate`` table computed on first sight of each code point; ``extra`` overrides characters.

    ``widths`` is its companion: each character becomes the character whose code point is the length
    of its folded form, so offsets come from one ``translate`` and ``numpy.repeat``, not a Python loop.
    """

    def __init__(self, keep_separators: bool, extra: dict[str, str] | None = None) -> None:
        super().__init__({ord(char): value for char, value in (extra or {}).items()})
        self.keep_separators = keep_separators
        self.widths = _WidthTable(self)

    def __missing__(self, code: int) -> str:
        folded = fold_char(chr(code), keep_separators=self.keep_separators)
        self[code] = folded
        return folded


class _WidthTable(dict[int, str]):
    def __init__(self, folds: FoldTable) -> None:
        super().__init__()
        self.folds = folds

    def __missing__(self, code: int) -> str:
        width = chr(len(self.folds[code]))
        self[code] = width
        return width


DETECTION_TABLE = FoldTable(keep_separators=False)


def fold(text: str, table: FoldTable = DETECTION_TABLE) -> str:
    """The folded text alone: the fast path used for batches."""
    return text.translate(table)


def fold_with_offsets(text: str, table: FoldTable = DETECTION_TABLE) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index of the original character it came from."""
    folded = text.translate(table)
    widths = np.frombuffer(text.translate(table.widths).encode("utf-32-le"), dtype=np.uint32)
    offsets: list[int] = np.repeat(np.arange(len(text)), widths).tolist()
    return folded, offsets
