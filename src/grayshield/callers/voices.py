"""Voices: one voice calling for many customers, and a voice that is not the customer's.

Card centres report these as the strongest proxy signals: an agency's operator calls for dozens of customers
from many numbers, and a proxy posing as the cardholder does not sound like the cardholder. Both are
nearest-neighbour questions over the caller-side embeddings the bank's voiceprint system exports.

The "same voice" radius is calibrated on the data, not fixed: pairs of calls that are very likely the same
person (the customer, verified, calling from their own registered phone) give the within-speaker distances;
enrolment calls of two different customers give the between-speaker distances; the radius sits between the two distributions.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from grayshield.features.catalogue import TableSource

MIN_SEPARATION = 0.98
"""Below this separation (more than 2% of speaker pairs mis-ordered) a world's voice features are withheld from
scores and rules: they would be noise, and a model trained where voices are clean would trust them."""

MANY_CUSTOMERS = 3
"""A voice heard for this many distinct customers is an agency voice; it never serves as a customer reference."""

VOICE_COLUMNS = ("has_voiceprint", "voice_customers", "voice_numbers", "voice_mismatch", "voice_crowd",
                 "voice_mismatch_ratio")
CROWD_K = MANY_CUSTOMERS - 1
"""Crowding looks at the distance to the voice's ``CROWD_K``-th nearest call made for another customer."""
CROWD_POOL = 48
"""Nearest neighbours searched per call for that distance (beyond them the pool's farthest distance is used)."""


@dataclass(frozen=True)
class VoiceThresholds:
    """The calibrated same-speaker radius (Euclidean, on L2-normalised embeddings) and how it was found."""

    radius: float
    same_speaker_q95: float
    different_speaker_q001: float
    same_pairs: int
    different_pairs: int
    separation: float = 1.0
    """P(a same-speaker pair is closer than a different-speaker pair) on this world's enrolment calls: how well
    its voiceprints tell people apart (1 perfect, 0.5 useless)."""

    @property
    def reliable(self) -> bool:
        return self.separation >= MIN_SEPARATION

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "reliable": self.reliable}


def caller_embeddings(source: TableSource, call_ids: pd.Series) -> pd.DataFrame:
    """Caller-side embeddings (L2-normalised) for the given calls: columns call_id, embedding (ndarray)."""
    import ibis

    prints = source.table("voiceprints")
    prints = prints.filter(prints.side == "caller")
    wanted = ibis.memtable({"want_call_id": call_ids.astype(str).tolist()})
    frame: pd.DataFrame = prints.join(wanted, prints.call_id == wanted.want_call_id).select(
        "call_id", "embedding").to_pandas()
    if frame.empty:
        return pd.DataFrame({"call_id": pd.Series(dtype=str), "embedding": pd.Series(dtype=object)})
    matrix = _normalise(np.stack(frame["embedding"].map(lambda v: np.asarray(v, dtype=np.float32)).to_list()))
    frame["embedding"] = list(matrix)
    return frame


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.asarray(matrix / np.where(norm == 0, 1.0, norm), dtype=np.float32)


def _enrolment_mask(calls: pd.DataFrame) -> np.ndarray:
    """Calls very likely made by the customer in person: verified, from the registered phone, as 'self'."""
    return np.asarray(
        calls["caller_is_registered"].fillna(False).astype(bool)
        & calls["identity_verified"].fillna(False).astype(bool)
        & (calls["caller_relation"].fillna("self") == "self")
        & calls["claimed_customer_id"].notna()
    )


def calibrate(matrix: np.ndarray, calls: pd.DataFrame, seed: int = 0, max_pairs: int = 20_000) -> VoiceThresholds:
    """Radius between the within-customer and between-customer distance distributions of enrolment calls."""
    rng = np.random.default_rng(seed)
    enrol = np.flatnonzero(_enrolment_mask(calls))
    same: list[float] = []
    by_customer = pd.Series(enrol).groupby(calls["claimed_customer_id"].to_numpy()[enrol]).apply(list)
    for rows in by_customer:
        for i in range(1, len(rows)):
            same.append(float(np.linalg.norm(matrix[rows[0]] - matrix[rows[i]])))
        if len(same) >= max_pairs:
            break
    # Different speakers: enrolment calls of two different customers. Random pairs of all calls would not
    # do: an agency voice heard on hundreds of calls makes many random pairs the same person.
    customers = calls["claimed_customer_id"].to_numpy()
    k = min(max_pairs, len(enrol) * (len(enrol) - 1) // 2) if len(enrol) > 1 else 0
    a, b = rng.choice(enrol, k) if k else enrol[:0], rng.choice(enrol, k) if k else enrol[:0]
    keep = customers[a] != customers[b]
    different = np.linalg.norm(matrix[a[keep]] - matrix[b[keep]], axis=1)
    same_q = float(np.quantile(same, 0.95)) if same else 0.5
    diff_q = float(np.quantile(different, 0.001)) if len(different) else 1.2
    # Separated distributions: the midpoint. Overlapping ones: the between-speaker 0.1% quantile, so false
    # merges of two people stay rare even though random pairs vastly outnumber same-speaker pairs.
    radius = (same_q + diff_q) / 2 if same_q < diff_q else diff_q
    return VoiceThresholds(radius, same_q, diff_q, len(same), int(len(different)),
                           _separation(np.asarray(same), different))


def _separation(same: np.ndarray, different: np.ndarray) -> float:
    """Mann-Whitney AUC of 'closer than' between same- and different-speaker distances (1.0 without pairs)."""
    if not len(same) or not len(different):
        return 1.0
    ranks = np.searchsorted(np.sort(different), same, side="left") + np.searchsorted(
        np.sort(different), same, side="right")
    return float(1.0 - ranks.mean() / (2 * len(different)))


def voice_call_features(calls: pd.DataFrame, embeddings: pd.DataFrame,
                        thresholds: VoiceThresholds | None = None) -> tuple[pd.DataFrame, VoiceThresholds | None]:
    """Per call: how many customers and numbers its voice is heard for, and its distance to the customer's own
    voice (NaN where no reference exists). ``calls`` needs call_id, claimed_customer_id, caller_number,
    caller_is_registered, identity_verified, caller_relation."""
    from sklearn.neighbors import NearestNeighbors

    out = pd.DataFrame({"call_id": calls["call_id"].to_numpy()})
    out["has_voiceprint"] = 0.0
    out["voice_customers"] = 0.0
    out["voice_numbers"] = 0.0
    out["voice_mismatch"] = np.nan
    out["voice_crowd"] = np.nan
    out["voice_mismatch_ratio"] = np.nan
    voiced = calls.merge(embeddings, on="call_id", how="inner").reset_index(drop=True)
    if len(voiced) < 2:
        return out, thresholds
    matrix = np.stack(voiced["embedding"].to_list())
    own = calibrate(matrix, voiced)
    # A given radius (the trained model's) is kept, but how well voices separate is always this world's own.
    thresholds = replace(thresholds, separation=own.separation) if thresholds else own
    index = NearestNeighbors(radius=thresholds.radius).fit(matrix)
    neighbours = index.radius_neighbors(matrix, return_distance=False)
    customers = voiced["claimed_customer_id"].to_numpy()
    numbers = voiced["caller_number"].to_numpy()
    voice_customers = np.array([len({c for c in customers[n] if c is not None and c == c}) for n in neighbours])
    voice_numbers = np.array([len(set(numbers[n])) for n in neighbours])
    reference_rows = _enrolment_mask(voiced) & (voice_customers < MANY_CUSTOMERS)
    mismatch = _distance_to_reference(matrix, voiced["claimed_customer_id"], reference_rows)
    crowd = crowding(matrix, customers, _enrolment_mask(voiced))
    feats = pd.DataFrame({"call_id": voiced["call_id"], "has_voiceprint": 1.0,
                          "voice_customers": voice_customers.astype(float),
                          "voice_numbers": voice_numbers.astype(float), "voice_mismatch": mismatch,
                          "voice_crowd": crowd, "voice_mismatch_ratio": mismatch / thresholds.radius})
    out = out[["call_id"]].merge(feats, on="call_id", how="left")
    out[["has_voiceprint", "voice_customers", "voice_numbers"]] = out[
        ["has_voiceprint", "voice_customers", "voice_numbers"]].fillna(0.0)
    return out, thresholds


def crowding(matrix: np.ndarray, customers: np.ndarray, enrolment: np.ndarray) -> np.ndarray:
    """Per call, how crowded its voice is by calls made for other customers, as a share of the world's own
    customers (enrolment calls) whose voices are less crowded: near 1 is an operator heard for many customers.

    Why not the neighbour count alone: how many calls fall inside a fixed radius grows with the size of the
    world, its channel noise and how many customers each operator serves, so a count learnt on one world
    means something else on the next. Ranking the distance to the ``CROWD_K``-th other customer's call against
    the same distance for genuine customers in the *scored* world cancels all three: genuine customers are
    uniform on [0, 1] in every world, whatever its size or noise. NaN when the world has no enrolment calls.
    """
    from sklearn.neighbors import NearestNeighbors

    n = len(matrix)
    pool = min(CROWD_POOL, n)
    if pool < 2 or not enrolment.any():
        return np.full(n, np.nan)
    distances, neighbours = NearestNeighbors(n_neighbors=pool).fit(matrix).kneighbors(matrix)
    codes = pd.factorize(pd.Series(customers).fillna("\0"))[0]
    other = codes[neighbours] != codes[:, None]
    seen = np.cumsum(other, axis=1)
    # The first neighbour column where CROWD_K calls for other customers have been passed.
    hit = np.argmax(seen >= CROWD_K, axis=1)
    reached = seen[:, -1] >= CROWD_K
    kth = np.where(reached, distances[np.arange(n), hit], distances[:, -1])
    reference = np.sort(kth[enrolment])
    return np.asarray(1.0 - np.searchsorted(reference, kth, side="right") / len(reference), dtype=float)


def _distance_to_reference(matrix: np.ndarray, customers: pd.Series, reference_rows: np.ndarray) -> np.ndarray:
    """Distance from each call's voice to the mean enrolment voice of the customer it claims (NaN if none)."""
    refs = pd.DataFrame(matrix[reference_rows]).groupby(customers.to_numpy()[reference_rows]).mean()
    if refs.empty:
        return np.full(len(matrix), np.nan)
    centroids = _normalise(refs.to_numpy(dtype=np.float32))
    position = pd.Series(np.arange(len(refs)), index=refs.index)
    where = customers.map(position).to_numpy(dtype=float)
    result = np.full(len(matrix), np.nan)
    has = ~np.isnan(where)
    result[has] = np.linalg.norm(matrix[has] - centroids[where[has].astype(int)], axis=1)
    return result
