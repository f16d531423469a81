"""Complaint templates: complaints from different customers with near-identical text (a gang's fingerprint).

Same idea as the complaint engine's clustering (``grayshield.complaints.proxy``: character 3-gram MinHash,
LSH banding, connected components of band collisions, texts reduced to their Chinese characters so the names,
amounts and dates filled into a template do not hide it), and the same shingles (``proxy._shingles`` rules);
hand-written with NumPy because datasketch hashes and queries one text at a time in Python, about 1,200 texts
a second, and the strike team groups a million complaints in minutes. Here every step is a vector operation
over all shingles of a chunk of texts; components come from SciPy's sparse graph routines.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import pandas as pd

NUM_PERM = 64
SHINGLE = 3
CHUNK_TEXTS = 50_000
_NOISE = re.compile(r"[\W\d_a-zA-Z]+", re.UNICODE)  # what proxy._shingles strips: only Chinese text remains


def template_clusters(texts: pd.Series, threshold: float = 0.8, seed: int = 1) -> pd.Series:
    """A template id per text that shares its template with at least one other text, else None."""
    if texts.empty:
        return pd.Series([], dtype=object, index=texts.index)
    component, has_shingles = minhash_components(texts.fillna("").astype(str).tolist(), threshold, seed)
    sizes = np.bincount(component, minlength=len(component))
    keep = has_shingles & (sizes[component] >= 2)
    ids = pd.Series("T" + pd.Series(component).astype(str).to_numpy(), index=texts.index, dtype=object)
    return ids.where(keep, None)


def bands_for(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows) whose LSH threshold (1/b)^(1/r) is closest to ``threshold``."""
    options = [(num_perm // r, r) for r in range(1, num_perm + 1)]
    return min(options, key=lambda br: abs((1.0 / br[0]) ** (1.0 / br[1]) - threshold))


def minhash_components(texts: Sequence[str], threshold: float, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Connected components of LSH band collisions (the component's smallest text index), and which texts
    had any Chinese 3-gram at all (the others are left alone)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    bands, rows = bands_for(threshold)
    rng = np.random.default_rng(seed)
    a = rng.integers(1, np.iinfo(np.int64).max, size=bands * rows, dtype=np.int64).astype(np.uint64) | np.uint64(1)
    b = rng.integers(0, np.iinfo(np.int64).max, size=bands * rows, dtype=np.int64).astype(np.uint64)
    signatures = np.empty((len(texts), bands), dtype=np.uint64)
    has = np.zeros(len(texts), dtype=bool)
    for start in range(0, len(texts), CHUNK_TEXTS):
        chunk = texts[start:start + CHUNK_TEXTS]
        signatures[start:start + len(chunk)], has[start:start + len(chunk)] = _band_keys(chunk, a, b, bands, rows)
    sources, targets = [], []
    index = np.flatnonzero(has)
    for band in range(bands):
        keys = signatures[index, band]
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        first = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]
        leader = order[np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))]
        sources.append(index[order])
        targets.append(index[leader])
    src, dst = np.concatenate(sources), np.concatenate(targets)
    graph = coo_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(len(texts), len(texts)))
    _, labels = connected_components(graph, directed=False)
    smallest = np.full(labels.max() + 1, len(texts), dtype=np.int64)
    np.minimum.at(smallest, labels, np.arange(len(texts)))
    return smallest[labels], has


def _band_keys(texts: Sequence[str], a: np.ndarray, b: np.ndarray, bands: int,
               rows: int) -> tuple[np.ndarray, np.ndarray]:
    """One 64-bit key per (text, band): the band's MinHash values folded together."""
    cores = [_NOISE.sub("", unicodedata.normalize("NFKC", t)) for t in texts]
    lengths = np.fromiter((len(c) for c in cores), dtype=np.int64, count=len(cores))
    codes = np.frombuffer("".join(cores).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    counts = np.maximum(lengths - SHINGLE + 1, 0)
    has = counts > 0
    keys = np.zeros((len(texts), bands), dtype=np.uint64)
    if not has.any():
        return keys, has
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    # position of every shingle's first character in ``codes``, text by text
    owner = np.repeat(np.arange(len(texts)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    position = starts[owner] + offsets
    shingle = codes[position] * np.uint64(0x1F1F1F1F) ^ codes[position + 1] * np.uint64(0x9E3779B1) \
        ^ codes[position + 2] * np.uint64(0x85EBCA77)
    boundaries = np.cumsum(counts[has]) - counts[has]
    with np.errstate(over="ignore"):
        for band in range(bands):
            folded = np.zeros(int(has.sum()), dtype=np.uint64)
            for row in range(rows):
                k = band * rows + row
                values = (a[k] * shingle + b[k]) >> np.uint64(32)  # multiply-add-shift universal hashing
                minimum = np.minimum.reduceat(values, boundaries)
                folded = folded * np.uint64(0x100000001B3) ^ minimum
            keys[has, band] = folded
    return keys, has
