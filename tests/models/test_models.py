from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grayshield.core.errors import NotFoundError
from grayshield.models import GbmClassifier, ModelRegistry, ScorecardModel, auc


def _oracle(X: pd.DataFrame) -> np.ndarray:
    return (-3 + 0.6 * X.collection_calls_30d + 0.01 * X.fees_charged_90d + (X.segment == "young") * 1.0).to_numpy()


def _data(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Risk driven by two numeric features and one category; the third numeric feature is pure noise."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({
        "collection_calls_30d": rng.poisson(2, n).astype(float),
        "fees_charged_90d": rng.gamma(2, 50, n),
        "noise": rng.normal(size=n),
        "segment": rng.choice(["mass", "young", "vip"], n),
    })
    y = (rng.random(n) < 1 / (1 + np.exp(-_oracle(X)))).astype(int)
    return X, y


def test_gbm_learns_signal_calibrates_and_explains(tmp_path: Path) -> None:
    X, y = _data(6000, 0)
    Xv, yv = _data(3000, 1)
    Xt, yt = _data(3000, 2)
    model = GbmClassifier(categorical=["segment"]).fit(X, y, Xv, yv)
    p = model.predict_proba(Xt)[:, 1]
    assert auc(yt, p) > auc(yt, _oracle(Xt)) - 0.03  # close to the best any model can do on this data
    assert abs(p.mean() - yt.mean()) < 0.03  # calibrated: mean prediction near the observed rate
    contrib = model.contributions(Xt.head(50))
    # Contributions add up to the raw log-odds score, as TreeSHAP guarantees.
    raw = model.booster_.predict(model._prepare(Xt.head(50)), raw_score=True)
    np.testing.assert_allclose(contrib.sum(axis=1).to_numpy(), raw, rtol=1e-6, atol=1e-6)
    mean_abs = model.contributions(Xt).drop(columns="bias").abs().mean()
    assert mean_abs.idxmin() == "noise"  # the feature with no signal explains least
    reasons = model.top_reasons(Xt.head(200), k=3)
    assert all(len(r) <= 3 and all(c > 0 for _, c in r) for r in reasons)
    top_features = [r[0][0] for r in reasons if r]
    assert max(set(top_features), key=top_features.count) in {"collection_calls_30d", "fees_charged_90d"}
    model.save(tmp_path / "gbm")
    again = GbmClassifier.load(tmp_path / "gbm")
    np.testing.assert_allclose(again.predict_proba(Xt)[:, 1], p)


def test_scorecard_baseline(tmp_path: Path) -> None:
    X, y = _data(6000, 0)
    Xt, yt = _data(3000, 2)
    card = ScorecardModel(categorical=["segment"]).fit(X, y)
    assert auc(yt, card.predict_proba(Xt)[:, 1]) > auc(yt, _oracle(Xt)) - 0.03
    points = card.points(Xt)
    assert points.std() > 0 and {"Variable", "Points"} <= set(card.table().columns)
    card.save(tmp_path / "sc")
    np.testing.assert_allclose(ScorecardModel.load(tmp_path / "sc").points(Xt), points)


def test_registry_versions_are_immutable_and_atomic(tmp_path: Path) -> None:
    reg = ModelRegistry(tmp_path)
    with pytest.raises(NotFoundError, match="train one first"):
        reg.get("complaints")
    v1 = reg.publish("complaints", lambda d: (d / "a.txt").write_text("1") and {"metrics": {"auc": 0.9}})
    assert v1.version == "v0001" and (v1.path / "metadata.json").is_file()

    def crash(folder: Path) -> dict[str, object]:
        (folder / "half.txt").write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        reg.publish("complaints", crash)
    assert reg.versions("complaints") == ["v0001"]
    assert not [p for p in (tmp_path / "complaints").iterdir() if p.name.startswith(".staging")]
    v2 = reg.publish("complaints", lambda d: {"metrics": {"auc": 0.91}})
    assert reg.get("complaints").version == v2.version == "v0002"
    assert reg.get("complaints", "v0001").metadata["metrics"]["auc"] == 0.9
