"""Number attributes: one table of spellings and what each must resolve to."""

from __future__ import annotations

import pytest

from grayshield.callers.numbers import NumberType, describe_number, mask_numbers

CASES = [
    ("13812345678", "+8613812345678", NumberType.MOBILE, "中国移动", "江苏省", "连云港市"),
    ("+86 138-1234-5678", "+8613812345678", NumberType.MOBILE, "中国移动", "江苏省", "连云港市"),
    ("17012345678", "+8617012345678", NumberType.VIRTUAL, "中国电信", "", ""),
    ("16512345678", "+8616512345678", NumberType.VIRTUAL, "", "", ""),
    ("0086 171 2345 6789", "+8617123456789", NumberType.VIRTUAL, None, None, None),
    ("1441234567890", "+861441234567890", NumberType.IOT, "", "", ""),
    ("021-61234567", "+862161234567", NumberType.LANDLINE, "", "上海市", "上海市"),
    ("(010) 6412 3456", "+861064123456", NumberType.LANDLINE, "", "北京市", "北京市"),
    ("400-123-4567", "+864001234567", NumberType.SERVICE_400, "", "", ""),
    ("95555", "95555", NumberType.SERVICE_95, "", "", ""),
    ("12345678901234567890", None, NumberType.MALFORMED, "", "", ""),
    ("not a number", None, NumberType.MALFORMED, "", "", ""),
    ("", None, NumberType.MALFORMED, "", "", ""),
]


@pytest.mark.parametrize(("raw", "number", "kind", "carrier", "province", "city"), CASES)
def test_describe_number(raw: str, number: str | None, kind: NumberType, carrier: str | None,
                         province: str | None, city: str | None) -> None:
    attrs = describe_number(raw)
    assert attrs.number == number
    assert attrs.number_type is kind
    assert attrs.is_valid is (kind is not NumberType.MALFORMED)
    if carrier is not None:
        assert (attrs.carrier, attrs.province, attrs.city) == (carrier, province, city)


def test_as_dict_names_the_type_in_chinese() -> None:
    assert describe_number("17012345678").as_dict()["number_type_zh"] == "虚拟运营商号段"


@pytest.mark.parametrize(("raw", "shown"), [
    ("+8613800138000", "138****8000"),  # national form: the segment stays readable
    ("170 1234 5678", "170****5678"),
    ("+861055512345", "010****2345"),  # a landline in its national spelling
    ("+864001234567", "4001234567"),  # public lines identify nobody
    ("95528", "95528"),
])
def test_numbers_are_shown_masked_by_the_pii_policy(raw: str, shown: str) -> None:
    assert mask_numbers([raw]) == [shown]
