"""A batch with nothing to score gets an empty answer, not LightGBM's "Input data must be ... non empty".

Found on an extract without the optional ``caller_number`` column: ``grayshield eval callers`` crashed when
the number model was asked to score zero numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grayshield.models import GbmClassifier


def _data(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"calls_30d": rng.poisson(2, n).astype(float), "segment": rng.choice(["mass", "young"], n)})
    y = (rng.random(n) < 1 / (1 + np.exp(3 - 0.8 * X.calls_30d))).astype(int)
    return X, y


@pytest.mark.parametrize("calibrated", [False, True])
def test_zero_rows_score_to_empty_arrays_of_the_right_shape(calibrated: bool) -> None:
    X, y = _data(600, 0)
    valid = _data(300, 1) if calibrated else (None, None)
    model = GbmClassifier(categorical=["segment"], num_boost_round=20).fit(X, y, *valid)
    empty = X.head(0)

    assert model.predict_proba(empty).shape == (0, 2)
    assert model.raw_score(empty).shape == (0,)
    assert list(model.contributions(empty).columns) == ["calls_30d", "segment", "bias"]
    assert model.top_reasons(empty) == []
    # the same model still scores real rows
    assert model.predict_proba(X.head(5)).shape == (5, 2)


def test_the_report_of_an_empty_batch_is_all_undefined_not_an_error() -> None:
    from grayshield.models import classification_report

    report = classification_report([], [])
    assert report["rows"] == 0 and report["positives"] == 0
    assert all(np.isnan(report[k]) for k in ("auc", "ks", "top_decile_lift", "capture_at_5pct", "base_rate"))
