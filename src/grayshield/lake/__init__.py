"""The lake: validated contract tables as Parquet, read through Ibis (DuckDB embedded by default)."""

from grayshield.lake.world import World, open_world

__all__ = ["World", "open_world"]
