"""Cheap random draws for text generation, all taken from the caller's numpy generator.

The simulator asks for millions of texts and each text needs a dozen picks; a scalar call into
numpy costs microseconds, so uniforms are fetched in blocks and consumed one by one. The block
is refilled from the same generator, so output stays a pure function of the seed.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from typing import Generic, Protocol, TypeVar

import numpy as np

T = TypeVar("T")

_BLOCK = 4096


class UniformSource(Protocol):
    """Anything that hands out uniforms in [0, 1): a numpy ``Generator`` or a :class:`Draw`."""

    def random(self) -> float: ...


class Draw:
    """Block-buffered uniforms from a numpy generator, with the picks text generation needs."""

    __slots__ = ("_rng", "_block", "_pos")

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._block: list[float] = []
        self._pos = 0

    def random(self) -> float:
        if self._pos >= len(self._block):
            self._block = self._rng.random(_BLOCK).tolist()
            self._pos = 0
        value = self._block[self._pos]
        self._pos += 1
        return value

    def chance(self, p: float) -> bool:
        return self.random() < p

    def choice(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    def between(self, low: int, high: int) -> int:
        """An integer in ``[low, high]`` inclusive."""
        return low + int(self.random() * (high - low + 1))

    def shuffled(self, items: Sequence[T]) -> list[T]:
        out = list(items)
        for i in range(len(out) - 1, 0, -1):
            j = int(self.random() * (i + 1))
            out[i], out[j] = out[j], out[i]
        return out


class Weighted(Generic[T]):
    """A weighted categorical pick over fixed items, by bisection on precomputed cumulative weights."""

    __slots__ = ("items", "_cumulative", "_total")

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        if len(items) != len(weights) or not items:
            raise ValueError("weighted pick needs as many positive weights as items, and at least one item")
        self.items: tuple[T, ...] = tuple(items)
        self._cumulative = list(itertools.accumulate(float(w) for w in weights))
        self._total = self._cumulative[-1]

    def pick(self, source: UniformSource) -> T:
        position = bisect.bisect_right(self._cumulative, source.random() * self._total)
        return self.items[min(position, len(self.items) - 1)]
