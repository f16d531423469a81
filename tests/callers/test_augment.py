"""The hard view of a training world: rotated numbers, swapped transcript signals, withheld voices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grayshield.callers.augment import hard_view, rotated_numbers, swap_text
from grayshield.callers.dataset import (
    CALL_FROM_NUMBER,
    CALL_VOICE,
    NUMBER_VOICE,
    Frames,
)
from grayshield.callers.transcripts import SIGNALS


def test_a_rotated_number_carries_one_proxy_call(frames: Frames) -> None:
    numbers, calls = rotated_numbers(frames, share=1.0)
    proxy = frames.calls[(frames.calls["is_proxy"] == 1) & frames.calls["caller_number"].notna()]
    assert len(numbers.frame) == len(calls.frame) == len(proxy)
    assert (numbers.frame["calls_180d"] == 1).all() and (numbers.frame["distinct_customers_180d"] == 1).all()
    assert (numbers.frame["is_blackgray"] == 1).all() and (numbers.frame["moved_to_customers"] == 0).all()
    assert list(numbers.frame.columns) == list(frames.numbers.columns)
    # each number row is tied to the number that really placed the call, each call copy to its call
    placed_by = frames.numbers["number"].to_numpy()[numbers.source]
    assert (placed_by == frames.calls["caller_number"].to_numpy()[calls.source]).all()
    first = calls.frame.iloc[0]
    original = frames.calls.iloc[calls.source[0]]
    assert first["caller_number"] == numbers.frame["number"].iloc[0] and first["caller_is_new_contact"] == 0
    for column in (c for c in CALL_FROM_NUMBER if c in calls.frame):
        assert first[column] == pytest.approx(numbers.frame[column].iloc[0], nan_ok=True)
    assert first["text_proxy_representation"] == original["text_proxy_representation"]


def test_a_rotated_number_links_to_the_customers_other_numbers(frames: Frames) -> None:
    numbers, _ = rotated_numbers(frames, share=1.0)
    calls = frames.calls
    for k in range(min(len(numbers.frame), 10)):
        call = calls.iloc[np.flatnonzero((calls["is_proxy"] == 1) & calls["caller_number"].notna())[k]]
        others = calls[
            (calls["claimed_customer_id"] == call["claimed_customer_id"])
            & (calls["call_id"] != call["call_id"])
        ]["caller_number"].dropna()
        assert numbers.frame["linked_numbers"].iloc[k] == others.nunique()


def test_swap_text_takes_signals_from_the_other_class_and_keeps_the_label() -> None:
    frame = pd.DataFrame(
        {"y": [1] * 50 + [0] * 50, "text": [1.0] * 50 + [0.0] * 50, "other": np.arange(100.0)}
    )
    swapped = swap_text(frame, "y", ["text"], 0.5, np.random.default_rng(0))
    changed = swapped["text"] != frame["text"]
    assert 30 < changed.sum() < 70  # about half the rows
    assert (swapped.loc[changed, "text"] == 1 - frame.loc[changed, "y"]).all()  # the other class's value
    assert swapped["y"].equals(frame["y"]) and swapped["other"].equals(frame["other"])


def test_hard_view_withholds_voices_and_keeps_sources_in_range(frames: Frames) -> None:
    numbers, calls = hard_view(frames)
    assert numbers.frame[[c for c in NUMBER_VOICE if c in numbers.frame]].isna().all().all()
    assert calls.frame[[c for c in CALL_VOICE if c in calls.frame]].isna().all().all()
    assert len(numbers.frame) > len(frames.numbers) and len(calls.frame) > len(frames.calls)
    assert numbers.source.max() < len(frames.numbers) and calls.source.max() < len(frames.calls)
    texts = [f"number_text_{s}" for s in SIGNALS]
    same = numbers.frame[texts].iloc[: len(frames.numbers)].to_numpy() == frames.numbers[texts].to_numpy()
    assert 0.2 < 1 - same.all(axis=1).mean() < 0.8  # a share of rows read like the other class
