"""Fitted out of time, the models rank complaints and proxy complaints well and explain themselves in Chinese."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from grayshield.complaints.scoring import attach_reasons, explain, reason_texts, score_frame
from grayshield.complaints.training import ComplaintModels
from grayshield.models.registry import ModelRegistry


def test_validation_is_out_of_time_and_good(fitted: tuple[ComplaintModels, pd.DataFrame]) -> None:
    models, _ = fitted
    summary = models.summary
    assert summary["training_window"][1] < summary["validation_window"][0]
    oot = summary["oot_validation"]
    assert oot["lightgbm"]["auc"] > 0.80, oot
    assert oot["scorecard"]["auc"] > 0.75, oot
    assert models.proxy_complaint is not None and oot["proxy_complaint"]["auc"] > 0.85, oot


def test_reasons_are_the_catalogue_s_chinese_and_push_the_score_up(
        fitted: tuple[ComplaintModels, pd.DataFrame]) -> None:
    models, frame = fitted
    scored = score_frame(models, frame[frame.as_of == frame.as_of.max()])
    top = scored.nlargest(50, "score")
    reasons = explain(models, top)
    allowed = set(reason_texts().values())
    assert all(1 <= len(r) <= 3 for r in reasons)
    assert all(item["reason"] in allowed and item["contribution"] > 0 for r in reasons for item in r)
    assert any("催收" in item["reason"] or "逾期" in item["reason"] for r in reasons for item in r)
    with_reasons = attach_reasons(models, scored, scored.customer_id.isin(top.customer_id))
    assert (with_reasons.reasons.map(len) > 0).sum() == len(top)


def test_models_round_trip_through_the_registry_with_a_model_card(
        fitted: tuple[ComplaintModels, pd.DataFrame], tmp_path: Path) -> None:
    from grayshield.services.complaint_warning import publish

    models, frame = fitted
    version = publish(models, frame, ModelRegistry(tmp_path))
    card = (version.path / "model_card.html").read_text(encoding="utf-8")
    assert "模型卡" in card and "data:image/png;base64," in card and "http" not in card.split("<body>")[1]
    loaded = ComplaintModels.load(version.path)
    sample = frame.head(200)
    pd.testing.assert_series_equal(pd.Series(score_frame(loaded, sample).score.to_numpy()),
                                   pd.Series(score_frame(models, sample).score.to_numpy()))
    assert version.metadata["features"] == models.features
