"""Complaint templates: texts from different senders that are near-identical, a gang's fingerprint.

One implementation for both engines that need it: the complaint engine counts the other customers who sent
the same template (``grayshield.complaints.proxy``, signal ``template_peers``) and the graph engine links
complaints to their template (``grayshield.graph``, edge ``uses_template``).

Method: each text is folded like every other text in this engine (``fold``: NFKC, traditional to simplified,
separators, punctuation and emoji dropped), then reduced to its Chinese characters, so the names, amounts,
dates and inserted symbols filled into a template do not hide it. Its character 3-grams are MinHashed, the
signature is cut into LSH bands sized for the threshold, and texts sharing any band key are joined into
connected components; a component is a template.

Hand-written with NumPy rather than datasketch: datasketch hashes and queries one text at a time in Python
(1,700 to 2,600 texts per CPU second measured, so 6 to 10 CPU minutes for a million complaints), while
issue #10 asks for a million in five minutes. Here every step is a vector operation over all shingles of a
chunk of texts (a million in about 77 CPU seconds on a busy machine) and components come from SciPy's sparse
graph routines; grouping quality on the same texts is the same (docs/text.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from grayshield.text.fold import fold

NUM_PERM = 64
SHINGLE = 3
CHUNK_TEXTS = 50_000
DEFAULT_THRESHOLD = 0.8  # genuine complaints about one cause already read alike at 0.6 (docs/gangs.md)
_NOT_CHINESE = re.compile(r"[\W\d_a-zA-Z]+", re.UNICODE)  # what folding leaves besides the Chinese text


def template_ids(texts: Sequence[str], threshold: float = DEFAULT_THRESHOLD, seed: int = 1) -> list[str | None]:
    """A template id per text that shares its template with at least one other text of the batch, else None.

    The id is ``T`` and the batch position of the template's first text, so the same batch always gets
    the same ids; a later text can join two earlier groups into one (callers that must not look ahead,
    like the complaint engine's peer counts, filter by time themselves).
    """
    if len(texts) == 0:
        return []
    component, has_shingles = minhash_components(texts, threshold, seed)
    sizes = np.bincount(component, minlength=len(component))
    keep = has_shingles & (sizes[component] >= 2)
    return [f"T{c}" if k else None for c, k in zip(component.tolist(), keep.tolist(), strict=True)]


def shingle_text(text: str) -> str:
    """The part of a text its template is recognised by: folded, Chinese characters only."""
    return _NOT_CHINESE.sub("", fold(text))


def bands_for(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows) whose LSH threshold (1/b)^(1/r) is closest to ``threshold``."""
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"template threshold must be between 0 and 1, got {threshold}")
    options = [(num_perm // r, r) for r in range(1, num_perm + 1)]
    return min(options, key=lambda br: abs((1.0 / br[0]) ** (1.0 / br[1]) - threshold))


def minhash_components(texts: Sequence[str], threshold: float = DEFAULT_THRESHOLD,
                       seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Connected components of LSH band collisions (each labelled by its smallest text index), and which
    texts had any Chinese 3-gram at all (the others are left alone)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    bands, rows = bands_for(threshold)
    rng = np.random.default_rng(seed)
    a = rng.integers(1, np.iinfo(np.int64).max, size=bands * rows, dtype=np.int64).astype(np.uint64) | np.uint64(1)
    b = rng.integers(0, np.iinfo(np.int64).max, size=bands * rows, dtype=np.int64).astype(np.uint64)
    signatures = np.empty((len(texts), bands), dtype=np.uint64)
    has = np.zeros(len(texts), dtype=bool)
    for start in range(0, len(texts), CHUNK_TEXTS):
        chunk = [shingle_text(t) for t in texts[start:start + CHUNK_TEXTS]]
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


def _band_keys(cores: Sequence[str], a: np.ndarray, b: np.ndarray, bands: int,
               rows: int) -> tuple[np.ndarray, np.ndarray]:
    """One 64-bit key per (text, band): the band's MinHash values folded together."""
    lengths = np.fromiter((len(c) for c in cores), dtype=np.int64, count=len(cores))
    codes = np.frombuffer("".join(cores).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    counts = np.maximum(lengths - SHINGLE + 1, 0)
    has = counts > 0
    keys = np.zeros((len(cores), bands), dtype=np.uint64)
    if not has.any():
        return keys, has
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    # position of every shingle's first character in ``codes``, text by text
    owner = np.repeat(np.arange(len(cores)), counts)
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
