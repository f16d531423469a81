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

    def add(self, people: list[str], rng: np.random.Generator) -> None:
        for person in people:
            self._index[person] = len(self._centroids)
            self._centroids.append(unit(rng.standard_normal(self.dim)))

    def centroids(self, people: list[str]) -> NDArray:
        matrix = np.stack(self._centroids) if self._centroids else np.zeros((0, self.dim))
        return np.asarray(matrix[[self._index[p] for p in people]]) if people else np.zeros((0, self.dim))

    def fresh(self, n: int, rng: np.random.Generator) -> NDArray:
        """Centroids for ``n`` people seen only in one block (customers, their relatives)."""
        return unit(rng.standard_normal((n, self.dim)))

    def embed(self, centroids: NDArray, rng: np.random.Generator) -> NDArray:
        """One noisy embedding per row of ``centroids`` (float32, L2-normalised)."""
        noisy = centroids + self.noise * rng.standard_normal(centroids.shape) / np.sqrt(self.dim) * 3.0
        return unit(noisy).astype(np.float32)


def unit(x: NDArray) -> NDArray:
    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    return np.asarray(x / np.where(norm == 0, 1, norm))
