"""Staff operation rules on a hand-made log: each anomaly is caught by its rule, ordinary work is not."""

from __future__ import annotations

import pandas as pd
import pytest

from grayshield.compliance.staffops import alerts, detect_unusual_days, flag_operations
from grayshield.core.errors import ValidationError

DAY = pd.Timestamp("2024-03-04 10:00")


def _op(op_id: str, staff: str, minutes: float, operation: str, customer: str | None = "K1", call: str | None = None,
        location: str = "上海张江", in_queue: bool | None = True, complaint: str | None = None) -> dict[str, object]:
    return {"op_id": op_id, "staff_id": staff, "op_time": DAY + pd.Timedelta(minutes=minutes), "operation": operation,
            "customer_id": customer, "call_id": call, "complaint_id": complaint, "location": location,
            "in_queue": in_queue}


def _log() -> pd.DataFrame:
    rows = [_op(f"N{i}", "S1", i * 20, "customer_lookup", f"K{i}", call=f"C{i}") for i in range(20)]
    rows += [_op("V1", "S1", 400, "identity_verification", "K9", call="C90"),
             _op("W1", "S1", 402, "fee_waiver", "K9", call="C90"),  # verified first: fine
             _op("W2", "S2", 30, "fee_waiver", "K8")]  # no verification
    rows += [_op(f"B{i}", "S3", i * 0.5, "customer_lookup", f"K{100 + i}", in_queue=False) for i in range(45)]
    rows += [_op("E1", "S3", 25, "export_customer_list", None, in_queue=None)]
    rows += [_op("Q1", "S4", 60, "customer_lookup", "K7", in_queue=False)]
    rows += [_op("H1", "S5", -8 * 60, "customer_lookup", "K6", in_queue=False)]  # 02:00
    rows += [_op(f"L{i}", "S6", i * 30, "customer_lookup", f"K{i}", call=f"D{i}") for i in range(5)]
    rows += [_op("R1", "S6", 200, "customer_lookup", "K5", location="remote", in_queue=False)]
    rows += [_op(f"P{i}", "S8", i * 5, "customer_lookup", f"K{200 + i}", call=f"Y{i}") for i in range(50)]  # busy line
    rows += [_op(f"G{i}", "S7", 100 + i, "customer_lookup", f"K{50 + i}", call=f"X{i}") for i in range(4)]
    return pd.DataFrame(rows)


def test_each_rule_catches_its_anomaly_and_leaves_ordinary_work_alone() -> None:
    calls = pd.DataFrame({"call_id": ["X0", "X1", "X2", "X3"], "agent_id": ["S7"] * 4,
                          "caller_number": ["+8613800000000"] * 4, "claimed_customer_id": ["K50", "K51", "K52", "K52"]})
    flagged = flag_operations(_log(), calls).set_index("op_id")["rule"]
    assert flagged[[f"N{i}" for i in range(20)] + [f"P{i}" for i in range(50)] + ["V1", "W1"]].isna().all()
    assert flagged["W2"] == "waiver_without_verification"
    assert set(flagged[[f"B{i}" for i in range(45)] + ["E1"]]) == {"bulk_lookup"}
    assert flagged["Q1"] == "out_of_queue_lookup"
    assert flagged["H1"] == "off_hours_access"
    assert flagged["R1"] == "unusual_location"
    # S7 is the only agent on the line, so serving every call of the number is what routing gives them:
    # no collusion (test_compliance_collusion.py has the statistical cases).
    assert flagged[["G0", "G1", "G2", "G3"]].isna().all()


def test_alerts_group_operations_with_evidence_and_expected_behaviour() -> None:
    table = alerts(flag_operations(_log()))
    bulk = table[table["rule"] == "bulk_lookup"].iloc[0]
    assert bulk["staff_id"] == "S3" and bulk["operations"] == 46 and bulk["customers"] == 45
    assert bulk["title_zh"] == "批量查询客户信息" and "导出" in bulk["expected_zh"]


def test_detector_scores_every_staff_day_and_bad_logs_are_refused() -> None:
    days = detect_unusual_days(_log())
    assert {"score", "unusual"} <= set(days.columns) and len(days) == 8
    with pytest.raises(ValidationError, match="lacks column"):
        flag_operations(pd.DataFrame({"op_id": ["x"]}))
