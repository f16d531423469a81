"""Check digits and shape rules that turn a regex candidate into a finding.

Each is a published algorithm: GB 11643-1999 (resident ID, ISO 7064 MOD 11-2), ISO/IEC 7812 Luhn (cards),
the GB/T 2260 province codes, and the mobile/landline numbering plan of the MIIT.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import operator
import re

# Chinese numerals used to spell digits (evasion spellings such as 一三八零…), fullwidth digits.
DIGIT_TRANSLATION = str.maketrans(
    "零〇一二三四五六七八九幺两０１２３４５６７８９Ｘｘx", "00123456789120123456789XXX"
)
SEPARATORS = re.compile(r"[ +\-\u3000]")

# GB/T 2260 province-level codes: the first two digits of every resident ID.
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 91".split()
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# Issuer prefixes of cards sold in China: UnionPay 62/60/9, Visa 4, Mastercard 51-55 and 2221-2720, JCB 35.
CARD_BIN = re.compile(r"^(?:62|60|9[0-9]|4|5[1-5]|2(?:22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)|35)")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Area codes: 010 and 02X are three digits followed by 8; the rest are four digits followed by 7 or 8.
LANDLINE = re.compile(r"^(?:0(?:10|2\d)\d{8}|0[3-9]\d{2}\d{7,8})$")
COUNTRY_PREFIX = re.compile(r"^(?:\+86|0086|86)")


# The same translation deleting the separators too: one pass over the characters instead of a translate and a
# regex substitution (the separators are no translation target, so the result is the same).
_NORMALISE = {**DIGIT_TRANSLATION, **{ord(c): None for c in " +-\u3000"}}


def normalise_digits(raw: str) -> str:
    """Digits only, ASCII, separators removed; a trailing ID check letter becomes ``X``."""
    return raw.translate(_NORMALISE)


def id_check_char(first17: str) -> str:
    if first17.isascii() and first17.isdigit():
        # The bytes of ASCII digits are 48 + digit: one C-level pass instead of an int() call per character,
        # which was most of the time of a resident-ID check.
        weighted = sum(map(operator.mul, first17.encode(), _ID_WEIGHTS))
        return _ID_CHECK[(weighted - 48 * sum(_ID_WEIGHTS[: len(first17)])) % 11]
    return _ID_CHECK[sum(map(operator.mul, map(int, first17), _ID_WEIGHTS)) % 11]


# Read once: asking the clock for every candidate number is measurable on the hot path, and a birth date a
# day in the future of a long-running process's start is no real ID anyway.
_EARLIEST_BIRTH = dt.date(1900, 1, 1)
_LATEST_BIRTH = dt.date.today()


def _valid_date(year: int, month: int, day: int) -> bool:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False
    try:
        born = dt.date(year, month, day)
    except ValueError:
        return False
    return _EARLIEST_BIRTH <= born <= _LATEST_BIRTH


def is_resident_id(number: str) -> bool:
    """18-digit GB 11643 ID: province code, real birth date, MOD 11-2 check character."""
    if len(number) != 18 or not number[:17].isdigit() or number[:2] not in PROVINCE_CODES:
        return False
    if not _valid_date(int(number[6:10]), int(number[10:12]), int(number[12:14])):
        return False
    return id_check_char(number[:17]) == number[17]


def is_legacy_resident_id(number: str) -> bool:
    """15-digit pre-1999 ID: province code and a 19YYMMDD birth date (no check digit exists)."""
    if len(number) != 15 or not number.isdigit() or number[:2] not in PROVINCE_CODES:
        return False
    return _valid_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))


_LUHN_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


# _LUHN_DOUBLED indexed by the byte of an ASCII digit (48 + digit), so no int() call per character is needed.
_LUHN_DOUBLED_BY_BYTE = (0,) * 48 + _LUHN_DOUBLED


def luhn_ok(number: str) -> bool:
    if not (number.isascii() and number.isdigit()):
        return False
    digits = number.encode()
    plain = sum(digits[-1::-2]) - 48 * len(digits[-1::-2])
    doubled = sum(map(_LUHN_DOUBLED_BY_BYTE.__getitem__, digits[-2::-2]))
    return (plain + doubled) % 10 == 0


def is_bank_card(number: str) -> bool:
    return 16 <= len(number) <= 19 and luhn_ok(number)


def has_card_bin(number: str) -> bool:
    return CARD_BIN.match(number) is not None


def strip_country_code(number: str) -> str:
    """``+86``/``0086``/``86`` in front of an 11-digit mobile is dialling, not part of the number."""
    stripped = COUNTRY_PREFIX.sub("", number, count=1)
    return stripped if stripped != number and MOBILE.match(stripped) else number


def is_ip_address(candidate: str) -> bool:
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return False
    return True
