"""The learned name-likeness table and the cue-free name score built on it."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import jieba
import pytest

from grayshield.pii import scan_text
from grayshield.pii.lexicon import build_name_char_table, load_lexicon
from grayshield.pii.names import ACCEPT, NameScorer


def names(text: str) -> list[str]:
    return [h.text for h in scan_text(text) if h.entity == "PERSON_NAME"]


def test_the_shipped_table_is_what_jiebas_dictionary_gives() -> None:
    lexicon = load_lexicon()
    dictionary = Path(jieba.__file__).with_name("dict.txt")
    with dictionary.open(encoding="utf-8") as lines:
        rebuilt = build_name_char_table(lines, lexicon.surnames, lexicon.compound_surnames)
    shipped = resources.files("grayshield.pii").joinpath("data", "name_chars.tsv").read_text(encoding="utf-8")
    assert rebuilt == shipped


def test_learned_scores_separate_name_characters_from_function_words() -> None:
    lexicon = load_lexicon()
    given, surname = lexicon.given_scores, lexicon.surname_scores
    assert min(given[c] for c in "伟娜杰婷") > 2 > 0 > max(given[c] for c in "的是就到")
    assert min(surname[s] for s in "陈杨赵吴") > max(surname[s] for s in "高于程")  # 高, 于: mostly words
    assert surname["欧阳"] > 0 and {"到", "就", "向", "吗"} <= lexicon.boundary_chars
    assert not {"伟", "陈"} & lexicon.boundary_chars


def test_boundaries_are_scored_from_the_words_around_a_candidate() -> None:
    scorer = NameScorer(load_lexicon())
    text = "感谢刘洋耐心解答"
    assert scorer.left(text, 2) > 0 and scorer.right(text, 4) > 0  # 感谢 ends, 耐心 starts
    assert scorer.right("刘洋超市", 3) < 0  # 刘洋超 would cut the word 超市 in two
    assert scorer.left("转给钱宝芳", 2) < scorer.left("，钱宝芳", 1)  # 给钱 is a word
    assert scorer.likeness("陈", "婷") > ACCEPT / 2 > scorer.likeness("于", "是")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("上个月借给郑晓彤两万块，到现在没还。", ["郑晓彤"]),
        ("催收的说欧阳靖再不还就起诉。", ["欧阳靖"]),
        ("下午3点蒋思远来网点办了挂失。", ["蒋思远"]),
        ("#曝光# 骗子韩梓轩，大家小心", ["韩梓轩"]),
        ("多亏了邹雨桐提醒我，不然又被骗了。", ["邹雨桐"]),
        ("感谢刘婷耐心解答。", ["刘婷"]),  # 谢 ends 感谢: the name starts at 刘, not 谢刘婷
    ],
)
def test_names_in_unlisted_contexts(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "那张尾号1234的卡已经冻结了。",  # 张 counts a card
        "网点有封信要寄给您，请注意查收。",  # 封 counts a letter
        "我买了李宁的鞋，还有周大福的金饰。",  # brands
        "高峰期请耐心等待，金额以短信为准。",  # 高峰期 is one word
        "白天方便的话，常用地址就写公司吧。",
        "要的加壹叁伍玖贰叁陆肆贰，幺三五勾幺三勾洞。",  # numbers spelt out: 伍, 陆, 勾 are digits
        "免利息，感谢王老师，私信我。",  # 王 takes the title; 谢 ends 感谢
        "网上那些洗白征信的第三方都是骗子。",
    ],
)
def test_words_counters_and_brands_are_not_names(text: str) -> None:
    assert names(text) == []
