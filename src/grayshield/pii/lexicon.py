"""Word lists the context recognisers use: surnames, given-name characters, the gazetteer and cue words.

All of it is package data (``grayshield/pii/data``), loaded once and cached: no network, no model download.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

ADMIN_SUFFIXES = ("特别行政区", "自治区", "自治州", "地区", "省", "市", "区", "县", "盟", "旗")
# Characters that end a name or an address part: function words, common verbs, and time words.
STOP_CHARS = frozenset(
    "的了是在和与及或就都也还又很把被给对从向到说要会能可这那个们我你他她它吗呢吧啊呀哦嗯来去已于今昨每"
    "请让叫称讲问打电话号码卡账户元百岁年分秒等将该其此为有无不没"
)


@dataclass(frozen=True)
class Lexicon:
    surnames: frozenset[str]
    compound_surnames: frozenset[str]
    given_chars: frozenset[str]
    # Every gazetteer name (full and short forms) mapped to whether it carries an administrative suffix.
    places: dict[str, bool]
    name_before: tuple[str, ...]
    name_before_weak: tuple[str, ...]
    name_after_strong: tuple[str, ...]
    name_after_weak: tuple[str, ...]
    address_before: tuple[str, ...]
    version: str


def _data(name: str) -> str:
    return resources.files("grayshield.pii").joinpath("data", name).read_text(encoding="utf-8")


def _tokens(text: str) -> list[str]:
    return [tok for line in text.splitlines() if not line.startswith("#") for tok in line.split()]


def _has_suffix(word: str) -> bool:
    return word.endswith(ADMIN_SUFFIXES)


def _gazetteer(text: str) -> dict[str, bool]:
    places: dict[str, bool] = {}

    def add(word: str) -> None:
        places[word] = _has_suffix(word)
        if not _has_suffix(word):
            places[word + "市"] = True

    districts = False
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.strip() == "[districts]":
            districts = True
            continue
        if districts:
            for word in line.split():
                places[word] = True
            continue
        head, _, units = line.partition("|")
        full, _, short = head.strip().partition(",")
        places[full] = True
        places[short] = False
        for unit in units.split():
            add(unit)
    return places


@cache
def load_lexicon() -> Lexicon:
    surnames = _tokens(_data("surnames.txt"))
    cues = tomllib.loads(_data("cues.toml"))
    return Lexicon(
        surnames=frozenset(s for s in surnames if len(s) == 1),
        compound_surnames=frozenset(s for s in surnames if len(s) == 2),
        given_chars=frozenset("".join(_tokens(_data("given_chars.txt")))),
        places=_gazetteer(_data("gazetteer.txt")),
        name_before=tuple(cues["name"]["before"]),
        name_before_weak=tuple(cues["name"]["before_weak"]),
        name_after_strong=tuple(cues["name"]["after_strong"]),
        name_after_weak=tuple(cues["name"]["after_weak"]),
        address_before=tuple(cues["address"]["before"]),
        version=str(cues["version"]),
    )


def is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def is_name_char(char: str) -> bool:
    return is_cjk(char) and char not in STOP_CHARS
