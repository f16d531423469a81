"""Recognisers: what each kind of PII looks like, in an explicit registry a bank can extend.

Two shapes, both cheap on the hot path:

* :class:`PatternRecogniser` contributes one regex; the scanner joins all of them into a single compiled
  alternation and runs it once over the text, then hands each match to its recogniser's ``classify``
  (check digits, context words) to turn it into zero or more hits.
* :class:`ContextRecogniser` contributes words (cues, gazetteer names); the scanner puts every word of every
  recogniser into one Aho-Corasick automaton, runs it once, and hands each recogniser its own matches.

A bank registers its own with ``RECOGNISERS.register(name, recogniser)``; ``Scanner(enabled=…, disabled=…)``
switches them on and off by name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple, Protocol

from grayshield.core.registry import Registry
from grayshield.pii import entities as E
from grayshield.pii import validators as V
from grayshield.pii.entities import Hit
from grayshield.pii.lexicon import ORG_WORDS, STOP_CHARS, Lexicon, is_cjk, is_name_char, load_lexicon

# (text, start, end) of a regex match -> hits
Classifier = Callable[[str, int, int], list[Hit]]


@dataclass(frozen=True)
class PatternRecogniser:
    """A regex plus the function that validates and types each match.

    The regex comes in two parts so that the scanner's joined regex can begin with one character class: the
    regex engine then skips every position whose character cannot start any match in a tight C loop (most of
    a Chinese text) instead of trying every alternative there. ``first`` is the body of a character class
    (``"0-9A-Z"``) for the match's first character; ``rest`` matches the remainder and may look behind at the
    first character (``(?<=E)…``, or ``(?<![A-Z].)`` for "not preceded by a letter"). No named groups.
    """

    name: str
    first: str
    rest: str
    classify: Classifier
    # ("rule", lexicon) when the native fast path (grayshield.pii.native) has this exact rule built in for that
    # lexicon; set only by the built-in factories. A bank's own recogniser leaves it None and runs in Python.
    native: tuple[str, Lexicon] | None = field(default=None, compare=False)

    @property
    def pattern(self) -> str:
        return f"[{self.first}]{self.rest}"


class LexiconMatch(NamedTuple):
    start: int
    end: int
    tag: str
    word: str


class ContextRecogniser(Protocol):
    """Finds PII around dictionary words; ``words`` are (word, tag) pairs fed to the shared automaton."""

    name: str

    def words(self) -> Sequence[tuple[str, str]]: ...

    def find(self, text: str, matches: Sequence[LexiconMatch]) -> list[Hit]: ...


Recogniser = PatternRecogniser | ContextRecogniser

RECOGNISERS: Registry[Recogniser] = Registry("PII recogniser")


def _window(text: str, start: int, size: int = 12) -> str:
    """Up to ``size`` characters before ``start``, never reaching back past a batch separator (NUL)."""
    window = text[max(0, start - size) : start]
    return window[window.rfind("\x00") + 1 :]


# --- numbers: resident IDs, cards, accounts, phones, permits written as digits -------------------------------

_DIGIT_CHARS = "0-9０-９零〇一二三四五六七八九幺两"
_DIGIT = f"[{_DIGIT_CHARS}]"
_DIGIT_NEIGHBOUR = f"{_DIGIT_CHARS}A-Za-z"
NUMBER_FIRST = f"+{_DIGIT_CHARS}"
NUMBER_BEFORE = f"{_DIGIT_NEIGHBOUR}十百千万亿_@.+"  # what may not stand before a number (class body)
NUMBER_REST = (
    f"(?<![{NUMBER_BEFORE}].)(?:(?<=\\+)86[ \\-]?{_DIGIT}|(?<={_DIGIT}))"
    f"(?:[ \\-\\u3000]?{_DIGIT}){{6,27}}[XxＸｘ]?(?![{_DIGIT_NEIGHBOUR}])"
)
_WHITESPACE = re.compile(r"[ \u3000]+")
# Digits written in one script with Chinese numerals only at the edges: the numerals may be words, not digits.
_SCRIPT_EDGE = re.compile(
    "[零〇一二三四五六七八九幺两]*(\\+?[0-9０-９][0-9０-９ \\-]*[0-9０-９Xx])[零〇一二三四五六七八九幺两]*"
)
_CHINESE_NUMERAL = re.compile("[零〇一二三四五六七八九幺两]")

ID_CUES = ("身份证", "证件号", "身份号", "公民身份")
CARD_CUES = ("卡号", "银行卡", "信用卡", "储蓄卡", "借记卡", "尾号", "卡片")
ACCOUNT_CUES = ("账号", "帐号", "账户", "帐户", "户号", "存折", "对公", "收款账", "汇款账")
PHONE_CUES = ("电话", "手机", "联系方式", "致电", "号码", "座机", "微信", "打", "拨")
PERMIT_CUES = ("台胞证", "通行证", "回乡证")


@cache
def _cue_regex(cues: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, cues)))


def _has(cues: tuple[str, ...], context: str) -> bool:
    """Whether any cue occurs in ``context``: one compiled alternation per cue list, searched in C."""
    return _cue_regex(cues).search(context) is not None


_ACCOUNT, _PHONE_OR_ID, _ID = _cue_regex(ACCOUNT_CUES), _cue_regex(PHONE_CUES + ID_CUES), _cue_regex(ID_CUES)
_PHONE, _CARD, _PERMIT = _cue_regex(PHONE_CUES), _cue_regex(CARD_CUES), _cue_regex(PERMIT_CUES)


def classify_number(number: str, context: str, spelled: bool) -> tuple[str, float, str] | None:
    """Type one normalised digit string; ``context`` is the text just before it. None if it is no PII.

    Dispatches on length first: most runs are ruled out or typed by one check, and this runs for every digit
    run in every text.
    """
    length = len(number)
    mobile = (length == 11 and number[0] == "1" and V.MOBILE.match(number)) or (
        13 <= length <= 15 and number[0] in "08" and V.MOBILE.match(V.strip_country_code(number))
    )
    if mobile:
        return E.PHONE, 0.85 if spelled else 0.95, "mobile numbering plan"
    if length == 18 and V.is_resident_id(number):
        return E.ID_CARD, 0.99, "GB 11643 check digit and birth date"
    card = 16 <= length <= 19 and V.is_bank_card(number)
    if 10 <= length <= 25 and _ACCOUNT.search(context) and not _PHONE_OR_ID.search(context):
        if number.isdigit() and not (card and V.has_card_bin(number)):
            return E.BANK_ACCOUNT, 0.8, "digits after an account cue"
    if length == 15 and V.is_legacy_resident_id(number):
        confidence = 0.95 if _ID.search(context) else 0.7
        return E.ID_CARD, confidence, "15-digit legacy ID: province code and birth date"
    if 10 <= length <= 12 and number[0] == "0" and V.LANDLINE.match(number):
        return E.PHONE, 0.85 if _PHONE.search(context) else 0.7, "landline area code and length"
    if card and (V.has_card_bin(number) or _CARD.search(context)):
        return E.BANK_CARD, 0.95 if V.has_card_bin(number) else 0.85, "Luhn check digit and issuer prefix"
    if length in (8, 10) and _PERMIT.search(context):
        return E.TRAVEL_PERMIT, 0.8, "digits after a Taiwan permit cue"
    return None


def _number_hit(text: str, start: int, end: int) -> Hit | None:
    raw = text[start:end]
    plain = raw.isascii() and raw.isdigit()  # the common case needs no normalising
    if (
        plain
    ):  # the commonest shapes, typed before any context is read (classify_number checks them first too)
        length = len(raw)
        if length == 11 and raw[0] == "1" and "3" <= raw[1] <= "9":
            return Hit(E.PHONE, start, end, raw, 0.95, "number", "mobile numbering plan")
        if length == 18 and V.is_resident_id(raw):
            return Hit(E.ID_CARD, start, end, raw, 0.99, "number", "GB 11643 check digit and birth date")
    number = raw if plain else V.normalise_digits(raw)
    typed = classify_number(
        number, _window(text, start), not plain and _CHINESE_NUMERAL.search(raw) is not None
    )
    if typed is None:
        return None
    entity, confidence, reason = typed
    return Hit(entity, start, end, raw, confidence, "number", reason)


def classify_numbers(text: str, start: int, end: int) -> list[Hit]:
    """A digit run is one number, or several written side by side with spaces; try the whole run first."""
    whole = _number_hit(text, start, end)
    if whole is not None:
        return [whole]
    return number_parts(text, start, end)


def number_parts(text: str, start: int, end: int) -> list[Hit]:
    """The numbers inside a digit run that is none as a whole: trimmed of numeral words at its edges, or
    several written side by side with spaces."""
    raw = text[start:end]
    trimmed = _SCRIPT_EDGE.fullmatch(raw)
    if trimmed is not None and (
        trimmed.start(1) > 0 or trimmed.end(1) < len(raw)
    ):  # 15747724087一直: a numeral word (一直, 一起) right after the digits is no digit
        inner = _number_hit(text, start + trimmed.start(1), start + trimmed.end(1))
        if inner is not None:
            return [inner]
    elif end < len(text) and raw[-1] in "一两" and raw[-1] + text[end] in load_lexicon().common_words:
        inner = _number_hit(text, start, end - 1)  # 一三八…零一直: the last 一 begins the word 一直
        if inner is not None:
            return [inner]
    chunks = [(start + m.start(), start + m.end()) for m in re.finditer(r"[^ \u3000]+", raw)]
    if len(chunks) < 2:
        return []
    hits: list[Hit] = []
    i = 0
    while i < len(chunks):  # greedy longest run of chunks that forms a number; a handful of chunks at most
        for j in range(len(chunks), i, -1):
            hit = _number_hit(text, chunks[i][0], chunks[j - 1][1])
            if hit is not None:
                hits.append(hit)
                i = j
                break
        else:
            i += 1
    return hits


# --- other shaped identifiers ---------------------------------------------------------------------------------


def accept_any(value: str) -> bool:
    """The check of a shape that needs none."""
    return True


@dataclass(frozen=True)
class SimpleClassifier:
    """A classifier for shapes that need no digit logic: a check on the value, cues that raise confidence,
    veto words that cancel it (版本号1.2.3.4 is no IP address). A dataclass rather than a closure so that the
    native fast path can read its settings."""

    entity: str
    confidence: float
    reason: str
    cues: tuple[str, ...] = ()
    check: Callable[[str], bool] = accept_any
    veto: tuple[str, ...] = ()

    def __call__(self, text: str, start: int, end: int) -> list[Hit]:
        value = text[start:end]
        if not self.check(value) or (self.veto and _has(self.veto, _window(text, start, 6))):
            return []
        boosted = self.confidence
        if self.cues and _has(self.cues, _window(text, start)):
            boosted = min(0.99, self.confidence + 0.1)
        return [Hit(self.entity, start, end, value, boosted, self.entity.lower(), self.reason)]


_ALNUM = "A-Za-z0-9"
EMAIL_REST = r"(?<![A-Za-z0-9._%+\-].)[A-Za-z0-9._%+\-]*+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
IP_FIRST = "0-9A-Fa-f"
IP_REST = (
    r"(?<![0-9A-Fa-f:.].)(?:(?<=[0-9])[0-9]{0,2}\.(?:[0-9]{1,3}\.){2}[0-9]{1,3}(?![0-9.])"
    r"|[0-9A-Fa-f]{0,3}:(?:[0-9A-Fa-f]{1,4}:){1,6}(?::|[0-9A-Fa-f]{1,4})(?::?[0-9A-Fa-f]{1,4})*(?![0-9A-Fa-f:]))"
)
PLATE_FIRST = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_REST = r"[A-HJ-NP-Z][ ·•]?(?:[A-HJ-NP-Z0-9]{5,6}|[A-HJ-NP-Z0-9]{4}[挂学警港澳])(?![A-Za-z0-9])"
# Ordinary passports E+8 (or E+letter+7), older G+8; Mainland travel permits for HK/Macau C+8 (or C+letter+7),
# older W+8; Home Return Permits H/M+8 (or +10); Mainland travel permits for Taiwan L+8 or T+8.
PASSPORT_REST = r"(?<![A-Za-z0-9].)(?:(?<=E)[0-9A-HJ-NP-Z][0-9]{7}|(?<=G)[0-9]{8})(?![A-Za-z0-9])"
PERMIT_REST = (
    r"(?<![A-Za-z0-9].)(?:(?<=[CW])[0-9A-HJ-NP-Z][0-9]{7}|(?<=[HM])[0-9]{8}(?:[0-9]{2})?|(?<=[LT])[0-9]{8})"
    r"(?![A-Za-z0-9])"
)


def plate_has_digit(value: str) -> bool:
    return any(c.isdigit() for c in value)


# --- names ---------------------------------------------------------------------------------------------------

_CUE_GAP = "：: 为是\u3000"  # what may stand between a name cue and the name (我叫：张伟, 客户是李娜)
_CLAUSE_START = frozenset("，。！？；：、,.!?;:\n\r\t （(“\"'\x00")


def surname_regex(lexicon: Lexicon) -> tuple[str, str]:
    """(first characters, rest) for a surname: compound surnames first (欧阳娜娜 is 欧阳 + 娜娜, not 欧 + 阳娜)."""
    compounds = sorted(lexicon.compound_surnames)
    first = "".join(sorted(lexicon.surnames | {c[0] for c in compounds}))
    singles = f"(?<=[{''.join(sorted(lexicon.surnames))}])"
    if not compounds:
        return first, singles
    # One character class then one lookbehind over all compounds, not one branch per compound: the regex engine
    # would otherwise try every compound's lookbehind at every surname character of a text.
    seconds = "".join(sorted({c[1] for c in compounds}))
    return first, f"(?:[{seconds}](?<={'|'.join(compounds)})|{singles})"


# Character-class bodies of the listed and bounded name rules' context (also read by the native fast path).
LISTED_AFTER = "，,：: \t"
BOUNDED_BEFORE = "人主员者方称为，,：:；;、（(\\s。！？\\x00"
BOUNDED_AFTER = "，,。；;：:（(！？!?\\s\\x00"
ROLE_ENDS = (
    "人主员者方称为"  # the last character of a role noun (车主, 复核人), or 称/为: a name's slot follows
)
LISTED_NAME = ("listed_name", "name before a number")  # (recogniser, reason) of its hits
BOUNDED_NAME = ("bounded_name", "name between boundaries")


def listed_name_recogniser(lexicon: Lexicon) -> PatternRecogniser:
    """A name standing alone at the start of a clause and followed by a number: rows of call lists and exports
    (``第3条：孔昕，138…``, ``张伟 13800138000``). Only common given-name characters count, as for weak cues."""
    given = "".join(sorted(lexicon.given_chars))
    first, surname = surname_regex(lexicon)
    rest = f"(?<![\u4e00-\u9fff].){surname}[{given}]{{1,2}}(?=[{LISTED_AFTER}]\\s*[+0-9０-９])"

    def classify(text: str, start: int, end: int) -> list[Hit]:
        return [Hit(E.PERSON_NAME, start, end, text[start:end], 0.7, *LISTED_NAME)]

    return PatternRecogniser("listed_name", first, rest, classify, ("listed_name", lexicon))


def bounded_name_recogniser(lexicon: Lexicon) -> PatternRecogniser:
    """A name between clear boundaries without a listed cue: after a role noun (车主, 复核人, 来电人: any word
    ending in 人/主/员/者/方), after 尊敬的, 称 or 为, or at a clause start; and followed by punctuation, 的 or
    （. The weakest name rule: only common given-name characters, lower confidence."""
    given = "".join(sorted(lexicon.given_chars))
    before = BOUNDED_BEFORE
    first, surname = surname_regex(lexicon)
    rest = f"(?<![^{before}的].)(?<!(?<!尊敬)的.){surname}[{given}]{{1,2}}(?=[{BOUNDED_AFTER}]|的|$)"

    common, not_names, compounds = lexicon.common_words, lexicon.not_names, lexicon.compound_surnames
    role_ends = ROLE_ENDS

    def classify(text: str, start: int, end: int) -> list[Hit]:
        # After a role noun, 称/为 or 尊敬的 the slot holds a name even when it is also a word (尊敬的周天，);
        # after mere punctuation, a space or a clause start it may be any word (此致 敬礼！) or a brand, so
        # ordinary words and listed non-names are dropped there, as the cue-free rule drops them.
        candidate = text[start:end]
        head = candidate[:2]
        role_slot = start > 0 and (text[start - 1] in role_ends or text.endswith("尊敬的", 0, start))
        if not role_slot and (
            candidate in common
            or (head in common and head not in compounds)
            or candidate.startswith(not_names)
        ):
            return []
        return [Hit(E.PERSON_NAME, start, end, candidate, 0.6, *BOUNDED_NAME)]

    return PatternRecogniser("bounded_name", first, rest, classify, ("bounded_name", lexicon))


class NameRecogniser:
    """Chinese personal names next to a cue: 我叫张伟, 客户李娜, 王建国先生, 。张伟来电称….

    Names are never guessed from the surname list alone: too many surnames are everyday words (高, 金, 方).
    A candidate that starts with, or cuts through, a place name (张家口, 王府井 is not a place here but has no
    cue) is dropped.
    """

    name = "person_name"

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        # Characters that may start a name: checked before any other work, most cue hits stop here.
        self._surname_first = frozenset(lexicon.surnames | {c[0] for c in lexicon.compound_surnames})
        self._places = {w: len(w) for w in lexicon.places if len(w) > 1}
        self._place_lengths = sorted({len(w) for w in self._places}, reverse=True)
        self._place_heads = frozenset(w[:2] for w in self._places)
        self._common = lexicon.common_words

    def words(self) -> list[tuple[str, str]]:
        lex = self.lexicon
        return [
            *((w, "before") for w in lex.name_before),
            *((w, "before_weak") for w in lex.name_before_weak),
            *((w, "strong") for w in lex.name_after_strong),
            *((w, "weak") for w in lex.name_after_weak),
        ]

    def _surname_len(self, text: str, pos: int) -> int:
        if text[pos : pos + 2] in self.lexicon.compound_surnames:
            return 2
        return 1 if pos < len(text) and text[pos] in self.lexicon.surnames else 0

    def _after_cue(self, text: str, pos: int, *, weak: bool) -> tuple[int, int] | None:
        while pos < len(text) and text[pos] in _CUE_GAP:
            pos += 1
        if pos >= len(text) or text[pos] not in self._surname_first:
            return None
        surname = self._surname_len(text, pos)
        given = pos + surname
        if not surname or given >= len(text) or not is_name_char(text[given]):
            return None
        if text.startswith(self.lexicon.name_after_strong, given):  # 投诉人刘女士: a surname and a title
            return None
        end = given + 1
        if end < len(text) and is_name_char(text[end]):
            following = text[end + 1] if end + 1 < len(text) else ""
            if text[end] in self.lexicon.given_chars or not is_cjk(following) or following in STOP_CHARS:
                end += 1
        if weak and not all(c in self.lexicon.given_chars for c in text[given:end]):
            return None
        if end - given == 2 and text[end - 1 : end + 1] in self._common:  # 我是华信银行: 银行 is a word
            end -= 1
        candidate = text[pos:end]
        if candidate in self._common or (surname == 1 and candidate[:2] in self._common):
            return None  # 客户成功…: an ordinary word after the cue
        if text.startswith(ORG_WORDS, end):
            return None  # 我是华信银行: an organisation's name
        return pos, end

    def _before_cue(self, text: str, end: int, *, weak: bool) -> tuple[int, int] | None:
        if end < 2 or not is_name_char(text[end - 1]):
            return None
        if weak and not _boundary_before_name(text, end):
            return None
        given_set = self.lexicon.given_chars
        for length in (4, 3, 2):
            start = end - length
            if start < 0 or text[start] not in self._surname_first:
                continue
            surname = self._surname_len(text, start)
            given = text[start + surname : end]
            if not surname or not 1 <= len(given) <= 2 or not all(is_name_char(c) for c in given):
                continue
            common = sum(c in given_set for c in given)
            at_boundary = start == 0 or text[start - 1] in _CLAUSE_START
            if weak and common < len(given):
                continue
            if len(given) == 2 and common < 2 and not (common == 1 and at_boundary):
                continue
            if weak and start > 0 and text[start - 1] not in _CLAUSE_START:
                continue
            candidate = text[start:end]
            if candidate in self._common or (surname == 1 and candidate[:2] in self._common):
                continue  # 高兴律师, 文件在: an ordinary word before the cue, not a name
            if start > 0 and text[start - 1 : start + 1] in self._common:
                continue  # 感谢李经理: the "surname" ends the word 感谢
            return start, end
        return None

    def _cuts_place(self, text: str, start: int, end: int) -> bool:
        """A place name starts inside the name and ends after it (张家口 cuts 张家): the name is no name."""
        places = self._places
        for pos in range(start, end):
            if text[pos : pos + 2] not in self._place_heads:
                continue
            for length in self._place_lengths:
                if pos + length > end and text[pos : pos + length] in places:
                    return True
        return False

    def find(self, text: str, matches: Sequence[LexiconMatch]) -> list[Hit]:
        hits: list[Hit] = []
        for match in matches:
            tag = match.tag
            if tag == "before" or tag == "before_weak":
                span = self._after_cue(text, match.end, weak=tag == "before_weak")
                confidence = 0.85 if tag == "before" else 0.7
            else:
                span = self._before_cue(text, match.start, weak=tag == "weak")
                confidence = 0.85 if tag == "strong" else 0.7
            if span is None or self._cuts_place(text, *span):
                continue
            start, end = span
            hits.append(
                Hit(E.PERSON_NAME, start, end, text[start:end], confidence, self.name, f"cue {match.word}")
            )
        return hits


def _boundary_before_name(text: str, end: int) -> bool:
    """A two- to four-character name ending at ``end`` could start at a clause boundary (weak cues need one)."""
    for length in (2, 3, 4):
        start = end - length
        if start == 0 or (start > 0 and text[start - 1] in _CLAUSE_START):
            return True
    return False


# --- addresses -----------------------------------------------------------------------------------------------

_CJKN = (
    r"(?:(?![的了是在与及或就都也还又很把被给对从到说要这那个们我你他她吗呢吧啊])[\u4e00-\u9fff0-9A-Za-z])"
)
_NUM = "[0-9０-９一二三四五六七八九十百零]"
ADMIN_UNITS = ("街道", "镇", "乡", "村", "区", "县", "旗")  # generic units after a place name (GENERIC_ADMIN)
GENERIC_ADMIN = re.compile(f"{_CJKN}{{1,5}}?(?:{'|'.join(ADMIN_UNITS)})")
ADDRESS_TAIL = re.compile(
    f"(?P<street>{_CJKN}{{0,10}}?(?:大道|大街|路|街|巷|弄|胡同|道))?"
    f"(?P<number>{_NUM}{{1,5}}(?:号院|号|弄|巷))?"
    f"(?P<estate>{_CJKN}{{1,10}}?(?:小区|花园|公寓|大厦|家园|新村|广场|苑|村|社区|园|城|中心|大楼))?"
    f"(?P<unit>(?:[0-9０-９A-Za-z一二三四五六七八九十]{{1,5}}(?:号楼|栋|幢|座|单元|层|楼|室|号|户|组))+)?"
)


_ADDRESS_CHANGE_VERBS = ("变更为", "更改为", "修改为", "更新为", "改成", "改为", "为")


@dataclass
class _AddressParts:
    end: int
    admins: int = 0
    suffixed: int = 0
    strong_tail: bool = False
    estate: bool = False


class AddressRecogniser:
    """Addresses: a chain of gazetteer units (广东省深圳市南山区) and/or street, number, estate, unit parts.

    An address must say more than a city name: two units with at least one written with its suffix, or a unit
    followed by a house number, building or room; after a cue (住在, 地址) a street part alone is enough.
    """

    name = "address"

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        # Place-name lengths by first character, longest first: the masking operator's prefix walk checks few.
        lengths: dict[str, set[int]] = {}
        for word in lexicon.places:
            lengths.setdefault(word[0], set()).add(len(word))
        self._lengths_by_first = {c: tuple(sorted(n, reverse=True)) for c, n in lengths.items()}

    def words(self) -> list[tuple[str, str]]:
        return [
            *((w, "admin") for w in self.lexicon.places),
            *((w, "cue") for w in self.lexicon.address_before),
        ]

    def parse(self, text: str, start: int, admin_end: dict[int, int]) -> _AddressParts:
        """Consume administrative units then the street tail from ``start``; what it found decides acceptance."""
        parts = _AddressParts(end=start)
        while True:
            if parts.end in admin_end:
                word_end = admin_end[parts.end]
                parts.suffixed += self.lexicon.places.get(text[parts.end : word_end], False)
                parts.end = word_end
                parts.admins += 1
                continue
            generic = GENERIC_ADMIN.match(text, parts.end) if parts.admins else None
            if generic is None:
                break
            parts.end = generic.end()
            parts.admins += 1
            parts.suffixed += 1
        tail = ADDRESS_TAIL.match(text, parts.end)
        if tail is not None and tail.end() > parts.end:
            groups = tail.groupdict()
            parts.strong_tail = bool(
                groups["number"] or groups["unit"] or (groups["street"] and groups["estate"])
            )
            parts.estate = bool(groups["estate"])
            if parts.strong_tail or parts.estate:
                parts.end = tail.end()
        return parts

    def find(self, text: str, matches: Sequence[LexiconMatch]) -> list[Hit]:
        admin_end: dict[int, int] = {}
        starts: list[tuple[int, bool]] = []
        for m in matches:
            if m.tag == "admin":
                admin_end[m.start] = max(admin_end.get(m.start, 0), m.end)
                starts.append((m.start, False))
            elif m.tag == "cue":
                pos = m.end
                while pos < len(text) and text[pos] in "：: 是在\u3000":
                    pos += 1
                for verb in _ADDRESS_CHANGE_VERBS:  # 地址改为…: the address follows the verb
                    if text.startswith(verb, pos):
                        pos += len(verb)
                        break
                starts.append((pos, True))
        hits: list[Hit] = []
        covered = -1
        for start, after_cue in sorted(set(starts)):
            if start < covered:
                continue
            parts = self.parse(text, start, admin_end)
            if after_cue:
                ok = parts.admins >= 1 or parts.strong_tail or parts.estate
            else:
                ok = (
                    (parts.admins >= 2 and parts.suffixed >= 1)
                    or (parts.admins >= 1 and parts.strong_tail)
                    or (parts.suffixed >= 1 and parts.estate)
                )
            if ok and parts.end > start:
                covered = parts.end
                confidence = 0.9 if parts.admins >= 2 or parts.strong_tail else 0.8
                hits.append(
                    Hit(
                        E.ADDRESS,
                        start,
                        parts.end,
                        text[start : parts.end],
                        confidence,
                        self.name,
                        "gazetteer units and street pattern",
                    )
                )
        return hits

    def admin_prefix_length(self, value: str) -> int:
        """How much of an address is province/city/district: the part display masking may keep."""
        pos = 0
        places = self.lexicon.places
        while pos < len(value):
            length = 0
            for n in self._lengths_by_first.get(value[pos], ()):
                if value[pos : pos + n] in places:
                    length = n
                    break
            if length:
                pos += length
                continue
            generic = GENERIC_ADMIN.match(value, pos) if pos else None
            if generic is None:
                break
            pos = generic.end()
        return pos


@cache
def _address_parser() -> AddressRecogniser:
    return AddressRecogniser(load_lexicon())


def admin_prefix_length(address: str) -> int:
    """How many leading characters of ``address`` are province/city/district (what display masking keeps)."""
    return _address_parser().admin_prefix_length(address)


def register_builtins(registry: Registry[Recogniser]) -> None:
    """The recognisers GrayShield ships; order matters only for the joined regex (earlier wins a tie)."""
    from grayshield.pii.names import context_name_recogniser  # names builds on this module's shapes

    lexicon = load_lexicon()
    email = SimpleClassifier(E.EMAIL, 0.95, "e-mail shape")
    ip_veto = ("版本", "version", "Version", "v", "V")
    ip = SimpleClassifier(E.IP_ADDRESS, 0.85, "IP address", check=V.is_ip_address, veto=ip_veto)
    passport = SimpleClassifier(E.PASSPORT, 0.8, "passport number shape", ("护照",))
    permit = SimpleClassifier(E.TRAVEL_PERMIT, 0.75, "HK/Macau/Taiwan permit shape", PERMIT_CUES)
    plate = SimpleClassifier(
        E.LICENSE_PLATE, 0.85, "licence plate shape", ("车牌", "车号"), check=plate_has_digit
    )
    recognisers: tuple[Recogniser, ...] = (
        PatternRecogniser("email", _ALNUM, EMAIL_REST, email),
        PatternRecogniser("ip_address", IP_FIRST, IP_REST, ip),
        PatternRecogniser("passport", "EG", PASSPORT_REST, passport),
        PatternRecogniser("travel_permit", "CWHMLT", PERMIT_REST, permit),
        PatternRecogniser("license_plate", PLATE_FIRST, PLATE_REST, plate),
        PatternRecogniser("number", NUMBER_FIRST, NUMBER_REST, classify_numbers, ("number", lexicon)),
        listed_name_recogniser(lexicon),
        bounded_name_recogniser(lexicon),
        context_name_recogniser(lexicon, lexicon.places),
        NameRecogniser(lexicon),
        AddressRecogniser(lexicon),
    )
    for recogniser in recognisers:
        registry.register(recogniser.name, recogniser)


register_builtins(RECOGNISERS)
