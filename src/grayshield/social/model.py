"""The account model: a post classifier (text engine) and a LightGBM over account aggregates, with reasons.

Training cross-fits the post classifier by account (each account's posts are scored by a classifier that
never saw them), so the account model learns from post probabilities as honest as those it will get on new
data; the post classifier published with it is then refitted on every post. Versions live under
``<models_dir>/social/accounts/vNNNN`` and every score records the version that made it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from grayshield.core.errors import ContractError, NotFoundError
from grayshield.models.gbm import GbmClassifier
from grayshield.models.registry import ModelRegistry
from grayshield.social.aggregate import AccountAggregator
from grayshield.social.detection import (
    ACCOUNT_KEY,
    FEATURE_ZH,
    FEATURES,
    account_features,
    post_texts,
    profile_features,
    signals_of,
)
from grayshield.text.classify import CLASSIFIER_KINDS, Analysis, CharNgramClassifier, TextClassifier
from grayshield.text.engine import TextEngine

MODEL_FOLDER = "social"
MODEL_NAME = "accounts"
POST_C = 1.0  # stronger regularisation than the text engine's default: as accurate here, and fits in half the time
CROSSFIT_FOLDS = 2
GBM_PARAMS = {"num_leaves": 7, "max_depth": 3, "min_data_in_leaf": 10, "learning_rate": 0.05,
              "feature_fraction": 0.9, "bagging_fraction": 0.9, "lambda_l2": 5.0}
# More ads, more ad-like posts, more contacts or an ad-like profile can only raise an account's probability:
# with a few dozen black/gray accounts to learn from, this keeps the trees from inventing the opposite.
INCREASING = ("ad_share", "ad_posts", "p_ad_mean", "contact_share", "profile_p_ad", "linked_ad_share_max")


@dataclass
class AccountModel:
    """What scores accounts: ``threshold`` turns the probability into a black/gray flag."""

    post_classifier: TextClassifier
    gbm: GbmClassifier
    threshold: float = 0.5
    source: str = "unsaved"
    summary: dict[str, Any] = field(default_factory=dict)

    def save(self, folder: Path) -> None:
        (folder / "posts").mkdir(parents=True, exist_ok=True)
        CLASSIFIER_KINDS.get("char_ngram").save(self.post_classifier, folder / "posts")
        self.gbm.save(folder / "accounts")

    @classmethod
    def load(cls, folder: Path, metadata: dict[str, Any], source: str) -> AccountModel:
        return cls(CLASSIFIER_KINDS.get("char_ngram").load(folder / "posts"), GbmClassifier.load(folder / "accounts"),
                   float(metadata.get("threshold", 0.5)), source, metadata)


def registry(models_dir: Path) -> ModelRegistry:
    return ModelRegistry(models_dir / MODEL_FOLDER)


def latest_model(models_dir: Path) -> AccountModel:
    version = registry(models_dir).get(MODEL_NAME)
    return AccountModel.load(version.path, version.metadata, f"{MODEL_FOLDER}/{MODEL_NAME}/{version.version}")


def published(models_dir: Path) -> bool:
    return bool(registry(models_dir).versions(MODEL_NAME))


def require_model(models_dir: Path) -> AccountModel:
    if not published(models_dir):
        raise NotFoundError("还没有训练好的舆情账号模型；请先运行 grayshield train social（或 grayshield social train）")
    return latest_model(models_dir)


# ------------------------------------------------------------------------------------------ features
def features_for(engine: TextEngine, classifier: TextClassifier, posts: pd.DataFrame, accounts: pd.DataFrame,
                 analyses: list[Analysis] | None = None, p_ad: np.ndarray | None = None
                 ) -> tuple[pd.DataFrame, AccountAggregator]:
    """Feature rows for every account in ``accounts`` (latest crawl each) or ``posts`` (latest crawl each)."""
    analyses = analyses if analyses is not None else engine.analyse_many(post_texts(posts))
    if p_ad is None:
        column = list(classifier.labels).index("blackgray_ad")
        p_ad = classifier.predict_proba(analyses)[:, column] if analyses else np.zeros(0)
    aggregator = AccountAggregator()
    if len(posts):
        aggregator.add(posts, signals_of(analyses, p_ad))
    profile, contacts = profile_features(engine, classifier, accounts)
    nicknames = pd.Series(accounts["nickname"].to_numpy(), index=profile.index)
    return account_features(aggregator, profile, contacts, nicknames)[list(FEATURES)], aggregator


def crossfit_post_proba(engine: TextEngine, analyses: list[Analysis], labels: Sequence[str],
                        groups: Sequence[str], folds: int = CROSSFIT_FOLDS, seed: int = 0) -> np.ndarray:
    """Out-of-fold P(black/gray ad) per post, folds split by account so an account never trains its own score."""
    from sklearn.model_selection import GroupKFold

    categories = list(engine.lexicon.categories)
    out = np.zeros(len(analyses))
    rng = np.random.default_rng(seed)
    shuffled = {g: int(rng.integers(1 << 30)) for g in sorted(set(groups))}  # GroupKFold is deterministic by size
    group_ids = np.array([shuffled[g] for g in groups])
    for train, test in GroupKFold(n_splits=folds).split(np.zeros(len(analyses)), groups=group_ids):
        classifier = CharNgramClassifier("posts", c=POST_C).fit(
            [analyses[i] for i in train], [labels[i] for i in train], categories)
        column = list(classifier.labels).index("blackgray_ad")
        out[test] = classifier.predict_proba([analyses[i] for i in test])[:, column]
    return out


def fit(engine: TextEngine, posts: pd.DataFrame, post_labels: Sequence[str], accounts: pd.DataFrame,
        account_labels: pd.Series, seed: int = 0) -> AccountModel:
    """Fit on one world's latest posts and accounts; ``account_labels`` is indexed by (platform, account_id)."""
    if len(set(post_labels)) < 2 or account_labels.nunique() < 2:
        raise ContractError("训练舆情模型需要同时包含黑灰产与正常的帖子和账号")
    analyses = engine.analyse_many(post_texts(posts))
    groups = (posts["platform"] + "/" + posts["account_id"]).tolist()
    p_oof = crossfit_post_proba(engine, analyses, post_labels, groups, seed=seed)
    classifier = CharNgramClassifier("posts", c=POST_C).fit(analyses, list(post_labels),
                                                            list(engine.lexicon.categories))
    features, _ = features_for(engine, classifier, posts, accounts, analyses, p_oof)
    y = account_labels.reindex(features.index).fillna(False).astype(int).to_numpy()
    monotone = [1 if name in INCREASING else 0 for name in features.columns]
    gbm = GbmClassifier(params={**GBM_PARAMS, "monotone_constraints": monotone}, num_boost_round=300,
                        seed=seed).fit(features, y)
    return AccountModel(classifier, gbm, 0.5, summary={
        "training_accounts": len(features), "training_blackgray_accounts": int(y.sum()),
        "training_posts": len(posts), "features": list(FEATURES),
        "feature_importance": {k: round(v, 2) for k, v in gbm.feature_importance().items()}})


# ------------------------------------------------------------------------------------------ scoring
def score_accounts(model: AccountModel, engine: TextEngine, posts: pd.DataFrame, accounts: pd.DataFrame,
                   reasons: int = 3) -> pd.DataFrame:
    """One row per account: probability, flag, reasons (Chinese feature names with values), business, region."""
    features, aggregator = features_for(engine, model.post_classifier, posts, accounts)
    return scored_frame(model, features, aggregator, reasons)


def scored_frame(model: AccountModel, features: pd.DataFrame, aggregator: AccountAggregator, reasons: int = 3
                 ) -> pd.DataFrame:
    proba = model.gbm.predict_proba(features)[:, 1] if len(features) else np.zeros(0)
    top = model.gbm.top_reasons(features, reasons) if reasons and len(features) else [[] for _ in range(len(features))]
    frame = features.copy()
    frame["p_blackgray"] = proba
    frame["flagged"] = proba >= model.threshold
    frame["reasons"] = pd.Series([
        [{"feature": name, "label_zh": FEATURE_ZH.get(name, name), "value": round(float(row[name]), 4),
          "contribution": round(weight, 4)} for name, weight in found]
        for found, (_, row) in zip(top, features.iterrows(), strict=True)], index=frame.index, dtype=object)
    keys = list(features.index)
    frame["business_type"] = [aggregator.main_business(k) for k in keys]
    frame["post_region"] = [aggregator.main_region(k) for k in keys]
    frame["contacts"] = [sorted(aggregator.contacts.get(k, ())) for k in keys]
    frame["model"] = model.source
    frame.index = frame.index.set_names(ACCOUNT_KEY)
    return frame.reset_index()
