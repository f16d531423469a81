"""Primary-key duplicates, within a file and against everything already in the lake.

Keys are compared by 64-bit hash first (sorted numpy runs and ``searchsorted``: cost grows with the chunk,
not with the lake), and every hash hit is confirmed on the exact key text in DuckDB, so a hash collision
can never quarantine a valid row. Keys of published rows count for the whole batch; a file's own keys sit
apart until the file is published, so rows of a refused file never shadow a later file's rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from grayshield.contract.model import Table

KEY_SEPARATOR = "\x1f"  # ASCII unit separator: cannot occur in a validated key column by accident
REASON_IN_FILE = "主键与本文件中前面的行重复"
REASON_IN_LAKE = "主键与湖中已有数据（或本批先前文件）重复"
MAX_RUNS = 8  # sorted hash runs kept before they are merged into one


def key_strings(table: pa.Table, contract: Table) -> pa.Array:
    """One string per row standing for its primary key (typed values rendered as text)."""
    parts = [pc.cast(table.column(name), pa.string()) for name in contract.primary_key]
    joined = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, KEY_SEPARATOR)
    return joined.combine_chunks() if isinstance(joined, pa.ChunkedArray) else joined


@dataclass
class _HashRuns:
    """A set of uint64 hashes as a few sorted arrays (appending is cheap, lookups are binary searches)."""

    runs: list[np.ndarray] = field(default_factory=list)

    def add_sorted(self, hashes: np.ndarray) -> None:
        if len(hashes):
            self.runs.append(hashes)
        if len(self.runs) > MAX_RUNS:
            self.runs = [np.sort(np.concatenate(self.runs))]

    def contains_sorted(self, needles: np.ndarray) -> np.ndarray:
        """Membership of sorted ``needles``: sorted, searchsorted walks each run once instead of jumping."""
        found = np.zeros(len(needles), dtype=bool)
        for run in self.runs:
            at = np.minimum(np.searchsorted(run, needles), len(run) - 1)
            found |= run[at] == needles
        return found

    def absorb(self, other: _HashRuns) -> None:
        for run in other.runs:
            self.add_sorted(run)
        other.runs = []


class KeyIndex:
    """Which keys a batch has seen: hashes in numpy, exact key text in an in-memory DuckDB."""

    def __init__(self, lake: Path, memory_limit: str, threads: int | None) -> None:
        self.lake = lake
        config: dict[str, str | bool | int | float | list[str]] = {"memory_limit": memory_limit}
        if threads:
            config["threads"] = str(threads)
        self._db = duckdb.connect(config=config)
        self._db.execute("SET enable_progress_bar = false")  # it would print to stdout, amid --json output
        self._published: dict[str, _HashRuns] = {}
        self._this_file: dict[str, _HashRuns] = {}

    def _hash(self, keys: pa.Array) -> np.ndarray:
        self._db.register("keys_to_hash", pa.table({"k": keys}))
        try:
            hashed = self._db.execute("SELECT hash(k) AS h FROM keys_to_hash").fetchnumpy()["h"]
        finally:
            self._db.unregister("keys_to_hash")
        return np.asarray(hashed, dtype=np.uint64)

    def _store(self, target: str, keys: pa.Array) -> None:
        self._db.register("keys_to_store", pa.table({"k": keys}))
        try:
            self._db.execute(f'INSERT INTO "{target}" SELECT k FROM keys_to_store')
        finally:
            self._db.unregister("keys_to_store")

    def _ensure(self, contract: Table) -> None:
        name = contract.name
        if name in self._published:
            return
        self._db.execute(f'CREATE TABLE "seen_{name}" (k VARCHAR)')
        self._db.execute(f'CREATE TABLE "file_{name}" (k VARCHAR)')
        self._published[name], self._this_file[name] = _HashRuns(), _HashRuns()
        folder = self.lake / name
        if folder.is_dir() and next(folder.rglob("*.parquet"), None) is not None:
            import pyarrow.dataset as ds

            existing = ds.dataset(folder, format="parquet", partitioning=None)
            for batch in existing.to_batches(columns=list(contract.primary_key), batch_size=1 << 20):
                keys = key_strings(pa.Table.from_batches([batch]), contract)
                self._published[name].add_sorted(np.sort(self._hash(keys)))
                self._store(f"seen_{name}", keys)

    def _confirm(self, keys: pa.Array, rows: np.ndarray, table: str) -> np.ndarray:
        """The subset of candidate ``rows`` whose exact key text is in ``table``."""
        if not len(rows):
            return rows
        candidates = pa.table({"i": pa.array(rows, pa.int64()), "k": keys.take(pa.array(rows))})
        self._db.register("candidates", candidates)
        try:
            found = self._db.execute(
                f'SELECT i FROM candidates WHERE k IN (SELECT k FROM "{table}") ORDER BY i'
            ).fetchnumpy()["i"]
        finally:
            self._db.unregister("candidates")
        return np.asarray(found, dtype=np.int64)

    def duplicates(self, table: pa.Table, contract: Table) -> tuple[np.ndarray, list[str]]:
        """Rows of ``table`` whose key repeats an earlier row or a row already in the lake, with why.

        The others are remembered as this file's keys.
        """
        self._ensure(contract)
        name = contract.name
        keys = key_strings(table, contract)
        hashes = self._hash(keys)
        order = np.argsort(hashes)  # one sort serves every lookup below
        needles = hashes[order]
        in_lake = self._confirm(keys, order[self._published[name].contains_sorted(needles)], f"seen_{name}")
        in_file = self._confirm(keys, order[self._this_file[name].contains_sorted(needles)], f"file_{name}")
        in_chunk = self._repeats_within(keys, order, needles)
        reason_of: dict[int, str] = {int(i): REASON_IN_FILE for i in np.concatenate([in_file, in_chunk])}
        reason_of.update({int(i): REASON_IN_LAKE for i in in_lake})
        rows = np.array(sorted(reason_of), dtype=np.int64)
        keep = np.ones(len(keys), dtype=bool)
        keep[rows] = False
        self._this_file[name].add_sorted(needles[keep[order]])
        self._store(f"file_{name}", keys.filter(pa.array(keep)) if len(rows) else keys)
        return rows, [reason_of[int(i)] for i in rows]

    def _repeats_within(self, keys: pa.Array, order: np.ndarray, needles: np.ndarray) -> np.ndarray:
        """Rows whose exact key appeared earlier in the same chunk (checked only where hashes repeat)."""
        repeated = needles[1:] == needles[:-1]
        if not repeated.any():
            return np.empty(0, dtype=np.int64)
        shared_hashes = np.unique(needles[1:][repeated])
        shared = np.sort(order[np.isin(needles, shared_hashes)])
        texts = keys.take(pa.array(shared)).to_pylist()  # a handful of rows: real duplicates or collisions
        seen: set[str | None] = set()
        repeats = []
        for row, text in zip(shared.tolist(), texts, strict=True):
            if text in seen:
                repeats.append(row)
            seen.add(text)
        return np.array(repeats, dtype=np.int64)

    def commit_file(self) -> None:
        """The file was published: its keys now count as in the lake."""
        for name, runs in self._this_file.items():
            self._published[name].absorb(runs)
            self._db.execute(f'INSERT INTO "seen_{name}" SELECT k FROM "file_{name}"')
            self._db.execute(f'DELETE FROM "file_{name}"')

    def discard_file(self) -> None:
        for name, runs in self._this_file.items():
            runs.runs = []
            self._db.execute(f'DELETE FROM "file_{name}"')

    def close(self) -> None:
        self._db.close()
