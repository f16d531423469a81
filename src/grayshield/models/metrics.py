"""Metrics a card centre's model-risk reviewers ask for: AUC, KS, lift, capture at alert rates, PSI."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def _arrays(y_true: Sequence[int] | npt.ArrayLike, score: Sequence[float] | npt.ArrayLike) -> tuple[Any, Any]:
    y = np.asarray(y_true, dtype=np.int64)
    s = np.asarray(score, dtype=np.float64)
    if y.shape != s.shape:
        raise ValueError("labels and scores differ in length")
    return y, s


def _one_class(y: Any) -> bool:
    """No ranking to measure: no rows at all (an extract without caller numbers, say) or a single class."""
    return len(y) == 0 or bool(y.min() == y.max())


def auc(y_true: npt.ArrayLike, score: npt.ArrayLike) -> float:
    from sklearn.metrics import roc_auc_score

    y, s = _arrays(y_true, score)
    if _one_class(y):
        return float("nan")
    return float(roc_auc_score(y, s))


def ks(y_true: npt.ArrayLike, score: npt.ArrayLike) -> float:
    """Kolmogorov-Smirnov: the largest gap between the score distributions of positives and negatives."""
    from sklearn.metrics import roc_curve

    y, s = _arrays(y_true, score)
    if _one_class(y):
        return float("nan")
    fpr, tpr, _ = roc_curve(y, s)
    return float(np.max(tpr - fpr))


def capture_at(y_true: npt.ArrayLike, score: npt.ArrayLike, alert_rate: float) -> float:
    """Share of all positives found among the top ``alert_rate`` of scores (ties broken by order)."""
    y, s = _arrays(y_true, score)
    positives = y.sum()
    if positives == 0:
        return float("nan")
    k = max(1, int(round(alert_rate * len(s))))
    top = np.argsort(-s, kind="stable")[:k]
    return float(y[top].sum() / positives)


def lift_at(y_true: npt.ArrayLike, score: npt.ArrayLike, alert_rate: float = 0.1) -> float:
    """Positive rate in the top ``alert_rate`` divided by the overall positive rate (top-decile lift by default)."""
    y, _ = _arrays(y_true, score)
    if len(y) == 0 or y.sum() == 0:
        return float("nan")
    return capture_at(y_true, score, alert_rate) / alert_rate


def psi(expected: npt.ArrayLike, actual: npt.ArrayLike, bins: int = 10) -> float:
    """Population stability index of ``actual`` against ``expected``, on the expected's quantile bins.

    Rules of thumb used by card centres: < 0.1 stable, 0.1-0.25 watch, > 0.25 shifted.
    """
    e = np.asarray(expected, dtype=np.float64)
    a = np.asarray(actual, dtype=np.float64)
    e, a = e[~np.isnan(e)], a[~np.isnan(a)]
    if len(e) == 0 or len(a) == 0:
        return float("nan")
    edges = np.unique(np.quantile(e, np.linspace(0, 1, bins + 1)))
    if len(edges) < 2:
        # A constant feature: stable if the actual is the same constant.
        return 0.0 if np.all(a == e[0]) else float("inf")
    edges[0], edges[-1] = -np.inf, np.inf
    e_share = np.histogram(e, edges)[0] / len(e)
    a_share = np.histogram(a, edges)[0] / len(a)
    e_share = np.clip(e_share, 1e-6, None)
    a_share = np.clip(a_share, 1e-6, None)
    return float(np.sum((a_share - e_share) * np.log(a_share / e_share)))


def classification_report(y_true: npt.ArrayLike, score: npt.ArrayLike) -> dict[str, float]:
    """The headline figures for a binary early-warning score."""
    y, s = _arrays(y_true, score)
    return {
        "auc": auc(y, s),
        "ks": ks(y, s),
        "top_decile_lift": lift_at(y, s, 0.10),
        "capture_at_5pct": capture_at(y, s, 0.05),
        "capture_at_10pct": capture_at(y, s, 0.10),
        "positives": int(y.sum()),
        "rows": int(len(y)),
        "base_rate": float(y.mean()) if len(y) else float("nan"),
    }
