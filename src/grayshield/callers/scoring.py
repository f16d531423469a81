"""Scores with reasons: a LightGBM model per question (habitual number, proxy call) plus the transparent rules.

The model ranks; the rules and the model's own TreeSHAP contributions say why, in Chinese an agent can act on.
Call thresholds are operating points chosen on out-of-fold scores of the training world (the lowest cut that
keeps precision at 0.95 or above: it travels best to a harder world, where positives score lower) and are adapted
to each scored world's own score distribution there (:func:`adapted_threshold`). The number decision is made on
the scored world itself (:func:`number_cut`): the training prior is re-estimated there without labels and the cut
keeps the expected precision of the flagged numbers at :data:`ESTIMATED_PRECISION`. A third model scores calls
whose number is withheld, from the customer, the call and the transcript only. Trained on a world whose voices
are clean, every model also learns from that world's hard view (:mod:`grayshield.callers.augment`), so that it
decides well where voices, wording and number reuse give less away.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from grayshield.callers.augment import View, hard_view
from grayshield.callers.dataset import (
    CALL_CATEGORICAL,
    NUMBER_CATEGORICAL,
    Frames,
    anonymous_features_list,
    call_features_list,
    number_features_list,
)
from grayshield.callers.numbers import describe_number
from grayshield.callers.rules import CALL_RULES, NUMBER_RULES, RULES_VERSION, apply_rules
from grayshield.callers.voices import VoiceThresholds
from grayshield.models.gbm import GbmClassifier

MODEL_NAME = "callers"
WITHHELD_REASON = "来电号码隐藏：无号码证据，仅依据客户状况、通话与话术评分"
TARGET_PRECISION = 0.95
FEATURE_ZH = {
    "calls": "来电次数",
    "active_days": "来电天数",
    "calls_per_day": "日均来电",
    "distinct_customers": "涉及客户数",
    "night_share": "夜间来电占比",
    "morning_share": "上午来电占比",
    "afternoon_share": "下午来电占比",
    "not_registered_share": "非客户预留号码来电占比",
    "verify_fail_share": "身份核验失败占比",
    "third_party_share": "第三方身份来电占比",
    "collection_queue_share": "催收队列占比",
    "complaint_queue_share": "投诉队列占比",
    "delinquent_customer_share": "所代客户逾期占比",
    "collection_customer_share": "所代客户处于催收占比",
    "mean_duration": "平均通话时长",
    "moved_to_customers": "改联系电话为此号码的客户数",
    "moved_unverified_customers": "未核验即改为此号码的客户数",
    "linked_numbers": "共享客户的其他号码数",
    "linked_busy_numbers": "共享客户的多客户号码数",
    "number_text_proxy_representation": "通话中代理话术强度",
    "number_text_escalation_threat": "通话中施压话术强度",
    "number_text_coached_customer": "通话中被指导话术强度",
    "number_voice_max_customers": "同一声纹涉及客户数",
    "number_voice_mismatch_share": "声纹与客户不符占比",
    "number_voiced_share": "有声纹的通话占比",
    "number_type": "号码类型",
    "caller_relation": "自报关系",
    "identity_verified": "身份核验通过",
    "caller_is_registered": "来电为客户预留号码",
    "third_party_relation": "第三方身份",
    "hour": "来电时段",
    "is_night": "夜间来电",
    "duration_s": "通话时长",
    "customer_max_dpd": "客户最长逾期天数",
    "customer_in_collection": "客户处于催收",
    "customer_contact_changes_90d": "客户近90天改联系方式次数",
    "caller_is_new_contact": "来电号码为客户新改联系电话",
    "text_proxy_representation": "代理话术",
    "text_escalation_threat": "施压话术",
    "text_coached_customer": "被指导话术",
    "has_voiceprint": "有声纹",
    "voice_customers": "该声纹涉及客户数",
    "voice_crowd": "声纹为多位客户出现的程度（本库分位）",
    "voice_mismatch_ratio": "声纹与客户差异（相对同人半径）",
    "number_voice_max_crowd": "号码下声纹多客户程度（本库分位）",
    "caller_withheld": "来电号码隐藏",
    "voice_numbers": "该声纹使用号码数",
    "voice_mismatch": "声纹与客户差异",
    "queue": "来电队列",
    "number_customer_calls": "该号码为此客户来电次数",
    "customer_unregistered_numbers": "为此客户来电的非预留号码数",
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
    anonymous_model: GbmClassifier | None = None
    """Proxy model for calls whose number is withheld: customer, call and transcript evidence only."""
    anonymous_features: list[str] = field(default_factory=list)
    anonymous_threshold: float = 0.5
    number_prior: float | None = None
    """Share of habitual numbers among the rows the number model was fitted on (a world and its hard view): the
    prior its probabilities carry."""

    def save(self, folder: Path) -> None:
        self.number_model.save(folder / "number")
        self.call_model.save(folder / "call")
        if self.anonymous_model is not None:
            self.anonymous_model.save(folder / "anonymous")
        (folder / "callers.json").write_text(
            json.dumps(
                {
                    "number_features": self.number_features,
                    "call_features": self.call_features,
                    "number_threshold": self.number_threshold,
                    "call_threshold": self.call_threshold,
                    "anonymous_features": self.anonymous_features,
                    "anonymous_threshold": self.anonymous_threshold,
                    "number_prior": self.number_prior,
                    "voice": asdict(self.voice) if self.voice else None,
                    "rules_version": RULES_VERSION,
                },
                ensure_ascii=False,
                indent=2,
            ),
            encoding="utf-8",
        )

    @classmethod
    def load(cls, folder: Path) -> CallerModels:
        meta = json.loads((folder / "callers.json").read_text(encoding="utf-8"))
        voice_meta = {k: v for k, v in (meta["voice"] or {}).items() if k != "reliable"}
        voice = VoiceThresholds(**voice_meta) if voice_meta else None
        anonymous = GbmClassifier.load(folder / "anonymous") if (folder / "anonymous").exists() else None
        return cls(
            GbmClassifier.load(folder / "number"),
            GbmClassifier.load(folder / "call"),
            meta["number_features"],
            meta["call_features"],
            meta["number_threshold"],
            meta["call_threshold"],
            voice,
            anonymous_model=anonymous,
            anonymous_features=meta.get("anonymous_features", []),
            anonymous_threshold=meta.get("anonymous_threshold", 0.5),
            number_prior=meta.get("number_prior"),
        )


def _small_data_params(rows: int) -> dict[str, Any]:
    """Leaves sized to the data: a world with a few hundred numbers still trains a useful model."""
    params: dict[str, Any] = {"min_data_in_leaf": int(max(5, min(40, rows // 100))), "num_leaves": 15}
    if rows < 20_000:  # one thread: on small data OpenMP start-up and spinning cost more than they save
        params["num_threads"] = 1
    return params


BOOST_ROUNDS = 300


def _fit_one(
    frame: pd.DataFrame,
    features: list[str],
    target: str,
    categorical: list[str],
    seed: int,
    hard: View | None = None,
) -> tuple[GbmClassifier, np.ndarray, np.ndarray]:
    """The model on all rows, and out-of-fold labels and scores of the same recipe for choosing its threshold.

    Cross-fitting, not one validation split: labelled habitual numbers are few (tens per world), and a split
    that holds five of them out gives a threshold that a harder world does not respect. Out-of-fold scores of
    every labelled row show where unseen positives and negatives really fall.

    ``hard`` is the world's hard view (:func:`grayshield.callers.augment.hard_view`): trained on both, the model
    also decides well where voices, wording and number reuse give less away. Folds split the original rows; a
    hard-view row goes with the row it was made from, so nothing of a held-out row is learnt from.
    """
    from sklearn.model_selection import StratifiedKFold

    y = frame[target].to_numpy()
    cats = [c for c in categorical if c in features]
    params = _small_data_params(len(frame) + (0 if hard is None else len(hard.frame)))

    def recipe() -> GbmClassifier:
        return GbmClassifier(categorical=cats, params=params, num_boost_round=BOOST_ROUNDS, seed=seed)

    def stack(rows: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
        if hard is None:
            return frame.iloc[rows][features], y[rows]
        made = hard.frame[np.isin(hard.source, rows)]
        return (
            pd.concat([frame.iloc[rows][features], made[features]], ignore_index=True),
            np.concatenate([y[rows], made[target].to_numpy()]),
        )

    folds = int(min(5, y.sum(), len(y) - y.sum()))
    oof_y, oof = [], []
    for fit_rows, held_rows in StratifiedKFold(max(folds, 2), shuffle=True, random_state=seed).split(
        frame, y
    ):
        part = recipe().fit(*stack(fit_rows))
        held_x, held_y = stack(held_rows)
        oof.append(part.predict_proba(held_x)[:, 1])
        oof_y.append(held_y)
    return recipe().fit(*stack(np.arange(len(frame)))), np.concatenate(oof_y), np.concatenate(oof)


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


ADAPT_LOGITS = 2.0
"""How far (in log-odds) the scored world may move the trained threshold: a factor of about 7 in odds."""
ADAPT_MIN_ROWS = 200
"""Fewer scored rows than this and the trained threshold is used as is (too few to show a natural break)."""


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.asarray(np.log(p / (1 - p)))


def adapted_threshold(score: np.ndarray, trained: float, delta: float = ADAPT_LOGITS) -> float:
    """The trained threshold moved to the widest empty stretch of the scored world's own scores near it.

    Why: a model ranks a new world as well as the old one (AUC ~0.999 on every pair measured) but its
    probabilities shift with the world: where a channel of evidence is weaker (noisier voiceprints, numbers
    used once), positives score lower; where it is cleaner, negatives score higher. A fixed cut then cuts
    through the positives, or lets hard negatives in. The scored world's scores themselves show where its
    two populations part: in log-odds, the widest gap between two consecutive scores within the window of
    ``delta`` around the trained threshold (a gap running past the window counts only its part inside, and the
    cut is the middle of that part; an empty stretch with no score beyond it is no gap). The trained threshold stays the anchor, so a world without a clear break near it cannot drag
    the cut far. Unsupervised: it reads scores, never labels.
    """
    if len(score) < ADAPT_MIN_ROWS:
        return trained
    x, t = np.sort(_logit(np.asarray(score, dtype=float))), float(_logit(np.array([trained]))[0])
    low, high = np.maximum(x[:-1], t - delta), np.minimum(x[1:], t + delta)
    near = np.flatnonzero(high > low)
    if not near.size:
        return trained
    k = near[int(np.argmax((high - low)[near]))]
    cut = float((low[k] + high[k]) / 2)
    return float(1 / (1 + np.exp(-cut)))


ESTIMATED_PRECISION = 0.99
"""Expected precision the number cut keeps in the scored world: well above the 0.95 target, because the estimate is
a mean over a hundred-odd flagged numbers and a few genuine relatives more or less move it by a point or two
(at 0.97 four of nine development pairs ended at precision 0.935-0.949 with recall 0.97-1.0)."""
ESTIMATED_RECALL = 0.95
"""Expected recall the number cut keeps where the precision cut alone would leave more positives unflagged."""
PRIOR_ITERATIONS = 200


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1 / (1 + np.exp(-x)))


def prior_shift(score: np.ndarray, trained_prior: float) -> float:
    """Log-odds shift that re-weights the model's posteriors to the scored world's own share of positives.

    Why: the model's probabilities carry the training world's share of gang numbers (2-7% of numbers in the
    worlds measured); another world has another share, and its posteriors are off by the ratio of the two
    odds. The share is found without labels by expectation-maximisation (Saerens, Latinne and Decaestecker,
    2002): the mean adjusted posterior is the new prior, and the prior fixes the adjustment. On eighteen pairs
    of simulated worlds the estimate came within 0.2 points of the true share (0.020 trained → 0.069 for
    0.070), except where the model itself underrated the scored world's positives (0.028 for 0.038).
    """
    x = _logit(np.asarray(score, dtype=float))
    base = float(_logit(np.array([trained_prior]))[0])
    prior, shift = trained_prior, 0.0
    for _ in range(PRIOR_ITERATIONS):
        shift = float(_logit(np.array([prior]))[0]) - base
        new_prior = float(_sigmoid(x + shift).mean())
        if abs(new_prior - prior) < 1e-7:
            break
        prior = new_prior
    return shift


@dataclass(frozen=True)
class NumberCut:
    """Where the number decision was cut in one scored world, and what that cut is expected to give there."""

    threshold: float
    """On the model's raw score: a number is flagged at ``score >= threshold``."""
    prior: float | None = None
    """Estimated share of gang numbers in the scored world (None: too few rows, the trained cut was used)."""
    expected_precision: float | None = None
    expected_recall: float | None = None


def number_cut(score: np.ndarray, trained_prior: float | None, trained: float) -> NumberCut:
    """The number cut for a scored world, from its own scores: expected precision first, then recall.

    Why not a fixed or a gap-adapted threshold: the same model's probabilities move with the world (weaker voice
    evidence, another share of gang numbers), and a gap between scores may open below genuine relatives as
    easily as above them. Re-weighted to the world's own prior (:func:`prior_shift`), the posteriors are
    calibrated enough that their mean over the flagged numbers estimates precision (within about two points
    on the pairs measured, no labels read). The cut is the lowest one whose expected precision is at least
    :data:`ESTIMATED_PRECISION`, and never below a number more likely genuine than not (adjusted posterior
    under one half: a mean over a hundred near-certain numbers can carry a 0.2 along, and it did, twice, on
    genuine relatives); where that leaves expected recall below :data:`ESTIMATED_RECALL` it is lowered until
    recall is expected, within the same floor. Fewer than
    :data:`ADAPT_MIN_ROWS` numbers, or a model saved without its training prior: the cut of
    :func:`adapted_threshold`.
    """
    score = np.asarray(score, dtype=float)
    if len(score) < ADAPT_MIN_ROWS or trained_prior is None:
        return NumberCut(adapted_threshold(score, trained))
    shift = prior_shift(score, trained_prior)
    ranked = np.sort(score)[::-1]
    posterior = _sigmoid(_logit(ranked) + shift)
    found = np.cumsum(posterior)
    precision = found / np.arange(1, len(posterior) + 1)
    recall = found / max(found[-1], 1e-12)
    meets = np.flatnonzero(precision >= ESTIMATED_PRECISION)
    likely = int(np.sum(posterior >= 0.5))
    count = min(int(meets[-1]) + 1 if meets.size else 0, likely)
    if count == 0 or recall[count - 1] < ESTIMATED_RECALL:
        count = max(count, min(int(np.searchsorted(recall, ESTIMATED_RECALL)) + 1, likely))
    if count == 0:
        return NumberCut(float(np.nextafter(score.max(), np.inf)), float(found[-1] / len(score)), None, 0.0)
    below = float(ranked[count]) if count < len(ranked) else 0.0
    return NumberCut(
        (float(ranked[count - 1]) + below) / 2,
        float(found[-1] / len(score)),
        float(precision[count - 1]),
        float(recall[count - 1]),
    )


def fit(frames: Frames, seed: int = 0) -> CallerModels:
    """Train on a labelled world's frames (``attach_truth`` first).

    Where the world's voiceprints separate speakers, every model also learns from the world's hard view
    (:func:`grayshield.callers.augment.hard_view`), and ``number_prior`` is the share of gang numbers among all
    rows the number model saw, the world's and its hard view's: the prior its probabilities carry.
    """
    numbers, calls = frames.numbers, frames.calls
    for frame, target in ((numbers, "is_blackgray"), (calls, "is_proxy")):
        if target not in frame or frame[target].nunique() < 2:
            from grayshield.core.errors import ValidationError

            raise ValidationError(f"training needs both classes of {target!r}; the world has one at most")
    number_feats = number_features_list(numbers)
    call_feats = call_features_list(calls)
    # Both call models learn from calls with a number: withheld ones carry no number evidence to learn from,
    # and the number-blind model must not learn that a hidden number means a customer's own call.
    known = (
        (calls["caller_withheld"] == 0).to_numpy()
        if "caller_withheld" in calls
        else np.ones(len(calls), bool)
    )
    known_calls = calls[known].reset_index(drop=True)
    hard_numbers, hard_calls = (
        hard_view(Frames(known_calls, numbers, frames.voice, frames.as_of), seed)
        if frames.voices_used
        else (None, None)
    )
    number_model, ny, nscore = _fit_one(
        numbers, number_feats, "is_blackgray", NUMBER_CATEGORICAL, seed, hard_numbers
    )
    call_model, cy, cscore = _fit_one(known_calls, call_feats, "is_proxy", CALL_CATEGORICAL, seed, hard_calls)
    anonymous_feats = anonymous_features_list(calls)
    anonymous_model, ay, ascore = _fit_one(
        known_calls, anonymous_feats, "is_proxy", CALL_CATEGORICAL, seed, hard_calls
    )
    fitted = np.concatenate(
        [
            numbers["is_blackgray"].to_numpy(),
            hard_numbers.frame["is_blackgray"].to_numpy() if hard_numbers else [],
        ]
    )
    models = CallerModels(
        number_model,
        call_model,
        number_feats,
        call_feats,
        precision_threshold(ny, nscore),
        precision_threshold(cy, cscore),
        frames.voice,
        anonymous_model=anonymous_model,
        anonymous_features=anonymous_feats,
        anonymous_threshold=precision_threshold(ay, ascore),
        number_prior=float(fitted.mean()),
    )
    models.summary = {
        "as_of": str(frames.as_of),
        "numbers": len(numbers),
        "blackgray_numbers": int(numbers["is_blackgray"].sum()),
        "calls": len(calls),
        "proxy_calls": int(calls["is_proxy"].sum()),
        "number_threshold": models.number_threshold,
        "call_threshold": models.call_threshold,
        "anonymous_threshold": models.anonymous_threshold,
        "number_prior": models.number_prior,
        "rules_version": RULES_VERSION,
        "voice": frames.voice.as_dict() if frames.voice else None,
        "number_feature_importance": _top(number_model.feature_importance()),
        "call_feature_importance": _top(call_model.feature_importance()),
    }
    return models


def _top(importance: dict[str, float], k: int = 10) -> dict[str, float]:
    return dict(sorted(importance.items(), key=lambda kv: -kv[1])[:k])


def level(score: float, threshold: float) -> str:
    return "high" if score >= threshold else "medium" if score >= threshold / 2 else "low"


def _model_reasons(
    model: GbmClassifier, frame: pd.DataFrame, features: list[str]
) -> list[list[dict[str, Any]]]:
    tops = model.top_reasons(frame[features], k=3) if len(frame) else []
    return [
        [
            {
                "kind": "model",
                "feature": name,
                "text": f"{describe_feature(name)} = {_fmt(row[name])}",
                "contribution": round(c, 4),
            }
            for name, c in top
        ]
        for top, (_, row) in zip(tops, frame.iterrows(), strict=True)
    ]


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
    cut = number_cut(score, models.number_prior, models.number_threshold).threshold
    out = pd.DataFrame(
        {
            "number": numbers["number"],
            "number_type": numbers["number_type"],
            "score": score,
            "rule_score": rule_score,
            "flagged": score >= cut,
            "threshold": cut,
            "level": [level(s, cut) for s in score],
            "distinct_customers_180d": numbers["distinct_customers_180d"],
            "reasons": [r + m for r, m in zip(rule_reasons, model_reasons, strict=True)],
            "rules_version": RULES_VERSION,
        }
    )
    if describe:
        attrs = {n: describe_number(n) for n in out.loc[out["flagged"], "number"]}
        out["carrier"] = out["number"].map(lambda n: attrs[n].carrier if n in attrs else "")
        out["province"] = out["number"].map(lambda n: attrs[n].province if n in attrs else "")
    return out.sort_values("score", ascending=False).reset_index(drop=True)


def score_calls(models: CallerModels, frames: Frames) -> pd.DataFrame:
    """One row per inbound call: proxy probability, decision at the world-adapted threshold, reasons.

    A call whose number is withheld has no number evidence; it is scored by the anonymous model (customer,
    call and transcript evidence), at that model's own threshold, and says so in its reasons.
    """
    calls = frames.calls.assign(voice_radius=models.voice.radius if models.voice else np.inf)
    withheld = (
        (calls["caller_withheld"].to_numpy() > 0)
        if "caller_withheld" in calls
        else np.zeros(len(calls), dtype=bool)
    )
    score = np.zeros(len(calls))
    flagged = np.zeros(len(calls), dtype=bool)
    model_reasons: list[list[dict[str, Any]]] = [[] for _ in range(len(calls))]
    parts = [(~withheld, models.call_model, models.call_features, models.call_threshold)]
    if models.anonymous_model is not None:
        parts.append(
            (withheld, models.anonymous_model, models.anonymous_features, models.anonymous_threshold)
        )
    for rows, model, features, trained in parts:
        if not rows.any():
            continue
        part = calls[rows]
        part_score = model.predict_proba(part[features])[:, 1]
        score[rows] = part_score
        flagged[rows] = part_score >= adapted_threshold(part_score, trained)
        for i, reasons in zip(np.flatnonzero(rows), _model_reasons(model, part, features), strict=True):
            model_reasons[i] = reasons
    rule_score, rule_reasons = apply_rules(calls, CALL_RULES)
    hidden = [{"kind": "policy", "text": WITHHELD_REASON}]
    return pd.DataFrame(
        {
            "call_id": calls["call_id"],
            "caller_number": calls["caller_number"],
            "claimed_customer_id": calls["claimed_customer_id"],
            "caller_withheld": withheld,
            "score": score,
            "rule_score": rule_score,
            "is_proxy": flagged,
            "reasons": [
                (hidden if w else []) + r + m
                for w, r, m in zip(withheld, rule_reasons, model_reasons, strict=True)
            ],
            "rules_version": RULES_VERSION,
        }
    )
