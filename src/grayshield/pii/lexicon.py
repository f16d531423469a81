"""Word lists the context recognisers use: surnames, given-name characters, the gazetteer and cue words.

All of it is package data (``grayshield/pii/data``), loaded once and cached: no network, no model download.
"""

from __future__ import annotations

import math
import tomllib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
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
    # Learned name-likeness (data/name_chars.tsv): log-odds of a character in a given name against running text,
    # and of a surname starting a name against the character in running text.
    given_scores: dict[str, float] = field(default_factory=dict)
    surname_scores: dict[str, float] = field(default_factory=dict)
    # One-character function words and verbs (到, 骗, 就): a word boundary next to them.
    boundary_chars: frozenset[str] = frozenset()
    # Brands shaped like a person's name (李宁, 周大福): the cue-free name rule never takes them.
    not_names: tuple[str, ...] = ()


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
    given_scores, surname_scores, boundary_chars = _parse_name_chars(_data("name_chars.tsv"))
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
        given_scores=given_scores,
        surname_scores=surname_scores,
        boundary_chars=boundary_chars,
        not_names=tuple(cues["name"].get("not_names", ())),
    )


# --- learned name-likeness: data/name_chars.tsv, rebuilt by build_name_char_table from jieba's dictionary ------

# A character jieba's dictionary never holds is rare, and rare characters are name-like.
UNSEEN_GIVEN_SCORE = 2.4
# Added to a character's count among given names: the dictionary's names are few (84k given characters), so a
# character seldom in text (棣, 珞) but absent from them is not taken as proof that it is no name character.
_NAME_SMOOTHING = 2.0
_TEXT_SMOOTHING = 50.0  # added to its frequency-weighted count in running text
# jieba tags of one-character words that stand between names and words: verbs, prepositions, conjunctions,
# adverbs, particles, pronouns, modal particles (到, 骗, 向, 就, 吗). Common ones only (frequency >= 1000).
BOUNDARY_TAGS = frozenset({"v", "p", "c", "d", "u", "uj", "ul", "uz", "ud", "ug", "uv", "r", "y"})
_BOUNDARY_MIN_FREQ = 1000


def build_name_char_table(
    dictionary: Iterable[str], surnames: frozenset[str], compounds: frozenset[str]
) -> str:
    """The ``name_chars.tsv`` table learned from jieba's dictionary lines (``word freq tag``).

    Given-name score of a character: log P(char | given names) - log P(char | running text), where given names
    are the part after a listed surname in the dictionary's person-name entries (tag ``nr``: 李国华 gives 国, 华)
    and running text is every other entry weighted by its frequency. Surname score: the same odds for a surname
    starting a person-name entry against the character in text (陈 high, 高 and 于 low: they are mostly words).
    Both are counts over a public dictionary, not rules: a character nobody listed by hand still gets a score.
    Boundary: the character is a common one-character word of a :data:`BOUNDARY_TAGS` class, so a word ends
    before it or starts after it, as word segmentation would cut there.
    """
    text: Counter[str] = Counter()
    given: Counter[str] = Counter()
    starts: Counter[str] = Counter()
    boundary: set[str] = set()
    for line in dictionary:
        parts = line.split()
        if len(parts) != 3:
            continue
        word, freq, tag = parts[0], int(parts[1]), parts[2]
        if len(word) == 1 and tag in BOUNDARY_TAGS and freq >= _BOUNDARY_MIN_FREQ:
            boundary.add(word)
        if tag != "nr":
            text.update(dict.fromkeys(word, freq))
            continue
        surname = word[:2] if len(word) == 4 and word[:2] in compounds else word[:1]
        if (len(surname) == 2 or 2 <= len(word) <= 3) and (surname in surnames or surname in compounds):
            given.update(word[len(surname) :])
            starts[surname] += 1
    text_total, given_total, start_total = sum(text.values()), sum(given.values()), sum(starts.values())

    def odds(count: int, total: int, background: int) -> float:
        return math.log((count + _NAME_SMOOTHING) / total) - math.log(
            (background + _TEXT_SMOOTHING) / text_total
        )

    lines = [
        "# char\tgiven-name score\tsurname score (or -)\tboundary (1/0): learned by lexicon.build_name_char_table"
    ]
    for char in sorted(c for c in set(text) | set(given) | surnames | compounds if all(map(is_cjk, c))):
        given_score = f"{odds(given[char], given_total, text[char]):.1f}" if len(char) == 1 else "-"
        in_list = char in surnames or char in compounds
        surname_score = f"{odds(starts[char], start_total, text[char] if len(char) == 1 else 0):.1f}"
        lines.append(f"{char}\t{given_score}\t{surname_score if in_list else '-'}\t{int(char in boundary)}")
    return "\n".join(lines) + "\n"


def _parse_name_chars(text: str) -> tuple[dict[str, float], dict[str, float], frozenset[str]]:
    given: dict[str, float] = {}
    surname: dict[str, float] = {}
    boundary: set[str] = set()
    for line in text.splitlines():
        if line.startswith("#") or not line:
            continue
        char, given_score, surname_score, is_boundary = line.split("\t")
        if given_score != "-":
            given[char] = float(given_score)
        if surname_score != "-":
            surname[char] = float(surname_score)
        if is_boundary == "1":
            boundary.add(char)
    return given, surname, frozenset(boundary)


def is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


@cache
def _name_stop_chars() -> frozenset[str]:
    return STOP_CHARS - load_lexicon().given_chars


def is_name_char(char: str) -> bool:
    """A character that can be part of a given name: not a function word, unless names often use it (可, 和)."""
    return "\u4e00" <= char <= "\u9fff" and char not in _name_stop_chars()
