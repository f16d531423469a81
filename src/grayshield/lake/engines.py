"""Query engines for the lake: Ibis backends by name, chosen by ``settings.lake.engine``.

Ingest always runs locally (pyarrow and DuckDB); only reading goes through the chosen engine. Every
engine difference lives here, one factory per engine; Spark is imported only when asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from grayshield.core.registry import Registry
from grayshield.core.settings import Settings

if TYPE_CHECKING:
    import ibis
    import ibis.expr.types as ir

EngineFactory = Callable[[Settings], "ibis.BaseBackend"]
ENGINES: Registry[EngineFactory] = Registry("lake engine")


@ENGINES.decorator("duckdb")
def _duckdb(settings: Settings) -> ibis.BaseBackend:
    import ibis

    config: dict[str, object] = {"memory_limit": settings.lake.duckdb_memory_limit}
    if settings.lake.duckdb_threads:
        config["threads"] = settings.lake.duckdb_threads
    return ibis.duckdb.connect(**config)


@ENGINES.decorator("spark")
def _spark(settings: Settings) -> ibis.BaseBackend:  # pragma: no cover - needs the spark extra
    import ibis
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(settings.spark.master).appName(settings.spark.app_name)
    for key, value in settings.spark.options.items():
        builder = builder.config(key, value)
    return ibis.pyspark.connect(builder.getOrCreate())


def connect(settings: Settings) -> ibis.BaseBackend:
    """A connection to the engine the settings choose (an unknown name is a clear error)."""
    return ENGINES.get(settings.lake.engine)(settings)


def read_parquet_folder(connection: ibis.BaseBackend, folder: Path) -> ir.Table:
    """Every Parquet file under ``folder`` as one table. The one place engines differ in reading: DuckDB takes
    a recursive glob, Spark a folder with recursive lookup (which also stops it adding Hive partition columns)."""
    if connection.name == "pyspark":
        table: ir.Table = connection.read_parquet(str(folder), recursiveFileLookup="true")
        return table
    return connection.read_parquet(str(folder / "**" / "*.parquet"), hive_partitioning=False)


def cached(table: ir.Table) -> ir.Table:
    """``table.cache()`` on every engine: ibis 12's PySpark backend caches without registering the in-memory
    tables (lookups built in Python) the expression uses, so they are registered first; harmless elsewhere."""
    backend = table._find_backend(use_default=True)
    backend._run_pre_execute_hooks(table)
    return table.cache()
