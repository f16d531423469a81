"""Arrow types of contract tables: the physical schema of the lake's Parquet files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from grayshield.contract.model import DType, Table

if TYPE_CHECKING:
    import pyarrow as pa


def arrow_type(dtype: DType) -> pa.DataType:
    import pyarrow as pa

    return {
        DType.STRING: pa.string(),
        DType.INT: pa.int64(),
        DType.FLOAT: pa.float64(),
        DType.BOOL: pa.bool_(),
        DType.DATE: pa.date32(),
        DType.TIMESTAMP: pa.timestamp("ms"),
        DType.PHONE: pa.string(),
        DType.FLOAT_LIST: pa.list_(pa.float32()),
    }[dtype]


def arrow_schema(table: Table) -> pa.Schema:
    import pyarrow as pa

    return pa.schema([pa.field(c.name, arrow_type(c.dtype), nullable=c.nullable) for c in table.columns])
