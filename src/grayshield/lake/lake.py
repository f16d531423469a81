"""The lake: validated contract tables under ``settings.lake_dir``, in the world layout.

::

    <lake>/<table>/month=YYYY-MM/part-<batch>-<n>.parquet   partitioned tables (by the contract's partition_by)
    <lake>/<table>/part-<batch>-<n>.parquet                 unpartitioned tables
    <lake>/_quarantine/<table>/part-<batch>-<n>.parquet     rejected rows: file, line, column, reason, raw row
    <lake>/_manifest/<sha256>.json                          one per ingested file: re-ingesting it is a no-op
    <lake>/_staging/<batch>/                                 work in progress, never read

Because it is a world directory, every engine reads the lake exactly as it reads a simulated world.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from grayshield.contract import TABLES
from grayshield.core.settings import Settings
from grayshield.lake.engines import connect
from grayshield.lake.ingest import QUARANTINE_SCHEMA, IngestOptions, ProgressCallback, run_batch
from grayshield.lake.report import IngestReport
from grayshield.lake.staging import QUARANTINE_DIR
from grayshield.lake.world import World, open_world

if TYPE_CHECKING:
    import ibis
    import ibis.expr.types as ir


class Lake:
    """Ingest into and read from the lake the settings point at."""

    def __init__(self, settings: Settings, connection: ibis.BaseBackend | None = None) -> None:
        self.settings = settings
        self.root = settings.lake_dir
        self._connection = connection

    @property
    def connection(self) -> ibis.BaseBackend:
        if self._connection is None:
            self._connection = connect(self.settings)
        return self._connection

    def ingest(self, paths: list[Path], table: str | None = None, allow_extra_columns: bool = False,
               progress: ProgressCallback | None = None) -> IngestReport:
        """Validate and load files, directories of files or whole worlds; see :mod:`grayshield.lake.ingest`."""
        lake = self.settings.lake
        options = IngestOptions(
            table=table,
            allow_extra_columns=allow_extra_columns,
            chunk_rows=lake.chunk_rows,
            duckdb_memory_limit=lake.duckdb_memory_limit,
            duckdb_threads=lake.duckdb_threads,
        )
        return run_batch(self.root, paths, options, progress)

    def world(self) -> World:
        """A fresh view (file listings are read when a table is first asked for, so make one per query)."""
        self.root.mkdir(parents=True, exist_ok=True)
        return open_world(self.root, self.connection)

    def table(self, name: str) -> ir.Table:
        return self.world().table(name)

    def quarantine(self) -> ir.Table:
        """Every rejected row so far: batch, table, source file, line, column, reason, raw row."""
        folder = self.root / QUARANTINE_DIR
        if folder.is_dir() and next(folder.rglob("*.parquet"), None) is not None:
            return self.connection.read_parquet(str(folder / "**" / "*.parquet"), hive_partitioning=False)
        import ibis

        return ibis.memtable(QUARANTINE_SCHEMA.empty_table())

    def summary(self) -> dict[str, Any]:
        """Rows and months per table, and quarantined rows (not reasons: a row can fail several ways) per table."""
        world = self.world()
        quarantined = self._quarantine_counts()
        tables: dict[str, Any] = {}
        for name in TABLES:
            if not world.has_table(name) and name not in quarantined:
                continue
            rows = int(world.table(name).count().execute()) if world.has_table(name) else 0
            months = sorted(
                p.name.removeprefix("month=") for p in (self.root / name).glob("month=*") if p.is_dir()
            )
            tables[name] = {"rows": rows, "months": months, "quarantined": quarantined.get(name, 0)}
        return {"lake": str(self.root), "tables": tables, "quarantined_total": sum(quarantined.values())}

    def _quarantine_counts(self) -> dict[str, int]:
        rows = self.quarantine().select("table", "batch_id", "source_file", "line").distinct()
        counts = rows.group_by("table").aggregate(n=lambda t: t.count()).execute()
        return {str(row.table): int(row.n) for row in counts.itertuples()}


