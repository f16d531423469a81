from __future__ import annotations

import numpy as np
import pytest

from grayshield.models.metrics import auc, capture_at, classification_report, ks, lift_at, psi


def test_perfect_and_random_scores() -> None:
    y = np.array([0] * 90 + [1] * 10)
    perfect = np.arange(100, dtype=float)
    assert auc(y, perfect) == 1.0 and ks(y, perfect) == 1.0
    assert capture_at(y, perfect, 0.05) == 0.5 and capture_at(y, perfect, 0.10) == 1.0
    assert lift_at(y, perfect, 0.10) == pytest.approx(10.0)
    rng = np.random.default_rng(0)
    ys = rng.integers(0, 2, 20000)
    noise = rng.random(20000)
    assert abs(auc(ys, noise) - 0.5) < 0.02 and ks(ys, noise) < 0.05


def test_ks_by_hand() -> None:
    # positives at scores 0.9, 0.4; negatives at 0.8, 0.1: best threshold 0.9 gives tpr .5, fpr 0 -> 0.5
    assert ks([1, 0, 1, 0], [0.9, 0.8, 0.4, 0.1]) == pytest.approx(0.5)


def test_psi_stable_and_shifted() -> None:
    rng = np.random.default_rng(1)
    base = rng.normal(size=50000)
    assert psi(base, rng.normal(size=50000)) < 0.01
    assert psi(base, rng.normal(loc=1.0, size=50000)) > 0.25
    assert psi(np.zeros(10), np.zeros(10)) == 0.0


def test_report_keys_and_degenerate_labels() -> None:
    report = classification_report([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    assert report["auc"] == 1.0 and report["positives"] == 2
    assert np.isnan(auc([0, 0], [0.1, 0.2]))
