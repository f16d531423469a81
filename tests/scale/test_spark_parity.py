"""The same Ibis jobs on DuckDB and on Spark local mode give the same rows (issue 12)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from grayshield.lake import World

pytestmark = [pytest.mark.spark, pytest.mark.slow]

DATES = [date(2024, 5, 1), date(2024, 6, 1)]


def _features(world: World) -> pd.DataFrame:
    from grayshield.features import build_features, make_spine

    frame: pd.DataFrame = build_features(world, make_spine(world, DATES)).to_pandas()
    frame["as_of"] = pd.to_datetime(frame["as_of"]).dt.date
    return frame


def test_complaint_features_are_equal(worlds: tuple[World, World], assert_same_rows: Callable[..., None]) -> None:
    duck, spark = worlds
    assert_same_rows(_features(duck), _features(spark), ["customer_id", "as_of"])


def test_complaint_targets_are_equal(worlds: tuple[World, World], assert_same_rows: Callable[..., None]) -> None:
    from grayshield.complaints.dataset import complaint_targets
    from grayshield.features import make_spine

    def targets(world: World) -> pd.DataFrame:
        frame: pd.DataFrame = complaint_targets(world, make_spine(world, DATES), truth=world).to_pandas()
        frame["as_of"] = pd.to_datetime(frame["as_of"]).dt.date
        return frame

    duck, spark = worlds
    assert_same_rows(targets(duck), targets(spark), ["customer_id", "as_of"])


def test_complaint_scores_are_equal(worlds: tuple[World, World], assert_same_rows: Callable[..., None]) -> None:
    """Scoring is features through one fitted model: equal features give equal scores and reasons."""
    from grayshield.complaints.dataset import build_frame, scoring_dates
    from grayshield.complaints.scoring import explain, score_frame
    from grayshield.complaints.training import fit

    duck, spark = worlds
    frame = build_frame(duck, scoring_dates(duck), truth=duck)
    models = fit(frame, None, with_scorecard=False)
    a, b = score_frame(models, _features(duck)), score_frame(models, _features(spark))
    assert_same_rows(a, b, ["customer_id", "as_of"])
    key = ["customer_id", "as_of"]
    a, b = a.sort_values(key).reset_index(drop=True), b.sort_values(key).reset_index(drop=True)
    def reasons(frame: pd.DataFrame) -> list[list[tuple[str, float]]]:  # values may differ in the last ulp
        return [[(r["feature"], r["contribution"]) for r in row] for row in explain(models, frame.head(50))]

    assert reasons(a) == reasons(b)


def test_number_behaviour_features_are_equal(worlds: tuple[World, World],
                                             assert_same_rows: Callable[..., None]) -> None:
    from grayshield.callers.behaviour import call_frame, number_features

    duck, spark = worlds
    as_of = date(2024, 7, 1)
    numbers = [number_features(w, as_of).to_pandas() for w in (duck, spark)]
    assert len(numbers[0]) > 0
    assert_same_rows(*numbers, ["number"])
    calls = [call_frame(w, date(2024, 5, 1), as_of).to_pandas() for w in (duck, spark)]
    assert_same_rows(*calls, ["call_id"])


def test_graph_edges_are_equal(worlds: tuple[World, World], assert_same_rows: Callable[..., None]) -> None:
    """Observations, joins and edge aggregation run on each engine; the node index is the same too."""
    from grayshield.graph import build_graph

    graphs = [build_graph(w) for w in worlds]
    edges = [g.edges.astype({"src": object, "dst": object, "relation": object}) for g in graphs]
    assert len(edges[0]) > 0
    assert {"calls_for", "answered_for", "registered", "filed_for", "uses_template", "advertises"} <= set(
        edges[0]["relation"])
    assert_same_rows(*edges, ["src", "dst", "relation"])
    assert list(graphs[0].names) == list(graphs[1].names)
    assert graphs[0].hubs == graphs[1].hubs


def test_social_account_aggregates_are_equal(worlds: tuple[World, World], tmp_path: Path,
                                             assert_same_rows: Callable[..., None]) -> None:
    """Posts are read by the text engine once; their per-post results, spilled in batches, are aggregated
    per account by DuckDB and by Spark."""
    from grayshield.social.aggregate import AccountAggregator
    from grayshield.social.detection import post_texts, signals_of
    from grayshield.social.history import POST_KEY, latest
    from grayshield.text.classify import CharNgramClassifier
    from grayshield.text.engine import TextEngine

    duck, spark = worlds
    posts = latest(duck.table("social_posts").to_pandas(), POST_KEY)
    labels = posts.merge(duck.truth("social_posts").to_pandas()[[*POST_KEY, "label"]], on=POST_KEY, how="left")
    engine = TextEngine()
    analyses = engine.analyse_many(post_texts(posts))
    classifier = CharNgramClassifier("posts").fit(analyses, labels["label"].fillna("other").tolist(),
                                                  list(engine.lexicon.categories))
    p_ad = classifier.predict_proba(analyses)[:, list(classifier.labels).index("blackgray_ad")]
    aggregators = [AccountAggregator(folder=tmp_path / "duckdb"),
                   AccountAggregator(folder=tmp_path / "spark", connection=spark.connection)]
    for start in range(0, len(posts), 150):
        batch = slice(start, start + 150)
        for aggregator in aggregators:
            aggregator.add(posts.iloc[batch], signals_of(analyses[batch], p_ad[batch]))
    features = [a.post_features().reset_index() for a in aggregators]
    assert len(features[0]) > 10 and features[0]["ad_posts"].sum() > 0
    assert_same_rows(*features, ["platform", "account_id"])
    a, b = aggregators
    assert a.business == b.business and a.regions == b.regions and a.contacts == b.contacts
    assert any(a.contacts.values())
