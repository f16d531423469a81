"""A world on disk: contract tables (and, for simulated worlds, ground truth) as folders of Parquet files.

Simulated worlds, evaluation extracts and the lake itself share this layout, so every detector reads its
input the same way whichever produced it::

    WORLD/world.json                     manifest (generator, seed, profile, parameters, row counts)
    WORLD/<table>/**/*.parquet           one folder per contract table; Hive-style subfolders allowed
    WORLD/truth/<name>/**/*.parquet      ground truth, simulated worlds only
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grayshield.contract import TABLES, TRUTH_TABLES
from grayshield.contract.arrow import arrow_schema
from grayshield.contract.model import Table
from grayshield.core.errors import ContractError, NotFoundError

if TYPE_CHECKING:
    import ibis
    import ibis.expr.types as ir

MANIFEST = "world.json"
TRUTH_DIR = "truth"


class World:
    """Read access to a world directory through Ibis (DuckDB by default, any Ibis backend on request)."""

    def __init__(self, root: Path, connection: ibis.BaseBackend | None = None) -> None:
        if not root.is_dir():
            raise NotFoundError(f"world directory not found: {root}")
        self.root = root
        self._connection = connection
        self._cache: dict[tuple[str, str], ir.Table] = {}

    @cached_property
    def meta(self) -> dict[str, Any]:
        """The manifest, or an empty dict for a bare folder of tables."""
        path = self.root / MANIFEST
        if not path.exists():
            return {}
        try:
            loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ContractError(f"{path}: not valid JSON ({exc})") from exc
        return loaded

    @property
    def connection(self) -> ibis.BaseBackend:
        if self._connection is None:
            import ibis

            self._connection = ibis.duckdb.connect()
            self._connection.raw_sql("SET enable_progress_bar = false")
        return self._connection

    def has_table(self, name: str) -> bool:
        return _has_parquet(self.root / name)

    def has_truth(self, name: str) -> bool:
        return _has_parquet(self.root / TRUTH_DIR / name)

    def table(self, name: str) -> ir.Table:
        """Contract table ``name``; an absent optional table (voiceprints, say) reads as empty, not an error."""
        if name not in TABLES:
            raise ContractError(f"unknown table {name!r}; the contract has: {', '.join(TABLES)}")
        return self._read("input", name, self.root / name)

    def truth(self, name: str) -> ir.Table:
        if name not in TRUTH_TABLES:
            raise ContractError(f"unknown truth table {name!r}; known: {', '.join(TRUTH_TABLES)}")
        folder = self.root / TRUTH_DIR / name
        if not _has_parquet(folder):
            raise NotFoundError(f"{self.root} has no ground truth {name!r}: is it a simulated world?")
        return self._read("truth", name, folder)

    def _read(self, kind: str, name: str, folder: Path) -> ir.Table:
        key = (kind, name)
        if key not in self._cache:
            contract = TABLES[name] if kind == "input" else TRUTH_TABLES[name]
            if _has_parquet(folder):
                table = _contract_columns(self._read_parquet_folder(folder), contract)
            else:
                import ibis

                table = ibis.memtable(arrow_schema(contract).empty_table())
            self._cache[key] = table
        return self._cache[key]

    def _read_parquet_folder(self, folder: Path) -> ir.Table:
        """Every Parquet file under ``folder`` (see :func:`grayshield.lake.engines.read_parquet_folder`)."""
        from grayshield.lake.engines import read_parquet_folder

        return read_parquet_folder(self.connection, folder)

    def identity(self) -> dict[str, Any]:
        """What an evaluation report records about the world it ran on."""
        keys = ("generator", "seed", "profile", "customers", "months")
        return {"path": str(self.root), **{k: self.meta[k] for k in keys if k in self.meta}}


def _contract_columns(table: ir.Table, contract: Table) -> ir.Table:
    """The contract's columns in contract order; an optional column the files lack reads as typed nulls.

    The contract lets an extract leave optional columns out, and the lake writes them as nulls, but a world
    folder prepared by other tools may simply not have them: engines then see one schema either way.
    """
    import ibis

    schema = ibis.Schema.from_pyarrow(arrow_schema(contract))
    return table.select(*[
        table[c.name] if c.name in table.columns else ibis.null(schema[c.name]).name(c.name)
        for c in contract.columns if c.name in table.columns or not c.required
    ])


def _has_parquet(folder: Path) -> bool:
    return folder.is_dir() and next(folder.rglob("*.parquet"), None) is not None


def open_world(path: str | Path, connection: ibis.BaseBackend | None = None) -> World:
    return World(Path(path), connection)
