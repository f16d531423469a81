"""Contact handles as black/gray posts write them: V信, 薇, 扣扣, 1 3 8…, 幺三八, ①③⑧.

The simulator passes the canonical contact (it records that form in the truth tables); this
module only decides how the advert spells it. A prefix ``wechat:``, ``qq:`` or ``phone:`` says
what it is; without one, an 11-digit mobile or a 400 line is a phone, other 5–10 digit strings are
QQ numbers unless written with +86 or a leading 0 (landlines), other digit strings are phones and
anything else is a WeChat id.
"""

from __future__ import annotations

import re

from grayshield.sim.content.draw import Draw
from grayshield.sim.content.evasion import DIGIT_STYLES

WECHAT_PREFIXES = (
    "V信", "薇信", "微❤", "vx", "VX", "威信", "徽信", "wx", "V", "薇", "+V", "加微", "绿泡泡", "卫星", "🛰", "v❤",
    "微信", "wei信", "VX号",
)
QQ_PREFIXES = ("扣扣", "企鹅", "Q", "qq", "抠抠", "🐧", "QQ号", "扣")
PHONE_PREFIXES = ("电话", "☎", "📞", "tel", "dian话", "手机", "联系", "热线", "call", "📱", "")
_PLAIN_WECHAT = ("微信", "wx")
_PLAIN_QQ = ("QQ",)
_PLAIN_PHONE = ("电话", "手机")
_DIGITS = re.compile(r"\d")
_MOBILE = re.compile(r"^1\d{10}$")
_SERVICE = re.compile(r"^(400\d{7}|95\d{3,4})$")
_QQ = re.compile(r"^\d{5,10}$")
_SPACERS = (" ", "-", " ", "  ", ".", "—", "_")


def classify_contact(contact: str) -> tuple[str, str]:
    """``(kind, value)`` with kind ``wechat``, ``qq`` or ``phone``, read from a canonical contact."""
    kind, sep, value = contact.partition(":")
    if sep and kind in {"wechat", "qq", "phone"}:
        return kind, value
    compact = contact.replace(" ", "")
    digits = compact.removeprefix("+86")
    if not digits.isdigit():
        return "wechat", contact
    if _MOBILE.match(digits) or _SERVICE.match(digits) or digits.startswith("0"):
        return "phone", digits
    if compact.startswith("+86"):
        return "phone", "0" + digits  # a landline, written with its trunk prefix
    if _QQ.match(digits):
        return "qq", digits
    return "phone", digits


def _styled_digits(value: str, draw: Draw) -> str:
    """Digits in one style, sometimes mixing two, the way adverts defeat number filters."""
    styles = tuple(DIGIT_STYLES.values())
    main = draw.choice(styles)
    mixed = draw.chance(0.3)
    out = []
    for char in value:
        if char.isdigit():
            style = draw.choice(styles) if mixed and draw.chance(0.3) else main
            out.append(style[int(char)])
        else:
            out.append(char)
    return "".join(out)


def _grouped(value: str, draw: Draw) -> str:
    spacer = draw.choice(_SPACERS)
    if draw.chance(0.4):
        return spacer.join(value)
    if len(value) == 11:
        return spacer.join((value[:3], value[3:7], value[7:]))
    groups = [value[i:i + 3] for i in range(0, len(value), 3)]
    if len(groups) > 1 and len(groups[-1]) == 1:
        tail = groups.pop()
        groups[-1] += tail
    return spacer.join(groups)


def obfuscate_contact(contact: str, draw: Draw, evade: bool) -> str:
    """How a post writes ``contact``: plain (``evade`` false) or with a disguised prefix and digits."""
    kind, value = classify_contact(contact)
    if not evade:
        plain = {"wechat": _PLAIN_WECHAT, "qq": _PLAIN_QQ, "phone": _PLAIN_PHONE}[kind]
        return f"{draw.choice(plain)}{draw.choice(('：', ':', ' ', ''))}{value}"
    prefixes = {"wechat": WECHAT_PREFIXES, "qq": QQ_PREFIXES, "phone": PHONE_PREFIXES}[kind]
    shown = value
    has_digits = bool(_DIGITS.search(value))
    if kind == "phone" or (has_digits and kind == "qq"):
        roll = draw.random()
        if roll < 0.45:
            shown = _styled_digits(value, draw)
        elif roll < 0.85:
            shown = _grouped(value, draw)
        else:
            shown = _styled_digits(_grouped(value, draw), draw)
    elif draw.chance(0.3):
        shown = " ".join(value)
    return f"{draw.choice(prefixes)}{draw.choice(('：', ':', ' ', '', '→', '👉'))}{shown}"
