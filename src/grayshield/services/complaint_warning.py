"""Complaint early warning as the platform runs it: train on a world, evaluate on another, score a day.

This is where the engine (``grayshield.complaints``) meets the model registry, the strategy repository and the
operational store; the CLI and the console call these functions and nothing deeper.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import delete

from grayshield.complaints import card
from grayshield.complaints.dataset import build_frame, scoring_dates
from grayshield.complaints.drift import drift_by_month
from grayshield.complaints.proxy import complaint_frame
from grayshield.complaints.scoring import attach_reasons, score_date, score_frame
from grayshield.complaints.training import MODEL_NAME, ComplaintModels, fit
from grayshield.core.logging import get_logger
from grayshield.features.catalogue import TableSource
from grayshield.lake import World, open_world
from grayshield.models.metrics import classification_report
from grayshield.models.registry import ModelRegistry, ModelVersion
from grayshield.store import Database
from grayshield.store.models import Alert, ScoreRun
from grayshield.strategies.repository import StrategyRepository
from grayshield.strategies.rules import RuleSet

log = get_logger(__name__)
ALERT_KIND = "complaint"
DRIFT_KIND = "model_drift"  # raised when the day's score distribution has shifted from the validation window


# ---------------------------------------------------------------------------------------------- training
def fit_on_world(world: World, seed: int = 0) -> tuple[ComplaintModels, pd.DataFrame]:
    """Models fitted on every labelled scoring date of ``world``; also returns the frame they were fitted on."""
    frame = build_frame(world, scoring_dates(world), truth=world)
    complaints = complaint_frame(world, truth=world)
    models = fit(frame, complaints, seed=seed)
    models.summary["world"] = world.identity()
    return models, frame


def publish(models: ComplaintModels, frame: pd.DataFrame, registry: ModelRegistry) -> ModelVersion:
    """Store the models with their model card as the next registry version."""
    valid_from = models.summary["validation_window"][0]
    valid = frame[frame["as_of"] >= date.fromisoformat(valid_from)]
    scored = score_frame(models, valid)
    reference = scored[["score", *models.features]].sample(n=min(len(scored), 20_000), random_state=0)

    def write(folder: Path) -> dict[str, Any]:
        models.save(folder)
        reference.to_parquet(folder / "drift_reference.parquet")
        curves: dict[str, Any] = {"LightGBM": scored["score"]}
        if models.scorecard is not None:
            curves["WOE scorecard"] = models.scorecard.predict_proba(valid[models.features])[:, 1]
        plots = {"curves": card.curves_plot(valid["complaint_30d"], curves),
                 "importance": card.importance_plot(models.summary["feature_importance"])}
        (folder / "model_card.html").write_text(card.render(models.summary, models.features, plots),
                                                encoding="utf-8")
        return {"features": models.features, **{k: v for k, v in models.summary.items()
                                                if k != "feature_importance"}}

    return registry.publish(MODEL_NAME, write)


def train_world(world_path: Path, models_dir: Path) -> dict[str, Any]:
    """``grayshield train complaints --world W``: fit and publish; returns the version and OOT metrics."""
    models, frame = fit_on_world(open_world(world_path))
    version = publish(models, frame, ModelRegistry(models_dir))
    return {"model": version.name, "version": version.version, "path": str(version.path),
            "oot_validation": models.summary["oot_validation"]}


# ---------------------------------------------------------------------------------------------- evaluation
def evaluate_world(train_path: Path, test_path: Path, out_dir: Path | None) -> dict[str, Any]:
    """Train on one world, report on another: complaints in 30 days (LightGBM vs scorecard), proxy risk and
    complaint-level proxy detection, and score drift across the test world's months."""
    models, _ = fit_on_world(open_world(train_path))
    test = open_world(test_path)
    frame = score_frame(models, build_frame(test, scoring_dates(test), truth=test))
    dates = sorted(frame["as_of"].unique())
    latest = frame[frame["as_of"] >= dates[-2 if len(dates) >= 4 else -1]]
    result: dict[str, Any] = {
        "complaint_30d": {
            "lightgbm_latest_months": classification_report(latest["complaint_30d"], latest["score"]),
            "lightgbm_all_months": classification_report(frame["complaint_30d"], frame["score"]),
            "test_scoring_dates": [str(d) for d in dates],
        },
        "training": {k: models.summary[k] for k in ("training_window", "validation_window", "training_rows")},
        "train_oot_validation": models.summary["oot_validation"],
    }
    if models.scorecard is not None:
        result["complaint_30d"]["scorecard_latest_months"] = classification_report(
            latest["complaint_30d"], models.scorecard.predict_proba(latest[models.features])[:, 1])
    with_complaint = frame[frame["complaint_30d"] == 1]
    if models.proxy_risk is not None and with_complaint["proxy_30d"].nunique() == 2:
        result["proxy_risk_customer"] = classification_report(with_complaint["proxy_30d"],
                                                              with_complaint["proxy_score"])
    complaints = complaint_frame(test, truth=test)
    if models.proxy_complaint is not None and "is_proxy" in complaints and complaints["is_proxy"].nunique() == 2:
        p = models.proxy_complaint.predict_proba(complaints[models.proxy_complaint_features])[:, 1]
        result["proxy_complaint"] = classification_report(complaints["is_proxy"], p)
        result["proxy_complaint"]["precision_at_0_5"] = _precision(complaints["is_proxy"], p >= 0.5)
        result["proxy_complaint"]["recall_at_0_5"] = _recall(complaints["is_proxy"], p >= 0.5)
    first = frame[frame["as_of"] == dates[0]]
    result["drift"] = drift_by_month(first, frame, models.features)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        plot = card.curves_plot(latest["complaint_30d"], {
            "LightGBM": latest["score"],
            **({"WOE scorecard": models.scorecard.predict_proba(latest[models.features])[:, 1]} if models.scorecard else {}),
        })
        summary = {**models.summary, "oot_validation": {
            k.removesuffix("_latest_months"): v for k, v in result["complaint_30d"].items()
            if k.endswith("_latest_months")}, "world": test.identity()}
        (out_dir / "complaints_evaluation.html").write_text(
            card.render(summary, models.features, {"curves": plot}), encoding="utf-8")
    return result


def _precision(y: pd.Series, predicted: np.ndarray) -> float:
    return float(np.asarray(y)[predicted].mean()) if predicted.any() else 0.0


def _recall(y: pd.Series, predicted: np.ndarray) -> float:
    labels = np.asarray(y).astype(bool)
    return float(predicted[labels].mean()) if labels.any() else 0.0


# ---------------------------------------------------------------------------------------------- scoring
def score_to_store(source: TableSource, as_of: date, registry: ModelRegistry, db: Database,
                   strategies: StrategyRepository, model_version: str | None = None) -> dict[str, Any]:
    """Score every customer on book at ``as_of`` and replace that day's complaint alerts in the store.

    Re-running a date gives the same alerts (the day's rows are deleted and rewritten in one transaction), so
    a failed or repeated daily run is safe.
    """
    version = registry.get(MODEL_NAME, model_version)
    models = ComplaintModels.load(version.path)
    strategy = strategies.active()
    scored = score_date(source, models, as_of)
    alerts = _assign(strategy.rule_set, scored, as_of)
    alerted_mask = scored["customer_id"].isin(alerts["subject_id"])
    with_reasons = attach_reasons(models, scored, alerted_mask)
    reasons = dict(zip(with_reasons["customer_id"], with_reasons["reasons"], strict=True))
    drift = _drift(version, scored, models)
    with db.session() as session:
        session.execute(delete(Alert).where(Alert.kind.in_((ALERT_KIND, DRIFT_KIND)), Alert.as_of == as_of))
        if drift.get("level", "ok") != "ok":
            session.add(Alert(kind=DRIFT_KIND, subject_type="model", subject_id=f"{version.name}:{version.version}",
                              as_of=as_of, score=drift["score_psi"], band=drift["level"],
                              reasons=drift["top_feature_psi"], model_name=version.name,
                              model_version=version.version))
        session.add_all(
            Alert(kind=ALERT_KIND, subject_type="customer", subject_id=row["subject_id"], as_of=as_of,
                  score=row["score"], band=row["band"], proxy_score=row["proxy_score"],
                  proxy_level=row["proxy_level"], reasons=reasons[row["subject_id"]], segment=row["segment"],
                  action=row["action"], rule=row["rule"], strategy_version=strategy.version,
                  model_name=version.name, model_version=version.version)
            for row in alerts.to_dict("records")
        )
        summary = {"bands": alerts["band"].value_counts().to_dict(),
                   "actions": alerts["action"].value_counts().to_dict(),
                   "score_mean": float(scored["score"].mean()), "drift": drift}
        session.add(ScoreRun(kind=ALERT_KIND, as_of=as_of, model_name=version.name, model_version=version.version,
                             strategy_version=strategy.version, rows_scored=len(scored), alerts=len(alerts),
                             score_summary=summary, finished_at=datetime.now(UTC)))
    log.info("complaint scoring %s: %d customers, %d alerts", as_of, len(scored), len(alerts))
    return {"as_of": str(as_of), "model_version": version.version, "strategy_version": strategy.version,
            "customers_scored": len(scored), "alerts": len(alerts), **summary}


def _strategy_input(scored: pd.DataFrame, as_of: Any, open_complaint: Any) -> pd.DataFrame:
    """Scored customers in the shape ``RuleSet.assign`` takes (reasons are attached later, to alerts only)."""
    return pd.DataFrame({
        "subject_id": scored["customer_id"], "as_of": as_of, "score": scored["score"],
        "proxy_score": scored["proxy_score"], "segment": scored["segment"].astype(str),
        "open_complaint": open_complaint, "reasons": [[] for _ in range(len(scored))],
    })


def _assign(rule_set: RuleSet, scored: pd.DataFrame, as_of: date) -> pd.DataFrame:
    candidates = scored[scored["score"] >= min(rule_set.bands.values())]
    assigned = rule_set.assign(_strategy_input(candidates, as_of, candidates["open_complaint"]))
    return assigned[assigned["band"].notna()]


def _drift(version: ModelVersion, scored: pd.DataFrame, models: ComplaintModels) -> dict[str, Any]:
    reference_path = version.path / "drift_reference.parquet"
    if not reference_path.exists():
        return {}
    reference = pd.read_parquet(reference_path)
    month = drift_by_month(reference, scored, models.features, top=3)
    return month[0] if month else {}


def score_world_day(world_path: Path, as_of: date, models_dir: Path, db: Database,
                    strategies_dir: Path) -> dict[str, Any]:
    """Convenience for the CLI: score a day of a world (or the lake) with the newest model and strategy."""
    return score_to_store(open_world(world_path), as_of, ModelRegistry(models_dir), db,
                          StrategyRepository(strategies_dir))


# ---------------------------------------------------------------------------------------------- strategies
def backtest_history(world_path: Path, models_dir: Path, model_version: str | None = None) -> pd.DataFrame:
    """Past warnings with their outcomes, for backtesting a rule set: the newest model re-scores every
    labelled scoring date of the world, and each customer's real complaint in the next 30 days is attached."""
    world = open_world(world_path)
    models = ComplaintModels.load(ModelRegistry(models_dir).get(MODEL_NAME, model_version).path)
    frame = score_frame(models, build_frame(world, scoring_dates(world), truth=world))
    return _strategy_input(frame, frame["as_of"], False).assign(
        complained_30d=frame["complaint_30d"].astype(bool), proxy_complaint=frame["proxy_30d"].astype(bool))
