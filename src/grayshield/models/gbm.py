"""LightGBM binary classifier with calibration and per-row reasons, in scikit-learn's estimator shape.

Reasons are TreeSHAP contributions, computed by LightGBM itself (``pred_contrib=True``): the same exact
algorithm the ``shap`` package runs for tree models, without a second copy of the model, fast enough to
explain the top 5% of a million customers in seconds.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

DEFAULT_PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 40,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "verbose": -1,
    "num_threads": 2,
    "deterministic": True,
    "force_row_wise": True,
}


class GbmClassifier:
    """``fit`` returns self; learned state ends in ``_``; ``predict_proba`` is calibrated when a validation set
    was given to ``fit``: Platt scaling of the raw log-odds on that set. Platt, not isotonic, because it is
    monotone without ties, so alert ranks (capture at 5%) are exactly the booster's ranks."""

    def __init__(self, categorical: Sequence[str] = (), params: dict[str, Any] | None = None,
                 num_boost_round: int = 600, early_stopping_rounds: int = 50, seed: int = 0) -> None:
        self.categorical = tuple(categorical)
        self.params = params
        self.num_boost_round = num_boost_round
        self.early_stopping_rounds = early_stopping_rounds
        self.seed = seed

    # ------------------------------------------------------------------ fitting
    def fit(self, X: pd.DataFrame, y: npt.ArrayLike, X_valid: pd.DataFrame | None = None,
            y_valid: npt.ArrayLike | None = None) -> GbmClassifier:
        import lightgbm as lgb

        self.feature_names_ = list(X.columns)
        self.categories_ = {c: sorted(X[c].dropna().astype(str).unique().tolist()) for c in self.categorical}
        params = {**DEFAULT_PARAMS, **(self.params or {}), "seed": self.seed}
        train = lgb.Dataset(self._prepare(X), label=np.asarray(y), categorical_feature=list(self.categorical),
                            free_raw_data=False)
        valid_sets: list[Any] = []
        callbacks: list[Any] = []
        if X_valid is not None and y_valid is not None:
            valid = lgb.Dataset(self._prepare(X_valid), label=np.asarray(y_valid), reference=train)
            valid_sets = [valid]
            callbacks = [lgb.early_stopping(self.early_stopping_rounds, verbose=False)]
        self.booster_ = lgb.train(params, train, num_boost_round=self.num_boost_round, valid_sets=valid_sets,
                                  callbacks=callbacks)
        self.calibrator_: Any = None
        if X_valid is not None and y_valid is not None:
            from sklearn.linear_model import LogisticRegression

            raw = np.asarray(self.booster_.predict(self._prepare(X_valid), raw_score=True))
            self.calibrator_ = LogisticRegression(C=1e6, max_iter=1000).fit(raw.reshape(-1, 1), np.asarray(y_valid))
        return self

    def _prepare(self, X: pd.DataFrame) -> pd.DataFrame:
        missing = [c for c in getattr(self, "feature_names_", X.columns) if c not in X.columns]
        if missing:
            raise ValueError(f"missing feature columns: {missing}")
        frame = X[list(getattr(self, "feature_names_", X.columns))].copy()
        for col in self.categorical:
            values = frame[col].astype("string")
            known = values.isin(self.categories_[col])  # a category unseen in training reads as missing
            frame[col] = pd.Categorical(values.where(known), categories=self.categories_[col])
        for col in frame.columns:
            if col not in self.categorical:
                frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
        return frame

    # ------------------------------------------------------------------ prediction
    def _predict(self, X: pd.DataFrame, *, raw_score: bool = False,
                 pred_contrib: bool = False) -> npt.NDArray[np.float64]:
        """The booster's answer for ``X``; an empty batch gets an empty answer of the right shape.

        LightGBM refuses zero rows, yet a batch with nothing in it is ordinary on real extracts: no caller
        numbers when the optional ``caller_number`` column is absent, no complaints in a quiet month.
        """
        frame = self._prepare(X)
        if len(frame) == 0:
            return np.empty((0, len(self.feature_names_) + 1) if pred_contrib else 0, dtype=np.float64)
        return np.asarray(self.booster_.predict(frame, raw_score=raw_score, pred_contrib=pred_contrib),
                          dtype=np.float64)

    def raw_score(self, X: pd.DataFrame) -> npt.NDArray[np.float64]:
        return self._predict(X)

    def predict_proba(self, X: pd.DataFrame) -> npt.NDArray[np.float64]:
        if self.calibrator_ is None:
            p = self.raw_score(X)
        else:
            log_odds = self._predict(X, raw_score=True).reshape(-1, 1)
            p = (np.asarray(self.calibrator_.predict_proba(log_odds)[:, 1], dtype=np.float64) if len(log_odds)
                 else np.empty(0, dtype=np.float64))
        return np.column_stack([1.0 - p, p])

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        """Per-row TreeSHAP contributions to the log-odds; the ``bias`` column is the expected value."""
        contrib = self._predict(X, pred_contrib=True)
        return pd.DataFrame(contrib, columns=[*self.feature_names_, "bias"], index=X.index)

    def top_reasons(self, X: pd.DataFrame, k: int = 3) -> list[list[tuple[str, float]]]:
        """The ``k`` features that pushed each row's score up the most (positive contributions only)."""
        contrib = self.contributions(X).drop(columns="bias").to_numpy()
        order = np.argsort(-contrib, axis=1)[:, :k]
        names = self.feature_names_
        return [
            [(names[j], float(contrib[i, j])) for j in order[i] if contrib[i, j] > 0]
            for i in range(contrib.shape[0])
        ]

    def feature_importance(self) -> dict[str, float]:
        gains = self.booster_.feature_importance(importance_type="gain")
        return dict(zip(self.feature_names_, (float(g) for g in gains), strict=True))

    # ------------------------------------------------------------------ persistence
    def save(self, folder: Path) -> None:
        import pickle

        folder.mkdir(parents=True, exist_ok=True)
        self.booster_.save_model(str(folder / "model.txt"))
        (folder / "gbm.json").write_text(json.dumps({
            "feature_names": self.feature_names_, "categorical": list(self.categorical),
            "categories": self.categories_, "params": self.params, "seed": self.seed,
        }, ensure_ascii=False, indent=2), encoding="utf-8")
        with (folder / "calibrator.pkl").open("wb") as fh:
            pickle.dump(self.calibrator_, fh)

    @classmethod
    def load(cls, folder: Path) -> GbmClassifier:
        import pickle

        import lightgbm as lgb

        meta = json.loads((folder / "gbm.json").read_text(encoding="utf-8"))
        model = cls(categorical=meta["categorical"], params=meta["params"], seed=meta["seed"])
        model.feature_names_ = meta["feature_names"]
        model.categories_ = meta["categories"]
        model.booster_ = lgb.Booster(model_file=str(folder / "model.txt"))
        with (folder / "calibrator.pkl").open("rb") as fh:
            model.calibrator_ = pickle.load(fh)  # noqa: S301 - our own artefact, written by save()
        return model
