"""Speaker embeddings as a voiceprint system would export them.

Each person has a centroid on the unit sphere; a call side's embedding is that centroid plus channel and
session noise (``voice_noise``), so the same person's calls cluster but imperfectly, and a gang operator
calling for many customers forms one tight cluster across them.
"""

from __future__ import annotations

import numpy as np

from grayshield.sim.util import NDArray

MODEL_VERSION = "vp-sim-1"


class VoiceSpace:
    """Centroids of the people whose voices recur across blocks (gang operators, staff)."""

    def __init__(self, dim: int, noise: float) -> None:
        self.dim = dim
        self.noise = noise
        self._index: dict[str, int] = {}
        self._centroids: list[NDArray] = []
        self._matrix: NDArray | None = None

    def add(self, people: list[str], rng: np.random.Generator) -> None:
        for person in people:
            self._index[person] = len(self._centroids)
            self._centroids.append(unit(rng.standard_normal(self.dim)))

    def centroids(self, people: NDArray) -> NDArray:
        """Centroids of ``people`` (ids of known voices), one row each."""
        if self._matrix is None or len(self._matrix) != len(self._centroids):
            self._matrix = np.stack(self._centroids) if self._centroids else np.zeros((0, self.dim))
        names = np.array(list(self._index))
        order = np.argsort(names)
        rows = np.array(list(self._index.values()))[order]
        return np.asarray(self._matrix[rows[np.searchsorted(names[order], np.asarray(people, dtype=str))]])

    def fresh(self, n: int, rng: np.random.Generator) -> NDArray:
        """Centroids for ``n`` people seen only in one block (customers, their relatives)."""
        return unit(rng.standard_normal((n, self.dim), dtype=np.float32))

    def embed(self, centroids: NDArray, rng: np.random.Generator) -> NDArray:
        """One noisy embedding per row of ``centroids`` (float32, L2-normalised)."""
        scale = np.float32(self.noise * 3.0 / np.sqrt(self.dim))
        noisy = centroids.astype(np.float32) + scale * rng.standard_normal(centroids.shape, dtype=np.float32)
        return unit(noisy).astype(np.float32)


def unit(x: NDArray) -> NDArray:
    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    return np.asarray(x / np.where(norm == 0, 1, norm))
