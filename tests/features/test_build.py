from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
import pytest

from grayshield.features import DIMENSION_ZH, Dimension, build_features, default_catalogue, make_spine
from grayshield.features.catalogue import WINDOWS, DerivedFeature, WindowFeature

AS_OF = date(2024, 6, 1)


def _customer(cid: str, **kw: Any) -> dict[str, Any]:
    row = {"customer_id": cid, "name": "x", "id_number": "x", "gender": "F", "birth_date": date(1960, 6, 2),
               "province": "广东省", "city": "深圳市", "registered_phone": "+8613800000000", "onboard_date": date(2020, 1, 1),
               "segment": "mass", "occupation": "retired", "annual_income": 60000.0}
    row.update(kw)
    return row


def _collection(cid: str, when: datetime, kind: str = "call", agency: str = "internal") -> dict[str, Any]:
    return {"action_id": f"A{cid}{when:%Y%m%d%H}{kind}", "account_id": f"ACC{cid}", "customer_id": cid,
                "action_time": when, "action_type": kind, "agency": agency, "result": "no_answer", "delinquency_bucket": "M2"}


def _call(cid: str, when: datetime, number: str, verified: bool, relation: str = "self") -> dict[str, Any]:
    return {"call_id": f"CALL{cid}{when:%Y%m%d%H%M}", "caller_number": number, "called_line": "95555",
                "direction": "inbound", "start_time": when, "duration_s": 120, "claimed_customer_id": cid,
                "caller_relation": relation, "identity_verified": verified, "queue": "card_service"}


def _change(cid: str, when: datetime, number: str, field: str = "mobile") -> dict[str, Any]:
    return {"change_id": f"CH{cid}{when:%Y%m%d%H}", "customer_id": cid, "change_time": when, "field": field,
            "new_value": number, "channel": "app", "verified": False}


def _world(extra_after: bool = False) -> dict[str, list[dict[str, Any]]]:
    t = datetime(2024, 6, 1)
    rows: dict[str, list[dict[str, Any]]] = {
        "customers": [_customer("C1"), _customer("C2", birth_date=date(1990, 1, 1), segment="young"),
                      _customer("C3", onboard_date=date(2024, 7, 1)), _customer("C4")],
        "collection_actions": [
            _collection("C1", t - timedelta(days=1)),
            _collection("C1", t - timedelta(days=5), "sms"),
            _collection("C1", t - timedelta(days=20), "outsourced_call", "AG01"),
            _collection("C1", t - timedelta(days=60)),
            _collection("C1", t - timedelta(days=200)),  # outside every window
        ],
        "calls": [
            _call("C1", t - timedelta(days=2), "+8617012345678", False, "lawyer"),
            _call("C1", t - timedelta(days=3), "+8613800000000", True),
            _call("C2", t - timedelta(days=40), "+8613800000000", True),
            _call("C2", t - timedelta(days=10), "+8617012345678", False, "relative"),
            _call("C4", t - timedelta(days=100), "+8617012345678", False),  # outside the 90-day window
        ],
        "contact_changes": [
            _change("C1", t - timedelta(days=30), "+8617100000001"),
            _change("C2", t - timedelta(days=100), "+8617100000001", "emergency_contact_phone"),
        ],
        "complaints": [],
    }
    if extra_after:
        # Events on and after the scoring date, and a complaint the next day: none may change a feature.
        rows["collection_actions"] += [_collection("C1", t), _collection("C2", t + timedelta(days=3))]
        rows["calls"].append(_call("C2", t + timedelta(hours=1), "+8617099999999", False, "agency"))
        rows["calls"].append(_call("C4", t + timedelta(hours=2), "+8617012345678", False, "agency"))
        rows["contact_changes"].append(_change("C4", t + timedelta(days=1), "+8617100000001"))
        rows["complaints"].append({
            "complaint_id": "CP1", "customer_id": "C1", "received_time": t + timedelta(days=1), "channel": "regulator",
            "category": "collection", "text": "投诉", "representative_type": "agency", "material_count": 2})
    return rows


def _frame(memory_source: Any, rows: dict[str, list[dict[str, Any]]]) -> pd.DataFrame:
    src = memory_source(rows)
    spine = make_spine(src, [AS_OF])
    return src.con.execute(build_features(src, spine)).set_index("customer_id").sort_index()


def test_counts_match_a_hand_count(memory_source: Any) -> None:
    f = _frame(memory_source, _world())
    assert list(f.index) == ["C1", "C2", "C4"]  # C3 is not on book yet
    c1 = f.loc["C1"]
    assert c1["collection_actions_7d"] == 2
    assert c1["collection_calls_7d"] == 1
    assert c1["collection_calls_30d"] == 2 and c1["collection_calls_90d"] == 3
    assert c1["outsourced_actions_90d"] == 1
    assert c1["inbound_calls_7d"] == 2 and c1["unverified_calls_7d"] == 1
    assert c1["non_registered_number_calls_7d"] == 1 and c1["third_party_calls_30d"] == 1
    assert c1["age"] == 63 and c1["segment"] == "mass"
    assert c1["collection_call_surge"] == pytest.approx(2 / ((3 - 2) / 2 + 1))
    c2 = f.loc["C2"]
    assert c2["collection_actions_90d"] == 0 and c2["inbound_calls_30d"] == 1 and c2["inbound_calls_90d"] == 2


def test_network_features_count_other_customers_sharing_a_number(memory_source: Any) -> None:
    f = _frame(memory_source, _world())
    # +8617012345678 called about C1 and C2 within 90 days (C4's call is 100 days old): one other customer each.
    assert f["caller_number_reach_90d"].to_dict() == {"C1": 1.0, "C2": 1.0, "C4": 0.0}
    # C1 and C2 both moved a contact to +8617100000001 within 180 days.
    assert f["shared_new_contact_180d"].to_dict() == {"C1": 1.0, "C2": 1.0, "C4": 0.0}


def test_nothing_from_the_scoring_date_or_later_leaks_in(memory_source: Any) -> None:
    before = _frame(memory_source, _world())
    after = _frame(memory_source, _world(extra_after=True))
    pd.testing.assert_frame_equal(before, after)


def test_catalogue_covers_four_dimensions_with_reasons() -> None:
    catalogue = default_catalogue()
    assert {f.dimension for f in catalogue} == set(Dimension) == set(DIMENSION_ZH)
    for f in catalogue:
        assert f.reason_zh and f.definition
        if isinstance(f, WindowFeature):
            assert f.window_days in WINDOWS
        if isinstance(f, DerivedFeature):
            names = {g.name for g in catalogue}
            assert set(f.inputs) <= names


def test_features_doc_is_current() -> None:
    from pathlib import Path

    from grayshield.features.docs import render_markdown

    doc = Path(__file__).resolve().parents[2] / "docs" / "features.md"
    assert doc.read_text(encoding="utf-8") == render_markdown(), "re-render with `make docs`"
