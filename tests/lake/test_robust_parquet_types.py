"""Parquet extracts as real writers produce them: pandas stores dates as datetime64 and nullable ints as floats.

A bank that exports with ``DataFrame.to_parquet`` must not lose every customer because ``birth_date`` arrived
as a midnight timestamp; a timestamp with a time of day in a date column is still refused, row by row.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from grayshield.contract import TABLES
from grayshield.lake import Lake
from grayshield.lake.parse import parse_column


def _rows(lake: Lake, table: str, columns: str) -> list[tuple[object, ...]]:
    """What the lake stored, read straight from its Parquet files."""
    files = f"{lake.root / table}/**/*.parquet"
    return duckdb.sql(f"select {columns} from read_parquet('{files}', hive_partitioning=false) order by 1").fetchall()


def _customers_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["K1", "K2", "K3"],
        "name": ["张三", "李四", "王五"],
        "id_number": ["110101199003071234"] * 3,
        "gender": ["M", "F", "U"],
        "birth_date": pd.to_datetime(["1990-03-07 00:00:00", "1985-12-31 00:00:00", "1970-01-01 10:30:00"]),
        "province": ["广东省"] * 3,
        "city": ["深圳市"] * 3,
        "registered_phone": ["13812345678", "+86 139 1234 5678", "0086-13712345678"],
        "annual_income": [120000.0, None, 50000.0],
        "onboard_date": pd.to_datetime(["2015-03-22", "2016-01-01", "2017-07-07"]),
        "segment": ["mass", "vip", "young"],
    })


def test_pandas_parquet_dates_are_ingested_and_times_of_day_refused(lake: Lake, tmp_path: Path) -> None:
    path = tmp_path / "customers.parquet"
    _customers_frame().to_parquet(path, index=False)
    assert pa.types.is_timestamp(pq.read_schema(path).field("birth_date").type)

    report = lake.ingest([path])

    assert (report.accepted, report.rejected) == (2, 1)
    stored = _rows(lake, "customers", "customer_id, birth_date, registered_phone")
    assert stored == [("K1", dt.date(1990, 3, 7), "+8613812345678"), ("K2", dt.date(1985, 12, 31), "+8613912345678")]
    rejected = lake.quarantine().execute()
    assert list(rejected["column"]) == ["birth_date"] and list(rejected["line"]) == [3]


def test_zoned_timestamps_in_a_date_column_use_the_shanghai_calendar_day() -> None:
    utc_evening = pa.array([dt.datetime(1990, 3, 6, 16, 0)], pa.timestamp("us", "UTC"))  # 00:00 on 7 March, UTC+8
    parsed = parse_column(utc_evening, TABLES["customers"].column("birth_date"))
    assert parsed.values.to_pylist() == [dt.date(1990, 3, 7)] and parsed.reasons.to_pylist() == [None]


def test_pandas_float_ints_keep_whole_values_and_refuse_fractions(lake: Lake, tmp_path: Path) -> None:
    path = tmp_path / "product_events.parquet"
    events = pd.DataFrame({
        "event_id": ["E1", "E2", "E3"],
        "account_id": ["ACC-1"] * 3,
        "customer_id": ["K1"] * 3,
        "event_time": pd.to_datetime(["2024-01-07 10:00:00"] * 3),
        "event_type": ["instalment_plan", "annual_fee", "instalment_plan"],
        "amount": [3000.0, 300.0, 100.0],
        "term_months": [12.0, None, 6.5],  # pandas turns a nullable int column into float64
        "initiated_by": ["customer", "system", "customer"],
        "channel": ["app", "system", "app"],
    })
    events.to_parquet(path, index=False)

    report = lake.ingest([path])

    assert (report.accepted, report.rejected) == (2, 1)
    assert _rows(lake, "product_events", "event_id, term_months") == [("E1", 12), ("E2", None)]
