"""The lake: validated contract tables as Parquet, read through Ibis (DuckDB embedded by default)."""

from grayshield.lake.lake import Lake
from grayshield.lake.phone import normalise_phone, normalise_phone_array
from grayshield.lake.report import EXIT_SOME_REJECTED, FileReport, IngestReport
from grayshield.lake.world import World, open_world

__all__ = [
    "EXIT_SOME_REJECTED",
    "FileReport",
    "IngestReport",
    "Lake",
    "World",
    "normalise_phone",
    "normalise_phone_array",
    "open_world",
]
