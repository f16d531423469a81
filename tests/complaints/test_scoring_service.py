"""Daily scoring writes alerts with bands, reasons and actions; re-running a day replaces, never duplicates."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from grayshield.complaints.training import ComplaintModels
from grayshield.lake import World
from grayshield.models.registry import ModelRegistry
from grayshield.store import Database, upgrade
from grayshield.store.models import Alert, ScoreRun
from grayshield.strategies.repository import StrategyRepository


@pytest.fixture(scope="module")
def registry(fitted: tuple[ComplaintModels, pd.DataFrame], tmp_path_factory: pytest.TempPathFactory) -> ModelRegistry:
    from grayshield.services.complaint_warning import publish

    reg = ModelRegistry(tmp_path_factory.mktemp("models"))
    publish(*fitted, reg)
    return reg


def test_scoring_a_day_writes_alerts_and_is_rerunnable(world: World, registry: ModelRegistry, database_url: str,
                                                       tmp_path: Path) -> None:
    from grayshield.complaints.dataset import scoring_dates
    from grayshield.services.complaint_warning import score_to_store

    db = Database(database_url)
    upgrade(db)
    as_of = scoring_dates(world, labelled=False)[-1]
    strategies = StrategyRepository(tmp_path / "strategies")
    try:
        first = score_to_store(world, as_of, registry, db, strategies)
        again = score_to_store(world, as_of, registry, db, strategies)
        assert first["alerts"] == again["alerts"] > 0
        with db.session() as s:
            alerts = s.scalars(select(Alert).where(Alert.as_of == as_of)).all()
            runs = s.scalar(select(func.count()).select_from(ScoreRun))
        assert len(alerts) == first["alerts"] and runs == 2
        assert {a.band for a in alerts} <= {"A", "B", "C"}
        assert all(a.action and a.reasons and a.model_version == "v0001" for a in alerts)
        assert all(0 <= a.proxy_score <= 1 for a in alerts)
        banded_a = [a for a in alerts if a.band == "A"]
        assert all(a.score >= 0.30 for a in banded_a)
    finally:
        db.dispose()


def test_a_shifted_population_raises_a_drift_alert(world: World, registry: ModelRegistry, tmp_path: Path) -> None:
    """Scoring against a reference whose scores sit far from today's raises a model_drift alert with the
    most shifted features; re-scoring the day replaces it."""
    import shutil

    from grayshield.complaints.dataset import scoring_dates
    from grayshield.services.complaint_warning import DRIFT_KIND, score_to_store

    shifted = ModelRegistry(tmp_path / "models")
    source = registry.get("complaint_warning")
    target = shifted.root / "complaint_warning" / "v0001"
    shutil.copytree(source.path, target)
    reference = pd.read_parquet(target / "drift_reference.parquet")
    reference["score"] = reference["score"] * 0.01  # the validation window's customers looked far safer
    reference["max_dpd_90d"] = reference["max_dpd_90d"] + 400
    reference.to_parquet(target / "drift_reference.parquet")

    db = Database(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(db)
    as_of = scoring_dates(world, labelled=False)[-1]
    try:
        summary = score_to_store(world, as_of, shifted, db, StrategyRepository(tmp_path / "strategies"))
        assert summary["drift"]["level"] == "alert"
        score_to_store(world, as_of, shifted, db, StrategyRepository(tmp_path / "strategies"))
        with db.session() as s:
            drift = s.scalars(select(Alert).where(Alert.kind == DRIFT_KIND)).all()
        assert len(drift) == 1 and drift[0].band == "alert" and drift[0].score >= 0.25
        assert "max_dpd_90d" in {item["feature"] for item in drift[0].reasons}
    finally:
        db.dispose()


def test_drift_levels_follow_the_thresholds() -> None:
    import numpy as np

    from grayshield.complaints.drift import DriftThresholds, drift_by_month

    rng = np.random.default_rng(0)
    reference = pd.DataFrame({"score": rng.beta(1, 20, 5000), "f": rng.normal(0, 1, 5000)})
    same = reference.assign(as_of="2024-05-01")
    moved = pd.DataFrame({"score": rng.beta(3, 10, 5000), "f": rng.normal(2, 1, 5000), "as_of": "2024-06-01"})
    months = drift_by_month(reference, pd.concat([same, moved]), ["f"])
    assert [m["level"] for m in months] == ["ok", "alert"]
    assert months[1]["top_feature_psi"][0]["feature"] == "f" and months[1]["top_feature_psi"][0]["psi"] > 0.25
    assert DriftThresholds().level(0.15) == "warn"
