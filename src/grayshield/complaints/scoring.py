"""Scoring one date: a score, a proxy risk and the top reasons in business Chinese for every customer on book.

Reasons are the features with the largest positive TreeSHAP contributions, worded for the agent who will
call the customer (``reason_zh`` in the feature catalogue); they are computed only for the customers who
will be alerted, which keeps explaining a million customers' top 5% within seconds.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from grayshield.complaints.dataset import build_frame
from grayshield.complaints.training import ComplaintModels
from grayshield.features import default_catalogue
from grayshield.features.catalogue import TableSource

if TYPE_CHECKING:
    import ibis.expr.types as ir

REASON_COUNT = 3


def reason_texts() -> dict[str, str]:
    return {f.name: f.reason_zh for f in default_catalogue()}


def explain(models: ComplaintModels, features: pd.DataFrame, k: int = REASON_COUNT) -> list[list[dict[str, Any]]]:
    """Top ``k`` reasons per row: feature, Chinese reason, its contribution to the log-odds and its value."""
    texts = reason_texts()
    frame = features[models.features]
    reasons = models.risk.top_reasons(frame, k=k)
    columns = {name: frame[name].to_numpy() for name in {n for row in reasons for n, _ in row}}
    return [
        [{"feature": name, "reason": texts.get(name, name), "contribution": round(weight, 4),
          "value": _plain(columns[name][i])} for name, weight in row]
        for i, row in enumerate(reasons)
    ]


def score_frame(models: ComplaintModels, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (features per customer and date) with ``score`` and ``proxy_score`` added."""
    out = frame.copy()
    out["score"] = models.risk.predict_proba(frame[models.features])[:, 1]
    if models.proxy_risk is not None:
        out["proxy_score"] = models.proxy_risk.predict_proba(frame[models.features])[:, 1]
    else:
        out["proxy_score"] = 0.0
    return out


def score_date(source: TableSource, models: ComplaintModels, as_of: date) -> pd.DataFrame:
    """Every customer on book at ``as_of``: keys, segment, score, proxy score, open complaint flag."""
    frame = build_frame(source, [as_of], labelled=False)
    scored = score_frame(models, frame)
    open_ids = set(_open_complaint_customers(source, as_of).to_pandas()["customer_id"])
    scored["open_complaint"] = scored["customer_id"].isin(open_ids)
    return scored


def attach_reasons(models: ComplaintModels, scored: pd.DataFrame, alerted: pd.Series) -> pd.DataFrame:
    """Reasons for the ``alerted`` rows (a boolean mask); an empty list elsewhere."""
    out = scored.copy()
    reasons: list[list[dict[str, Any]]] = [[] for _ in range(len(out))]
    idx = np.flatnonzero(alerted.to_numpy())
    if len(idx):
        for i, explained in zip(idx, explain(models, out.iloc[idx]), strict=True):
            reasons[i] = explained
    out["reasons"] = pd.Series(reasons, index=out.index, dtype=object)
    return out


def _open_complaint_customers(source: TableSource, as_of: date) -> ir.Table:
    import ibis

    complaints = source.table("complaints")
    cutoff = ibis.literal(as_of).cast("timestamp")
    still_open = complaints.closed_time.isnull() | (complaints.closed_time >= cutoff)
    return complaints.filter(complaints.received_time < cutoff, still_open).select("customer_id").distinct()


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return None if isinstance(value, float) and np.isnan(value) else value
