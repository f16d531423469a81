"""Character n-gram TF-IDF features for a whole batch at once, in NumPy.

scikit-learn's vectorisers build n-grams one document at a time in Python, which was three quarters of
the engine's batch time. Here a batch becomes one array of code points, every 1-, 2- and 3-gram is
packed into one integer by arithmetic over shifted views, and multiplicative hashing maps it to a
bucket: no per-character Python at all. Explanations get n-gram names back by hashing the n-grams of
the one text being explained, so no vocabulary has to be stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

_CODE_SPACE = 0x110000  # Unicode code points; three of them still fit in a signed 64-bit integer
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # Knuth's multiplicative-hashing constant (2^64 / phi)
_SEPARATOR = "\x00"  # folding drops control characters, so it never occurs inside a normalised text


def _bucket(keys: np.ndarray, bits: int) -> np.ndarray:
    with np.errstate(over="ignore"):
        return ((keys.astype(np.uint64) * _GOLDEN) >> np.uint64(64 - bits)).astype(np.int64)


def hashed_ngrams(texts: Sequence[str], max_n: int, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """(document index, bucket) for every character n-gram (1 <= n <= max_n) of every text."""
    if max_n > 3:
        raise ValueError("n-grams longer than 3 characters do not fit the 64-bit packing")
    joined = _SEPARATOR + _SEPARATOR.join(texts) + _SEPARATOR
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    document = np.cumsum(codes == 0) - 1
    docs, buckets = [], []
    for n in range(1, max_n + 1):
        length = len(codes) - n + 1
        packed = codes[:length].copy()
        valid = codes[:length] != 0
        for k in range(1, n):
            packed = packed * _CODE_SPACE + codes[k : k + length]
            valid &= codes[k : k + length] != 0
        docs.append(document[:length][valid])
        buckets.append(_bucket(packed[valid] * 4 + n, bits))  # n in the low bits: 'a' and 'aa…' never share a key
    return np.concatenate(docs), np.concatenate(buckets)


def ngram_names(text: str, max_n: int, bits: int) -> dict[int, str]:
    """Bucket -> n-gram for the n-grams of one text (for explanations)."""
    grams = [text[i : i + n] for n in range(1, max_n + 1) for i in range(len(text) - n + 1)]
    if not grams:
        return {}
    keys = np.asarray([_pack(gram) * 4 + len(gram) for gram in grams], dtype=np.int64)
    return dict(zip(_bucket(keys, bits).tolist(), grams, strict=True))


def _pack(gram: str) -> int:
    value = 0
    for char in gram:
        value = value * _CODE_SPACE + ord(char)
    return value


class CharNgramTfidf:
    """Sublinear TF-IDF over hashed character n-grams; ``fit`` learns the IDF and keeps only buckets seen in
    ``min_df`` training texts, numbered compactly (a linear model over 2^19 mostly empty columns would
    spend its time in the optimiser, not the data)."""

    def __init__(self, max_n: int = 3, bits: int = 19, min_df: int = 2) -> None:
        self.max_n = max_n
        self.bits = bits
        self.min_df = min_df

    def _counts(self, texts: Sequence[str], column: np.ndarray | None, width: int) -> csr_matrix:
        from scipy.sparse import coo_matrix

        docs, buckets = hashed_ngrams(texts, self.max_n, self.bits)
        if column is not None:
            buckets = column[buckets]
            docs, buckets = docs[buckets >= 0], buckets[buckets >= 0]
        ones = np.ones(len(docs), dtype=np.float32)
        return coo_matrix((ones, (docs, buckets)), shape=(len(texts), width)).tocsr()

    def fit(self, texts: Sequence[str]) -> CharNgramTfidf:
        counts = self._counts(texts, None, 1 << self.bits)
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        kept = np.flatnonzero(df >= self.min_df)
        self.column_ = np.full(1 << self.bits, -1, dtype=np.int64)
        self.column_[kept] = np.arange(len(kept))
        self.idf_ = (np.log((1 + len(texts)) / (1 + df[kept])) + 1.0).astype(np.float32)
        return self

    @property
    def width(self) -> int:
        """Number of columns ``transform`` produces."""
        return len(self.idf_)

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        from sklearn.preprocessing import normalize

        counts = self._counts(texts, self.column_, self.width)
        counts.data = (1.0 + np.log(counts.data)) * self.idf_[counts.indices]
        return normalize(counts, copy=False)  # type: ignore[no-any-return]

    def columns(self, text: str) -> dict[int, str]:
        """Column -> n-gram for the kept n-grams of one text (for explanations)."""
        return {int(self.column_[b]): g for b, g in ngram_names(text, self.max_n, self.bits).items()
                if self.column_[b] >= 0}
