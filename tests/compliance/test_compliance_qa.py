"""Transcript QA on hand-written calls: breach findings point at the utterance, missing items per call, scores."""

from __future__ import annotations

import pandas as pd
import pytest

from grayshield.compliance.qa import QaModel, run_qa, train
from grayshield.compliance.rules import load_rulebook
from grayshield.core.errors import ValidationError

GOOD_CALL = [
    ("agent", "您好，华信银行信用卡中心，工号12345，请问有什么可以帮您？", "none"),
    ("agent", "温馨提示，本次通话将被录音。", "none"),
    ("caller", "我想办个分期", "none"),
    ("agent", "请问您是张伟先生本人吗？麻烦提供一下身份证后四位", "none"),
    ("caller", "是我，1234", "none"),
    ("agent", "需要提醒您，办理分期会收取分期手续费，具体费率以系统为准。", "none"),
]
BAD_CALL = [
    ("agent", "您好，华信银行信用卡中心，工号12345，请讲。", "none"),
    ("caller", "我是他儿子，他欠了多少", "none"),
    ("agent", "系统显示，他现在欠款是12000元，已经逾期30天了", "third_party_disclosure"),
    ("agent", "没问题，违约金我给您全免了", "unauthorised_promise"),
]


def _utterances(calls: dict[str, list[tuple[str, str, str]]]) -> pd.DataFrame:
    rows = [{"call_id": call_id, "seq": seq, "speaker": speaker, "text": text, "breach_type": breach}
            for call_id, turns in calls.items() for seq, (speaker, text, breach) in enumerate(turns)]
    return pd.DataFrame(rows)


def test_rules_only_findings_point_at_utterances_with_reasons() -> None:
    utterances = _utterances({"C1": GOOD_CALL, "C2": BAD_CALL})
    calls = pd.DataFrame({"call_id": ["C1", "C2"], "agent_id": ["S1", "S1"], "team": ["T1", "T1"],
                          "month": ["2024-01", "2024-01"]})
    result = run_qa(load_rulebook(), utterances, calls)
    breaches = result.findings[result.findings["kind"] == "breach"]
    assert sorted(zip(breaches["seq"], breaches["target"], strict=True)) == [
        (2, "third_party_disclosure"), (3, "unauthorised_promise")]
    assert all(r and r[0].startswith("rule:F0") for r in breaches["reasons"])
    per_call = result.calls.set_index("call_id")
    assert per_call.loc["C1", "score"] == 100 and per_call.loc["C1", "missing"] == ""
    assert per_call.loc["C2", "missing"] == "recording_notice|identity_verification|risk_disclosure"
    assert per_call.loc["C2", "score"] == 0  # 40 + 30 + 10 + 15 + 10 points off, floored at 0
    agents = result.scores("agent_id")
    assert agents.iloc[0]["calls"] == 2 and agents.iloc[0]["mean_score"] == 50.0
    with pytest.raises(ValidationError, match="cannot score by"):
        result.scores("desk")


def test_trained_classifier_explains_itself_and_records_its_version() -> None:
    book = load_rulebook()
    calls = {f"G{i}": GOOD_CALL for i in range(6)} | {f"B{i}": BAD_CALL for i in range(6)}
    labelled = _utterances(calls)
    model = QaModel(train(book, labelled, labelled["breach_type"]), "compliance_qa/v0001")
    result = run_qa(book, _utterances({"T": BAD_CALL}), model=model)
    breaches = result.findings[result.findings["kind"] == "breach"]
    assert list(breaches["target"]) == ["third_party_disclosure", "unauthorised_promise"]
    assert result.model == "compliance_qa/v0001"
    assert any("(+" in reason for reasons in breaches["reasons"] for reason in reasons)


def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(ValidationError, match="lack column"):
        run_qa(load_rulebook(), pd.DataFrame({"call_id": ["C"], "text": ["x"]}))
    only_clean = _utterances({"C1": GOOD_CALL})
    with pytest.raises(ValidationError, match="breach examples"):
        train(load_rulebook(), only_clean, only_clean["breach_type"])
