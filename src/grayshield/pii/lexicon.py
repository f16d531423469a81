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
    "请让叫称讲问打电话号码卡账户元百岁年分秒等将该其此为有无不没系"
)

# Words that make the characters before them an organisation's name, not a person's (华信银行, 王建国科技有限公司).
ORG_WORDS = (
    "银行",
    "支行",
    "分行",
    "公司",
    "集团",
    "律所",
    "律师事务所",
    "事务所",
    "中心",
    "大学",
    "学院",
    "医院",
    "科技",
    "有限",
    "商贸",
    "金融",
    "保险",
    "证券",
    "酒店",
    "超市",
    "百货",
    "商场",
    "工作室",
    "门店",
)


@dataclass(frozen=True)
class Province:
    full: str
    short: str
    units: tuple[str, ...]  # prefecture-level units (districts for municipalities), as written in the data


@dataclass(frozen=True)
class Lexicon:
    surnames: frozenset[str]
    ranked_surnames: tuple[str, ...]  # single-character surnames, most common first
    compound_surnames: frozenset[str]
    given_chars: frozenset[str]
    # Every gazetteer name (full and short forms) mapped to whether it carries an administrative suffix.
    places: dict[str, bool]
    provinces: tuple[Province, ...]
    districts: tuple[str, ...]
    name_before: tuple[str, ...]
    name_before_weak: tuple[str, ...]
    name_after_strong: tuple[str, ...]
    name_after_weak: tuple[str, ...]
    address_before: tuple[str, ...]
    version: str
    # Ordinary words a name candidate must not be (or begin with): 高兴, 文件, 余额, 一起.
    common_words: frozenset[str] = frozenset()


def _data(name: str) -> str:
    return resources.files("grayshield.pii").joinpath("data", name).read_text(encoding="utf-8")


def _tokens(text: str) -> list[str]:
    return [tok for line in text.splitlines() if not line.startswith("#") for tok in line.split()]


def _has_suffix(word: str) -> bool:
    return word.endswith(ADMIN_SUFFIXES)


def _parse_gazetteer(text: str) -> tuple[tuple[Province, ...], tuple[str, ...]]:
    provinces: list[Province] = []
    districts: list[str] = []
    in_districts = False
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.strip() == "[districts]":
            in_districts = True
        elif in_districts:
            districts.extend(line.split())
        else:
            head, _, units = line.partition("|")
            full, _, short = head.strip().partition(",")
            provinces.append(Province(full, short, tuple(units.split())))
    return tuple(provinces), tuple(districts)


def _places(provinces: tuple[Province, ...], districts: tuple[str, ...]) -> dict[str, bool]:
    places: dict[str, bool] = {}
    for province in provinces:
        places[province.full] = True
        places[province.short] = False
        for unit in province.units:
            places[unit] = _has_suffix(unit)
            if not _has_suffix(unit):
                places[unit + "市"] = True
    places.update(dict.fromkeys(districts, True))
    return places


@cache
def load_lexicon() -> Lexicon:
    surnames = _tokens(_data("surnames.txt"))
    cues = tomllib.loads(_data("cues.toml"))
    provinces, districts = _parse_gazetteer(_data("gazetteer.txt"))
    return Lexicon(
        surnames=frozenset(s for s in surnames if len(s) == 1),
        ranked_surnames=tuple(s for s in surnames if len(s) == 1),
        compound_surnames=frozenset(s for s in surnames if len(s) == 2),
        given_chars=frozenset("".join(_tokens(_data("given_chars.txt")))),
        places=_places(provinces, districts),
        provinces=provinces,
        districts=districts,
        name_before=tuple(cues["name"]["before"]),
        name_before_weak=tuple(cues["name"]["before_weak"]),
        name_after_strong=tuple(cues["name"]["after_strong"]),
        name_after_weak=tuple(cues["name"]["after_weak"]),
        address_before=tuple(cues["address"]["before"]),
        version=str(cues["version"]),
        common_words=frozenset(_tokens(_data("common_words.txt"))),
    )


def is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


@cache
def _name_stop_chars() -> frozenset[str]:
    return STOP_CHARS - load_lexicon().given_chars


def is_name_char(char: str) -> bool:
    """A character that can be part of a given name: not a function word, unless names often use it (可, 和)."""
    return "\u4e00" <= char <= "\u9fff" and char not in _name_stop_chars()
