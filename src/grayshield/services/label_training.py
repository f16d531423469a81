"""Training the number, complaint and social models from a :class:`~grayshield.services.labels.LabelSource`.

The area trainers (``callers.evaluation``, ``services.complaint_warning``, ``social.evaluation``) read a simulated
world's truth; here the same engine functions run with the label source in the truth's place, and with outcome
labels only the *decided* subjects are trained on. Every subject nobody has decided on is left out rather than
counted as clean: a bank reviews the numbers it suspects, and an unreviewed number is unknown, not innocent.

The one exception is the complaint early-warning frame: ``proxy_30d`` (will a gang be behind this customer's
next complaint?) counts a complaint without a verdict as genuine, because the risk model on the same frame
needs every customer-month; the complaint-level model (``proxy_complaint``) uses decided complaints only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from grayshield.core.errors import ValidationError
from grayshield.services.labels import MIN_PER_CLASS, LabelSource

TRAINED_AREAS = ("callers", "complaints", "social")
GANG_WEIGHTS_MODEL = "gang_weights"
MIN_GANG_CASES = 20
"""Decided gang cases needed before the gang score's weights are fitted; fewer keep the hand-set weights."""
MIN_GANG_CLASS = 3


def train(area: str, source: LabelSource, models_dir: Path) -> dict[str, Any]:
    """Fit ``area`` on ``source``'s labels and publish the next model version; the labels used are reported."""
    trainers = {"callers": _train_callers, "complaints": _train_complaints, "social": _train_social}
    if area not in trainers:
        raise ValidationError(f"{area} 不从标签训练；可用: {', '.join(TRAINED_AREAS)}")
    info: dict[str, Any] = trainers[area](source, models_dir)
    return {**info, "labels": {"mode": source.mode, **source.counts(area)}}


def evaluate(area: str, source: LabelSource, test_world: Path) -> dict[str, Any]:
    """Fit ``area`` on ``source``'s labels (nothing published) and measure it against a held-out world's truth."""
    from grayshield.lake import open_world

    evaluators = {"callers": _evaluate_callers, "complaints": _evaluate_complaints, "social": _evaluate_social}
    if area not in evaluators:
        raise ValidationError(f"{area} 不从标签训练；可用: {', '.join(TRAINED_AREAS)}")
    test = open_world(test_world)
    result: dict[str, Any] = evaluators[area](source, test)
    return {"area": area, "labels": {"mode": source.mode, **source.counts(area)},
            "train_world": source.identity(), "test_world": test.identity(), **result}


# ---------------------------------------------------------------------------------------------- callers
def caller_frames(source: LabelSource, scorer: Any = None) -> Any:
    """Caller frames of the source's world with its labels; with outcome labels, decided numbers/calls only."""
    from grayshield.callers.dataset import attach_truth, build_frames, world_end
    from grayshield.callers.transcripts import default_scorer

    world = source.world
    frames = attach_truth(build_frames(world, world_end(world), scorer or default_scorer()), source)
    if source.partial:
        numbers = set(source.labelled("numbers")["number"])
        calls = set(source.labelled("calls")["call_id"])
        frames.numbers = frames.numbers[frames.numbers["number"].isin(numbers)].reset_index(drop=True)
        frames.calls = frames.calls[frames.calls["call_id"].isin(calls)].reset_index(drop=True)
    _require_classes(frames.numbers.get("is_blackgray"), "号码（在本世界有来电的已结论号码）")
    _require_classes(frames.calls.get("is_proxy"), "来电（已结论号码的来电）")
    return frames


def _fit_callers(source: LabelSource) -> Any:
    from grayshield.callers.scoring import fit
    from grayshield.callers.transcripts import default_scorer

    scorer = default_scorer()
    models = fit(caller_frames(source, scorer))
    models.summary.update(world=source.identity(), transcript_scorer=scorer.name, labels=source.mode)
    return models


def _train_callers(source: LabelSource, models_dir: Path) -> dict[str, Any]:
    from grayshield.callers.scoring import MODEL_NAME
    from grayshield.models.registry import ModelRegistry

    models = _fit_callers(source)

    def write(folder: Path) -> dict[str, Any]:
        models.save(folder)
        return models.summary  # type: ignore[no-any-return]

    version = ModelRegistry(models_dir).publish(MODEL_NAME, write)
    return {"model": version.name, "version": version.version, "path": str(version.path),
            "trained_numbers": models.summary["numbers"], "trained_calls": models.summary["calls"],
            "number_threshold": models.number_threshold, "call_threshold": models.call_threshold}


def _evaluate_callers(source: LabelSource, test: Any) -> dict[str, Any]:
    from grayshield.callers.dataset import attach_truth, build_frames, world_end
    from grayshield.callers.scoring import score_calls, score_numbers
    from grayshield.callers.transcripts import default_scorer
    from grayshield.models.metrics import classification_report

    models = _fit_callers(source)
    frames = attach_truth(build_frames(test, world_end(test), default_scorer()), test)
    numbers = score_numbers(models, frames, describe=False).merge(
        frames.numbers[["number", "is_blackgray"]], on="number", how="left")
    calls = score_calls(models, frames).merge(frames.calls[["call_id", "is_proxy"]], on="call_id", how="left",
                                              suffixes=("_predicted", ""))
    return {"habitual_numbers": classification_report(numbers["is_blackgray"], numbers["score"]),
            "proxy_calls": classification_report(calls["is_proxy"], calls["score"]),
            "trained_on": {"numbers": models.summary["numbers"], "calls": models.summary["calls"]}}


# ---------------------------------------------------------------------------------------------- complaints
def _fit_complaints(source: LabelSource) -> tuple[Any, pd.DataFrame]:
    from grayshield.complaints.dataset import build_frame, scoring_dates
    from grayshield.complaints.proxy import complaint_frame
    from grayshield.complaints.training import fit

    world = source.world
    frame = build_frame(world, scoring_dates(world), truth=source)
    complaints = complaint_frame(world, truth=source)
    if source.partial:
        decided = set(source.labelled("complaints")["complaint_id"])
        complaints = complaints[complaints["complaint_id"].isin(decided)].reset_index(drop=True)
    _require_classes(complaints.get("is_proxy"), "投诉（本世界中已有结论的投诉）")
    models = fit(frame, complaints)
    models.summary.update(world=source.identity(), labels=source.mode, verdict_complaints=len(complaints))
    return models, frame


def _train_complaints(source: LabelSource, models_dir: Path) -> dict[str, Any]:
    from grayshield.models.registry import ModelRegistry
    from grayshield.services.complaint_warning import publish

    models, frame = _fit_complaints(source)
    version = publish(models, frame, ModelRegistry(models_dir))
    return {"model": version.name, "version": version.version, "path": str(version.path),
            "trained_complaints": models.summary["verdict_complaints"],
            "oot_validation": models.summary["oot_validation"]}


def _evaluate_complaints(source: LabelSource, test: Any) -> dict[str, Any]:
    from grayshield.complaints.proxy import complaint_frame
    from grayshield.models.metrics import classification_report

    models, _ = _fit_complaints(source)
    complaints = complaint_frame(test, truth=test)
    result: dict[str, Any] = {"trained_on": {"complaints": models.summary["verdict_complaints"]}}
    if models.proxy_complaint is None:
        result["proxy_complaint"] = models.summary.get("proxy_complaint", "not trained")
    else:
        score = models.proxy_complaint.predict_proba(complaints[models.proxy_complaint_features])[:, 1]
        result["proxy_complaint"] = classification_report(complaints["is_proxy"], score)
    return result


# ---------------------------------------------------------------------------------------------- social
def _fit_social(source: LabelSource) -> Any:
    from grayshield.social.evaluation import read_social
    from grayshield.social.history import ACCOUNT_KEY, POST_KEY
    from grayshield.social.model import fit
    from grayshield.text.engine import TextEngine

    engine = TextEngine()
    social = read_social(source.world)
    account_labels = source.labels("social_accounts")
    post_labels = source.labels("social_posts")
    accounts = social.accounts
    if source.partial:
        accounts = accounts.merge(account_labels[ACCOUNT_KEY], on=ACCOUNT_KEY)
    posts = social.posts.merge(post_labels[[*POST_KEY, "label"]], on=POST_KEY, how="inner")
    posts = posts.merge(accounts[ACCOUNT_KEY].drop_duplicates(), on=ACCOUNT_KEY)
    labels = account_labels.set_index(ACCOUNT_KEY)["is_blackgray"]
    _require_classes(labels.reindex(pd.MultiIndex.from_frame(accounts[ACCOUNT_KEY])).dropna(), "社交账号")
    model = fit(engine, posts, posts["label"].tolist(), accounts, labels)
    model.summary.update(trained_on=source.identity(), lexicon=engine.lexicon.identity, labels=source.mode)
    return model, engine


def _train_social(source: LabelSource, models_dir: Path) -> dict[str, Any]:
    from grayshield.social.evaluation import publish

    model, _ = _fit_social(source)
    return publish(model, models_dir)


def _evaluate_social(source: LabelSource, test: Any) -> dict[str, Any]:
    from grayshield.models.metrics import classification_report
    from grayshield.social.evaluation import read_social
    from grayshield.social.history import ACCOUNT_KEY
    from grayshield.social.model import score_accounts

    model, engine = _fit_social(source)
    social = read_social(test)
    scored = score_accounts(model, engine, social.posts, social.accounts, reasons=0)
    truth = test.truth("social_accounts").select(*ACCOUNT_KEY, "is_blackgray").to_pandas()
    scored = scored.merge(truth, on=ACCOUNT_KEY, how="left")
    y = scored["is_blackgray"].fillna(False).astype(bool).to_numpy()
    return {"accounts": classification_report(y, scored["p_blackgray"].to_numpy()),
            "trained_on": {"accounts": model.summary["training_accounts"],
                           "blackgray_accounts": model.summary["training_blackgray_accounts"]}}


def _require_classes(labels: pd.Series | None, what: str, minimum: int = MIN_PER_CLASS) -> None:
    """Training needs enough of both classes among the rows that actually reach the model."""
    values = np.asarray(labels if labels is not None else [], dtype=bool)
    positives, negatives = int(values.sum()), int((~values).sum())
    if positives < minimum or negatives < minimum:
        raise ValidationError(f"可用于训练的{what}标签不足：正例 {positives}、负例 {negatives}，每类至少需要 {minimum} 个")


# ---------------------------------------------------------------------------------------------- gangs
def calibrate_gangs(decided: pd.DataFrame, minimum: int = MIN_GANG_CASES) -> dict[str, Any]:
    """Gang-score weights from decided gang cases, or the hand-set weights (and why) when there are too few."""
    from grayshield.graph.communities import EVIDENCE_WEIGHTS, evidence_score, fit_evidence_weights

    labels = decided["label"].to_numpy(dtype=int) if len(decided) else np.zeros(0, dtype=int)
    positives, negatives = int(labels.sum()), int(len(labels) - labels.sum())
    info: dict[str, Any] = {"decided_gangs": {"confirmed": positives, "cleared": negatives}}
    if len(labels) < minimum or min(positives, negatives) < MIN_GANG_CLASS:
        return {**info, "calibrated": False, "weights": dict(EVIDENCE_WEIGHTS),
                "reason": f"已结案团伙 {len(labels)} 个（确认 {positives}、排除 {negatives}）：至少需要 {minimum} 个且"
                          f"两类各 {MIN_GANG_CLASS} 个，暂用默认权重"}
    evidence = decided.reindex(columns=list(EVIDENCE_WEIGHTS)).fillna(0)
    weights = fit_evidence_weights(evidence, labels)
    rows = [{str(k): int(v) for k, v in row.items()} for row in evidence.to_dict("records")]
    before = [evidence_score(row, EVIDENCE_WEIGHTS) for row in rows]
    after = [evidence_score(row, weights) for row in rows]
    return {**info, "calibrated": True, "weights": weights, "prior_weights": dict(EVIDENCE_WEIGHTS),
            "log_loss": {"prior": _log_loss(labels, before), "calibrated": _log_loss(labels, after)}}


def train_gangs(session_factory: Any, models_dir: Path) -> dict[str, Any]:
    """Calibrate the gang score on the store's decided gang cases and publish the weights as a model version."""
    from grayshield.models.registry import ModelRegistry
    from grayshield.services.labels import gang_outcomes

    with session_factory() as session:
        decided = gang_outcomes(session)
    result = calibrate_gangs(decided)

    def write(folder: Path) -> dict[str, Any]:
        import json

        (folder / "weights.json").write_text(json.dumps(result["weights"], indent=2), encoding="utf-8")
        return {"kind": "gang_score_weights", **result}

    version = ModelRegistry(models_dir).publish(GANG_WEIGHTS_MODEL, write)
    return {"model": version.name, "version": version.version, "path": str(version.path), **result}


def gang_weights(models_dir: Path) -> dict[str, float] | None:
    """The latest calibrated gang-score weights, for ``DiscoveryConfig(weights=...)``; None when never trained."""
    from grayshield.models.registry import ModelRegistry

    registry = ModelRegistry(models_dir)
    if not registry.versions(GANG_WEIGHTS_MODEL):
        return None
    weights = registry.get(GANG_WEIGHTS_MODEL).metadata.get("weights")
    return {str(k): float(v) for k, v in weights.items()} if isinstance(weights, dict) else None


def _log_loss(labels: np.ndarray, scores: list[float]) -> float:
    p = np.clip(np.asarray(scores, dtype=np.float64), 1e-6, 1 - 1e-6)
    return round(float(-np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p))), 4)
