"""Per-account aggregation in Ibis (DuckDB here; Spark in tests/scale): hand-made posts, values checked by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grayshield.social.aggregate import AccountAggregator
from grayshield.social.detection import PostSignals


def _batch(rows: list[tuple[str, str, float, list[str], str, str | None]], start_hour: int = 12
           ) -> tuple[pd.DataFrame, PostSignals]:
    """Posts (account, post type, P(ad), contacts, business, region) one hour apart, in Beijing time."""
    posts = pd.DataFrame({
        "platform": "douyin", "account_id": [r[0] for r in rows], "post_type": [r[1] for r in rows],
        "posted_time": pd.Timestamp("2024-03-01 00:00", tz="UTC") + pd.to_timedelta(
            np.arange(len(rows)) + start_hour - 8, unit="h"),
        "likes": 1, "comments": 2, "shares": 3, "views": [10] * len(rows), "removed": False,
        "ip_location": [r[5] for r in rows]})
    signals = PostSignals(np.array([r[2] for r in rows]), np.ones(len(rows)), np.zeros(len(rows)),
                          [r[3] for r in rows], [r[4] for r in rows], [])
    return posts, signals


ROWS = [
    ("a", "post", 0.9, ["phone:1"], "debt_negotiation", "广东"),
    ("a", "comment", 0.8, ["phone:1", "wechat:x"], "credit_card", "广东"),
    ("a", "post", 0.2, [], "other", "湖北"),
    ("b", "post", 0.1, [], "other", None),
]


@pytest.mark.parametrize("spill", [False, True])
def test_account_features_by_hand(spill: bool, tmp_path: Path) -> None:
    aggregator = AccountAggregator(folder=tmp_path / "rows" if spill else None)
    aggregator.add(*_batch(ROWS[:2]))
    aggregator.add(*_batch(ROWS[2:], start_hour=14))
    features = aggregator.post_features()
    a, b = features.loc[("douyin", "a")], features.loc[("douyin", "b")]
    assert a["posts"] == 3 and a["ad_posts"] == 2 and a["ad_share"] == pytest.approx(2 / 3)
    assert a["p_ad_mean"] == pytest.approx((0.9 + 0.8 + 0.2) / 3) and a["p_ad_max"] == pytest.approx(0.9)
    assert a["comment_share"] == pytest.approx(1 / 3) and a["contact_share"] == pytest.approx(2 / 3)
    assert a["engagement_mean"] == 6 and a["views_sum"] == 30 and a["distinct_contacts"] == 2
    assert a["posts_per_day"] == 3.0  # active days are clipped to at least one
    assert b["posts"] == 1 and b["ad_posts"] == 0 and b["distinct_contacts"] == 0
    # one ad post each for two businesses: the issuer's own wins the tie
    assert aggregator.main_business(("douyin", "a")) == "credit_card"
    assert aggregator.main_business(("douyin", "b")) == "other"
    assert aggregator.main_region(("douyin", "a")) == "广东" and aggregator.main_region(("douyin", "b")) is None
    assert aggregator.contacts[("douyin", "a")] == {"phone:1", "wechat:x"}


def test_night_posts_are_counted_in_beijing_time() -> None:
    aggregator = AccountAggregator()
    aggregator.add(*_batch([("n", "post", 0.1, [], "other", None)] * 2, start_hour=23))  # 23:00 and 00:00
    aggregator.add(*_batch([("n", "post", 0.1, [], "other", None)], start_hour=7))
    assert aggregator.post_features().loc[("douyin", "n"), "night_share"] == pytest.approx(2 / 3)


def test_contacts_are_capped_at_the_first_ones_in_arrival_order() -> None:
    aggregator = AccountAggregator(max_contacts=3)
    aggregator.add(*_batch([("s", "post", 0.9, [f"qq:{i}" for i in (5, 4)], "other", None),
                            ("s", "post", 0.9, ["qq:9", "qq:1"], "other", None)]))
    aggregator.add(*_batch([("s", "post", 0.9, ["qq:0"], "other", None)]))
    features = aggregator.post_features()
    assert aggregator.contacts[("douyin", "s")] == {"qq:5", "qq:4", "qq:1"}
    assert features.loc[("douyin", "s"), "distinct_contacts"] == 3


def test_no_posts_gives_no_rows() -> None:
    assert AccountAggregator().post_features().empty
