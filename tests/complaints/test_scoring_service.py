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
