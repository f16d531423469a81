"""End to end on two toy worlds: train on one, evaluate on the other; every score carries reasons."""

from __future__ import annotations

from pathlib import Path

import pytest

from grayshield.callers.dataset import build_frames, world_end
from grayshield.callers.evaluation import evaluate_world, train_world
from grayshield.callers.rules import NUMBER_RULES, RULES_VERSION, Rule
from grayshield.callers.scoring import CallerModels, describe_feature, score_numbers
from grayshield.callers.transcripts import LexiconUtteranceScorer
from grayshield.core.errors import RegistryError
from grayshield.lake import open_world


def test_evaluate_world_meets_targets_on_toy_worlds(toy_worlds: tuple[Path, Path], tmp_path: Path) -> None:
    train, test = toy_worlds
    result = evaluate_world(train, test, tmp_path / "out")
    numbers, calls = result["habitual_numbers"], result["proxy_calls"]
    assert numbers["auc"] > 0.98 and numbers["precision_at_recall_0.9"] >= 0.85  # the lawyer is a hard negative
    assert numbers["flagged_share_by_kind"]["customer_own"]["flagged_share"] < 0.02
    assert calls["auc"] > 0.95 and calls["at_trained_threshold"]["f1"] > 0.8
    assert (tmp_path / "out" / "callers_numbers.csv").is_file()


def test_trained_model_round_trips_and_explains(toy_worlds: tuple[Path, Path], tmp_path: Path) -> None:
    train, _ = toy_worlds
    info = train_world(train, tmp_path / "models")
    assert info["version"] == "v0001"
    models = CallerModels.load(Path(info["path"]))
    world = open_world(train)
    frames = build_frames(world, world_end(world), LexiconUtteranceScorer(), models.voice)
    scored = score_numbers(models, frames, describe=False)
    top = scored.iloc[0]
    assert top["flagged"] and top["level"] == "high" and top["rules_version"] == RULES_VERSION
    assert top["reasons"] and all(r["text"] for r in top["reasons"])
    assert {r["kind"] for r in top["reasons"]} >= {"rule", "model"}


def test_rule_names_are_unique() -> None:
    rule = NUMBER_RULES.get("many_customers")
    with pytest.raises(RegistryError):
        NUMBER_RULES.register("many_customers", Rule("many_customers", 0.1, rule.condition, rule.reason))


@pytest.mark.parametrize(("name", "text"), [("distinct_customers_180d", "近180天涉及客户数"),
                                             ("voice_mismatch", "声纹与客户差异"), ("unknown_x", "unknown_x")])
def test_feature_names_in_chinese(name: str, text: str) -> None:
    assert describe_feature(name) == text


def test_adapted_threshold_moves_to_the_scored_worlds_own_break() -> None:
    import numpy as np

    from grayshield.callers.scoring import ADAPT_MIN_ROWS, adapted_threshold

    rng = np.random.default_rng(0)
    negatives = 1 / (1 + np.exp(-rng.normal(-8, 1, 2000)))
    positives = 1 / (1 + np.exp(-rng.normal(-1.0, 0.3, 60)))  # a harder world: positives score lower
    scores = np.concatenate([negatives, positives])
    trained = 0.5
    cut = adapted_threshold(scores, trained)
    assert cut < trained and (positives >= cut).all() and (negatives >= cut).mean() < 0.005
    assert adapted_threshold(scores[: ADAPT_MIN_ROWS - 1], trained) == trained  # too few rows: as trained
    far = np.full(500, 0.999)  # no break near the trained cut: it stays where it is
    assert adapted_threshold(far, 0.01) == pytest.approx(0.01)
    clean = np.concatenate([negatives, np.full(60, 0.999)])  # positives score higher: the cut never rises past
    assert adapted_threshold(clean, trained) <= 1 / (1 + np.exp(-2.0)) + 1e-9  # them, and moves 2 logits at most


def test_withheld_numbers_are_scored_from_customer_and_transcript(toy_worlds: tuple[Path, Path],
                                                                   withheld_world: Path) -> None:
    from sklearn.metrics import roc_auc_score

    from grayshield.callers.dataset import attach_truth
    from grayshield.callers.evaluation import train_on
    from grayshield.callers.scoring import WITHHELD_REASON, score_calls

    train, _ = toy_worlds
    models = train_on(train, LexiconUtteranceScorer())
    assert models.anonymous_model is not None
    world = open_world(withheld_world)
    frames = attach_truth(build_frames(world, world_end(world), LexiconUtteranceScorer()), world)
    scored = score_calls(models, frames).merge(frames.calls[["call_id", "is_proxy"]], on="call_id",
                                               suffixes=("_predicted", ""))
    withheld = scored[scored["caller_withheld"]]
    assert withheld["caller_number"].isna().all() and withheld["is_proxy"].nunique() == 2
    assert roc_auc_score(withheld["is_proxy"], withheld["score"]) > 0.9
    assert all(r[0]["text"] == WITHHELD_REASON for r in withheld["reasons"])
