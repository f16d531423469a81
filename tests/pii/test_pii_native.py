"""The native fast path (``_fast.pyx``) must give exactly the hits and masked text of the Python reference, and a
missing or stale build must fall back to the reference with a warning, never behave differently."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import random
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import pytest
from pii_cut_corpus import corpus_with_cuts

from grayshield.core.registry import Registry
from grayshield.pii import Scanner, mask_many, mask_text
from grayshield.pii import native as native_path
from grayshield.pii import recognisers as R
from grayshield.pii import validators as V
from grayshield.pii.entities import Hit
from grayshield.pii.evaluation import HELD_OUT_VERSIONS
from grayshield.pii.lexicon import load_lexicon
from grayshield.pii.masking import apply_hits
from grayshield.pii.names import KnownNamesRecogniser, context_name_recogniser, known_names_scanner
from grayshield.pii.policy import default_policy, parse_policy
from grayshield.pii.recognisers import NameRecogniser, PatternRecogniser, Recogniser, register_builtins
from grayshield.pii.scanner import SEPARATOR

KEY = b"test-key-not-secret"


@cache
def eval_texts() -> tuple[str, ...]:
    """The evaluation corpus with every versioned held-out set, and 1,500 random cuts of it (``pii_cut_corpus``)."""
    held_out = [(version, 30 + i, 300) for i, version in enumerate(HELD_OUT_VERSIONS)]
    return tuple(corpus_with_cuts(held_out, seed=11))


def other_policy():  # type: ignore[no-untyped-def]
    """Token, redact, placeholder, keep and every mask variant (separators, keep_from, keep_admin)."""
    return parse_policy(
        {
            "version": "test.1",
            "default": {"operator": "placeholder", "template": "<{entity}>"},
            "entities": {
                "PHONE": {"operator": "token", "length": 10},
                "PERSON_NAME": {"operator": "redact", "replacement": "某"},
                "BANK_CARD": {"operator": "mask", "keep_first": 2, "keep_last": 2, "mask_char": "#"},
                "ID_CARD": {"operator": "token"},
                "EMAIL": {"operator": "mask", "keep_first": 1, "keep_from": "@"},
                "ADDRESS": {"operator": "mask", "keep_admin": True, "keep_last": 1},
                "LICENSE_PLATE": {"operator": "keep"},
            },
        },
        "test",
    )


def test_native_module_is_built_and_current() -> None:
    """``make setup`` builds the fast path; without it every scan silently runs several times slower."""
    assert native_path.native_module() is not None, "grayshield.pii._fast missing or stale: run `make setup`"
    assert Scanner().native is not None


def test_native_scan_equals_the_reference_on_the_eval_corpus() -> None:
    fast, reference = Scanner(), Scanner(native=False)
    assert fast.native is not None and reference.native is None
    texts = list(eval_texts())
    differing = [t for t in texts if fast.scan(t) != reference.scan(t)]
    assert differing == []
    assert fast.scan_many(texts) == reference.scan_many(texts)
    joined = SEPARATOR.join(texts)
    assert fast.scan(joined) == reference.scan(joined)


def test_batch_boundaries_stop_every_cue() -> None:
    """A document ending in a cue, the next starting with what the cue would type: nothing crosses the NUL."""
    lexicon = load_lexicon()
    cues = [
        *R.ACCOUNT_CUES, *R.CARD_CUES, *R.PHONE_CUES, *R.ID_CUES, *R.PERMIT_CUES, *lexicon.name_before,
        *lexicon.name_before_weak, *lexicon.address_before, "尊敬的", "车主", "版本", "护照", "车牌",
    ]  # fmt: skip
    heads = ["1234567890123", "6222021234567890128", "12345678", "0755 8888 1234", "张伟说", "欧阳娜娜，",
             "先生您好", "广东省深圳市南山区", "1.2.3.4", "E12345678", "粤B12345"]  # fmt: skip
    texts = [text for cue in cues for head in heads for text in (f"请核对{cue}", head)]
    assert Scanner().scan_many(texts) == Scanner(native=False).scan_many(texts)


def luhn_complete(prefix: str) -> str:
    """``prefix`` plus the Luhn check digit."""
    for digit in "0123456789":
        if V.luhn_ok(prefix + digit):
            return prefix + digit
    raise AssertionError(prefix)


def test_number_typing_equals_the_reference_on_random_numbers() -> None:
    """IDs around calendar edges (29 February, 1899, tomorrow) with right and wrong check characters, legacy IDs,
    card numbers around every issuer-prefix edge, accounts, landlines, permits, spelled and spaced digits."""
    rng = random.Random(5)
    tomorrow = V._LATEST_BIRTH + dt.timedelta(days=1)
    dates = ["19000101", "18991231", "20000229", "19000229", "20240229", "20230229", "19991231", "19990431",
             tomorrow.strftime("%Y%m%d"), V._LATEST_BIRTH.strftime("%Y%m%d"), "19851301", "19850100"]  # fmt: skip
    numbers = []
    for _ in range(600):
        area = rng.choice(["11", "44", "65", "99", "00", "91", "71"]) + f"{rng.randrange(10000):04d}"
        birth = rng.choice(
            [*dates, f"{rng.randrange(1890, 2030)}{rng.randrange(1, 13):02d}{rng.randrange(1, 32):02d}"]
        )
        body = area + birth + f"{rng.randrange(1000):03d}"
        numbers += [
            body + V.id_check_char(body),
            body + rng.choice("0123456789X"),
            area + birth[2:] + body[-3:],
        ]
        prefix = rng.choice(
            ["62", "60", "95", "4", "51", "55", "56", "2220", "2221", "2720", "2721", "35", "34", "1"]
        )
        card = prefix + "".join(rng.choice("0123456789") for _ in range(rng.randrange(14, 18) - len(prefix)))
        numbers += [
            luhn_complete(card),
            card + "0",
            "0" + rng.choice(["10", "21", "755", "371"]) + "8" * rng.randrange(6, 10),
        ]
        numbers.append("".join(rng.choice("0123456789") for _ in range(rng.randrange(7, 26))))
    spelled = [n.translate(str.maketrans("0123456789", "零一二三四五六七八九")) for n in numbers[::9]]
    spaced = [rng.choice(" -\u3000").join([n[:4], n[4:8], n[8:]]) for n in numbers[1::9]]
    mobiles = [f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}" for _ in range(200)]
    spaced += [rng.choice(["+86", "+86 ", "+86-", "+86\u3000", "0086", "86", "+8", "+"]) + m for m in mobiles]
    cues = ["", "账号", "卡号", "身份证", "电话", "台胞证", "我的"]  # fmt: skip
    texts = [
        f"{rng.choice(cues)}{n}{rng.choice(['', '。', '一直', 'a'])}" for n in [*numbers, *spelled, *spaced]
    ]
    fast = Scanner().scan_many(texts)
    assert fast == Scanner(native=False).scan_many(texts)
    reasons = {h.reason for hits in fast for h in hits}
    assert len(reasons) >= 6  # every branch of the number typing was reached


def test_random_strings_of_the_characters_rules_look_at() -> None:
    """20,000 strings drawn from digits, numerals, separators, letters, surnames, cue and place words,
    punctuation and NUL: every path of the pattern pass and the rules meets odd neighbours."""
    lexicon = load_lexicon()
    rng = random.Random(3)
    pieces = [
        *"0123456789０１２３４５６７８９零〇一二三四五六七八九幺两十百万+-  \u3000XxＸｘ@._%:",
        *"ABCDEFGHJKLMNPQRSTUVWXYZabcdefz",
        *"，。！？；：、,.!?;:\n\t（）()“”\x00的了是在和给向由人主员者方称为说来",
        *rng.sample(sorted(lexicon.surnames), 40), *rng.sample(sorted(lexicon.compound_surnames), 8),
        *rng.sample(sorted(lexicon.given_chars), 40), *rng.sample(sorted(lexicon.places), 30),
        *lexicon.name_before[:12], *lexicon.name_after_strong[:6], *lexicon.address_before[:6],
        *R.ACCOUNT_CUES, *R.CARD_CUES, *R.PHONE_CUES, *R.ID_CUES, *R.PERMIT_CUES,
        "尊敬的", "路", "号", "栋", "室", "小区", "街道", "版本", "护照", "车牌", "银行", "公司", "先生", "😀",
        "6222021234567890128", "13800138000", "11010519491231002X", "192.168.1.1", "E12345678", "粤B12345",
    ]  # fmt: skip
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 25))) for _ in range(20000)]
    assert Scanner().scan_many(texts) == Scanner(native=False).scan_many(texts)
    fast, reference = Scanner(), Scanner(native=False)
    for policy in (default_policy(), other_policy()):
        for text in (SEPARATOR.join(texts), *texts[:3000]):
            masked, _ = fast.native.mask(text, policy, KEY)
            assert masked == apply_hits(text, reference.scan(text), policy, KEY)


@pytest.mark.parametrize("policy_name", ["default", "operators"])
def test_native_masking_equals_the_reference(policy_name: str) -> None:
    policy = default_policy() if policy_name == "default" else other_policy()
    fast, reference = Scanner(), Scanner(native=False)
    texts = list(eval_texts())
    expected = [mask_text(t, policy, key=KEY, scanner=reference) for t in texts]
    assert mask_many(texts, policy, key=KEY, scanner=fast) == expected
    assert mask_many(texts, policy, key=KEY, scanner=reference) == expected
    assert [mask_text(t, policy, key=KEY, scanner=fast) for t in texts] == expected
    # the joined batch directly (mask_many would hide a separator written twice by masking one by one)
    joined = SEPARATOR.join(texts)
    masked, entities = fast.native.mask(joined, policy, KEY)
    hits = reference.scan(joined)
    assert masked == apply_hits(joined, hits, policy, KEY)
    assert entities == [h.entity for h in hits]


@pytest.mark.parametrize(
    "options",
    [
        {"threshold": 0.8},
        {"threshold": 0.0},
        {"disabled": ["person_name", "number"]},
        {"enabled": ["context_name", "address"]},
        {"enabled": ["email", "bounded_name"]},  # nothing native: the scanner stays pure Python
    ],
)
def test_scanner_options_keep_results(options: dict[str, object]) -> None:
    fast, reference = Scanner(**options), Scanner(native=False, **options)  # type: ignore[arg-type]
    texts = list(eval_texts()[:3000])
    assert fast.scan_many(texts) == reference.scan_many(texts)


def staff_ids(text: str, start: int, end: int) -> list[Hit]:
    return [Hit("BANK_ACCOUNT", start, end, text[start:end], 0.9, "staff_id", "staff number")]


def test_plug_in_recognisers_run_inside_the_native_pass() -> None:
    """A bank's own pattern recogniser and the customer-name dictionary run through their Python code."""
    registry: Registry[Recogniser] = Registry("PII recogniser")
    register_builtins(registry)
    registry.register("staff_id", PatternRecogniser("staff_id", "S", r"\d{6}", staff_ids))
    fast, reference = Scanner(registry=registry), Scanner(registry=registry, native=False)
    assert fast.native is not None
    texts = [*eval_texts()[:2000], "复核人S123456，客户张伟", "工号S654321的卡号6222021234567890128"]
    assert fast.scan_many(texts) == reference.scan_many(texts)
    assert any(h.recogniser == "staff_id" for h in fast.scan(texts[-1]))

    names = ["孔昕", "欧阳娜娜", "司马光明", "张伟"]
    known = known_names_scanner(names)
    assert known.native is not None
    registry = Registry("PII recogniser")
    register_builtins(registry)
    registry.register("customer_names", KnownNamesRecogniser(names, load_lexicon()))
    plain = Scanner(registry=registry, native=False)
    texts = [*texts, "今天孔昕打来电话", "欧阳娜娜和司马光明都在"]
    assert known.scan_many(texts) == plain.scan_many(texts)


def test_rules_built_from_another_lexicon() -> None:
    """The native tables come from the recognisers' own lexicon; rules from two lexicons run in Python."""
    lexicon = load_lexicon()
    other = dataclasses.replace(
        lexicon,
        surnames=lexicon.surnames - set("张王李刘陈孔焦范"),
        given_chars=lexicon.given_chars - set("伟娜"),
    )
    registry: Registry[Recogniser] = Registry("PII recogniser")
    registry.register("context_name", context_name_recogniser(other, other.places))
    registry.register("person_name", NameRecogniser(other))
    fast, reference = Scanner(registry=registry), Scanner(registry=registry, native=False)
    assert fast.native is not None
    texts = list(eval_texts()[:2000])
    assert fast.scan_many(texts) == reference.scan_many(texts)
    assert fast.scan_many(texts) != Scanner(enabled=["context_name", "person_name"]).scan_many(texts)

    mixed: Registry[Recogniser] = Registry("PII recogniser")
    register_builtins(mixed)  # the default lexicon's rules beside the other one's
    mixed.register("other_names", context_name_recogniser(other, other.places))
    assert Scanner(registry=mixed).native is None


def test_threads_and_reentrant_calls_get_the_reference_results() -> None:
    """The engine's buffers serve one call at a time: an overlapping call (another thread, or a plug-in that
    scans from inside a scan) runs on the Python reference, with the same results."""
    texts = list(eval_texts()[:1500])
    scanner, reference = Scanner(), Scanner(native=False)
    expected = reference.scan_many(texts)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: scanner.scan_many(texts), range(8)))
    assert all(r == expected for r in results)
    policy = default_policy()
    masked = [mask_text(t, policy, scanner=reference) for t in texts]
    with ThreadPoolExecutor(4) as pool:
        assert all(
            m == masked for m in pool.map(lambda _: mask_many(texts, policy, scanner=scanner), range(8))
        )

    holder: list[Scanner] = []

    def nested(text: str, start: int, end: int) -> list[Hit]:
        inner = holder[0].scan(text[start + 1 : end] + "，客户张伟")  # the engine is busy: Python runs this
        return [Hit("BANK_ACCOUNT", start, end, text[start:end], 0.9, "nested", str(len(inner)))]

    registry: Registry[Recogniser] = Registry("PII recogniser")
    register_builtins(registry)
    registry.register("nested", PatternRecogniser("nested", "S", r"\d{6}", nested))
    holder.append(Scanner(registry=registry))
    plain = Scanner(registry=registry, native=False)
    probe = ["复核人S123456，客户张伟", "工号S654321的卡号6222021234567890128"]
    assert holder[0].scan_many(probe) == plain.scan_many(probe)


def test_invalid_text_fails_as_in_the_reference() -> None:
    for scanner in (Scanner(), Scanner(native=False)):
        with pytest.raises(UnicodeEncodeError):
            scanner.scan("客户张伟\ud800的卡")


def test_a_stale_build_is_not_used(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    module = native_path.native_module()
    assert module is not None
    package = Path(native_path.__file__).parent
    copy = tmp_path / "pii"
    copy.mkdir()
    for path in [package / "_fast.pyx", *package.glob("*.py")]:
        (copy / path.name).write_bytes(path.read_bytes())
    assert native_path.is_current(module, copy)
    (copy / "names.py").write_text((package / "names.py").read_text(encoding="utf-8") + "\n# edited\n")
    with caplog.at_level(logging.WARNING):
        assert not native_path.is_current(module, copy)
    assert [r.message for r in caplog.records if "stale" in r.message]


def test_a_missing_build_falls_back_to_the_reference(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "grayshield.pii._fast", None)  # import fails as if never built
    native_path.native_module.cache_clear()
    try:
        with caplog.at_level(logging.WARNING):
            scanner = Scanner()
            Scanner()
        assert scanner.native is None
        warnings = [r for r in caplog.records if "not built" in r.message]
        assert len(warnings) == 1  # once per process, not per scanner
        texts = list(eval_texts()[:500])
        assert scanner.scan_many(texts) == Scanner(native=False).scan_many(texts)
    finally:
        native_path.native_module.cache_clear()
