"""Vectorised building blocks: ids, phone numbers, calendar arithmetic and Chinese ID numbers.

Hand-written because they must be vectorised over millions of rows and collision-free without a global set:
ids embed the block number and a counter, phone numbers come from disjoint bijective ranges.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NDArray = np.ndarray[Any, Any]

# Mobile prefixes by operator; the virtual-operator segments are what gangs favour (and a few customers use).
ORDINARY_PREFIXES = np.array(
    ["130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155", "157", "158", "159",
     "176", "177", "180", "181", "182", "185", "186", "187", "188", "189", "191", "198", "199"], dtype=object
)  # object dtype: numpy's fixed-width strings convert to Arrow slowly
VIRTUAL_PREFIXES = np.array(["170", "171", "162", "165", "167"], dtype=object)

# Every kind of number (a customer's own, the one they move to, a relative's, a gang's) draws from one 8-digit
# suffix space: slot = index * KINDS + kind, then a fixed pseudo-random permutation of the space. Slots never
# collide, so numbers never do; and neither a digit nor the gap between two numbers tells a gang's number from a
# customer's (disjoint ranges did: a gang number's 4th digit was always 9, and one gang's numbers were 7,919 apart).
OWN_RANGE, NEW_OWN_RANGE, RELATIVE_RANGE, GANG_RANGE = 0, 1, 2, 3  # kind codes
KINDS = 4
SUFFIXES = 100_000_000
RANGE_SIZE = SUFFIXES // KINDS  # numbers per kind
_HALF_BITS = 14  # a 28-bit Feistel network (2 x 14 bits) covers the 10^8 suffixes; cycle-walking folds it onto them
_ROUND_KEYS = (0x2F1B, 0x11C7, 0x3A55, 0x0E93)


def _feistel(x: NDArray) -> NDArray:
    """One application of a fixed 4-round Feistel permutation of 0 .. 2^28 - 1 (vectorised)."""
    mask = (1 << _HALF_BITS) - 1
    left, right = x >> _HALF_BITS, x & mask
    for key in _ROUND_KEYS:
        left, right = right, left ^ ((((right ^ key) * 0x9E3779B1) >> 11) & mask)
    return (left << _HALF_BITS) | right


def scrambled_suffixes(slots: NDArray) -> NDArray:
    """A bijection of 0 .. SUFFIXES - 1 onto itself that looks random: the Feistel permutation, re-applied to the
    few values that land outside the space (cycle walking keeps it a bijection on the smaller space).

    Hand-written: it has to be a vectorised, collision-free, reproducible permutation of 10^8 values without a
    table, which no dependency offers (format-preserving encryption libraries work one value at a time)."""
    out = _feistel(np.asarray(slots, dtype=np.int64))
    outside = out >= SUFFIXES
    while outside.any():
        out[outside] = _feistel(out[outside])
        outside = out >= SUFFIXES
    return out


def ids(prefix: str, numbers: NDArray, width: int) -> pa.Array:
    """``prefix`` + zero-padded ``numbers`` as an Arrow string array (vectorised)."""
    text = pc.utf8_lpad(pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), text, "")


def mobiles(index: NDArray, kind: int, prefixes: NDArray) -> pa.Array:
    """E.164 mobile numbers, unique per (``index``, ``kind``) whatever the prefixes."""
    index = np.asarray(index, dtype=np.int64)
    if index.size and (index.min() < 0 or index.max() >= RANGE_SIZE):
        raise ValueError("phone index outside its range")
    suffix = scrambled_suffixes(index * KINDS + kind)
    digits = pc.utf8_lpad(pa.array(suffix).cast(pa.string()), 8, "0")
    return pc.binary_join_element_wise(pa.scalar("+86"), pa.array(prefixes, pa.string()), digits, "")


@dataclass(frozen=True)
class Calendar:
    """The simulated months: month starts as datetime64[D], month ``t`` in ``0..months-1``."""

    starts: NDArray  # months + 1 entries, the last is the end of the window

    @classmethod
    def build(cls, start: tuple[int, int], months: int) -> Calendar:
        first = np.datetime64(f"{start[0]:04d}-{start[1]:02d}", "M")
        return cls((first + np.arange(months + 1)).astype("datetime64[D]"))

    @property
    def months(self) -> int:
        return len(self.starts) - 1

    @property
    def end(self) -> np.datetime64:
        return np.datetime64(self.starts[-1])

    def days(self, t: int | NDArray) -> NDArray:
        return np.asarray((self.starts[np.add(t, 1)] - self.starts[t]).astype(np.int64))

    def times_in_month(self, rng: np.random.Generator, t: int | NDArray, n: int, office_hours: bool) -> NDArray:
        """Random ms timestamps in month ``t``; ``office_hours`` bunches them 08:00-21:00 like a call centre."""
        t = np.broadcast_to(np.asarray(t), (n,))
        day = (rng.random(n) * self.days(t)).astype(np.int64)
        if office_hours:
            ms = ((8 + rng.beta(2.2, 2.5, n) * 13) * 3_600_000).astype(np.int64)
        else:
            ms = rng.integers(0, 86_400_000, n)
        return np.asarray(
            self.starts[t].astype("datetime64[ms]") + (day * 86_400_000 + ms).astype("timedelta64[ms]")
        )

    def month_of(self, times: NDArray) -> NDArray:
        """Month index of each timestamp (clipped to the window)."""
        days = np.asarray(times).astype("datetime64[D]")
        return np.clip(np.searchsorted(self.starts, days, side="right") - 1, 0, self.months - 1)


_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_ID_CHECK = np.array(list("10X98765432"))


def resident_ids(rng: np.random.Generator, area_codes: NDArray, birth: NDArray, gender: NDArray) -> list[str]:
    """18-digit resident ID numbers (GB 11643): area, birth date, sequence with gender parity, check digit."""
    n = len(birth)
    seq = rng.integers(0, 500, n) * 2 + np.where(gender == "M", 1, 0)
    ymd = np.char.replace(np.datetime_as_string(birth, unit="D"), "-", "")
    area = np.char.add(area_codes.astype(str), np.char.zfill(rng.integers(100, 2000, n).astype(str), 4))
    body = np.char.add(np.char.add(area, ymd), np.char.zfill(seq.astype(str), 3))
    digits = np.frombuffer("".join(body.tolist()).encode(), dtype=np.uint8).reshape(n, 17) - ord("0")
    check = _ID_CHECK[(digits.astype(np.int64) @ _ID_WEIGHTS) % 11]
    out: list[str] = np.char.add(body, check).tolist()
    return out


def sigmoid(x: NDArray) -> NDArray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)))


def logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


class IdMint:
    """Unique ids per block: ``<prefix><block:04d><counter:08d>``; blocks never collide, nothing global is kept."""

    def __init__(self, block: int) -> None:
        self.block = block
        self._next: dict[str, int] = {}

    def take(self, prefix: str, count: int) -> pa.Array:
        start = self._next.get(prefix, 0)
        self._next[prefix] = start + count
        return ids(f"{prefix}{self.block:04d}", np.arange(start, start + count), 8)


def where_set(condition: Any, values: Any) -> NDArray:
    """``values`` where ``condition`` holds, None elsewhere (an object array, ready for nullable columns)."""
    shape = np.broadcast_shapes(np.shape(condition), np.shape(values))
    out = np.full(shape, None, dtype=object)
    mask = np.broadcast_to(np.asarray(condition, dtype=bool), shape)
    out[mask] = np.broadcast_to(np.asarray(values, dtype=object), shape)[mask]
    return out
