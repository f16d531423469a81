"""Drift monitoring: population stability of the score and of each feature, month by month.

The reference is the model's own validation window; a month whose score PSI reaches ``alert`` (0.25, the
industry's rule of thumb for a significant shift) raises a drift alert, ``warn`` (0.10) asks for a look.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from grayshield.models.metrics import psi


@dataclass(frozen=True)
class DriftThresholds:
    warn: float = 0.10
    alert: float = 0.25

    def level(self, value: float) -> str:
        if value >= self.alert:
            return "alert"
        return "warn" if value >= self.warn else "ok"


def drift_by_month(reference: pd.DataFrame, current: pd.DataFrame, features: Sequence[str],
                   thresholds: DriftThresholds | None = None, top: int = 5) -> list[dict[str, Any]]:
    """One entry per ``as_of`` month of ``current``: score PSI, its level and the most shifted features."""
    thresholds = thresholds or DriftThresholds()
    numeric = [f for f in features if pd.api.types.is_numeric_dtype(reference[f])]
    rows = []
    for as_of, month in current.groupby("as_of", sort=True):
        score_psi = psi(reference["score"], month["score"])
        shifts = {f: psi(reference[f].astype(float), month[f].astype(float)) for f in numeric
                  if reference[f].nunique() > 1}
        worst = sorted(shifts.items(), key=lambda kv: -kv[1])[:top]
        rows.append({
            "as_of": str(as_of), "rows": len(month), "score_mean": float(np.mean(month["score"])),
            "score_psi": score_psi, "level": thresholds.level(score_psi),
            "top_feature_psi": [{"feature": f, "psi": v, "level": thresholds.level(v)} for f, v in worst],
        })
    return rows
