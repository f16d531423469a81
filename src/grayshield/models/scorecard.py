"""A WOE scorecard (optbinning): the interpretable baseline model-risk reviewers ask for."""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd


class ScorecardModel:
    """Optimal binning + weight of evidence + logistic regression, scaled to points (600 at 1:50 odds,
    20 points to double the odds, the convention most card centres use)."""

    def __init__(self, categorical: Sequence[str] = (), max_n_bins: int = 6, seed: int = 0) -> None:
        self.categorical = tuple(categorical)
        self.max_n_bins = max_n_bins
        self.seed = seed

    def fit(self, X: pd.DataFrame, y: npt.ArrayLike) -> ScorecardModel:
        from optbinning import BinningProcess, Scorecard
        from sklearn.linear_model import LogisticRegression

        self.feature_names_ = list(X.columns)
        binning = BinningProcess(
            variable_names=self.feature_names_, categorical_variables=list(self.categorical),
            max_n_bins=self.max_n_bins, min_bin_size=0.02,
        )
        self.scorecard_: Any = Scorecard(
            binning_process=binning,
            estimator=LogisticRegression(max_iter=1000, random_state=self.seed),
            scaling_method="pdo_odds",
            scaling_method_params={"pdo": 20, "odds": 50, "scorecard_points": 600},
        )
        self.scorecard_.fit(self._prepare(X), np.asarray(y))
        return self

    def _prepare(self, X: pd.DataFrame) -> pd.DataFrame:
        frame = X[self.feature_names_].copy()
        for col in frame.columns:
            if col in self.categorical:
                frame[col] = frame[col].astype("object").where(frame[col].notna(), "unknown").astype(str)
            else:
                frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
        return frame

    def predict_proba(self, X: pd.DataFrame) -> npt.NDArray[np.float64]:
        return np.asarray(self.scorecard_.predict_proba(self._prepare(X)), dtype=np.float64)

    def points(self, X: pd.DataFrame) -> npt.NDArray[np.float64]:
        return np.asarray(self.scorecard_.score(self._prepare(X)), dtype=np.float64)

    def table(self) -> pd.DataFrame:
        """The scorecard itself: variable, bin, WOE and points per bin."""
        return self.scorecard_.table(style="summary")  # type: ignore[no-any-return]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "scorecard.pkl").open("wb") as fh:
            pickle.dump(self, fh)

    @classmethod
    def load(cls, folder: Path) -> ScorecardModel:
        with (folder / "scorecard.pkl").open("rb") as fh:
            model = pickle.load(fh)  # noqa: S301 - our own artefact, written by save()
        if not isinstance(model, cls):
            raise TypeError("scorecard.pkl does not hold a ScorecardModel")
        return model
