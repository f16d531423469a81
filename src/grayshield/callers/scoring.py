"""Scores with reasons: a LightGBM model per question (habitual number, proxy call) plus the transparent rules.

The model ranks; the rules and the model's own TreeSHAP contributions say why, in Chinese an agent can act on.
Thresholds are operating points chosen on out-of-fold scores of the training world (a number is flagged at the
threshold that keeps precision at 0.95 or above with the most recall, and so is a call: the lowest such cut
travels best to a harder world, where positives score lower), so
the same numbers travel with the model into production.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from grayshield.callers.dataset import (
    CALL_CATEGORICAL,
    NUMBER_CATEGORICAL,
    Frames,
    call_features_list,
    number_features_list,
)
from grayshield.callers.numbers import describe_number
from grayshield.callers.rules import CALL_RULES, NUMBER_RULES, RULES_VERSION, apply_rules
from grayshield.callers.voices import VoiceThresholds
from grayshield.models.gbm import GbmClassifier

MODEL_NAME = "callers"
TARGET_PRECISION = 0.95
FEATURE_ZH = {
    "calls": "来电次数", "active_days": "来电天数", "calls_per_day": "日均来电", "distinct_customers": "涉及客户数",
    "night_share": "夜间来电占比", "morning_share": "上午来电占比", "afternoon_share": "下午来电占比",
    "not_registered_share": "非客户预留号码来电占比", "verify_fail_share": "身份核验失败占比",
    "third_party_share": "第三方身份来电占比", "collection_queue_share": "催收队列占比",
    "complaint_queue_share": "投诉队列占比", "delinquent_customer_share": "所代客户逾期占比",
    "collection_customer_share": "所代客户处于催收占比", "mean_duration": "平均通话时长",
    "moved_to_customers": "改联系电话为此号码的客户数", "moved_unverified_customers": "未核验即改为此号码的客户数",
    "linked_numbers": "共享客户的其他号码数", "linked_busy_numbers": "共享客户的多客户号码数",
    "number_text_proxy_representation": "通话中代理话术强度", "number_text_escalation_threat": "通话中施压话术强度",
    "number_text_coached_customer": "通话中被指导话术强度", "number_voice_max_customers": "同一声纹涉及客户数",
    "number_voice_mismatch_share": "声纹与客户不符占比", "number_voiced_share": "有声纹的通话占比",
    "number_type": "号码类型", "caller_relation": "自报关系", "identity_verified": "身份核验通过",
    "caller_is_registered": "来电为客户预留号码", "third_party_relation": "第三方身份", "hour": "来电时段",
    "is_night": "夜间来电", "duration_s": "通话时长", "customer_max_dpd": "客户最长逾期天数",
    "customer_in_collection": "客户处于催收", "customer_contact_changes_90d": "客户近90天改联系方式次数",
    "caller_is_new_contact": "来电号码为客户新改联系电话", "text_proxy_representation": "代理话术",
    "text_escalation_threat": "施压话术", "text_coached_customer": "被指导话术", "has_voiceprint": "有声纹",
    "voice_customers": "该声纹涉及客户数", "voice_numbers": "该声纹使用号码数", "voice_mismatch": "声纹与客户差异",
}


def describe_feature(name: str) -> str:
    """Chinese label of a feature, with its window ('近30天') where the name carries one."""
    for window in ("_30d", "_90d", "_180d"):
        if name.endswith(window) and name.removesuffix(window) in FEATURE_ZH:
            return f"近{window[1:-1]}天{FEATURE_ZH[name.removesuffix(window)]}"
    return FEATURE_ZH.get(name, name)


@dataclass
class CallerModels:
    """Both classifiers, their features and operating thresholds; ``summary`` feeds the registry metadata."""

    number_model: GbmClassifier
    call_model: GbmClassifier
    number_features: list[str]
    call_features: list[str]
    number_threshold: float
    call_threshold: float
    voice: VoiceThresholds | None
    summary: dict[str, Any] = field(default_factory=dict)

    def save(self, folder: Path) -> None:
        self.number_model.save(folder / "number")
        self.call_model.save(folder / "call")
        (folder / "callers.json").write_text(json.dumps({
            "number_features": self.number_features, "call_features": self.call_features,
            "number_threshold": self.number_threshold, "call_threshold": self.call_threshold,
            "voice": self.voice.as_dict() if self.voice else None, "rules_version": RULES_VERSION,
        }, ensure_ascii=False, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> CallerModels:
        meta = json.loads((folder / "callers.json").read_text(encoding="utf-8"))
        voice = VoiceThresholds(**meta["voice"]) if meta["voice"] else None
        return cls(GbmClassifier.load(folder / "number"), GbmClassifier.load(folder / "call"),
                   meta["number_features"], meta["call_features"], meta["number_threshold"],
                   meta["call_threshold"], voice)


def _small_data_params(rows: int) -> dict[str, Any]:
    """Leaves sized to the data: a world with a few hundred numbers still trains a useful model."""
    params: dict[str, Any] = {"min_data_in_leaf": int(max(5, min(40, rows // 100))), "num_leaves": 15}
    if rows < 20_000:  # one thread: on small data OpenMP start-up and spinning cost more than they save
        params["num_threads"] = 1
    return params


BOOST_ROUNDS = 300


def _fit_one(frame: pd.DataFrame, features: list[str], target: str, categorical: list[str],
             seed: int) -> tuple[GbmClassifier, np.ndarray]:
    """The model on all rows, and out-of-fold scores of the same recipe for choosing its threshold.

    Cross-fitting, not one validation split: labelled habitual numbers are few (tens per world), and a split
    that holds five of them out gives a threshold that a harder world does not respect. Out-of-fold scores of
    every labelled row show where unseen positives and negatives really fall.
    """
    from sklearn.model_selection import StratifiedKFold

    y = frame[target].to_numpy()
    cats = [c for c in categorical if c in features]
    params = _small_data_params(len(frame))

    def recipe() -> GbmClassifier:
        return GbmClassifier(categorical=cats, params=params, num_boost_round=BOOST_ROUNDS, seed=seed)

    folds = int(min(5, y.sum(), len(y) - y.sum()))
    oof = np.zeros(len(frame))
    for fit_rows, held_rows in StratifiedKFold(max(folds, 2), shuffle=True, random_state=seed).split(frame, y):
        part = recipe().fit(frame.iloc[fit_rows][features], y[fit_rows])
        oof[held_rows] = part.predict_proba(frame.iloc[held_rows][features])[:, 1]
    return recipe().fit(frame[features], y), oof


def precision_threshold(y: np.ndarray, score: np.ndarray, precision: float = TARGET_PRECISION) -> float:
    """The lowest threshold whose precision is at least ``precision`` (best recall); best-F1 when none is."""
    from sklearn.metrics import precision_recall_curve

    p, _r, t = precision_recall_curve(y, score)
    ok = np.flatnonzero(p[:-1] >= precision)
    return _margin(score, float(t[ok[0]])) if ok.size else f1_threshold(y, score)


def f1_threshold(y: np.ndarray, score: np.ndarray) -> float:
    from sklearn.metrics import precision_recall_curve

    p, r, t = precision_recall_curve(y, score)
    f1 = 2 * p[:-1] * r[:-1] / np.maximum(p[:-1] + r[:-1], 1e-12)
    return _margin(score, float(t[int(np.argmax(f1))])) if len(t) else 0.5


def _margin(score: np.ndarray, threshold: float) -> float:
    """Midway between the chosen cut and the next score below it: the same decisions on the validation rows,
    without a cut that sits exactly on one validation positive (brittle when a small split is separable)."""
    below = score[score < threshold]
    return (threshold + float(below.max())) / 2 if below.size else threshold


def fit(frames: Frames, seed: int = 0) -> CallerModels:
    """Train on a labelled world's frames (``attach_truth`` first)."""
    numbers, calls = frames.numbers, frames.calls
    for frame, target in ((numbers, "is_blackgray"), (calls, "is_proxy")):
        if target not in frame or frame[target].nunique() < 2:
            from grayshield.core.errors import ValidationError

            raise ValidationError(f"training needs both classes of {target!r}; the world has one at most")
    number_feats = number_features_list(numbers)
    call_feats = call_features_list(calls)
    number_model, nscore = _fit_one(numbers, number_feats, "is_blackgray", NUMBER_CATEGORICAL, seed)
    call_model, cscore = _fit_one(calls, call_feats, "is_proxy", CALL_CATEGORICAL, seed)
    models = CallerModels(
        number_model, call_model, number_feats, call_feats,
        precision_threshold(numbers["is_blackgray"].to_numpy(), nscore),
        precision_threshold(calls["is_proxy"].to_numpy(), cscore), frames.voice,
    )
    models.summary = {
        "as_of": str(frames.as_of), "numbers": len(numbers), "blackgray_numbers": int(numbers["is_blackgray"].sum()),
        "calls": len(calls), "proxy_calls": int(calls["is_proxy"].sum()),
        "number_threshold": models.number_threshold, "call_threshold": models.call_threshold,
        "rules_version": RULES_VERSION, "voice": frames.voice.as_dict() if frames.voice else None,
        "number_feature_importance": _top(number_model.feature_importance()),
        "call_feature_importance": _top(call_model.feature_importance()),
    }
    return models


def _top(importance: dict[str, float], k: int = 10) -> dict[str, float]:
    return dict(sorted(importance.items(), key=lambda kv: -kv[1])[:k])


def level(score: float, threshold: float) -> str:
    return "high" if score >= threshold else "medium" if score >= threshold / 2 else "low"


def _model_reasons(model: GbmClassifier, frame: pd.DataFrame, features: list[str]) -> list[list[dict[str, Any]]]:
    tops = model.top_reasons(frame[features], k=3) if len(frame) else []
    return [[{"kind": "model", "feature": name, "text": f"{describe_feature(name)} = {_fmt(row[name])}",
              "contribution": round(c, 4)} for name, c in top] for top, (_, row) in zip(tops, frame.iterrows(),
                                                                                         strict=True)]


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def score_numbers(models: CallerModels, frames: Frames, describe: bool = True) -> pd.DataFrame:
    """One row per caller number: score, level, flagged, rule score and reasons (rules first, then model).

    ``describe`` adds carrier and home region for the flagged numbers (what an analyst opens); batch
    evaluation skips it, since phonenumbers' geocoder data takes seconds to load and is no model input.
    """
    numbers = frames.numbers
    score = models.number_model.predict_proba(numbers[models.number_features])[:, 1]
    rule_score, rule_reasons = apply_rules(numbers, NUMBER_RULES)
    model_reasons = _model_reasons(models.number_model, numbers, models.number_features)
    out = pd.DataFrame({
        "number": numbers["number"], "number_type": numbers["number_type"], "score": score,
        "rule_score": rule_score,
        "flagged": score >= models.number_threshold,
        "level": [level(s, models.number_threshold) for s in score],
        "distinct_customers_180d": numbers["distinct_customers_180d"],
        "reasons": [r + m for r, m in zip(rule_reasons, model_reasons, strict=True)],
        "rules_version": RULES_VERSION,
    })
    if describe:
        attrs = {n: describe_number(n) for n in out.loc[out["flagged"], "number"]}
        out["carrier"] = out["number"].map(lambda n: attrs[n].carrier if n in attrs else "")
        out["province"] = out["number"].map(lambda n: attrs[n].province if n in attrs else "")
    return out.sort_values("score", ascending=False).reset_index(drop=True)


def score_calls(models: CallerModels, frames: Frames) -> pd.DataFrame:
    """One row per inbound call: proxy probability, decision at the trained threshold, reasons."""
    calls = frames.calls.assign(voice_radius=models.voice.radius if models.voice else np.inf)
    score = models.call_model.predict_proba(calls[models.call_features])[:, 1]
    rule_score, rule_reasons = apply_rules(calls, CALL_RULES)
    model_reasons = _model_reasons(models.call_model, calls, models.call_features)
    return pd.DataFrame({
        "call_id": calls["call_id"], "caller_number": calls["caller_number"],
        "claimed_customer_id": calls["claimed_customer_id"], "score": score, "rule_score": rule_score,
        "is_proxy": score >= models.call_threshold,
        "reasons": [r + m for r, m in zip(rule_reasons, model_reasons, strict=True)],
        "rules_version": RULES_VERSION,
    })
