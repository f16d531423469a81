"""Insider collusion against random routing: an agent who serves most of one ring's calls is flagged with the
evidence, the same ring spread by routing is not, and a customer's own phone never joins a ring."""

from __future__ import annotations

import numpy as np
import pandas as pd

from grayshield.compliance.collusion import collusion_tests, number_rings
from grayshield.compliance.staffops import CollusionContext, alerts, flag_operations

AGENTS = [f"A{i}" for i in range(10)]
START = pd.Timestamp("2024-03-01 09:00")


def _calls(inside_share: float, seed: int = 1) -> pd.DataFrame:
    """1,000 ordinary calls (each customer from their own phone) and 24 calls from a five-number ring that
    speaks for six customers; ``inside_share`` of the ring's calls go to agent A7, the rest are routed."""
    rng = np.random.default_rng(seed)
    rows = [{"call_id": f"O{i}", "caller_number": f"+86139{i:08d}", "claimed_customer_id": f"K{i}",
             "agent_id": AGENTS[int(rng.integers(10))], "direction": "inbound", "queue": "card_service",
             "start_time": START + pd.Timedelta(minutes=7 * i)} for i in range(1000)]
    for j in range(24):
        agent = "A7" if rng.random() < inside_share else AGENTS[int(rng.integers(10))]
        rows.append({"call_id": f"G{j}", "caller_number": f"+86170000000{j % 5}", "claimed_customer_id": f"R{j % 6}",
                     "agent_id": agent, "direction": "inbound", "queue": "card_service",
                     "start_time": START + pd.Timedelta(minutes=7 * j + 3)})
    return pd.DataFrame(rows)


def _ops(calls: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"op_id": "P" + calls["call_id"], "staff_id": calls["agent_id"],
                         "op_time": calls["start_time"] + pd.Timedelta(seconds=30), "operation": "customer_lookup",
                         "customer_id": calls["claimed_customer_id"], "call_id": calls["call_id"],
                         "complaint_id": None, "location": "上海张江", "in_queue": True})


def test_agent_serving_one_ring_far_beyond_routing_is_flagged_with_evidence() -> None:
    calls = _calls(inside_share=0.6)
    flagged = flag_operations(_ops(calls), calls).set_index("op_id")
    inside = calls[calls["call_id"].str.startswith("G") & (calls["agent_id"] == "A7")]
    assert len(inside) >= 12
    assert (flagged.loc["P" + inside["call_id"], "rule"] == "gang_collusion").all()
    others = flagged[flagged["rule"].eq("gang_collusion")]
    assert set(others["staff_id"]) == {"A7"}  # the ring's calls other agents got, and A7's own work, stay clean
    assert set(others.index) == set("P" + inside["call_id"])
    alert = alerts(flag_operations(_ops(calls), calls))
    note = alert.loc[alert["rule"] == "gang_collusion", "note"].iloc[0]
    assert "期望" in note and "5 个号码" in note and "6 位客户" in note


def test_ring_spread_by_routing_raises_no_alert() -> None:
    for seed in range(5):
        calls = _calls(inside_share=0.0, seed=seed)
        assert not flag_operations(_ops(calls), calls)["rule"].eq("gang_collusion").any()


def test_tests_report_observed_against_expected_and_a_false_discovery_rate() -> None:
    calls = _calls(inside_share=0.6)
    rings = number_rings(calls)
    assert set(rings.loc[rings["kind"] == "customer", "key"]) == {f"R{i}" for i in range(6)}
    tests = collusion_tests(calls, rings)
    top = tests.iloc[0]
    assert top["agent_id"] == "A7" and top["significant"]
    assert top["observed"] > 4 * top["expected"] and top["q_value"] <= 0.05
    assert not tests.loc[tests["agent_id"] != "A7", "significant"].any()


def test_a_customers_registered_phone_links_no_ring() -> None:
    calls = pd.DataFrame({"call_id": ["C1", "C2"], "caller_number": ["+8613900000001"] * 2,
                          "claimed_customer_id": ["K1", "K2"], "agent_id": ["A1", "A1"]})
    registered = pd.Series({"K1": "+8613900000001", "K2": "+8613900000001"})  # one household phone
    assert number_rings(calls, registered=registered).empty
    assert not number_rings(calls).empty  # without the registered phones the shared number is a ring
    context = CollusionContext(calls, registered=registered)
    ops = _ops(calls.assign(start_time=START))
    assert not flag_operations(ops, context)["rule"].eq("gang_collusion").any()
