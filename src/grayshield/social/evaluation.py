"""``grayshield train social`` / ``grayshield eval social``: black/gray accounts and the priority list on worlds.

Targets (issue 8), on a held-out world (new seed, hard profile): account precision >= 0.95 at recall >= 0.90,
and at least 90 of the top-100 priority accounts truly black/gray. Reads only contract tables and truth through
:func:`grayshield.lake.open_world`, so a world from any generator can be measured.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from grayshield.core.errors import ContractError
from grayshield.lake import open_world
from grayshield.lake.world import World
from grayshield.social.history import ACCOUNT_KEY, POST_KEY, account_history, latest, post_history
from grayshield.social.model import MODEL_NAME, AccountModel, fit, registry, score_accounts
from grayshield.social.priority import load_priority, prioritise, with_profile
from grayshield.text.engine import TextEngine

TARGET_PRECISION = 0.95
TARGET_RECALL = 0.90
TOP_N = 100
TARGET_TOP = 90


@dataclass(frozen=True)
class WorldSocial:
    """A world's social data as the engine sees it: the latest crawl of each post and account, and histories."""

    posts: pd.DataFrame
    accounts: pd.DataFrame
    post_history: pd.DataFrame
    account_history: pd.DataFrame


def read_social(world: World) -> WorldSocial:
    if not world.has_table("social_posts") or not world.has_table("social_accounts"):
        raise ContractError(f"{world.root} 没有 social_posts / social_accounts 表")
    posts = world.table("social_posts").to_pandas()
    accounts = world.table("social_accounts").to_pandas()
    return WorldSocial(latest(posts, POST_KEY), latest(accounts, ACCOUNT_KEY), post_history(posts),
                       account_history(accounts))


def _truth(world: World) -> tuple[pd.DataFrame, pd.DataFrame]:
    if not world.has_truth("social_accounts") or not world.has_truth("social_posts"):
        raise ContractError(f"{world.root} 没有 truth/social_accounts 与 truth/social_posts，无法训练或评估")
    return world.truth("social_accounts").to_pandas(), world.truth("social_posts").to_pandas()


def train_on(world_path: Path, engine: TextEngine | None = None, seed: int = 0) -> AccountModel:
    world = open_world(world_path)
    engine = engine or TextEngine()
    social = read_social(world)
    account_truth, post_truth = _truth(world)
    posts = social.posts.merge(post_truth[[*POST_KEY, "label"]], on=POST_KEY, how="inner")
    labels = account_truth.set_index(ACCOUNT_KEY)["is_blackgray"]
    model = fit(engine, posts, posts["label"].tolist(), social.accounts, labels, seed=seed)
    model.summary["trained_on"] = world.identity()
    model.summary["lexicon"] = engine.lexicon.identity
    return model


def train_world(world: Path, models_dir: Path) -> dict[str, Any]:
    """Fit on ``world`` and publish the next version of ``social/accounts`` under ``models_dir``."""
    return publish(train_on(world), models_dir)


def publish(model: AccountModel, models_dir: Path) -> dict[str, Any]:
    """Publish ``model`` as the next version of ``social/accounts``, whatever labels it was trained on."""

    def write(folder: Path) -> dict[str, Any]:
        model.save(folder)
        return {"kind": "social_accounts", "threshold": model.threshold, **model.summary}

    version = registry(models_dir).publish(MODEL_NAME, write)
    return {"area": "social", "model": f"social/{version.name}", "version": version.version,
            "path": str(version.path), "threshold": model.threshold,
            "training_accounts": model.summary["training_accounts"],
            "training_blackgray_accounts": model.summary["training_blackgray_accounts"]}


# ------------------------------------------------------------------------------------------ evaluation
def _precision_recall(y: np.ndarray, flagged: np.ndarray) -> dict[str, float | int]:
    tp = int(np.sum(flagged & y))
    precision = tp / max(int(flagged.sum()), 1)
    recall = tp / max(int(y.sum()), 1)
    return {"precision": round(precision, 4), "recall": round(recall, 4),
            "f1": round(2 * precision * recall / max(precision + recall, 1e-12), 4),
            "flagged": int(flagged.sum()), "true_positives": tp, "positives": int(y.sum())}


def precision_at_recall(y: np.ndarray, score: np.ndarray, recall: float) -> float:
    from sklearn.metrics import precision_recall_curve

    p, r, _ = precision_recall_curve(y, score)
    ok = r >= recall
    return round(float(p[ok].max()), 4) if ok.any() else 0.0


def evaluate_world(train_world: Path, test_world: Path, out_dir: Path | None) -> dict[str, Any]:
    """Train on one world, score every account of the other, compare with its truth."""
    engine = TextEngine()
    started = time.perf_counter()
    model = train_on(train_world, engine)
    trained = time.perf_counter()
    test = open_world(test_world)
    social = read_social(test)
    account_truth, post_truth = _truth(test)
    scored = with_profile(score_accounts(model, engine, social.posts, social.accounts), social.accounts,
                          social.account_history)
    ranked = prioritise(scored, load_priority()).merge(
        account_truth[[*ACCOUNT_KEY, "is_blackgray", "kind"]], on=ACCOUNT_KEY, how="left")
    scored_seconds = time.perf_counter() - trained
    y = ranked["is_blackgray"].fillna(False).astype(bool).to_numpy()
    p = ranked["p_blackgray"].to_numpy()
    flagged = ranked["flagged"].to_numpy(dtype=bool)
    top = ranked.head(TOP_N)
    top_true = int(top["is_blackgray"].fillna(False).astype(bool).sum())
    at_threshold = _precision_recall(y, flagged)
    p_at_r = precision_at_recall(y, p, TARGET_RECALL)
    posts = social.posts.merge(post_truth[[*POST_KEY, "label"]], on=POST_KEY, how="inner")
    kinds = ranked.assign(flagged=flagged).groupby(ranked["kind"].fillna("unknown"))["flagged"]
    result: dict[str, Any] = {
        "area": "social",
        "accounts": {
            "scored": len(ranked), "blackgray": int(y.sum()), "threshold": model.threshold,
            "at_threshold": at_threshold,
            f"precision_at_recall_{TARGET_RECALL}": p_at_r,
            "auc": round(float(_auc(y, p)), 4),
            "flagged_share_by_kind": {str(k): round(float(v), 4) for k, v in kinds.mean().items()},
        },
        "priority": {"top_n": TOP_N, "truly_blackgray_in_top_n": top_true,
                     "precision_at_top_n": round(top_true / max(len(top), 1), 4),
                     "weights_version": str(ranked["priority_version"].iloc[0]) if len(ranked) else None},
        "posts": {"scored": len(posts), "blackgray_ads": int((posts["label"] == "blackgray_ad").sum())},
        "targets": {
            "account_precision_at_threshold": {"target": TARGET_PRECISION,
                                               "met": bool(at_threshold["precision"] >= TARGET_PRECISION)},
            "account_recall_at_threshold": {"target": TARGET_RECALL,
                                            "met": bool(at_threshold["recall"] >= TARGET_RECALL)},
            f"precision_at_recall_{TARGET_RECALL}": {"target": TARGET_PRECISION,
                                                     "met": bool(p_at_r >= TARGET_PRECISION)},
            "top_100_truly_blackgray": {"target": TARGET_TOP, "met": bool(top_true >= min(TARGET_TOP, len(top)))},
        },
        "training": {k: v for k, v in model.summary.items() if k not in ("trained_on", "feature_importance")},
        "feature_importance_top": dict(sorted(model.summary.get("feature_importance", {}).items(),
                                              key=lambda kv: -kv[1])[:8]),
        "seconds": {"train": round(trained - started, 2), "score_test_world": round(scored_seconds, 2)},
    }
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        ranked.drop(columns=["reasons", "priority_components", "contacts"]).to_csv(
            out_dir / "social_accounts_ranked.csv", index=False)
    return result


def _auc(y: np.ndarray, score: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, score)) if 0 < y.sum() < len(y) else float("nan")
