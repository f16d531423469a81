from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from grayshield.core.errors import NotFoundError, ValidationError
from grayshield.strategies import StrategyRepository, default_rule_text, parse_rule_set
from grayshield.strategies.backtest import backtest


def _alerts() -> pd.DataFrame:
    d = date(2024, 6, 1)
    rows = [
        # subject, score, proxy, segment, open complaint, reasons, complained
        ("C1", 0.90, 0.90, "mass", False, ["近30天催收外呼次数激增"], True),
        ("C2", 0.80, 0.10, "mass", False, ["近90天收取费用较多"], True),
        ("C3", 0.70, 0.05, "mass", False, ["近30天催收外呼次数激增"], False),
        ("C4", 0.60, 0.40, "young", False, [], True),
        ("C5", 0.20, 0.05, "senior", False, [], False),
        ("C6", 0.50, 0.05, "mass", True, [], True),
        ("C7", 0.01, 0.99, "mass", False, [], False),  # below every band: no alert at all
    ]
    return pd.DataFrame(
        [dict(zip(["subject_id", "score", "proxy_score", "segment", "open_complaint", "reasons", "complained_30d"],
                  r, strict=True), as_of=d) for r in rows]
    )


def test_default_rules_assign_expected_actions() -> None:
    rules = parse_rule_set(default_rule_text())
    out = rules.assign(_alerts()).set_index("subject_id")
    assert out.loc["C1", "action"] == "identity_reverification" and out.loc["C1", "proxy_level"] == "high"
    assert out.loc["C2", "action"] == "fee_interest_review"  # fee reason on a genuine high-risk customer
    assert out.loc["C3", "action"] == "senior_agent_callback"
    assert out.loc["C4", "action"] == "consumer_education"
    assert out.loc["C5", "band"] == "B" and out.loc["C5", "action"] == "senior_agent_callback"
    assert out.loc["C6", "action"] == "expedite_open_complaint"
    assert pd.isna(out.loc["C7", "band"]) and pd.isna(out.loc["C7", "action"])
    assert set(out["strategy_version"]) == {"2024.1"}


def test_capacity_overflow_goes_to_next_rule_then_fallback() -> None:
    text = default_rule_text().replace(
        'name = "senior_agent_callback"\nlabel_zh = "资深坐席主动回访"\ndaily_capacity = 150',
        'name = "senior_agent_callback"\nlabel_zh = "资深坐席主动回访"\ndaily_capacity = 1')
    rules = parse_rule_set(text)
    alerts = _alerts()
    alerts.loc[alerts.subject_id == "C2", "reasons"] = pd.Series([[]], index=alerts.index[alerts.subject_id == "C2"])
    out = rules.assign(alerts).set_index("subject_id")
    # C2 (0.80) takes the single callback slot; C3 (0.70) overflows to the fallback.
    assert out.loc["C2", "action"] == "senior_agent_callback"
    assert out.loc["C3", "action"] == "monitor" and out.loc["C3", "rule"] == "fallback"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (('action = "fee_interest_review"', 'action = "refund_everything"'), "undeclared action"),
        (("A = 0.30", "A = 0.01"), "highest band down"),
        (('priority = 10', 'priority = 10\ncolour = "red"'), "Extra inputs are not permitted"),
        (('proxy_risk = ["high"]', 'proxy_risk = ["extreme"]'), "unknown proxy_risk"),
        (('version = "2024.1"', 'version = '), "not valid TOML"),
    ],
)
def test_invalid_rules_are_refused_with_where(edit: tuple[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_rule_set(default_rule_text().replace(*edit, 1), source="draft x")


def test_backtest_counts_outcomes() -> None:
    rules = parse_rule_set(default_rule_text())
    report = backtest(rules, _alerts())
    assert report["alerts"] == 6 and report["complaints_in_history"] == 4
    assert report["complaints_reached"] == 4 and report["share_of_complaints_reached"] == 1.0
    assert report["actions"]["identity_reverification"]["complained_30d"] == 1
    assert report["actions"]["senior_agent_callback"]["customers"] == 2


def test_publish_needs_matching_backtest_and_versions_are_immutable(tmp_path: Path) -> None:
    repo = StrategyRepository(tmp_path)
    assert repo.active().version == "default"
    text = default_rule_text().replace('version = "2024.1"', 'version = "2024.2"')
    with pytest.raises(ValidationError):
        repo.save_draft("try", text.replace("A = 0.30", "A = 2"))
    assert not (tmp_path / "complaints" / "drafts" / "try.toml").exists()
    rules = repo.save_draft("try", text)
    with pytest.raises(ValidationError, match="not produced for this draft"):
        repo.publish("try", backtest(parse_rule_set(default_rule_text()), _alerts()))
    v1 = repo.publish("try", backtest(rules, _alerts()))
    assert v1 == "v0001" and repo.active().version == "v0001" and repo.active().backtest is not None
    with pytest.raises(ValidationError, match="already published"):
        repo.publish("try", backtest(rules, _alerts()))
    assert "-version = \"2024.1\"" in repo.diff("default", "v0001")
    with pytest.raises(NotFoundError):
        repo.get("v0009")
