"""A tiny hand-made lake: a few customers whose features can be counted by hand."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pytest

from grayshield.contract import TABLES
from grayshield.contract.arrow import arrow_schema


class MemorySource:
    """Contract-typed in-memory tables on a real DuckDB connection."""

    def __init__(self, rows: dict[str, Iterable[dict[str, Any]]]) -> None:
        self.con = ibis.duckdb.connect()
        self.rows = {name: list(rows.get(name, [])) for name in TABLES}

    def table(self, name: str) -> ir.Table:
        schema = arrow_schema(TABLES[name])
        cols = {f.name: [r.get(f.name) for r in self.rows[name]] for f in schema}
        arrow = pa.table(cols, schema=schema.with_metadata(None).remove_metadata()).cast(
            pa.schema([f.with_nullable(True) for f in schema])
        )
        return self.con.create_table(f"t_{name}", arrow, overwrite=True)


@pytest.fixture
def memory_source() -> type[MemorySource]:
    return MemorySource
