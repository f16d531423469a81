"""Fitting the complaint early-warning models, out of time, and keeping them in the model registry.

Three models answer three questions the consumer-protection team asks:

- ``risk``: will this customer complain on any channel in the next 30 days? (LightGBM, with a WOE
  scorecard fitted beside it for reviewers who need every point explained);
- ``proxy_risk``: if they do, will a gang be behind it? Used at warning time to route the customer to
  identity re-verification and education rather than to a fee review;
- ``proxy_complaint``: is a complaint, as received, gang-driven? Uses the complaint itself (template,
  callback number, attachments) on top of the customer's history.

Validation is out of time: the latest scoring date(s) are held out, used for early stopping and calibration,
and reported; nothing from them is fitted on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from grayshield.complaints import proxy as proxy_features
from grayshield.features import categorical_features, feature_names
from grayshield.models.gbm import GbmClassifier
from grayshield.models.metrics import classification_report
from grayshield.models.scorecard import ScorecardModel

MODEL_NAME = "complaint_warning"
MIN_CLASS_ROWS = 15  # below this many positives or negatives a model would only memorise noise


@dataclass
class ComplaintModels:
    risk: GbmClassifier
    scorecard: ScorecardModel | None
    proxy_risk: GbmClassifier | None
    proxy_complaint: GbmClassifier | None
    features: list[str]
    categorical: list[str]
    proxy_complaint_features: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ persistence
    def save(self, folder: Path) -> None:
        self.risk.save(folder / "risk")
        if self.scorecard is not None:
            self.scorecard.save(folder / "scorecard")
        if self.proxy_risk is not None:
            self.proxy_risk.save(folder / "proxy_risk")
        if self.proxy_complaint is not None:
            self.proxy_complaint.save(folder / "proxy_complaint")
        (folder / "models.json").write_text(json.dumps({
            "features": self.features, "categorical": self.categorical,
            "proxy_complaint_features": self.proxy_complaint_features, "summary": self.summary,
        }, ensure_ascii=False, indent=2, default=str), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> ComplaintModels:
        meta = json.loads((folder / "models.json").read_text(encoding="utf-8"))

        def optional(name: str, loader: Any) -> Any:
            return loader(folder / name) if (folder / name).is_dir() else None

        return cls(
            risk=GbmClassifier.load(folder / "risk"),
            scorecard=optional("scorecard", ScorecardModel.load),
            proxy_risk=optional("proxy_risk", GbmClassifier.load),
            proxy_complaint=optional("proxy_complaint", GbmClassifier.load),
            features=meta["features"], categorical=meta["categorical"],
            proxy_complaint_features=meta["proxy_complaint_features"], summary=meta["summary"],
        )


def out_of_time_split(frame: pd.DataFrame, valid_dates: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hold out the latest ``valid_dates`` scoring dates."""
    dates = sorted(frame["as_of"].unique())
    if len(dates) <= valid_dates:
        from grayshield.core.errors import ValidationError

        raise ValidationError(
            f"need more than {valid_dates} scoring dates for an out-of-time split, the world gives {len(dates)}: "
            "simulate or load more months")
    cut = dates[-valid_dates]
    return frame[frame["as_of"] < cut], frame[frame["as_of"] >= cut]


def fit(frame: pd.DataFrame, complaints: pd.DataFrame | None = None, seed: int = 0,
        with_scorecard: bool = True) -> ComplaintModels:
    """Fit every model on ``frame`` (from ``dataset.build_frame``) and ``complaints`` (``proxy.complaint_frame``)."""
    features, categorical = feature_names(), categorical_features()
    valid_dates = 2 if frame["as_of"].nunique() >= 6 else 1
    train, valid = out_of_time_split(frame, valid_dates)
    risk = GbmClassifier(categorical=categorical, seed=seed).fit(
        train[features], train["complaint_30d"], valid[features], valid["complaint_30d"])
    summary: dict[str, Any] = {
        "training_window": [_iso(train["as_of"].min()), _iso(train["as_of"].max())],
        "validation_window": [_iso(valid["as_of"].min()), _iso(valid["as_of"].max())],
        "training_rows": len(train), "validation_rows": len(valid),
        "oot_validation": {"lightgbm": classification_report(valid["complaint_30d"],
                                                             risk.predict_proba(valid[features])[:, 1])},
        "feature_importance": dict(sorted(risk.feature_importance().items(), key=lambda kv: -kv[1])),
    }
    scorecard = None
    if with_scorecard:
        scorecard = ScorecardModel(categorical=categorical, seed=seed).fit(train[features], train["complaint_30d"])
        summary["oot_validation"]["scorecard"] = classification_report(
            valid["complaint_30d"], scorecard.predict_proba(valid[features])[:, 1])

    proxy_risk = _fit_proxy_risk(train, valid, features, categorical, seed, summary)
    proxy_complaint, complaint_features = _fit_proxy_complaint(complaints, features, categorical, seed, summary)
    return ComplaintModels(risk, scorecard, proxy_risk, proxy_complaint, features, categorical, complaint_features,
                           summary)


def _fit_proxy_risk(train: pd.DataFrame, valid: pd.DataFrame, features: list[str], categorical: list[str],
                    seed: int, summary: dict[str, Any]) -> GbmClassifier | None:
    tr, va = train[train["complaint_30d"] == 1], valid[valid["complaint_30d"] == 1]
    if not _enough(tr["proxy_30d"]):
        summary["proxy_risk"] = "not trained: too few proxy-driven and genuine complaints in the training window"
        return None
    use_valid = _enough(va["proxy_30d"], minimum=5)
    model = GbmClassifier(categorical=categorical, seed=seed, num_boost_round=300).fit(
        tr[features], tr["proxy_30d"], *((va[features], va["proxy_30d"]) if use_valid else (None, None)))
    if use_valid:
        summary["oot_validation"]["proxy_risk"] = classification_report(
            va["proxy_30d"], model.predict_proba(va[features])[:, 1])
    return model


def _fit_proxy_complaint(complaints: pd.DataFrame | None, customer_features: list[str], categorical: list[str],
                         seed: int, summary: dict[str, Any]) -> tuple[GbmClassifier | None, list[str]]:
    if complaints is None or "is_proxy" not in complaints or not _enough(complaints["is_proxy"]):
        summary["proxy_complaint"] = "not trained: no complaints with proxy verdicts"
        return None, []
    columns = proxy_features.feature_columns(complaints, customer_features)
    ordered = complaints.sort_values("received_time")
    cut = int(len(ordered) * 0.8)
    tr, va = ordered.iloc[:cut], ordered.iloc[cut:]
    use_valid = _enough(va["is_proxy"], minimum=5)
    # Each complaint also appears as an extract without contact phones would show it (an optional column),
    # so the model learns to lean on templates and attachments when that signal is missing.
    tr_fit, va_fit = (pd.concat([f, proxy_features.without_contact(f)], ignore_index=True) for f in (tr, va))
    model = GbmClassifier(categorical=[*proxy_features.CATEGORICAL, *categorical], seed=seed,
                          num_boost_round=300).fit(
        tr_fit[columns], tr_fit["is_proxy"], *((va_fit[columns], va_fit["is_proxy"]) if use_valid else (None, None)))
    if use_valid:
        no_contact = proxy_features.without_contact(va)
        summary["oot_validation"]["proxy_complaint"] = classification_report(
            va["is_proxy"], model.predict_proba(va[columns])[:, 1])
        summary["oot_validation"]["proxy_complaint_without_contact"] = classification_report(
            va["is_proxy"], model.predict_proba(no_contact[columns])[:, 1])
    return model, columns


def _enough(labels: pd.Series, minimum: int = MIN_CLASS_ROWS) -> bool:
    positives = int(np.asarray(labels).sum())
    return positives >= minimum and len(labels) - positives >= minimum


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
