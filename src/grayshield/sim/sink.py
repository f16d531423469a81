"""Streams generated rows to ``WORLD/<table>/part-NNNNN.parquet`` with exactly the contract's Arrow schemas.

Every write is one part file, so memory holds one block at a time; part numbers follow the (deterministic)
order of writes, never the clock, so the same seed gives byte-identical files.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from grayshield.contract import TABLES, TRUTH_TABLES
from grayshield.contract.arrow import arrow_schema
from grayshield.contract.model import Table
from grayshield.lake.world import TRUTH_DIR

COMPRESSION = "snappy"  # a quarter faster to write than zstd at default level; worlds are scratch data


class WorldSink:
    """Part-file writer for one world directory, keeping row counts for the manifest."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.rows: Counter[str] = Counter()
        self._parts: Counter[str] = Counter()
        self._pending: dict[str, list[pa.Table]] = {}

    def emit(self, name: str, columns: dict[str, Any], *, truth: bool = False) -> None:
        """Queue rows of ``name`` for the current part; absent optional columns become nulls."""
        contract = TRUTH_TABLES[name] if truth else TABLES[name]
        key = f"{TRUTH_DIR}/{name}" if truth else name
        self._pending.setdefault(key, []).append(to_arrow(contract, columns))

    def flush(self) -> None:
        """Write everything queued since the last flush as one part file per table, then forget it."""
        for key in sorted(self._pending):
            table = pa.concat_tables(self._pending[key])
            if table.num_rows:
                folder = self.root / key
                folder.mkdir(parents=True, exist_ok=True)
                pq.write_table(table, folder / f"part-{self._parts[key]:05d}.parquet", compression=COMPRESSION)
                self._parts[key] += 1
                self.rows[key] += table.num_rows
        self._pending.clear()

    def finish(self) -> dict[str, int]:
        """Give every contract table at least an empty part, so readers see its schema; returns row counts."""
        self.flush()
        for name, contract in TABLES.items():
            self._ensure(name, contract)
        for name, contract in TRUTH_TABLES.items():
            self._ensure(f"{TRUTH_DIR}/{name}", contract)
        return {key: self.rows[key] for key in sorted(self.rows | Counter(self._parts))}

    def _ensure(self, key: str, contract: Table) -> None:
        if self._parts[key]:
            return
        folder = self.root / key
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(arrow_schema(contract).empty_table(), folder / "part-00000.parquet", compression=COMPRESSION)
        self._parts[key] = 1
        self.rows[key] += 0


def to_arrow(contract: Table, columns: dict[str, Any]) -> pa.Table:
    """Columns (numpy arrays, lists or Arrow arrays) as a table with the contract's exact schema."""
    schema = arrow_schema(contract)
    unknown = set(columns) - set(schema.names)
    if unknown:
        raise KeyError(f"{contract.name}: columns not in the contract: {sorted(unknown)}")
    lengths = {len(v) for v in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"{contract.name}: columns of different lengths {lengths}")
    n = lengths.pop() if lengths else 0
    arrays = []
    for field in schema:
        value = columns.get(field.name)
        if value is None:
            if not field.nullable:
                raise KeyError(f"{contract.name}: required column {field.name!r} missing")
            arrays.append(pa.nulls(n, field.type))
        else:
            arrays.append(_as_array(value, field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _as_array(value: Any, type_: pa.DataType) -> pa.Array:
    if isinstance(value, pa.ChunkedArray):
        value = value.combine_chunks()
    if isinstance(value, pa.Array):
        return value if value.type == type_ else value.cast(type_)
    if isinstance(value, np.ndarray) and pa.types.is_list(type_):
        flat = pa.array(value.astype(np.float32).ravel())
        offsets = pa.array(np.arange(0, value.size + 1, value.shape[1], dtype=np.int32))
        return pa.ListArray.from_arrays(offsets, flat).cast(type_)
    if isinstance(value, np.ndarray) and value.dtype.kind == "U":
        # numpy's fixed-width UCS4 strings convert slowly element by element; UTF-8 bytes go over in bulk.
        return pa.array(np.char.encode(value, "utf-8")).cast(type_)
    if isinstance(value, np.ndarray) and value.dtype.kind == "M":
        unit = "D" if pa.types.is_date32(type_) else "ms"
        return pa.array(value.astype(f"datetime64[{unit}]"), type=type_)
    return pa.array(value, type=type_)
