"""One table per entity: text in, the (entity, text) hits the scanner must find, and what it must not."""

from __future__ import annotations

import pytest

from grayshield.core.errors import RegistryError
from grayshield.pii import Scanner, scan_text
from grayshield.pii import validators as V
from grayshield.pii.entities import Hit
from grayshield.pii.recognisers import RECOGNISERS, PatternRecogniser


def found(text: str) -> list[tuple[str, str]]:
    return [(h.entity, h.text) for h in scan_text(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("身份证号11010519491231002X已核实", [("ID_CARD", "11010519491231002X")]),
        ("身份证 110105194912310021", []),  # wrong check digit
        ("老证件号110105491231002", [("ID_CARD", "110105491231002")]),  # 15-digit legacy
        ("流水号990105491231002", []),  # 99 is no province code
        ("卡号6222021234567890128被盗刷", [("BANK_CARD", "6222021234567890128")]),
        ("卡号 6222 0212 3456 7890 128", [("BANK_CARD", "6222 0212 3456 7890 128")]),
        ("订单号6222021234567890127", []),  # Luhn fails
        ("编号1234567812345670", []),  # Luhn passes, no issuer prefix and no card cue
        ("对公账号 110060149018001234567", [("BANK_ACCOUNT", "110060149018001234567")]),
        ("电话13800138000", [("PHONE", "13800138000")]),
        ("手机+86 139-1234-5678", [("PHONE", "+86 139-1234-5678")]),
        ("打一三八零零一三八零零零找我", [("PHONE", "一三八零零一三八零零零")]),
        ("座机010-62345678", [("PHONE", "010-62345678")]),
        ("电话0755 8888 1234", [("PHONE", "0755 8888 1234")]),
        ("时间2023-05-12 13800138000", [("PHONE", "13800138000")]),
        ("金额13800元，日期20230512", []),
        ("邮箱lina88@qq.com", [("EMAIL", "lina88@qq.com")]),
        ("登录IP 192.168.1.10", [("IP_ADDRESS", "192.168.1.10")]),
        ("版本999.1.1.1", []),
        ("地址 2001:db8::8a2e:370:7334", [("IP_ADDRESS", "2001:db8::8a2e:370:7334")]),
        ("车牌粤B12345", [("LICENSE_PLATE", "粤B12345")]),
        ("新能源车牌沪AD12345", [("LICENSE_PLATE", "沪AD12345")]),
        ("护照E12345678", [("PASSPORT", "E12345678")]),
        ("港澳通行证C12345678", [("TRAVEL_PERMIT", "C12345678")]),
        ("回乡证H1234567801", [("TRAVEL_PERMIT", "H1234567801")]),
        ("台胞证12345678", [("TRAVEL_PERMIT", "12345678")]),
    ],
)
def test_shaped_identifiers(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("客户张伟来电", [("PERSON_NAME", "张伟")]),
        ("我叫李娜，今年三十", [("PERSON_NAME", "李娜")]),
        ("我叫张伟今年三十岁", [("PERSON_NAME", "张伟")]),
        ("王建国先生您好", [("PERSON_NAME", "王建国")]),
        ("请联系欧阳娜娜女士", [("PERSON_NAME", "欧阳娜娜")]),
        ("持卡人：赵丽", [("PERSON_NAME", "赵丽")]),
        ("联系方式见下", []),
        ("我去王府井逛街", []),
        ("客户在张家口出差", []),
        ("高度的重视", []),
    ],
)
def test_names(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "住在广东省深圳市南山区科技园路12号3栋501室。",
            [("ADDRESS", "广东省深圳市南山区科技园路12号3栋501室")],
        ),
        ("他在北京市朝阳区上班", [("ADDRESS", "北京市朝阳区")]),
        ("家住王府井大街18号", [("ADDRESS", "王府井大街18号")]),
        ("杭州市西湖区文三路90号", [("ADDRESS", "杭州市西湖区文三路90号")]),
        ("北京时间八点", []),
        ("上海市民很多", []),
        ("去张家口出差", []),
    ],
)
def test_addresses(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_hits_carry_span_confidence_and_reason() -> None:
    text = "客户张伟，卡号6222021234567890128"
    hits = scan_text(text)
    assert [text[h.start : h.end] for h in hits] == [h.text for h in hits]
    assert all(0.5 <= h.confidence <= 1 and h.reason for h in hits)


def test_check_digit_and_luhn() -> None:
    assert V.id_check_char("11010519491231002") == "X"
    assert V.luhn_ok("6222021234567890128") and not V.luhn_ok("6222021234567890127")


def test_registry_takes_a_bank_recogniser_and_switches_it() -> None:
    def staff_ids(text: str, start: int, end: int) -> list[Hit]:
        return [Hit("BANK_ACCOUNT", start, end, text[start:end], 0.9, "staff")]

    RECOGNISERS.register("staff_id", PatternRecogniser("staff_id", "G", r"S\d{6}", staff_ids))
    try:
        assert [h.text for h in Scanner().scan("工号GS123456")] == ["GS123456"]
        assert Scanner(disabled=["staff_id"]).scan("工号GS123456") == []
        with pytest.raises(RegistryError):
            RECOGNISERS.register("staff_id", PatternRecogniser("staff_id", "x", "", staff_ids))
        with pytest.raises(RegistryError):
            Scanner(enabled=["no_such"])
    finally:
        RECOGNISERS.unregister("staff_id")
