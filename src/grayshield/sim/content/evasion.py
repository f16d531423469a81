"""Evasion spellings: how black/gray advertisers disguise domain terms and contact handles.

Each evader turns a clean term into a disguised one that a human still reads as the term
(停息挂账 → 亭息挂帐, tx挂账, ting息, 停✖息, 停息掛賬, 停‍息 with a zero-width joiner). They are
exported so tests and the text engine's recall measurement can use exactly what the simulator
used; :func:`evade` picks one by the weights below.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from functools import cache, lru_cache
from importlib import resources

import opencc
from pypinyin import lazy_pinyin

from grayshield.sim.content.draw import UniformSource, Weighted

Evader = Callable[[str, UniformSource], str]

SEPARATORS = (" ", "  ", "✖", "×", "*", "-", "·", "/", "|", "｜", "_", "~", "丶", "、", ".", "❤", "☆", "+")
EMOJI = ("🔥", "💰", "✅", "👉", "⭐", "💯", "🌟", "❗", "🆗", "📢", "🙏", "💪", "🌈", "🍀", "😊", "👍")
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\ufeff", "\u2060")
DIGIT_STYLES: Mapping[str, str] = {
    "chinese": "零一二三四五六七八九",
    "financial": "零壹贰叁肆伍陆柒捌玖",
    "circled": "⓪①②③④⑤⑥⑦⑧⑨",
    "fullwidth": "０１２３４５６７８９",
    "bold": "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗",
    # Homophone digits as read aloud on the phone: 幺 for 1, 拐 for 7, 洞 for 0.
    "spoken": "洞幺两三四五六拐八勾",
}
# Bounded: stacked evasions feed already-disguised strings back in, and those hardly ever repeat.
_CACHED_TERMS = 4096
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ASCII_DIGIT = re.compile(r"[0-9]")


@cache
def _homophones() -> dict[str, tuple[str, ...]]:
    raw = tomllib.loads(resources.files(__package__).joinpath("data/homophones.toml").read_text("utf-8"))
    return {key: tuple(values) for key, values in raw["homophones"].items()}


@cache
def _homophone_words() -> tuple[str, ...]:
    return tuple(word for word in _homophones() if len(word) > 1)


@cache
def _to_traditional() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


@lru_cache(maxsize=_CACHED_TERMS)
def traditional(term: str) -> str:
    """The traditional-character spelling (停息挂账 → 停息掛賬); cached since few distinct terms recur."""
    return str(_to_traditional().convert(term))


@lru_cache(maxsize=_CACHED_TERMS)
def _syllables(term: str) -> tuple[str, ...]:
    # pypinyin accepts a list from ``errors`` (one item per non-Chinese character, keeping the
    # syllables aligned with the characters); its stubs only declare a string.
    return tuple(lazy_pinyin(term, errors=lambda chars: list(chars)))  # type: ignore[arg-type,return-value]


def _cjk_positions(term: str) -> list[int]:
    return [i for i, char in enumerate(term) if _CJK.match(char)]


def _pick_positions(term: str, source: UniformSource, most: int) -> list[int]:
    positions = _cjk_positions(term)
    if not positions:
        return []
    count = 1 + int(source.random() * min(most, len(positions)))
    chosen: list[int] = []
    while len(chosen) < count:
        position = positions[int(source.random() * len(positions))]
        if position not in chosen:
            chosen.append(position)
    return chosen


def homophone(term: str, source: UniformSource) -> str:
    """Swap one or two characters (or a known word) for homophones: 停息挂账 → 亭息挂帐."""
    table = _homophones()
    words = [word for word in _homophone_words() if word in term]
    if words and source.random() < 0.3:
        word = words[int(source.random() * len(words))]
        options = table[word]
        return term.replace(word, options[int(source.random() * len(options))], 1)
    candidates = [i for i, char in enumerate(term) if char in table]
    if not candidates:
        return separator(term, source)
    chars = list(term)
    for _ in range(1 + int(source.random() * 2)):
        i = candidates[int(source.random() * len(candidates))]
        options = table[term[i]]
        chars[i] = options[int(source.random() * len(options))]
    return "".join(chars)


def pinyin(term: str, source: UniformSource) -> str:
    """Write one or two characters in pinyin: 停息挂账 → ting息挂账, 停xi挂zhang."""
    syllables = _syllables(term)
    chars = list(term)
    upper = source.random() < 0.2
    for i in _pick_positions(term, source, 2):
        chars[i] = syllables[i].upper() if upper else syllables[i]
    return "".join(chars)


def initials(term: str, source: UniformSource) -> str:
    """Pinyin initials for the leading characters or the whole term: 停息挂账 → tx挂账, TXGZ.

    Two-character terms get pinyin instead: their bare initials (上岸 → sa) read as nothing.
    """
    syllables = _syllables(term)
    if len(term) != len(syllables) or len(_cjk_positions(term)) < 3:
        return pinyin(term, source) if _cjk_positions(term) else separator(term, source)
    letters = [s[0] if _CJK.match(c) else c for s, c in zip(syllables, term, strict=True)]
    upper = source.random() < 0.35
    if source.random() < 0.4:
        head = "".join(letters)
        return head.upper() if upper else head
    cut = 2 if len(term) > 3 else 1
    head = "".join(letters[:cut])
    return (head.upper() if upper else head) + term[cut:]


def _interleave(term: str, fillers: tuple[str, ...], source: UniformSource, every_gap: bool) -> str:
    if len(term) < 2:
        return term + fillers[int(source.random() * len(fillers))]
    gaps = range(1, len(term))
    chosen = list(gaps) if every_gap else [g for g in gaps if source.random() < 0.5] or [1]
    filler_same = fillers[int(source.random() * len(fillers))]
    out: list[str] = []
    for i, char in enumerate(term):
        if i in chosen:
            out.append(filler_same)
        out.append(char)
    return "".join(out)


def separator(term: str, source: UniformSource) -> str:
    """Separators between characters: 停✖息挂✖账, 停 息 挂 账."""
    return _interleave(term, SEPARATORS, source, every_gap=source.random() < 0.6)


def emoji(term: str, source: UniformSource) -> str:
    """Emoji between characters: 停🔥息挂账."""
    return _interleave(term, EMOJI, source, every_gap=source.random() < 0.3)


def zero_width(term: str, source: UniformSource) -> str:
    """Invisible zero-width characters between characters: looks clean, defeats exact matching."""
    return _interleave(term, ZERO_WIDTH, source, every_gap=source.random() < 0.7)


def traditional_chars(term: str, source: UniformSource) -> str:
    """Traditional characters: 停息挂账 → 停息掛賬 (falls back to a homophone where nothing differs)."""
    converted = traditional(term)
    return converted if converted != term else homophone(term, source)


def digits_as_words(term: str, source: UniformSource) -> str:
    """Digits written as styled or Chinese numerals and back: 0元销卡 ↔ 零元销卡, 12378 → 一二三七八."""
    if _ASCII_DIGIT.search(term):
        styles = tuple(DIGIT_STYLES.values())
        style = styles[int(source.random() * len(styles))]
        return _ASCII_DIGIT.sub(lambda m: style[int(m.group())], term)
    for digit, word in enumerate(DIGIT_STYLES["chinese"]):
        if word in term:
            return term.replace(word, str(digit), 1)
    return homophone(term, source)


EVASION_METHODS: Mapping[str, Evader] = {
    "homophone": homophone,
    "pinyin": pinyin,
    "initials": initials,
    "separator": separator,
    "emoji": emoji,
    "zero_width": zero_width,
    "traditional": traditional_chars,
    "digits_as_words": digits_as_words,
}
_METHOD_WEIGHTS = {
    "homophone": 5.0, "pinyin": 2.0, "initials": 2.0, "separator": 3.0, "emoji": 1.5, "zero_width": 1.5,
    "traditional": 2.0, "digits_as_words": 0.5,
}
_PICK_METHOD = Weighted(tuple(EVASION_METHODS), [_METHOD_WEIGHTS[name] for name in EVASION_METHODS])


def evade(term: str, source: UniformSource, method: str | None = None) -> str:
    """A disguised spelling of ``term`` that differs from it; one method, or two stacked (hard worlds see both).

    ``method`` names one of :data:`EVASION_METHODS`; by default one is drawn by realistic weights.
    """
    first = EVASION_METHODS[method] if method else EVASION_METHODS[_PICK_METHOD.pick(source)]
    result = first(term, source)
    if method is None and source.random() < 0.15:
        result = EVASION_METHODS[_PICK_METHOD.pick(source)](result, source)
    return result if result != term else separator(term, source)
