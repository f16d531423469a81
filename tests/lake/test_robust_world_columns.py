"""A world folder whose Parquet files leave optional columns out reads with the full contract schema.

The contract lets extracts omit optional columns; engines index them directly (the complaint engine reads
``contact_phone``), so an evaluation extract prepared without them must not fail with a KeyError.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from grayshield.contract import TABLES
from grayshield.lake import open_world


def test_absent_optional_columns_read_as_typed_nulls(tmp_path: Path) -> None:
    complaints = TABLES["complaints"]
    required = pa.table({
        "complaint_id": ["T1"], "customer_id": ["K1"], "received_time": [dt.datetime(2024, 3, 1, 9, 30)],
        "channel": ["hotline"], "category": ["fees"], "text": ["年费不合理"], "representative_type": ["self"],
        "material_count": [0],
    })
    assert set(required.column_names) == set(complaints.required_columns)
    (tmp_path / "complaints").mkdir()
    pq.write_table(required.select(list(reversed(required.column_names))), tmp_path / "complaints" / "p.parquet")

    table = open_world(tmp_path).table("complaints")

    assert list(table.columns) == list(complaints.column_names)
    assert str(table.schema()["closed_time"]) == "timestamp(3)"
    row = table.execute().iloc[0]
    assert row["complaint_id"] == "T1" and pd.isna(row["contact_phone"]) and pd.isna(row["representative_name"])


def test_a_missing_required_column_is_not_invented(tmp_path: Path) -> None:
    (tmp_path / "staff").mkdir()
    pq.write_table(pa.table({"staff_id": ["S1"], "team": ["T"]}), tmp_path / "staff" / "p.parquet")
    assert list(open_world(tmp_path).table("staff").columns) == ["staff_id", "team", "shift"]
