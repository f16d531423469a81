"""Primary-key duplicates, within a file and against everything already in the lake, in DuckDB.

Keys of published rows live in one DuckDB table per contract table for the whole batch; a file's own keys
sit apart until the file is published, so rows of a refused file never shadow a later file's rows.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from grayshield.contract.model import Table

KEY_SEPARATOR = "\x1f"  # ASCII unit separator: cannot occur in a validated key column by accident
REASON_IN_FILE = "主键与本文件中前面的行重复"
REASON_IN_LAKE = "主键与湖中已有数据（或本批先前文件）重复"


def key_strings(table: pa.Table, contract: Table) -> pa.Array:
    """One string per row standing for its primary key (typed values rendered as text)."""
    parts = [pc.cast(table.column(name), pa.string()) for name in contract.primary_key]
    if len(parts) == 1:
        return parts[0].combine_chunks() if isinstance(parts[0], pa.ChunkedArray) else parts[0]
    joined = pc.binary_join_element_wise(*parts, KEY_SEPARATOR)
    return joined.combine_chunks() if isinstance(joined, pa.ChunkedArray) else joined


class KeyIndex:
    """Which keys a batch has seen; one in-memory DuckDB database for the batch."""

    def __init__(self, lake: Path, memory_limit: str, threads: int | None) -> None:
        self.lake = lake
        self._db = duckdb.connect(config={"memory_limit": memory_limit, **({"threads": threads} if threads else {})})
        self._loaded: set[str] = set()

    def _ensure(self, contract: Table) -> None:
        name = contract.name
        if name in self._loaded:
            return
        self._db.execute(f'CREATE TABLE "seen_{name}" (k VARCHAR)')
        self._db.execute(f'CREATE TABLE "file_{name}" (k VARCHAR)')
        folder = self.lake / name
        if folder.is_dir() and next(folder.rglob("*.parquet"), None) is not None:
            import pyarrow.dataset as ds

            existing = ds.dataset(folder, format="parquet", partitioning=None)
            for batch in existing.to_batches(columns=list(contract.primary_key), batch_size=1 << 20):
                self._db.register("existing", pa.table({"k": key_strings(pa.Table.from_batches([batch]), contract)}))
                self._db.execute(f'INSERT INTO "seen_{name}" SELECT k FROM existing')
                self._db.unregister("existing")
        self._loaded.add(name)

    def duplicates(self, table: pa.Table, contract: Table) -> tuple[np.ndarray, list[str]]:
        """Rows of ``table`` whose key repeats an earlier row or a row already in the lake, with why.

        The rest are remembered as this file's keys.
        """
        self._ensure(contract)
        name = contract.name
        chunk = pa.table({"i": pa.array(np.arange(table.num_rows)), "k": key_strings(table, contract)})
        self._db.register("chunk", chunk)
        try:
            found = self._db.execute(
                f"""
                SELECT c.i, (s.k IS NOT NULL) AS in_lake
                FROM (SELECT i, k, row_number() OVER (PARTITION BY k ORDER BY i) AS n FROM chunk) c
                LEFT JOIN (SELECT DISTINCT k FROM "seen_{name}" WHERE k IN (SELECT k FROM chunk)) s ON s.k = c.k
                WHERE c.n > 1 OR s.k IS NOT NULL OR c.k IN (SELECT k FROM "file_{name}")
                ORDER BY c.i
                """
            ).fetchnumpy()
            rows = np.asarray(found["i"], dtype=np.int64)
            reasons = [REASON_IN_LAKE if flag else REASON_IN_FILE for flag in found["in_lake"]]
            self._db.execute(
                f'INSERT INTO "file_{name}" SELECT k FROM chunk WHERE i NOT IN (SELECT unnest(?::BIGINT[]))',
                [rows.tolist()],
            )
        finally:
            self._db.unregister("chunk")
        return rows, reasons

    def commit_file(self) -> None:
        """The file was published: its keys now count as in the lake."""
        for name in self._loaded:
            self._db.execute(f'INSERT INTO "seen_{name}" SELECT k FROM "file_{name}"')
            self._db.execute(f'DELETE FROM "file_{name}"')

    def discard_file(self) -> None:
        for name in self._loaded:
            self._db.execute(f'DELETE FROM "file_{name}"')

    def close(self) -> None:
        self._db.close()
