"""Gang-score calibration on decided gang cases: the hand-set weights until enough cases are closed, then a
noisy-OR fit that lowers the weight of evidence the strike team kept clearing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grayshield.cases import CaseService
from grayshield.cli.main import app
from grayshield.graph.communities import EVIDENCE_WEIGHTS, DiscoveryConfig, evidence_score
from grayshield.services import label_training, strike
from grayshield.services.labels import gang_outcomes
from grayshield.store import Database, upgrade

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
GANG = {"shared_numbers": 2, "shared_templates": 1, "shared_handles": 1}
AD_RING = {"shared_handles": 8}  # accounts re-posting one contact: often a marketing ring, not a debt gang


def _decide(db: Database, gangs: list[tuple[dict[str, int], str]]) -> None:
    with db.session() as s:
        cases = CaseService(s, "strike-team")
        for i, (evidence, outcome) in enumerate(gangs):
            case = cases.open("gang", f"GS-{i:04d}", "团伙研判", detail={"facts": {"evidence": evidence}}, now=T0)
            cases.transition(case.id, "closed", "结案", outcome=outcome, now=T0 + timedelta(days=1))


def test_few_decided_gangs_keep_the_hand_set_weights(db: Database) -> None:
    _decide(db, [(GANG, "confirmed_gang"), (AD_RING, "cleared"), (GANG, "insufficient_evidence")])
    with db.session() as s:
        decided = gang_outcomes(s)
    assert sorted(decided["label"]) == [0, 1]
    result = label_training.calibrate_gangs(decided)
    assert not result["calibrated"] and result["weights"] == EVIDENCE_WEIGHTS
    assert "至少需要 20 个" in result["reason"]


def test_cleared_ad_rings_lower_the_weight_of_their_evidence(db: Database) -> None:
    decided = [(GANG, "confirmed_gang")] * 12 + [(GANG, "police_case_filed")] * 4 + [(AD_RING, "cleared")] * 8
    _decide(db, decided + [({"shared_handles": 2, "shared_numbers": 1}, "confirmed_gang")])
    with db.session() as s:
        result = label_training.calibrate_gangs(gang_outcomes(s))
    assert result["calibrated"] and result["decided_gangs"] == {"confirmed": 17, "cleared": 8}
    weights = result["weights"]
    assert weights["shared_handles"] < EVIDENCE_WEIGHTS["shared_handles"] / 2
    assert weights["shared_numbers"] > EVIDENCE_WEIGHTS["shared_numbers"]
    assert weights["shared_materials"] == pytest.approx(EVIDENCE_WEIGHTS["shared_materials"], abs=1e-3)  # unseen
    assert result["log_loss"]["calibrated"] < result["log_loss"]["prior"]
    assert evidence_score(AD_RING, weights) < DiscoveryConfig().gang_score <= evidence_score(AD_RING)


def test_cli_publishes_weights_discovery_can_use(tmp_path: Path, cli_home: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from grayshield.core.settings import get_settings

    store = Database(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(store)
    _decide(store, [(GANG, "confirmed_gang")] * 15 + [(AD_RING, "cleared")] * 10)
    store.dispose()
    monkeypatch.setenv("GRAYSHIELD_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    get_settings.cache_clear()
    world = tmp_path / "w"
    world.mkdir()
    (world / "world.json").write_text("{}", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["train", "gangs", "--world", str(world), "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["model"] == "gang_weights" and info["calibrated"]
    weights = label_training.gang_weights(get_settings().models_dir)
    assert weights == info["weights"] and DiscoveryConfig(weights=weights).weights == weights
    assert strike.default_discovery_config().weights == weights  # the next discovery run scores with them
    refused = runner.invoke(app, ["train", "gangs", "--world", str(world), "--labels", "truth"])
    assert refused.exit_code == 65 and "--labels outcomes" in refused.output
