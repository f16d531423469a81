"""Names without a cue (the context rule) and names the bank supplies (the customer-name dictionary)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from grayshield.core.errors import RegistryError
from grayshield.core.registry import Registry
from grayshield.pii import scan_text
from grayshield.pii.lexicon import load_lexicon
from grayshield.pii.names import KnownNamesRecogniser, known_names_scanner
from grayshield.pii.recognisers import Recogniser, register_builtins


def names(text: str) -> list[str]:
    return [h.text for h in scan_text(text) if h.entity == "PERSON_NAME"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我帮王建国问一下他的账单。", ["王建国"]),
        ("和李娜一起去的营业厅。", ["李娜"]),
        ("昨天张伟打电话过来说不还了。", ["张伟"]),
        ("经核实，赵强与刘洋系夫妻关系。", ["赵强", "刘洋"]),
        ("由欧阳修远代为办理。", ["欧阳修远"]),
        ("说周敏已经搬走了。", ["周敏"]),
        ("我老公陈建华欠了你们钱。", ["陈建华"]),
    ],
)
def test_names_without_a_cue(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "代办人自称是高兴律师事务所的。",  # 高兴: an ordinary word
        "请把文件交给前台，余额明天到账。",
        "客户说他去过张家界和王府井。",  # places
        "他在张家口出差，长沙公安打掉一个团伙。",  # a place runs into the candidate
        "我们在东方明珠附近，上官网查了一下利率。",  # 上官网: 官网 is a word
        "请把钱转到账号里。",  # 钱转: no name character and no clear boundary
        "投诉人刘女士要求回电。",  # a surname and a title
        "低月供，包教包会！",  # a surname repeated inside the phrase
        "您好，我是华信银行信用卡中心。",  # a name does not end inside a word (银行)
        "感谢李经理的帮助。",  # 谢 ends the word 感谢
        "以上情况属实，望尽快处理。此致 敬礼！",  # between clear boundaries, but an ordinary word
    ],
)
def test_words_and_places_are_not_names(text: str) -> None:
    assert names(text) == []


def test_a_role_slot_holds_a_name_even_when_it_is_also_a_word() -> None:
    assert names("尊敬的周天，您的账单已出。") == ["周天"]
    assert names("登记车主周天，联系地址不详。") == ["周天"]


def test_known_names_are_found_anywhere_and_ordinary_words_are_left_out() -> None:
    known = KnownNamesRecogniser(["蒲松龄", "高兴", "A1", "王"], load_lexicon())
    assert known.names == ["蒲松龄"] and len(known) == 1
    scanner = known_names_scanner(["蒲松龄", "于和平"])
    text = "那天蒲松龄来过网点，大家都认识于和平吗"
    hits = scanner.scan(text)
    assert [(h.text, h.recogniser) for h in hits] == [("蒲松龄", "known_names"), ("于和平", "known_names")]
    assert "customer_names" in scanner.recogniser_names
    # Without the dictionary the second name, a weak surname (于) before a word (和平) and no cue, is not found.
    assert names(text) == ["蒲松龄"]


def test_a_bank_recogniser_name_cannot_be_registered_twice() -> None:
    registry: Registry[Recogniser] = Registry("PII recogniser")
    register_builtins(registry)
    registry.register("customer_names", KnownNamesRecogniser(["蒲松龄"], load_lexicon()))
    with pytest.raises(RegistryError):
        registry.register("customer_names", KnownNamesRecogniser([], load_lexicon()))


def test_known_names_from_a_world(tmp_path: Path) -> None:
    (tmp_path / "customers").mkdir()
    table = pa.table({"customer_id": ["C1", "C2", "C3"], "name": ["蒲松龄", None, "上官婉儿"]})
    pq.write_table(table, tmp_path / "customers" / "part-0.parquet")
    known = KnownNamesRecogniser.from_world(tmp_path, load_lexicon())
    assert known.names == ["上官婉儿", "蒲松龄"]
    assert KnownNamesRecogniser.from_world(tmp_path / "customers", load_lexicon()).names == []
