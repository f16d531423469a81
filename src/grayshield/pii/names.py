"""Names without a listed cue, and names the bank already knows.

* :func:`context_name_recogniser`: a surname followed by one or two name characters, scored by
  :class:`NameScorer` (learned name-likeness of the characters plus the evidence that a word ends before and
  after the candidate) instead of fixed lists of neighbours, so phrasings nobody listed still count. Candidates
  that are ordinary words (高兴, 文件, 余额), that are or cut through a place name (张家口, 王府井), brands (李宁),
  measure words (那张卡) or spelt-out numbers (伍玖) are dropped. Lower confidence than a cue, so a cue's reading
  wins an overlap.
* :class:`KnownNamesRecogniser`: a dictionary of names a bank supplies (its customers, from the lake's
  ``customers`` table), found anywhere in a text, whatever the phrasing around them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from grayshield.core.registry import Registry
from grayshield.pii import entities as E
from grayshield.pii.entities import Hit
from grayshield.pii.lexicon import (
    ORG_WORDS,
    STOP_CHARS,
    UNSEEN_GIVEN_SCORE,
    Lexicon,
    is_cjk,
    is_name_char,
    load_lexicon,
)
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
# Surnames that are also measure words, and what makes them one: 那张尾号 is "that (card)", 有封信 "a letter", not
# a person 张 or 封.
MEASURE_SURNAMES = frozenset(
    "张包门家盘台项部所种顶口封节段层道份班批股排篇幅架笔句首场阵片扇座栋间件次双对套根条只个块本支"
)
_DIGITS = frozenset("0123456789０１２３４５６７８９")
# Numerals as phone numbers are spelt to dodge filters (壹捌伍玖, 幺三拐勾): 伍, 陆 and 勾 there are digits.
NUMERALS = frozenset("〇零二三四五六七八九壹贰叁肆伍陆柒捌玖拾幺两洞拐勾")
_COUNTING = frozenset("有这那哪每某几一二两三四五六七八九十百千万半整0123456789")
# Left neighbours as clear as punctuation: verbs of naming and the last character of a role or kinship noun.
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


def _clear_end(text: str, end: int) -> bool:
    return end >= len(text) or text[end] in _CLEAR_AFTER


# Weights of the cue-free name score (see NameScorer). The evidence is learned or listed; these only say how much
# each kind counts. Set on the generated corpus, held-out sets v1-v4 and a simulated world's social posts (for
# precision on text without names); v5 and v6 were written and measured afterwards.
CLEAR_BOUNDARY = 1.5  # text edge, punctuation, a digit, a Latin letter; a clear left or right neighbour
LISTED_BOUNDARY = 1.0  # a listed preposition/verb before, a function word or verb after
WORD_BOUNDARY = 0.5  # a dictionary word ends just before, or starts just after, the candidate
NO_BOUNDARY = -0.5  # nothing says a word ends or starts there: the candidate may cut through running text
GLUED = -2.0  # the surname ends a word (给钱), or the last given character starts one (蒋超市: 超市)
LISTED_GIVEN = 0.75  # added to a given character on the curated list (data/given_chars.txt)
SURNAME_WEIGHT = 0.5  # of the learned surname score, capped at SURNAME_CAP
SURNAME_CAP = 4.0
GIVEN_CAP = 4.0  # learned given-name scores are clipped to +-GIVEN_CAP
SECOND_GIVEN = -1.5  # added to a second given character's score: it must earn its place (张守|文说, 白征信)
ACCEPT = 4.0  # lowest total score that makes a name
# What a candidate needs before its right boundary is looked at.
_NEEDS = ACCEPT - CLEAR_BOUNDARY


class NameScorer:
    """How name-like a surname followed by one or two characters is, where it stands.

    The score adds four kinds of evidence: the learned surname score (陈 starts names far more often than it
    appears in text; 高 and 于 mostly are words), the learned given-name scores of the given characters, summed
    as log-odds (伟 and 娜 are name characters, 的 and 就 are not, a character the dictionary lacks is rare and so
    name-like), and how cleanly the candidate is cut off on each side: punctuation, digits and listed function words are
    clear; a dictionary word ending just before it (当时, 感谢) or starting just after it (介绍, 离婚, 耐心) is a
    word boundary, which is what word segmentation would find, checked only around the candidate. A surname
    that ends a word (给钱宝芳: 给钱) or a last given character that starts one (超市) counts against. See
    :func:`grayshield.pii.lexicon.build_name_char_table` for how the scores are learned. The per-character
    terms are summed once here, so scoring a candidate is a few dictionary look-ups.
    """

    def __init__(self, lexicon: Lexicon) -> None:
        self._common = lexicon.common_words
        # Evidence from the one character next to a candidate, strongest kind first.
        boundary = lexicon.boundary_chars
        self._left_evidence = {
            **dict.fromkeys(boundary, WORD_BOUNDARY),
            **dict.fromkeys(NAME_LEFT, LISTED_BOUNDARY),
            **dict.fromkeys(STRONG_LEFT, CLEAR_BOUNDARY),
        }
        self._right_evidence = {
            **dict.fromkeys(boundary, WORD_BOUNDARY),
            **dict.fromkeys(NAME_RIGHT, LISTED_BOUNDARY),
            **dict.fromkeys(_CLEAR_AFTER, CLEAR_BOUNDARY),
        }
        listed = lexicon.given_chars
        self._char_terms = {
            char: min(GIVEN_CAP, max(-GIVEN_CAP, score)) + LISTED_GIVEN * (char in listed)
            for char, score in {**dict.fromkeys(listed, UNSEEN_GIVEN_SCORE), **lexicon.given_scores}.items()
        }
        self._unseen = min(GIVEN_CAP, UNSEEN_GIVEN_SCORE)
        self.best_char = max(self._unseen, *self._char_terms.values())
        self._surname_terms = {
            surname: SURNAME_WEIGHT * min(SURNAME_CAP, score)
            for surname, score in lexicon.surname_scores.items()
        }

    def left(self, text: str, start: int) -> float:
        """Evidence that a name may start at ``start``."""
        if start == 0 or not "\u4e00" <= text[start - 1] <= "\u9fff":
            return CLEAR_BOUNDARY
        common = self._common
        glued = GLUED if self.ends_word(text, start) else 0.0
        evidence = self._left_evidence.get(text[start - 1])
        if evidence is None and start > 1:
            if (
                text[start - 2 : start] in common
                or text[max(0, start - 3) : start] in common
                or text[start - 2] in _DIGITS  # 11点, 2号: a number and its unit end there
            ):
                evidence = WORD_BOUNDARY
        return glued + evidence if evidence is not None else glued or NO_BOUNDARY

    def ends_word(self, text: str, start: int) -> bool:
        """The character at ``start`` ends a dictionary word begun before it (感谢, 给钱, 手续费)."""
        common = self._common
        return start > 0 and (
            text[start - 1 : start + 1] in common or (start > 1 and text[start - 2 : start + 1] in common)
        )

    def right(self, text: str, stop: int) -> float:
        """Evidence that a name may end at ``stop`` (before ``text[stop]``)."""
        if stop >= len(text) or not "\u4e00" <= text[stop] <= "\u9fff":
            return CLEAR_BOUNDARY
        common = self._common
        glued = GLUED if text[stop - 1 : stop + 1] in common else 0.0
        evidence = self._right_evidence.get(text[stop])
        if evidence is None and (text[stop : stop + 2] in common or text[stop : stop + 3] in common):
            evidence = WORD_BOUNDARY
        return glued + evidence if evidence is not None else glued or NO_BOUNDARY

    def surname(self, surname: str) -> float:
        """The learned surname term (weighted, capped)."""
        return self._surname_terms.get(surname, 0.0)

    def given_char(self, char: str) -> float:
        """The learned given-name term of one character (clipped, plus the curated-list bonus)."""
        return self._char_terms.get(char, self._unseen)

    def likeness(self, surname: str, given: str) -> float:
        """Learned name-likeness of the surname and the given characters (no context): log-odds add up, and
        each given character after the first pays :data:`SECOND_GIVEN`."""
        return self.surname(surname) + sum(map(self.given_char, given)) + SECOND_GIVEN * (len(given) - 1)


def context_name_recogniser(lexicon: Lexicon, places: Iterable[str]) -> PatternRecogniser:
    """The cue-free name rule (see the module docstring); ``places`` are the gazetteer's names."""
    first, surname = surname_regex(lexicon)
    # Only the surname is consumed (向王伟 still tries 王 after 向); a function word after it is no given name.
    stops = "".join(sorted(STOP_CHARS - lexicon.given_chars))
    rest = f"{surname}(?=[\u4e00-\u9fff])(?![{stops}])"
    common, surnames = lexicon.common_words, lexicon.surnames
    titles, not_names = tuple(lexicon.name_after_strong), lexicon.not_names
    scorer = NameScorer(lexicon)
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

    def ruled_out(text: str, start: int, stop: int, surname_text: str) -> bool:
        """Readings that are words, companies, places or phrases whatever their score."""
        name = text[start:stop]
        given = name[len(surname_text) :]
        return (
            name in common
            or (len(surname_text) == 1 and name[:2] in common)
            or text[start : stop + 1] in common  # 高峰期: a word starts at the surname and runs on
            or text[start : stop + 2] in common
            or text.startswith(titles, start + len(surname_text))  # 刘女士: a surname and a title, no name
            or surname_text in given  # 包教包会: a surname repeated inside its own name is a phrase
            or any(c in NUMERALS for c in given)  # 伍玖, 勾幺: a spelt-out number
            or (given[-1] in surnames and text.startswith(titles, stop))  # 感谢王老师: 王 takes the title
            or text.startswith(not_names, start)  # 李宁运动鞋: a brand
            or text.startswith(ORG_WORDS, stop)  # 王建国科技有限公司: a company, not a person
            or (start > 0 and text[start - 1] == "的" and not _clear_end(text, stop))  # 家住…的X反映
            or touches_place(text, start, stop, len(surname_text))
        )

    def classify(text: str, start: int, end: int) -> list[Hit]:
        surname_text = text[start:end]
        if text[start : end + 1] in common or (
            len(surname_text) == 2 and text[start + 1 : end + 1] in common
        ):
            return []  # 金额, 车主: a word; 上官网: 官网 (checked first: most surname characters in text stop here)
        if text[end] in surnames and (surname_text in NAME_LEFT or scorer.ends_word(text, start)):
            return []  # 向王伟核实, 感谢刘婷: 向 is the preposition, 谢 ends 感谢; the name starts at 王, 刘
        if surname_text in MEASURE_SURNAMES and start > 0 and text[start - 1] in _COUNTING:  # 那张尾号
            return []
        first_given = scorer.given_char(text[end])
        left = scorer.left(text, start)
        base = left + scorer.surname(surname_text)
        if base + first_given + max(0.0, scorer.best_char + SECOND_GIVEN) < _NEEDS:
            return []  # even the clearest right boundary would not lift it to ACCEPT
        right = scorer.right(text, end + 1)
        readings = [(base + first_given + right, end + 1, right)]  # one given character
        if end + 1 < len(text) and is_name_char(text[end + 1]):
            second = scorer.given_char(text[end + 1]) + SECOND_GIVEN
            right = scorer.right(text, end + 2)
            readings.append((base + first_given + second + right, end + 2, right))
        if len(readings) == 2 and readings[1][0] >= readings[0][0]:
            readings.reverse()  # the better reading first, the longer on a tie
        for score, stop, right in readings:
            if score >= ACCEPT and not ruled_out(text, start, stop, surname_text):
                confidence, reason = context_confidence(score), context_reason(score, left, right)
                return [Hit(E.PERSON_NAME, start, stop, text[start:stop], confidence, "context_name", reason)]
        return []

    native = ("context_name", lexicon) if places is lexicon.places else None
    return PatternRecogniser("context_name", first, rest, classify, native)


def context_confidence(score: float) -> float:
    """A cue-free name's confidence: below a cue's (0.85), higher the more the score clears :data:`ACCEPT`."""
    return round(0.55 + 0.05 * (score >= ACCEPT + 2) + 0.05 * (score >= ACCEPT + 4), 2)


def context_reason(score: float, left: float, right: float) -> str:
    """Why a cue-free name was taken: the score and its parts, for the auditor reading the hit."""
    return (
        f"name score {score:.1f} >= {ACCEPT}: boundary before {left:+.1f}, after {right:+.1f},"
        f" learned name-likeness {score - left - right:+.1f}"
    )


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
