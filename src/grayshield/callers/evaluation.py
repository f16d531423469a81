"""``grayshield eval callers`` / ``grayshield train callers``: habitual numbers and proxy calls on held-out worlds.

Targets (issue 7): habitual-number precision >= 0.95 at recall >= 0.90, proxy-call F1 >= 0.90, on a world with
a new seed and the hard profile. Each world is scored at its own end date; the voice radius and whether voices
separate speakers at all are measured on each world's own voiceprints (unsupervised); the call threshold comes
from the training world and is adapted to the scored world's own score distribution (``adapted_threshold``), the
number cut is chosen on the scored world by its expected precision (``number_cut``); neither reads labels.

``--train`` may also be a folder whose sub-folders are worlds (e.g. one default and one hard profile): the
detectors then learn from all of them together, which is what a bank should do with several quarters or
portfolios.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from grayshield.callers.dataset import Frames, attach_truth, build_frames, world_end
from grayshield.callers.scoring import (
    MODEL_NAME,
    TARGET_PRECISION,
    CallerModels,
    fit,
    number_cut,
    score_calls,
    score_numbers,
)
from grayshield.callers.transcripts import UtteranceScorer, default_scorer
from grayshield.lake import open_world
from grayshield.models.metrics import classification_report
from grayshield.models.registry import ModelRegistry

TARGET_RECALL = 0.90


def labelled_frames(world_path: Path, scorer: UtteranceScorer) -> Frames:
    world = open_world(world_path)
    return attach_truth(build_frames(world, world_end(world), scorer), world)


def training_worlds(path: Path) -> list[Path]:
    """``path`` itself when it is a world, else its sub-folders that are worlds (sorted); none is an error."""
    if (path / "world.json").exists():
        return [path]
    worlds = sorted(p for p in path.iterdir() if (p / "world.json").exists()) if path.is_dir() else []
    if not worlds:
        from grayshield.core.errors import ValidationError

        raise ValidationError(f"{path} 既不是模拟世界目录，也不包含模拟世界子目录")
    return worlds


def combine(frames: list[Frames]) -> Frames:
    """Labelled frames of several worlds as one training set (each world keeps its own voice treatment)."""
    if len(frames) == 1:
        return frames[0]
    first = frames[0]
    voices = [f.voice for f in frames if f.voice is not None]
    return Frames(pd.concat([f.calls for f in frames], ignore_index=True),
                  pd.concat([f.numbers for f in frames], ignore_index=True),
                  min(voices, key=lambda v: v.separation) if voices else None, first.as_of)


def train_on(world_path: Path, scorer: UtteranceScorer | None = None, seed: int = 0) -> CallerModels:
    scorer = scorer or default_scorer()
    worlds = training_worlds(world_path)
    models = fit(combine([labelled_frames(w, scorer) for w in worlds]), seed=seed)
    identities = [open_world(w).identity() for w in worlds]
    models.summary["world"] = identities[0] if len(identities) == 1 else identities
    models.summary["transcript_scorer"] = scorer.name
    return models


def train_world(world: Path, models_dir: Path) -> dict[str, Any]:
    """Fit on ``world`` and publish the next version of the ``callers`` model."""
    models = train_on(world)

    def write(folder: Path) -> dict[str, Any]:
        models.save(folder)
        return models.summary

    version = ModelRegistry(models_dir).publish(MODEL_NAME, write)
    return {"model": version.name, "version": version.version, "path": str(version.path),
            "number_threshold": models.number_threshold, "call_threshold": models.call_threshold}


def _decision_metrics(y: np.ndarray, flagged: np.ndarray) -> dict[str, float]:
    tp = float(np.sum(flagged & (y == 1)))
    precision = tp / max(float(flagged.sum()), 1.0)
    recall = tp / max(float((y == 1).sum()), 1.0)
    f1 = 2 * precision * recall / max(precision + recall, 1e-12)
    return {"precision": precision, "recall": recall, "f1": f1, "flagged": int(flagged.sum()),
            "positives": int((y == 1).sum())}


def precision_at_recall(y: np.ndarray, score: np.ndarray, recall: float) -> float:
    """Best precision among thresholds that keep recall at ``recall`` or above (threshold-free view)."""
    from sklearn.metrics import precision_recall_curve

    if len(y) == 0 or not (y == 1).any():  # nothing to find (an extract without caller numbers): no curve
        return 0.0
    p, r, _ = precision_recall_curve(y, score)
    ok = r >= recall
    return float(p[ok].max()) if ok.any() else 0.0


def recall_at_precision(y: np.ndarray, score: np.ndarray, precision: float) -> float:
    from sklearn.metrics import precision_recall_curve

    if len(y) == 0 or not (y == 1).any():
        return 0.0
    p, r, _ = precision_recall_curve(y, score)
    ok = p >= precision
    return float(r[ok].max()) if ok.any() else 0.0


def _by_group(truth: pd.Series, flagged: np.ndarray, y: np.ndarray) -> dict[str, dict[str, float]]:
    """Share flagged per ground-truth group (recall for positive kinds, false-alarm rate for negative ones)."""
    frame = pd.DataFrame({"group": truth.fillna("unknown").to_numpy(), "flagged": flagged, "y": y})
    return {str(g): {"rows": int(len(part)), "flagged_share": float(part["flagged"].mean())}
            for g, part in frame.groupby("group")}


def _number_blind(models: CallerModels, test: Frames) -> dict[str, Any]:
    """Every call of the test world scored as if its number were withheld: how the anonymous model would do."""
    if models.anonymous_model is None:
        return {}
    blind = Frames(test.calls.assign(caller_withheld=1.0), test.numbers, test.voice, test.as_of)
    scored = score_calls(models, blind)
    y = test.calls["is_proxy"].to_numpy()
    return {**classification_report(y, scored["score"].to_numpy()),
            "at_adapted_threshold": _decision_metrics(y, scored["is_proxy"].to_numpy()),
            "threshold": models.anonymous_threshold}


def evaluate_world(train_world: Path, test_world: Path, out_dir: Path | None) -> dict[str, Any]:
    """Train on one world, score the other at its end date, report both questions against its truth."""
    scorer = default_scorer()
    models = train_on(train_world, scorer)
    test = labelled_frames(test_world, scorer)
    numbers = score_numbers(models, test, describe=False).merge(
        test.numbers[["number", "is_blackgray", "kind"]], on="number", how="left")
    calls = score_calls(models, test).merge(test.calls[["call_id", "is_proxy"]], on="call_id", how="left",
                                            suffixes=("_predicted", ""))
    ny, ns = numbers["is_blackgray"].to_numpy(), numbers["score"].to_numpy()
    cy, cs = calls["is_proxy"].to_numpy(), calls["score"].to_numpy()
    cflag = calls["is_proxy_predicted"].to_numpy()
    result: dict[str, Any] = {
        "habitual_numbers": {
            **classification_report(ny, ns),
            "at_adapted_threshold": _decision_metrics(ny, numbers["flagged"].to_numpy()),
            "at_trained_threshold": _decision_metrics(ny, ns >= models.number_threshold),
            "threshold": models.number_threshold,
            "threshold_adapted": float(numbers["threshold"].iloc[0]) if len(numbers) else None,
            "cut": asdict(number_cut(ns, models.number_prior, models.number_threshold)),
            "true_prior": float(ny.mean()) if len(ny) else None,
            f"precision_at_recall_{TARGET_RECALL}": precision_at_recall(ny, ns, TARGET_RECALL),
            f"recall_at_precision_{TARGET_PRECISION}": recall_at_precision(ny, ns, TARGET_PRECISION),
            "rules_only": {**classification_report(ny, numbers["rule_score"].to_numpy()),
                           f"precision_at_recall_{TARGET_RECALL}": precision_at_recall(
                               ny, numbers["rule_score"].to_numpy(), TARGET_RECALL)},
            "flagged_share_by_kind": _by_group(numbers["kind"], numbers["flagged"].to_numpy(), ny),
        },
        "proxy_calls": {
            **classification_report(cy, cs),
            "at_adapted_threshold": _decision_metrics(cy, cflag),
            "at_trained_threshold": _decision_metrics(cy, np.where(
                calls["caller_withheld"].to_numpy(), cflag, cs >= models.call_threshold)),
            "threshold": models.call_threshold,
            "rules_only": classification_report(cy, calls["rule_score"].to_numpy()),
            "withheld_calls": {"calls": int(calls["caller_withheld"].sum()),
                               **_decision_metrics(cy[calls["caller_withheld"].to_numpy()],
                                                   cflag[calls["caller_withheld"].to_numpy()])},
            "number_blind": _number_blind(models, test),
        },
        "targets": {
            "habitual_precision_at_recall_0.90": {"target": TARGET_PRECISION, "met": bool(
                precision_at_recall(ny, ns, TARGET_RECALL) >= TARGET_PRECISION)},
            "habitual_precision_and_recall_at_adapted_threshold": {"met": bool(
                (lambda d: d["precision"] >= TARGET_PRECISION and d["recall"] >= TARGET_RECALL)(
                    _decision_metrics(ny, numbers["flagged"].to_numpy())))},
            "proxy_call_f1": {"target": 0.90, "met": bool(_decision_metrics(cy, cflag)["f1"] >= 0.90)},
        },
        "voice_thresholds_test": test.voice.as_dict() if test.voice else None,
        "training": {k: v for k, v in models.summary.items() if k not in ("world",)},
        "transcript_scorer": scorer.name,
    }
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        numbers.drop(columns="reasons").to_csv(out_dir / "callers_numbers.csv", index=False)
        calls.drop(columns="reasons").to_csv(out_dir / "callers_calls.csv", index=False)
    return result
