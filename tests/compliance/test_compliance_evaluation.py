"""``evaluate_world`` on small simulated worlds: a self-explaining report, and quality that can regress."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from grayshield.compliance.evaluation import evaluate_world


def test_report_on_a_hard_held_out_world(simulated_world: Callable[..., Path], tmp_path: Path) -> None:
    train = simulated_world("default", 2_000, 6, seed=7)
    test = simulated_world("hard", 2_000, 6, seed=11)
    report = evaluate_world(train, test, tmp_path / "out")
    json.dumps(report)  # the CLI prints it as JSON
    breaches = report["breach_utterances"]["per_type"]
    assert set(breaches) == {"threat", "abusive_language", "improper_third_party_contact", "unauthorised_promise",
                             "third_party_disclosure"}
    found = sum(int(v["support"]) for v in breaches.values())
    caught = sum(float(v["recall"]) * int(v["support"]) for v in breaches.values())
    assert found > 0 and caught / found >= 0.8
    assert report["missing_mandatory"]["calls_exactly_right"] >= 0.95
    process = report["process_alerts"]
    assert process["pooled"]["precision"] >= 0.85 and process["pooled"]["recall"] >= 0.7
    assert (tmp_path / "out" / "qa_findings.csv").is_file() and (tmp_path / "out" / "staff_alerts.csv").is_file()
