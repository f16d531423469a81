"""Power of the insider-collusion test where calls are few: the exact routing tail of a small ring, a
false-discovery step-up that charges only the pairs that could reach a p-value, inbound calls only; and the
off-hours login that opened a session of off-hours look-ups."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import binom, false_discovery_control

from grayshield.compliance.collusion import collusion_tests, discrete_q_values, number_rings, routing_tails
from grayshield.compliance.staffops import flag_operations

START = pd.Timestamp("2024-03-01 09:00")
AGENTS = [f"A{i}" for i in range(12)]


def test_exact_tail_is_a_sum_of_binomials_and_stops_at_the_rings_calls() -> None:
    shared = pd.DataFrame(
        {
            "agent_id": ["A1", "A1", "A2"],
            "ring": ["R1", "R1", "R2"],
            "pool": ["p", "q", "p"],
            "calls": [2, 1, 2],
            "share": [0.1, 0.3, 0.5],
        }
    )
    tails = routing_tails(shared)
    one = tails[("A1", "R1")]
    assert len(one) == 4  # three calls: at most three
    all_three = 0.1 * 0.1 * 0.3
    assert np.isclose(one[3], all_three) and np.isclose(one[0], 1.0)
    assert np.isclose(one[1], 1 - 0.9 * 0.9 * 0.7)
    assert np.allclose(tails[("A2", "R2")], [1.0, 1 - 0.25, 0.25])
    assert np.isclose(one[2], binom.sf(1, 2, 0.1) * 0.7 + binom.sf(0, 2, 0.1) * 0.3)


def test_pairs_that_cannot_reach_min_calls_add_no_burden_but_reachable_ones_do() -> None:
    strong = np.array([1.0, 0.4, 0.02, 0.001, 1e-5])  # P(X >= k), k = 0..4
    alone_p, alone_q = discrete_q_values(np.array([4]), [strong], min_calls=3)
    assert alone_p[0] == 1e-5 and np.isclose(alone_q[0], 1e-5 / (1 - 1e-5))
    small_rings = [np.array([1.0, 0.2, 0.01])] * 200  # rings of two calls: never three
    _, q_small = discrete_q_values(np.array([4] + [1] * 200), [strong, *small_rings], min_calls=3)
    assert np.isclose(q_small[0], alone_q[0]) and (q_small[1:] == 1.0).all()
    big_rings = [np.concatenate([[1.0], np.linspace(0.9, 1e-6, 40)])] * 200  # could reach any p-value
    _, q_big = discrete_q_values(np.array([4] + [1] * 200), [strong, *big_rings], min_calls=3)
    assert q_big[0] > 10 * alone_q[0]


def test_step_up_is_no_bolder_than_bh_when_every_pair_can_reach_every_p_value() -> None:
    rng = np.random.default_rng(3)
    grid = np.concatenate([[1.0], np.geomspace(0.99, 1e-12, 400)])
    observed = rng.integers(3, 400, 50)
    p, q = discrete_q_values(observed, [grid] * 50, min_calls=3)
    assert np.allclose(p, grid[observed])
    assert (q >= false_discovery_control(p, method="bh") - 1e-9).all()


def _calls(direction: str, seed: int = 2) -> pd.DataFrame:
    """1,200 ordinary inbound calls and three months of a ring's calls: A7 takes 4 of its 5 calls, in
    ``direction``."""
    rng = np.random.default_rng(seed)
    rows = [
        {
            "call_id": f"O{i}",
            "caller_number": f"+86139{i:08d}",
            "claimed_customer_id": f"K{i}",
            "agent_id": AGENTS[int(rng.integers(12))],
            "direction": "inbound",
            "queue": "card_service",
            "start_time": START + pd.Timedelta(minutes=100 * i),
        }
        for i in range(1200)
    ]
    rows += [
        {
            "call_id": f"G{j}",
            "caller_number": f"+86170000000{j % 2}",
            "claimed_customer_id": f"R{j % 3}",
            "agent_id": "A7" if j < 4 else "A2",
            "direction": direction,
            "queue": "card_service",
            "start_time": START + pd.Timedelta(days=17 * j, minutes=3),
        }
        for j in range(5)
    ]
    return pd.DataFrame(rows)


def test_four_of_a_small_rings_five_inbound_calls_are_an_alert_and_outbound_ones_are_not() -> None:
    inbound = _calls("inbound")
    tests = collusion_tests(inbound, number_rings(inbound))
    top = tests.iloc[0]
    assert top["agent_id"] == "A7" and top["observed"] == 4 and top["significant"]
    assert not tests.loc[tests["agent_id"] != "A7", "significant"].any()
    outbound = _calls("outbound")
    assert collusion_tests(outbound, number_rings(outbound)).empty  # the dialler chose them


def _op(op_id: str, staff: str, when: str, operation: str, call: str | None = None) -> dict[str, object]:
    return {
        "op_id": op_id,
        "staff_id": staff,
        "op_time": pd.Timestamp(when),
        "operation": operation,
        "customer_id": None if operation == "login" else f"K{op_id}",
        "call_id": call,
        "complaint_id": None,
        "location": "上海张江",
        "in_queue": True,
    }


def test_off_hours_login_is_flagged_only_when_it_opened_off_hours_access() -> None:
    ops = pd.DataFrame(
        [
            _op("L1", "S1", "2024-03-05 02:10", "login"),  # a 2 a.m. session of look-ups with no reason
            _op("X1", "S1", "2024-03-05 02:12", "customer_lookup"),
            _op("X2", "S1", "2024-03-05 02:30", "customer_lookup"),
            _op("L2", "S2", "2024-03-05 22:05", "login"),  # night shift: a call comes in
            _op("Y1", "S2", "2024-03-05 22:20", "customer_lookup", call="C1"),
            _op("L3", "S3", "2024-03-05 23:00", "login"),  # logged in, touched customer data two hours later
            _op("Z1", "S3", "2024-03-06 01:00", "customer_lookup"),
        ]
    )
    rule = flag_operations(ops).set_index("op_id")["rule"]
    assert rule["L1"] == rule["X1"] == rule["X2"] == "off_hours_access"
    assert rule["Z1"] == "off_hours_access"
    assert rule[["L2", "Y1", "L3"]].isna().all()
