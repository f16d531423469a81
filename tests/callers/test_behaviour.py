"""Behaviour features counted by hand on a tiny world, and point-in-time correctness."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from conftest import _write
from grayshield.callers.behaviour import call_frame, number_features
from grayshield.lake import open_world

AGENCY = "+8617000000001"
OWN = {"C1": "+8613800000001", "C2": "+8613800000002", "C3": "+8613800000003"}


def _call(cid: str, number: str, customer: str, when: datetime, relation: str = "self",
          verified: bool = True) -> dict[str, Any]:
    return {"call_id": cid, "caller_number": number, "called_line": "95555", "direction": "inbound",
            "start_time": when, "duration_s": 60, "claimed_customer_id": customer, "caller_relation": relation,
            "identity_verified": verified, "queue": "card_service"}


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    _write(tmp_path, "customers", [
        {"customer_id": c, "name": "李四", "id_number": "x", "gender": "F", "birth_date": date(1980, 1, 1),
         "province": "广东省", "city": "广州市", "registered_phone": p, "onboard_date": date(2020, 1, 1),
         "segment": "mass"} for c, p in OWN.items()])
    _write(tmp_path, "calls", [
        _call("k1", AGENCY, "C1", datetime(2024, 3, 1, 23, 0), "agency", False),
        _call("k2", AGENCY, "C2", datetime(2024, 3, 2, 10, 0), "lawyer", False),
        _call("k3", AGENCY, "C3", datetime(2024, 3, 20, 15, 0), "self", True),
        _call("k4", OWN["C1"], "C1", datetime(2024, 3, 21, 9, 0)),
        _call("k5", AGENCY, "C1", datetime(2024, 4, 2, 9, 0), "agency", False),  # after as_of: never counted
    ])
    _write(tmp_path, "delinquency", [
        {"account_id": "A1", "customer_id": "C1", "snapshot_date": date(2024, 2, 29), "days_past_due": 40,
         "delinquency_bucket": "M2", "overdue_amount": 100.0, "collection_stage": "outsourced"},
        {"account_id": "A2", "customer_id": "C2", "snapshot_date": date(2024, 2, 29), "days_past_due": 0,
         "delinquency_bucket": "M0", "overdue_amount": 0.0, "collection_stage": "none"},
    ])
    _write(tmp_path, "contact_changes", [
        {"change_id": "x1", "customer_id": "C2", "change_time": datetime(2024, 3, 5), "field": "mobile",
         "old_value": OWN["C2"], "new_value": AGENCY, "channel": "app", "verified": False},
    ])
    return tmp_path


def test_number_features_by_hand(tiny: Path) -> None:
    world = open_world(tiny)
    frame = number_features(world, date(2024, 4, 1), windows=(15, 60)).to_pandas().set_index("number")
    agency = frame.loc[AGENCY]
    assert agency["calls_60d"] == 3 and agency["distinct_customers_60d"] == 3
    assert agency["calls_15d"] == 1  # only k3 (20 March) is within 15 days of 1 April
    assert agency["not_registered_share_60d"] == pytest.approx(1.0)
    assert agency["verify_fail_share_60d"] == pytest.approx(2 / 3)
    assert agency["third_party_share_60d"] == pytest.approx(2 / 3)
    assert agency["night_share_60d"] == pytest.approx(1 / 3)
    assert agency["delinquent_customer_share_60d"] == pytest.approx(1 / 3)
    assert agency["collection_customer_share_60d"] == pytest.approx(1 / 3)
    assert agency["moved_to_customers"] == 1 and agency["moved_unverified_customers"] == 1
    assert agency["linked_numbers"] == 1  # C1's own number shares C1
    own = frame.loc[OWN["C1"]]
    assert own["not_registered_share_60d"] == 0.0 and own["linked_numbers"] == 1
    assert own["linked_busy_numbers"] == 1  # the agency number reaches three customers


def test_call_frame_is_point_in_time(tiny: Path) -> None:
    calls = call_frame(open_world(tiny), date(2024, 1, 1), date(2024, 5, 1)).to_pandas().set_index("call_id")
    assert calls.loc["k2", "caller_is_new_contact"] == 0.0  # the change came three days after k2
    assert calls.loc["k5", "caller_is_new_contact"] == 0.0  # C1 never moved to the agency number
    assert calls.loc["k1", "customer_max_dpd"] == 40.0 and calls.loc["k1", "customer_in_collection"] == 1.0
    assert bool(calls.loc["k4", "caller_is_registered"]) and not bool(calls.loc["k1", "caller_is_registered"])
    assert isinstance(calls, pd.DataFrame)
