"""How a calling number stands to the claimed customer: counted by hand, and kept true in the hard view."""

from __future__ import annotations

import numpy as np
import pandas as pd

from grayshield.callers.augment import rotated_numbers
from grayshield.callers.dataset import Frames, relation_features


def test_relation_features_by_hand() -> None:
    calls = pd.DataFrame(
        {
            "call_id": ["a", "b", "c", "d", "e", "f"],
            "caller_number": ["R", "R", "G1", "G2", "OWN", None],
            "claimed_customer_id": ["C1", "C1", "C2", "C2", "C2", "C2"],
            "caller_is_registered": [0.0, 0.0, 0.0, 0.0, 1.0, 0.0],
        }
    )
    out = relation_features(calls).set_index("call_id")
    # a relative's phone: two calls about its one customer, the only outside number for it
    assert out.loc["a", "number_customer_calls"] == 2 and out.loc["a", "customer_unregistered_numbers"] == 1
    # a recruited customer: two outside numbers, once each; the customer's own phone is not counted
    assert out.loc["c", "number_customer_calls"] == 1 and out.loc["c", "customer_unregistered_numbers"] == 2
    assert out.loc["e", "customer_unregistered_numbers"] == 2
    # a withheld number stands in no relation of its own, and adds no number to its customer
    assert out.loc["f", "number_customer_calls"] == 0 and out.loc["f", "customer_unregistered_numbers"] == 2


def test_a_rotated_call_is_its_fresh_numbers_only_call_about_the_customer(frames: Frames) -> None:
    _, calls = rotated_numbers(frames, share=1.0)
    original = frames.calls.iloc[calls.source]
    assert (calls.frame["number_customer_calls"] == 1).all()
    grown = (
        calls.frame["customer_unregistered_numbers"].to_numpy() - original["customer_unregistered_numbers"]
    )
    assert np.array_equal(grown, (original["number_customer_calls"] > 1).to_numpy().astype(float))
