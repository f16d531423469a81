"""The QA rulebook: the packaged one passes its own examples; a broken one is refused with the rule named."""

from __future__ import annotations

from pathlib import Path

import pytest

from grayshield.compliance.rules import load_rulebook, parse_rulebook
from grayshield.contract.truth import MANDATORY_ITEMS
from grayshield.core.errors import NotFoundError, ValidationError
from grayshield.text.fold import fold

RULE = """
version = "t1"
[[rules]]
id = "M02_recording"
kind = "mandatory"
target = "recording_notice"
title_zh = "录音告知"
patterns = [{pattern}]
penalty = 10
examples = [{{ text = "本次通话将被录音。", match = true }}, {{ text = "再见。", match = false }}]
"""


def test_default_rulebook_covers_every_mandatory_item() -> None:
    book = load_rulebook()
    assert {r.target for r in book.of_kind("mandatory")} == set(MANDATORY_ITEMS)
    assert book.identity.startswith(book.version + "#")


@pytest.mark.parametrize(("text", "rule_id", "expected"), [
    ("你再不還，我們就直接上門了！", "F01_threat", True),  # traditional characters fold to simplified
    ("系统显示，他现在欠款是１２０００元", "F05_disclosure", True),  # full-width digits
    ("您本期最低还款额是560元", "F05_disclosure", False),
    ("我们会根据您的实际情况评估，但不能承诺减免。", "F04_promise", False),
    ("系统显示，他的预留手机号是尾号8949的那个", "M03_identity", False),
])
def test_rules_match_folded_text(text: str, rule_id: str, expected: bool) -> None:
    rule = next(r for r in load_rulebook().rules if r.id == rule_id)
    assert (rule.find(fold(text)) is not None) is expected


def test_a_rule_whose_examples_fail_is_refused() -> None:
    parse_rulebook(RULE.format(pattern='"录音"'))
    with pytest.raises(ValidationError, match="M02_recording.*should match"):
        parse_rulebook(RULE.format(pattern='"存档"'))


@pytest.mark.parametrize(("pattern", "message"), [('"录音("', "not a valid regular expression"),
                                                  ('"录音"]\nsurprise = [1', "surprise")])
def test_bad_rulebooks_name_the_problem(pattern: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_rulebook(RULE.format(pattern=pattern))


def test_unknown_target_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="must be one of"):
        parse_rulebook(RULE.format(pattern='"录音"').replace('target = "recording_notice"', 'target = "smile"'))
    with pytest.raises(NotFoundError):
        load_rulebook(tmp_path / "absent.toml")
