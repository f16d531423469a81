"""Types that describe the data contract: what a card issuer's extract must look like.

The contract is data, not code paths: ingest validates against it, the simulator writes it, the docs
are rendered from it (``docs/data-contract.md``), so the three can never drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class DType(StrEnum):
    """Logical column types; each maps to one Arrow type in the lake."""

    STRING = "string"
    INT = "int64"
    FLOAT = "float64"
    BOOL = "bool"
    DATE = "date"
    TIMESTAMP = "timestamp"  # ISO 8601; stored naive in the contract time zone (Asia/Shanghai)
    PHONE = "phone"  # normalised to E.164 (+86...) or a 5-6 digit service number (95588)
    FLOAT_LIST = "float_list"  # voiceprint embeddings: JSON array or space-separated floats


class Sensitivity(StrEnum):
    """JR/T 0171-2020 personal financial information classes."""

    C3 = "C3"  # authentication information: passwords, ... (we never ingest these)
    C2 = "C2"  # identifying and account information: ID number, card number, phone, name, address
    C1 = "C1"  # internal, less sensitive account information
    NONE = "none"


@dataclass(frozen=True)
class Column:
    name: str
    dtype: DType
    description: str
    required: bool = True
    nullable: bool = False
    allowed: tuple[str, ...] | None = None
    sensitivity: Sensitivity = Sensitivity.NONE
    min_value: float | None = None
    max_value: float | None = None


@dataclass(frozen=True)
class Table:
    """One input table; ``primary_key`` identifies a row, duplicates of it are quarantined."""

    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: dict[str, str] = field(default_factory=dict)  # column -> "table.column"
    partition_by: str | None = None  # a date/timestamp column; partitions are by month
    grain: str = ""

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)
