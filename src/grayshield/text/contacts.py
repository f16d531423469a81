"""Contact extraction: the phone numbers, WeChat / QQ handles and links that bridge a post to a gang.

Like a Presidio recogniser, each kind is a pattern plus a validator plus context: a digit run must
read as exactly one valid Chinese number (``phonenumbers`` decides), so order numbers, amounts and
dates, which are longer, shorter or wrongly prefixed runs, fall out; a handle needs its cue word
(薇, vx, 扣扣 …) right before it. Digits are read one by one — 幺三八, 衣散吧, ①③⑧ — which is how
numbers are dictated and disguised, and which cn2an's positional reading (一千三百) does not do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from grayshield.text.fold import FoldTable, fold, fold_with_offsets

# Emoji that stand for a contact cue in ads: the penguin is QQ's mascot, the satellite (卫星) is a
# homophone of 微信 (as 绿泡泡, the green bubble, is its nickname), the handsets mean a phone number follows.
CONTACT_TABLE = FoldTable(keep_separators=True, extra={"🐧": "企鹅", "🛰": "卫星", "📞": "电话", "📱": "电话",
                                                       "☎": "电话"})

# Digits as written to dodge filters: Chinese and financial numerals, radio dictation (洞幺两…拐八勾),
# and common homophones (and the letters o, l). Those are ordinary characters too, so a run needs most of its digits
# unambiguous, or a phone cue (电话, 联系 …) right before it.
_STRONG_DIGITS = {
    **{c: str(i) for i, c in enumerate("〇一二三四五六七八九")},
    **{c: str(i) for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")},
    "洞": "0", "幺": "1", "两": "2", "拐": "7", "勾": "9",
}
_HOMOPHONE_DIGITS = {
    **dict.fromkeys("灵铃令", "0"), **dict.fromkeys("衣依伊医", "1"), **dict.fromkeys("尔耳饵", "2"),
    **dict.fromkeys("伞散", "3"), **dict.fromkeys("死寺似", "4"), **dict.fromkeys("舞午吾", "5"),
    **dict.fromkeys("溜留流", "6"), **dict.fromkeys("妻期漆器", "7"), **dict.fromkeys("吧扒巴", "8"),
    **dict.fromkeys("久酒旧", "9"), "o": "0", "l": "1",
}
_DIGIT_OF = {**{str(i): str(i) for i in range(10)}, **_STRONG_DIGITS, **_HOMOPHONE_DIGITS}
_DIGIT_CLASS = "".join(sorted(_DIGIT_OF))
# What may sit between the digits of one number (1-3-8, 1 3 8, 1—3—8, 1.3.8, 1_3_8; emoji fold to a space);
# brackets, commas and colons end a number: 电话13800000000（24小时）is not a 13-digit number.
_SEPARATORS = r"[ \t\-‐‑‒–—―－_.·•/\\*~+|]"
_DIGIT_RUN = re.compile(rf"[{_DIGIT_CLASS}](?:{_SEPARATORS}{{0,3}}[{_DIGIT_CLASS}]){{6,}}")  # 7+: shorter is no number
_PHONE_CUES = re.compile(r"(电话|dian话|手机|号码|联系|致电|打|拨|热线|咨询|call|tel|dh)[^\w\n]*$")
_SERVICE_NUMBER = re.compile(r"(?<![0-9])95[0-9]{3}(?![0-9])")  # banks' 955xx hotlines, only after a phone cue
_NUMBER_CUES = re.compile(r"(订单|单号|流水|编号|卡号|账号|尾号|金额|额度|合同|工号|身份证)[号码:：\s]*$")

_HANDLE_CUES = {
    "wechat": r"微信|威信|薇信|维信|徽信|魏信|wei信|v信|卫星|绿泡泡|vx|wx|weixin|wechat|薇|威|微|卫|v",
    "qq": r"扣扣|qq|企鹅|球球|抠抠|口口|扣|q",
}
_HANDLE = re.compile(
    r"(?<![a-z0-9])(?P<cue>" + "|".join(f"(?P<{kind}>{cues})" for kind, cues in _HANDLE_CUES.items()) + r")"
    r"(?:号|号码|账号)?[^\w\n]{0,4}"
    r"(?P<value>[a-z][-_a-z0-9]{5,19}(?![-_a-z0-9])"  # abc_123
    r"|[a-z0-9](?: [-_a-z0-9]){5,19}(?![-_a-z0-9])"  # g 0 0 8 _ 3 _ f w
    rf"|[{_DIGIT_CLASS}](?:{_SEPARATORS}{{0,2}}[{_DIGIT_CLASS}]){{4,11}})"
)
_LINK = re.compile(
    r"(?:https?://|www\.)[^\s，。！？、\u4e00-\u9fff]+"
    r"|\b[a-z0-9][-a-z0-9]{1,62}\.(?:com|cn|net|org|top|xyz|vip|cc|me|info|link|site|ltd)(?:/[^\s，。！？\u4e00-\u9fff]*)?"
)


@dataclass(frozen=True)
class Contact:
    kind: str  # phone, wechat, qq, link
    value: str  # canonical: digits for numbers, lower-case handle, link as written (folded)
    start: int  # in the original text
    end: int
    surface: str

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "start": self.start, "end": self.end, "surface": self.surface}


def _digits(run: str) -> tuple[str, int]:
    """The digits a run spells and how many of them were homophones."""
    digits = [_DIGIT_OF[c] for c in run if c in _DIGIT_OF]
    return "".join(digits), sum(c in _HOMOPHONE_DIGITS for c in run)


@lru_cache(maxsize=65536)  # gangs reuse their numbers, and phonenumbers' parse is the slow part
def _phone_number(digits: str) -> str | None:
    """The run as a valid Chinese mobile, landline or 400/800 number, or None (order numbers, amounts, dates)."""
    import phonenumbers

    national = digits[2:] if digits.startswith("86") and len(digits) == 13 else digits
    if not 10 <= len(national) <= 12:
        return None
    if national.startswith(("400", "800")) and len(national) == 10:
        return national
    if not national.startswith(("1", "0")):  # landlines are written with their trunk 0 (020-…); 2023… is a date
        return None
    try:
        parsed = phonenumbers.parse(national, "CN")
    except phonenumbers.NumberParseException:
        return None
    return national if phonenumbers.is_valid_number(parsed) else None


def extract_contacts(text: str) -> list[Contact]:
    """Every phone number, handle and link in ``text``, with its span in the original text."""
    view = fold(text, CONTACT_TABLE)
    found: list[Contact] = []
    taken: list[tuple[int, int]] = []
    offsets: list[int] = []  # worked out on the first find only: most texts have no contact at all

    def add(kind: str, value: str, start: int, end: int) -> None:
        if not offsets:
            offsets.extend(fold_with_offsets(text, CONTACT_TABLE)[1])
        original_start, original_end = offsets[start], offsets[end - 1] + 1
        found.append(Contact(kind, value, original_start, original_end, text[original_start:original_end]))
        taken.append((start, end))

    for match in _LINK.finditer(view):
        link = match.group(0).rstrip(".,")
        add("link", link, match.start(), match.start() + len(link))
        found[-1] = replace(found[-1], value=found[-1].surface)  # paths are case-sensitive: keep them as written
    for match in _HANDLE.finditer(view):
        if _overlaps(match.span(), taken):
            continue
        kind = "qq" if match.group("qq") else "wechat"
        value = match.group("value").replace(" ", "") if match.group("value")[0].isalpha() else match.group("value")
        if all(c in _DIGIT_OF or c in " -" for c in value):
            value, homophones = _digits(value)
            if homophones * 2 > len(value) or (kind == "qq" and value[0] == "0"):
                continue
            if kind == "wechat" and _phone_number(value):
                kind, value = "phone", _phone_number(value) or value  # "微信同号 138…": the handle is a phone
        add(kind, value, match.start(), match.end())
    for match in _SERVICE_NUMBER.finditer(view):
        if not _overlaps(match.span(), taken) and _PHONE_CUES.search(view[max(0, match.start() - 8) : match.start()]):
            add("phone", match.group(0), match.start(), match.end())
    for match in _DIGIT_RUN.finditer(view):
        start, end = _trim_homophones(view, *match.span())
        before = view[max(0, start - 8) : start]
        if _overlaps((start, end), taken) or _NUMBER_CUES.search(before):
            continue
        digits, homophones = _digits(view[start:end])
        number = _phone_number(digits)
        if number and (homophones * 2 <= len(digits) or _PHONE_CUES.search(before)):
            add("phone", number, start, end)
    return sorted(found, key=lambda c: c.start)


def _trim_homophones(view: str, start: int, end: int) -> tuple[int, int]:
    """Drop homophone 'digits' at the edges of a run unless they are needed (加我138…678吧: 吧 is a particle)."""
    digits, _ = _digits(view[start:end])
    if _phone_number(digits):
        return start, end
    edge = set(_HOMOPHONE_DIGITS) | set(" -_.·•,，、/|*~+")
    while end > start and view[end - 1] in edge:
        end -= 1
    while start < end and view[start] in edge:
        start += 1
    return start, end


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)
