"""The lexicon file: validation with clear errors, versioning, and a bank's own lexicon next to ours."""

from __future__ import annotations

from pathlib import Path

import pytest

from grayshield.core.errors import RegistryError, ValidationError
from grayshield.text.lexicon import LEXICONS, load_lexicon, load_lexicon_file, parse_lexicon
from grayshield.text.normalise import Normaliser

GOOD = """
name = "mybank"
version = "1.0"
[categories.debt_negotiation_ad]
label = "债务协商广告"
signal = "blackgray_ad"
weight = 2.0
evasion_variants = true
terms = ["债务无忧", { term = "白户包装", weight = 4.0, aliases = ["bhbz"] }]
"""


def test_default_lexicon_is_valid_and_versioned() -> None:
    lexicon = load_lexicon()
    assert lexicon.version and lexicon.identity.startswith("default@")
    assert {"停息挂账", "协商还款", "个性化分期", "反催收", "征信修复", "上岸"} <= {t.text for t in lexicon.terms}
    signals = {t.signal for t in lexicon.terms}
    assert signals == {"blackgray_ad", "proxy_representation", "escalation_threat", "coached_customer"}


def test_a_bank_lexicon_adds_terms_with_their_weights_and_aliases(tmp_path: Path) -> None:
    path = tmp_path / "mybank.toml"
    path.write_text(GOOD, encoding="utf-8")
    LEXICONS.register("mybank_test", path)
    try:
        lexicon = load_lexicon("default", "mybank_test")
    finally:
        LEXICONS.unregister("mybank_test")
    weights = {t.text: t.weight for t in lexicon.terms}
    assert weights["白户包装"] == 4.0 and weights["债务无忧"] == 2.0 and weights["停息挂账"] == 3.0
    assert lexicon.version.endswith("+1.0") and lexicon.name == "default+mybank"
    hits = Normaliser(lexicon).normalise("专做BHBZ，债务无忧").hits
    assert [h.term.text for h in hits] == ["白户包装", "债务无忧"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.replace('version = "1.0"', 'version = "latest"'), "version"),
        (lambda s: s.replace("weight = 2.0", "weight = 0"), "weight"),
        (lambda s: s.replace('signal = "blackgray_ad"', 'signal = "spam"'), "unknown signal"),
        (lambda s: s.replace('"债务无忧"', '"债务无忧", "債務無憂"'), "appears twice"),
        (lambda s: s.replace('"债务无忧"', '"！！"'), "empty once normalised"),
        (lambda s: s + "colour = 1\n", "colour"),
        (lambda s: s.replace("aliases = [\"bhbz\"]", "aliases = [\"b\"]"), "under two characters"),
        (lambda s: s.replace("terms = [", "terms = [ ["), "not valid UTF-8 TOML"),
    ],
)
def test_bad_lexicons_are_refused_with_a_clear_message(edit: object, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_lexicon(edit(GOOD).encode(), "mybank.toml")  # type: ignore[operator]
    assert "mybank.toml" in info.value.message and message in info.value.message


def test_unknown_lexicon_names_and_missing_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="unknown lexicon 'nope'"):
        load_lexicon("nope")
    with pytest.raises(Exception, match="cannot read lexicon file"):
        load_lexicon_file(tmp_path / "absent.toml")


def test_clashing_lexicons_are_refused(tmp_path: Path) -> None:
    clash = parse_lexicon(GOOD.replace("债务无忧", "停息挂账").encode(), "clash.toml")
    with pytest.raises(ValidationError, match="both define: 停息挂账"):
        load_lexicon().merged(clash)
