"""Voice neighbours and the calibrated radius on synthetic embeddings with known speakers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from grayshield.callers.voices import calibrate, voice_call_features


def _calls_and_prints(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    dim, rows = 32, []
    voices = {f"C{i}": rng.standard_normal(dim) for i in range(30)}
    operator = rng.standard_normal(dim)
    for cust, voice in voices.items():  # each customer calls twice in person
        for k in range(2):
            rows.append((f"{cust}-{k}", cust, f"own-{cust}", True, True, "self", voice))
    for i in range(8):  # one operator calls for eight customers, posing as each
        rows.append((f"op-{i}", f"C{i}", "+8617000000001", False, False, "self", operator))
    calls = pd.DataFrame(rows, columns=["call_id", "claimed_customer_id", "caller_number", "caller_is_registered",
                                        "identity_verified", "caller_relation", "voice"])
    noisy = np.stack(calls["voice"]) + 0.05 * rng.standard_normal((len(calls), dim))
    prints = pd.DataFrame({"call_id": calls["call_id"],
                           "embedding": list(noisy / np.linalg.norm(noisy, axis=1, keepdims=True))})
    return calls.drop(columns="voice"), prints


def test_operator_voice_and_mismatch_found() -> None:
    calls, prints = _calls_and_prints(np.random.default_rng(0))
    feats, thresholds = voice_call_features(calls, prints)
    assert thresholds is not None
    assert thresholds.same_speaker_q95 < thresholds.radius < thresholds.different_speaker_q001
    feats = feats.set_index("call_id")
    assert feats.loc["op-3", "voice_customers"] == 8
    assert feats.loc["C20-0", "voice_customers"] == 1
    assert feats.loc["op-3", "voice_mismatch"] > thresholds.radius > feats.loc["C3-1", "voice_mismatch"]


def test_calls_without_voiceprints_are_kept() -> None:
    calls, prints = _calls_and_prints(np.random.default_rng(1))
    feats, _ = voice_call_features(calls, prints.iloc[:0])
    assert len(feats) == len(calls) and feats["has_voiceprint"].sum() == 0


def test_calibration_refuses_to_merge_overlapping_speakers() -> None:
    rng = np.random.default_rng(2)
    matrix = rng.standard_normal((200, 4))
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    calls = pd.DataFrame({"claimed_customer_id": [f"C{i // 2}" for i in range(200)], "caller_is_registered": True,
                          "identity_verified": True, "caller_relation": "self"})
    thresholds = calibrate(matrix, calls)  # random "same customer" pairs: distributions overlap
    assert thresholds.radius == thresholds.different_speaker_q001


def test_operator_voice_is_crowded_and_clean_voices_are_reliable() -> None:
    calls, prints = _calls_and_prints(np.random.default_rng(3))
    feats, thresholds = voice_call_features(calls, prints)
    assert thresholds is not None and thresholds.separation > 0.99 and thresholds.reliable
    feats = feats.set_index("call_id")
    operator = feats.loc[[f"op-{i}" for i in range(8)], "voice_crowd"]
    customers = feats.loc[[f"C{i}-0" for i in range(10, 30)], "voice_crowd"]
    assert operator.min() > customers.max()  # crowding is a share of the world's customers, in [0, 1]
    assert 0.0 <= customers.min() and operator.max() <= 1.0


def test_voices_that_do_not_separate_speakers_are_not_reliable() -> None:
    rng = np.random.default_rng(4)
    matrix = rng.standard_normal((200, 4))
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    calls = pd.DataFrame({"claimed_customer_id": [f"C{i // 2}" for i in range(200)], "caller_is_registered": True,
                          "identity_verified": True, "caller_relation": "self"})
    thresholds = calibrate(matrix, calls)
    assert 0.4 < thresholds.separation < 0.6 and not thresholds.reliable
