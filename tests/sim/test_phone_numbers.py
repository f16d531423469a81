"""Simulated phone numbers: unique across kinds, and nothing in their digits tells a gang's from a customer's."""

from __future__ import annotations

import numpy as np

from grayshield.sim.util import (
    GANG_RANGE,
    KINDS,
    OWN_RANGE,
    RELATIVE_RANGE,
    SUFFIXES,
    mobiles,
    scrambled_suffixes,
)


def test_suffix_scrambling_is_a_bijection_on_a_large_slice() -> None:
    slots = np.arange(0, SUFFIXES, 37)  # 2.7 M slots spread over the whole space
    suffixes = scrambled_suffixes(slots)
    assert suffixes.min() >= 0 and suffixes.max() < SUFFIXES
    assert len(np.unique(suffixes)) == len(slots)


def _suffixes(kind: int, n: int) -> np.ndarray:
    numbers = mobiles(np.arange(n), kind, np.array(["170"] * n, dtype=object)).to_pylist()
    return np.array([int(number[-8:]) for number in numbers])


def test_kinds_never_share_a_number() -> None:
    n = 50_000
    every = np.concatenate([_suffixes(kind, n) for kind in range(KINDS)])
    assert len(np.unique(every)) == KINDS * n


def test_gang_numbers_look_like_anyone_elses() -> None:
    """The old disjoint ranges gave every gang number the suffix digit 9 and a constant gap of 7,919."""
    gang, own, relatives = (_suffixes(kind, 2_000) for kind in (GANG_RANGE, OWN_RANGE, RELATIVE_RANGE))
    for suffixes in (gang, own, relatives):
        first_digits = np.bincount(suffixes // 10_000_000, minlength=10) / len(suffixes)
        assert first_digits.min() > 0.06 and first_digits.max() < 0.14  # about 0.10 each
    gaps = np.diff(gang)
    assert len(np.unique(gaps)) > 1_900  # consecutive gang numbers are not a fixed step apart
