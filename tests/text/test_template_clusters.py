"""One template clustering for complaints and the graph: copies of a template group, different texts do not."""

from __future__ import annotations

import random

import pytest

from grayshield.text import template_ids
from grayshield.text.templates import bands_for, shingle_text

BODY = ("本人因失业及家人患病暂时无力还款，贵行催收人员多次骚扰家属，现委托代理人申请停息挂账分期还款，"
        "望贵行予以支持，否则将向监管部门投诉并保留诉讼权利")
FILLED = [f"委托人{name}，欠款{amount}元，{year}年起逾期。{BODY}"
          for name, amount, year in (("张伟", 9047, 2023), ("李娜", 3358, 2024), ("王强", 120, 2021))]
EVADED = [
    "委托人赵敏，欠款８８００元。" + " ".join(BODY),                        # full-width digits, spaces between
    "委托人刘洋 欠款1200元 " + "✖".join(BODY[:30]) + "🔥" + BODY[30:],       # symbols and emoji slipped in
    "委託人陳靜，欠款500元。本人因失業及家人患病暫時無力還款，貴行催收人員多次騷擾家屬，現委託代理人申請停息掛賬"
    "分期還款，望貴行予以支持，否則將向監管部門投訴並保留訴訟權利",          # traditional characters
    "委托人孙丽abc，欠款7000元。" + BODY.replace("多次", "多次的") + "xyz",    # a small edit and Latin noise
]
OTHERS = [
    "今天去网点办理了信用卡分期，工作人员态度很好，流程也很快，点赞",
    "账单日和还款日怎么修改，请告诉我具体的办理渠道和需要准备的材料",
    "我的信用卡被盗刷了三笔境外消费，请尽快冻结并调查，我从未出境",
]


def test_copies_of_a_template_group_through_filled_details_and_evasion() -> None:
    ids = template_ids(FILLED + EVADED + OTHERS)
    template = ids[0]
    assert template is not None
    assert ids[:len(FILLED) + len(EVADED)] == [template] * (len(FILLED) + len(EVADED))
    assert ids[len(FILLED) + len(EVADED):] == [None] * len(OTHERS)


def test_different_texts_stay_apart() -> None:
    rng = random.Random(7)
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    texts = ["".join(rng.choice(chars) for _ in range(80)) for _ in range(300)]
    assert template_ids(texts) == [None] * len(texts)
    assert template_ids(OTHERS) == [None] * len(OTHERS)


def test_two_templates_get_two_ids_named_after_their_first_text() -> None:
    second = [f"{name}女士的信用卡账户已由本律师事务所代理，请贵行立即停止一切催收行为，所有沟通请联系代理律师处理"
              for name in ("周", "吴", "郑")]
    texts = [OTHERS[0], FILLED[0], second[0], FILLED[1], second[1], second[2], FILLED[2]]
    assert template_ids(texts) == [None, "T1", "T2", "T1", "T2", "T2", "T1"]


def test_ids_are_deterministic_and_follow_the_seed_only_through_hashing() -> None:
    texts = FILLED + EVADED + OTHERS
    assert template_ids(texts) == template_ids(list(texts))
    assert template_ids(texts, seed=5) == template_ids(texts)  # same groups, same names, other hash functions


def test_texts_without_chinese_are_left_alone() -> None:
    assert template_ids([]) == []
    assert template_ids(["", "12345 abc", "!!!", "", "12345 abc"]) == [None] * 5
    assert shingle_text("委托人Zhang，欠款9,047元 ✖ 掛賬") == "委托人欠款元挂账"


def test_threshold_sets_how_alike_copies_must_be() -> None:
    rng = random.Random(3)
    edited = "".join(c if rng.random() > 0.25 else "乙" for c in BODY)  # about a quarter of characters changed
    assert template_ids([BODY, edited], threshold=0.3) == ["T0", "T0"]
    assert template_ids([BODY, edited], threshold=0.9) == [None, None]
    assert bands_for(0.8) == (7, 9)
    with pytest.raises(ValueError, match="between 0 and 1"):
        template_ids([BODY, BODY], threshold=1.5)
