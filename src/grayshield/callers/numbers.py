"""What a phone number says about itself before anyone calls from it: type, carrier and home region.

Carrier and region come from ``phonenumbers``' own carrier and geocoder data (libphonenumber's, updated with the
package). Number *type* needs mainland knowledge that libphonenumber folds into "mobile": the virtual-operator
segments (170/171/162/165/167) that agencies favour because they are cheap and loosely registered, and the IoT
segments (140-148 at 13 digits) that never belong to a person. Those are the small prefix tables below.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from grayshield.lake.phone import is_business_line, is_service_number, normalise_phone


class NumberType(StrEnum):
    MOBILE = "mobile"
    VIRTUAL = "virtual"  # 虚拟运营商号段
    IOT = "iot"  # 物联网号段
    LANDLINE = "landline"
    SERVICE_400 = "service_400"  # 400/800 企业热线
    SERVICE_95 = "service_95"  # 95xxx / 96xxx / 1xxxx 短号
    MALFORMED = "malformed"


NUMBER_TYPE_ZH = {
    NumberType.MOBILE: "手机号",
    NumberType.VIRTUAL: "虚拟运营商号段",
    NumberType.IOT: "物联网号段",
    NumberType.LANDLINE: "固定电话",
    NumberType.SERVICE_400: "400/800 企业热线",
    NumberType.SERVICE_95: "短号服务热线",
    NumberType.MALFORMED: "号码格式错误",
}

VIRTUAL_PREFIXES = ("170", "171", "162", "165", "167")
IOT_PREFIXES = ("140", "141", "144", "146", "148")


@dataclass(frozen=True)
class NumberAttributes:
    """One number, normalised, with what its segment tells (carrier and region are '' when unknown)."""

    raw: str
    number: str | None
    number_type: NumberType
    carrier: str
    province: str
    city: str

    @property
    def is_valid(self) -> bool:
        return self.number_type is not NumberType.MALFORMED

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "number_type": self.number_type.value,
                "number_type_zh": NUMBER_TYPE_ZH[self.number_type]}


@lru_cache(maxsize=200_000)
def classify_number(raw: str) -> tuple[str | None, NumberType]:
    """Canonical form and type of ``raw`` without the carrier/region lookup: the fast path real-time screening
    needs (phonenumbers' geocoder data takes seconds to load and is not needed to answer the IVR)."""
    text = raw.strip()
    national = re.sub(r"^(\+86|0086)", "", re.sub(r"[\s\-()（）.]", "", text))
    if re.fullmatch(r"1(4[01468])\d{10}", national):  # 13-digit IoT numbers that phonenumbers rejects
        return f"+86{national}", NumberType.IOT
    number = normalise_phone(text)
    if number is None:
        if re.fullmatch(r"(400|800)\d{7}", national):
            return f"+86{national}", NumberType.SERVICE_400
        return None, NumberType.MALFORMED
    if is_service_number(number):
        return number, NumberType.SERVICE_95
    if is_business_line(number):
        return number, NumberType.SERVICE_400
    body = number.removeprefix("+86")
    if body.startswith("1") and len(body) == 11:
        kind = (NumberType.VIRTUAL if body[:3] in VIRTUAL_PREFIXES
                else NumberType.IOT if body[:3] in IOT_PREFIXES else NumberType.MOBILE)
        return number, kind
    return number, NumberType.LANDLINE


@lru_cache(maxsize=200_000)
def describe_number(raw: str) -> NumberAttributes:
    """Attributes of ``raw`` (any accepted spelling); a number that does not parse is MALFORMED, not an error."""
    number, kind = classify_number(raw)
    if number is None or kind not in (NumberType.MOBILE, NumberType.VIRTUAL, NumberType.LANDLINE):
        return NumberAttributes(raw, number, kind, "", "", "")
    carrier, province, city = _segment(number)
    return NumberAttributes(raw, number, kind, carrier, province, city)


def _segment(number: str) -> tuple[str, str, str]:
    """Carrier, province and city of the number's segment from phonenumbers' bundled data."""
    import phonenumbers
    from phonenumbers import carrier, geocoder

    parsed = phonenumbers.parse(number)
    name = carrier.name_for_number(parsed, "zh")
    where = geocoder.description_for_number(parsed, "zh")
    province, city = _split_region(where)
    return name, province, city


_PROVINCE = re.compile(r"^(.+?(?:省|自治区|特别行政区))(.*)$")
_MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")


def _split_region(where: str) -> tuple[str, str]:
    """'江苏省连云港市' -> ('江苏省', '连云港市'); a municipality is both; '中国' (country only) is unknown."""
    if not where or where == "中国":
        return "", ""
    if where in _MUNICIPALITIES:
        return where, where
    match = _PROVINCE.match(where)
    if match:
        return match.group(1), match.group(2)
    return "", where


def number_attributes(numbers: list[str]) -> list[dict[str, Any]]:
    """Attributes of many numbers, one dict per input (numbers repeat a lot, so results are cached)."""
    return [describe_number(n).as_dict() for n in numbers]


PUBLIC_LINES = (NumberType.SERVICE_400, NumberType.SERVICE_95)
"""Institutions' public lines: shared by everyone who quotes them, they identify nobody and are shown clear."""


def mask_numbers(numbers: list[str]) -> list[str]:
    """How caller numbers are shown where their clear value is not needed: the PII policy's PHONE mask
    (JR/T 0171-2020 display masking) on the national form, so ``+8613800138000`` reads ``138****8000``.

    Why the national form: masking keeps the first and last digits, and on ``+86...`` the kept head would be the
    country code, hiding the segment (138, 170) that tells an analyst what kind of number it is. Public service
    lines (95528, 400 ...) stay clear; anything that does not parse is masked as it was given.
    """
    from grayshield.pii import Hit, default_policy

    operator = default_policy().operator_for("PHONE")  # a whole value is one PHONE hit: nothing to scan for
    shown: list[str] = []
    for raw in numbers:
        number, kind = classify_number(raw)
        body = (number or raw).removeprefix("+86")
        national = body if kind is not NumberType.LANDLINE or body.startswith("0") else f"0{body}"
        shown.append(national if kind in PUBLIC_LINES
                     else operator.apply(Hit("PHONE", 0, len(national), national, 1.0, "caller_number"), None))
    return shown
