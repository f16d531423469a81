"""Names without a listed cue, and names the bank already knows.

* :func:`context_name_recogniser`: a surname in a name-like position (after punctuation, a preposition, a verb
  of giving or telling, a kinship or role noun) followed by one or two name characters and then by something
  that can follow a name (punctuation, a function word, a verb). Candidates that are ordinary words (高兴, 文件,
  余额), that are or cut through a place name (张家口, 王府井), or whose compound surname is half of a word (上官网:
  官网) are dropped. Lower confidence than a cue, so a cue's reading wins an overlap.
* :class:`KnownNamesRecogniser`: a dictionary of names a bank supplies (its customers, from the lake's
  ``customers`` table), found anywhere in a text, whatever the phrasing around them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from grayshield.core.registry import Registry
from grayshield.pii import entities as E
from grayshield.pii.entities import Hit
from grayshield.pii.lexicon import ORG_WORDS, STOP_CHARS, Lexicon, is_cjk, is_name_char, load_lexicon
from grayshield.pii.recognisers import (
    LexiconMatch,
    PatternRecogniser,
    Recogniser,
    register_builtins,
    surname_regex,
)
from grayshield.pii.scanner import Scanner

_PUNCTUATION = "，。！？；：、,.!?;:\n\r\t （）()“”\"'《》【】[]-—…·\u3000\x00"
# What may stand just before a name: punctuation, prepositions and co-verbs (给 和 跟 与 对 向 替 帮 让 叫 被 把),
# verbs of saying, telling and asking (说 问 告诉 通知 转告 联系), the copula (是), a time word's end (昨天,
# 今天), and the last character of a role or kinship noun (联系人, 催收员, 车主, 朋友, 老公, 儿子, 母亲, 姐姐).
NAME_LEFT = (
    _PUNCTUATION
    + "给和跟与同及对向替帮让叫被把由经听找问说诉知系告请是陪带等见像了天的人员者主方长友事公婆子儿亲哥姐弟妹爸妈夫妻为称名户"
)
# Left contexts clear enough for a name without any common given-name character (罗濛, 何翾).
STRONG_LEFT = frozenset(_PUNCTUATION + "叫是称说给人员者主友公婆子儿亲哥姐弟妹爸妈夫妻名户")
# What may stand just after a name: punctuation, function words and the verbs a name is the subject of.
NAME_RIGHT = (
    frozenset(
        _PUNCTUATION
        + "说称讲问打叫找给和与跟及把被让对向从到于在是的了已也都又还就才曾将要会能可没不来去回这那们吗呢吧啊"
        + "现今昨明天一二两三四五六七八九十几自表反投致电名本先女小老等以所其因而但却且或并系汇转付交借寄发送"
        + "核确代办签接拿收欠填留提申讲"
    )
    | STOP_CHARS
)


_CLEAR_AFTER = frozenset(_PUNCTUATION + "反说称来投表已在是的")


def _name_may_end(text: str, end: int) -> bool:
    """What follows ``end`` can follow a name: punctuation, a function word or a verb of :data:`NAME_RIGHT`.
    (Accepting any word start there was tried: 华信银行 became a name.)"""
    return text[end] in NAME_RIGHT


def _clear_end(text: str, end: int) -> bool:
    return end >= len(text) or text[end] in _CLEAR_AFTER


def context_name_recogniser(lexicon: Lexicon, places: Iterable[str]) -> PatternRecogniser:
    """The cue-free name rule (see the module docstring); ``places`` are the gazetteer's names."""
    first, surname = surname_regex(lexicon)
    left = NAME_LEFT.replace("\\", "\\\\").replace("]", "\\]").replace("[", "\\[").replace("-", "\\-")
    rest = f"(?<![^{left}].){surname}[\u4e00-\u9fff]"
    common, given_set = lexicon.common_words, lexicon.given_chars
    top_surnames = frozenset(lexicon.ranked_surnames[:100]) | lexicon.compound_surnames
    titles = tuple(lexicon.name_after_strong)
    place_set = frozenset(p for p in places if len(p) > 1)
    lengths_by_head: dict[str, set[int]] = {}
    for place in place_set:
        lengths_by_head.setdefault(place[:2], set()).add(len(place))
    head_lengths = {head: tuple(sorted(n)) for head, n in lengths_by_head.items()}

    def touches_place(text: str, start: int, end: int, surname_length: int) -> bool:
        """The name begins with a place name (张家口, 江苏), a place name starts inside it and runs past its
        end, or one begins before it and runs into it (长沙公安: 沙公安); a compound surname that is also a
        place (东方) counts only when the place runs on (东方市)."""
        for pos in range(max(0, start - 4), end):
            lengths = head_lengths.get(text[pos : pos + 2])
            if lengths is None:
                continue
            for length in lengths:
                stop = pos + length
                if pos < start:
                    touches = stop > start
                elif pos == start:
                    touches = not (surname_length == 2 and length == 2) or stop > end
                else:
                    touches = stop > end
                if touches and text[pos:stop] in place_set:
                    return True
        return False

    def classify(text: str, start: int, end: int) -> list[Hit]:
        given_start = end - 1
        surname_text = text[start:given_start]
        if not is_name_char(text[given_start]):
            return []
        if len(surname_text) == 2 and surname_text[1] + text[given_start] in common:  # 上官网: 官网
            return []
        name_end = end
        if end < len(text) and is_name_char(text[end]):
            following = text[end + 1] if end + 1 < len(text) else ""
            if text[end] + following not in common and (
                text[end] in given_set or not is_cjk(following) or following in NAME_RIGHT
            ):
                name_end = end + 1
        if name_end < len(text) and not _name_may_end(text, name_end):
            return []
        if start > 0 and text[start - 1] == "的" and not _clear_end(text, name_end):
            return []  # after 的 (家住…的X反映) only before punctuation or a reporting verb
        if text.startswith(ORG_WORDS, name_end):  # 王建国科技有限公司: a company, not a person
            return []
        name = text[start:name_end]
        if name in common or (len(surname_text) == 1 and name[:2] in common):
            return []
        if touches_place(text, start, name_end, len(surname_text)):
            return []
        given = name[len(surname_text) :]
        if surname_text in given:  # 包教包会: a surname repeated inside its own name is a phrase
            return []
        common_given = sum(c in given_set for c in given)
        if given.startswith(titles):  # 刘女士: a surname and a title, no name
            return []
        if (
            not common_given
            and len(surname_text) == 1
            and (
                (start > 0 and text[start - 1] not in STRONG_LEFT)
                or any(text[p : p + 2] in common for p in range(start + len(surname_text), name_end))
            )
        ):
            return []  # 把钱转到: no common given-name character needs a clear left boundary and no word
        confidence = round(
            0.55 + 0.05 * (common_given == len(given)) + 0.05 * (surname_text in top_surnames), 2
        )
        return [
            Hit(E.PERSON_NAME, start, name_end, name, confidence, "context_name", "surname in name position")
        ]

    return PatternRecogniser("context_name", first, rest, classify)


class KnownNamesRecogniser:
    """Names a bank supplies (its customers), found wherever they occur.

    Register it under a name of its own (``RECOGNISERS.register("customer_names", KnownNamesRecogniser(names))``
    or in a separate registry for one scanner). Names shorter than two characters, not Chinese, or that are
    ordinary words (a customer called 金星 or 白雪 would flag those words everywhere) are left out: the other recognisers
    still find those next to a cue.
    """

    name = "known_names"

    def __init__(self, names: Iterable[str], lexicon: Lexicon, confidence: float = 0.9) -> None:
        self.confidence = confidence
        self._names = sorted(
            {
                n
                for n in (str(x).strip() for x in names)
                if 2 <= len(n) <= 5 and all(is_cjk(c) for c in n) and n not in lexicon.common_words
            }
        )

    def __len__(self) -> int:
        return len(self._names)

    @property
    def names(self) -> list[str]:
        return list(self._names)

    def words(self) -> list[tuple[str, str]]:
        return [(n, "known") for n in self._names]

    def find(self, text: str, matches: Sequence[LexiconMatch]) -> list[Hit]:
        return [
            Hit(E.PERSON_NAME, m.start, m.end, m.word, self.confidence, self.name, "known customer name")
            for m in matches
            if m.tag == "known"
        ]

    @classmethod
    def from_world(cls, world: Path, lexicon: Lexicon, limit: int | None = None) -> KnownNamesRecogniser:
        """Customer names of a world or lake folder (contract table ``customers``, column ``name``)."""
        from grayshield.lake import open_world

        opened = open_world(world)
        if not opened.has_table("customers"):
            return cls([], lexicon)
        table = opened.table("customers").select("name")
        if limit is not None:
            table = table.limit(limit)
        return cls((n for n in table.to_pyarrow().column("name").to_pylist() if n), lexicon)


def known_names_scanner(names: Iterable[str]) -> Scanner:
    """A scanner with every built-in recogniser plus a dictionary of ``names`` (registered as
    ``customer_names``): how a bank plugs its customer file in without touching the shared registry."""
    registry: Registry[Recogniser] = Registry("PII recogniser")
    register_builtins(registry)
    registry.register("customer_names", KnownNamesRecogniser(names, load_lexicon()))
    return Scanner(registry=registry)
