"""Training, saving, loading and evaluation on a hand-written world read through the lake."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from grayshield.core.errors import ContractError, NotFoundError, ValidationError
from grayshield.text.classify import CharNgramClassifier, TextClassifier
from grayshield.text.engine import LoadedModel, TextEngine, latest_model, load_model
from grayshield.text.evaluation import contact_key, evaluate_world, train_world


def test_train_publishes_versioned_models_that_load_and_classify(tiny_world: Path, tmp_path: Path) -> None:
    info = train_world(tiny_world, tmp_path / "models")
    assert info["models"]["posts"]["version"] == "v0001"
    again = train_world(tiny_world, tmp_path / "models")
    assert again["models"]["posts"]["version"] == "v0002"
    loaded = latest_model(tmp_path / "models", "posts")
    assert loaded is not None and loaded.source == "text/posts/v0002"
    meta = json.loads((Path(again["models"]["posts"]["path"]) / "metadata.json").read_text(encoding="utf-8"))
    assert meta["lexicon"].startswith("default@") and meta["task"] == "posts"
    engine = TextEngine(models={"posts": loaded})
    (result,) = engine.classify_many(["专业停✖息挂帐，协商还款，薇：abc_12345"], "posts")
    assert result["label"] == "blackgray_ad" and 0.5 < result["probability"] <= 1
    assert result["explanation"] and all(e["weight"] > 0 for e in result["explanation"])
    assert any(h["surface"] == "停✖息挂帐" for h in result["hits"])
    assert load_model(Path(again["models"]["utterances"]["path"])).classifier.labels[0] == "proxy_representation"


def test_evaluation_reports_metrics_targets_and_a_pr_curve(tiny_world: Path, tmp_path: Path) -> None:
    report = evaluate_world(tiny_world, tiny_world, tmp_path / "out")
    posts = report["posts"]
    assert set(posts["per_class"]) == {"blackgray_ad", "consumer_discussion", "news_official"}
    assert sum(map(sum, posts["confusion_matrix"]["rows_truth_columns_predicted"])) == posts["rows"] == 24
    assert posts["per_class"]["blackgray_ad"]["f1"] > 0.9  # seen data: a sanity check, not a quality claim
    assert posts["hard_negative_fpr"] < posts["lexicon_only_baseline"]["hard_negative_fpr"]
    assert posts["contacts"]["recall"] == 1.0 and posts["contacts"]["false_positives"] == 0
    assert report["utterances"]["rows"] == 24 and report["complaints"]["rows"] == 24
    assert set(report["targets"]) == {"blackgray_ad_f1", "hard_negative_fpr", "proxy_representation_f1"}
    assert Path(report["pr_curve_png"]).read_bytes()[:4] == b"\x89PNG"
    json.dumps(report)  # the CLI prints it as JSON


def test_a_world_without_text_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "world.json").write_text("{}")
    with pytest.raises(NotFoundError, match="no ground truth 'utterances'"):
        train_world(tmp_path / "empty", tmp_path / "models")


def test_a_world_with_truth_but_no_rows_is_a_clear_error(tiny_world: Path, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(tiny_world, tmp_path / "w")
    shutil.rmtree(tmp_path / "w" / "social_posts")
    with pytest.raises(ContractError, match="no labelled social posts"):
        train_world(tmp_path / "w", tmp_path / "models")


def test_training_with_one_label_is_refused() -> None:
    engine = TextEngine()
    with pytest.raises(ValidationError, match="at least two labels"):
        CharNgramClassifier("posts").fit(engine.analyse_many(["a", "b"]), ["blackgray_ad"] * 2, [])
    with pytest.raises(ValidationError, match="not posts labels"):
        CharNgramClassifier("posts").fit(engine.analyse_many(["a", "b"]), ["spam", "blackgray_ad"], [])


@pytest.mark.parametrize(("raw", "key"), [("wx:Abc_123", "abc123"), ("+86 138-1234-5678", "13812345678"),
                                          ("13812345678", "13812345678"), ("qq:123456", "123456")])
def test_contact_keys_compare_across_canonical_forms(raw: str, key: str) -> None:
    assert contact_key(raw) == key


class _QuestionMarkClassifier:
    """A stand-in for a heavier model: anything implementing the protocol plugs into the engine."""

    task = "posts"
    labels = ("blackgray_ad", "consumer_discussion", "news_official")

    def predict_proba(self, analyses: object) -> np.ndarray:
        rows = [[0.1, 0.8, 0.1] if "?" in a.normalised.original else [0.8, 0.1, 0.1] for a in analyses]  # type: ignore[attr-defined]
        return np.asarray(rows)

    def explain(self, analysis: object, label: str, top: int = 5) -> list[dict[str, object]]:
        return [{"feature": "question mark", "weight": 1.0}]


def test_another_classifier_plugs_in_through_the_protocol() -> None:
    plugged = _QuestionMarkClassifier()
    assert isinstance(plugged, TextClassifier)
    engine = TextEngine(models={"posts": LoadedModel(plugged, "custom/v1", {})})
    first, second = engine.classify_many(["停息挂账靠谱吗?", "停息挂账找我"], "posts")
    assert (first["label"], second["label"]) == ("consumer_discussion", "blackgray_ad")
    assert first["model"] == "custom/v1" and first["explanation"][0]["feature"] == "question mark"
