"""The normaliser against evasion spellings, and its map back to the original text."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from grayshield.text.fold import fold, fold_with_offsets
from grayshield.text.lexicon import load_lexicon
from grayshield.text.normalise import Normaliser, default_normaliser

DATA = Path(__file__).parent / "data"


def _hand_written() -> list[tuple[str, str]]:
    lines = (DATA / "evasions.tsv").read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")) for line in lines if line and not line.startswith("#")]  # type: ignore[misc]


SEPARATORS = [" ", "✖", "\u200b", "🔥", "·", "/", "※", "\u2060", "｜", "❤️"]


def _generated(seed: int = 7, count: int = 300) -> list[tuple[str, str]]:
    """Mechanical evasions of the ad terms: separators, full width, traditional forms, mixed in random order."""
    from opencc import OpenCC

    s2t = OpenCC("s2t")
    rng = random.Random(seed)
    terms = [t.text for t in load_lexicon().terms if t.evasion_variants and len(t.text) >= 3]
    out = []
    for _ in range(count):
        term = rng.choice(terms)
        text = s2t.convert(term) if rng.random() < 0.4 else term
        if rng.random() < 0.5:
            sep = rng.choice(SEPARATORS)
            text = sep.join(text)
        if rng.random() < 0.3:
            text = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
        out.append((f"最近{text}了解一下", term))
    return out


@pytest.fixture(scope="module")
def homophones() -> dict[str, list[str]]:
    """Toneless syllable -> simplified characters read that way (first reading), over the CJK unified block.

    Traditional-only characters are left out: folding turns them into their simplified form first, which
    may read differently (綉 -> 绣), and evaders writing traditional script use the term's own characters.
    """
    from grayshield.text.phonetic import readings

    table: dict[str, list[str]] = {}
    for code in range(0x4E00, 0x9FA6):
        found = readings(chr(code))
        if found and fold(chr(code)) == chr(code):
            table.setdefault(found[0], []).append(chr(code))
    return table


def _sound_alike(homophones: dict[str, list[str]], seed: int = 11, count: int = 300) -> list[tuple[str, str]]:
    """Homophone, full-pinyin and initial spellings at one or two positions of the evasion-prone terms."""
    from grayshield.text.phonetic import readings

    rng = random.Random(seed)
    terms = [t.text for t in load_lexicon().terms if t.evasion_variants and len(t.text) >= 3]
    out = []
    for _ in range(count):
        term = rng.choice(terms)
        chars = list(term)
        for position in rng.sample(range(len(chars)), k=min(2, len(chars) - 1)):
            syllable = readings(chars[position])[0]
            chars[position] = rng.choice([rng.choice(homophones[syllable]), syllable, syllable[0]])
        out.append((f"找我们{''.join(chars)}，详谈", term))
    return out


def test_sound_alike_evasions_are_recovered(homophones: dict[str, list[str]]) -> None:
    assert _recovery(_sound_alike(homophones), default_normaliser()) >= 0.98


def _recovery(pairs: list[tuple[str, str]], normaliser: Normaliser) -> float:
    return sum(term in normaliser.normalise(variant).text for variant, term in pairs) / len(pairs)


def test_hand_written_evasions_are_recovered() -> None:
    pairs = _hand_written()
    assert len(pairs) >= 100
    normaliser = default_normaliser()
    missed = [v for v, t in pairs if t not in normaliser.normalise(v).text]
    assert 1 - len(missed) / len(pairs) >= 0.98, missed


def test_generated_evasions_are_recovered() -> None:
    assert _recovery(_generated(), default_normaliser()) >= 0.98


@pytest.mark.parametrize(
    "text",
    ["听戏去了", "我在txt文件里写了", "今天停车挂号", "他上岗了", "ok这个行"],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    result = default_normaliser().normalise(text)
    assert not [h for h in result.hits if h.sound_alike], result.hits


def test_folding_handles_styled_digits_full_width_and_invisible_characters() -> None:
    assert fold("①❶𝟏１ＡＢ\u200b\ufeff掛賬！") == "1111ab挂账"
    assert fold("⑩") == "10"


def test_offsets_point_back_to_the_original() -> None:
    text = "快来!停✖息挂帐 找⑩我"
    folded, offsets = fold_with_offsets(text)
    assert len(folded) == len(offsets)
    assert all(text[o] in "⑩" or fold(text[o]) == c for c, o in zip(folded, offsets, strict=True))
    result = default_normaliser().normalise(text)
    (hit,) = result.hits
    shown = result.hit_dict(hit)
    assert text[shown["start"] : shown["end"]] == "停✖息挂帐" == shown["surface"]
    assert shown["evasion"] is True
    start, end = result.original_span(result.text.index("找"), len(result.text))
    assert text[start:end] == "找⑩我"


def test_pinyin_must_not_run_into_a_longer_latin_word() -> None:
    assert not default_normaliser().normalise("atxgzb").hits
    assert default_normaliser().normalise("a TXGZ b").text == "a停息挂账b".replace("a", "a").replace(" ", "")


def test_digit_terms_and_aliases_match_only_as_written() -> None:
    normaliser = default_normaliser()
    assert [h.term.text for h in normaliser.normalise("我要打12345投诉").hits] == ["12345"]
    assert not normaliser.normalise("薇：abc_12345，电话 138 12345 678").hits
    assert not normaliser.normalise("为什么要这样").hits  # 为 sounds like the 微 of an alias, but is not one
    assert [h.term.text for h in normaliser.normalise("有事sx我").hits] == ["私信"]
