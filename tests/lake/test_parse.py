"""Each contract type's parser, table-driven: what it accepts, what it stores, what it refuses and why."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from grayshield.contract import TABLES
from grayshield.contract.model import Column, DType
from grayshield.lake.parse import parse_column


def parse(column: Column, values: list[object]) -> tuple[list[object], list[str | None]]:
    result = parse_column(pa.array(values), column)
    return result.values.to_pylist(), result.reasons.to_pylist()


CALLS = TABLES["calls"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01 09:30:00", dt.datetime(2024, 3, 1, 9, 30)),
        ("2024-03-01T09:30:00", dt.datetime(2024, 3, 1, 9, 30)),
        ("2024-03-01 09:30", dt.datetime(2024, 3, 1, 9, 30)),
        ("2024/03/01 09:30:00", dt.datetime(2024, 3, 1, 9, 30)),
        ("2024-03-01T09:30:00+08:00", dt.datetime(2024, 3, 1, 9, 30)),
        ("2024-03-01T01:30:00Z", dt.datetime(2024, 3, 1, 9, 30)),
        ("2024-03-01T09:30:00.250-05:00", dt.datetime(2024, 3, 1, 22, 30, 0, 250_000)),
        ("2024-02-29T20:00:00+0000", dt.datetime(2024, 3, 1, 4, 0)),  # crosses a month boundary
    ],
)
def test_timestamps_become_naive_shanghai_time(text: str, expected: dt.datetime) -> None:
    values, reasons = parse(CALLS.column("start_time"), [text])
    assert values == [expected] and reasons == [None]


@pytest.mark.parametrize(
    "text", ["2024-02-30 10:00:00", "2024-03-01 24:00:00", "yesterday", "2024-03-01", "2024-03-01T09:30+25:00"]
)
def test_bad_timestamps_are_refused_with_a_reason(text: str) -> None:
    values, reasons = parse(CALLS.column("start_time"), [text])
    assert values == [None] and reasons[0] is not None and "ISO 8601" in reasons[0]


def test_dates_accept_three_forms_and_refuse_impossible_days() -> None:
    column = TABLES["customers"].column("birth_date")
    values, reasons = parse(column, ["1990-05-17", "1990/05/17", "19900517", "1990-02-30", "17/05/1990"])
    assert values[:3] == [dt.date(1990, 5, 17)] * 3
    assert values[3:] == [None, None]
    assert reasons[:3] == [None] * 3 and all("不是有效日期" in str(r) for r in reasons[3:])


def test_bools_in_every_documented_form() -> None:
    values, reasons = parse(CALLS.column("identity_verified"),
                            ["true", "FALSE", "1", "0", "yes", "No", "y", "n", "是", "否", "maybe"])
    assert values == [True, False, True, False, True, False, True, False, True, False, None]
    assert reasons[-1] is not None and reasons[:-1] == [None] * 10


def test_ints_with_range_checks() -> None:
    values, reasons = parse(CALLS.column("duration_s"), ["0", " 42 ", "86400", "86401", "-1", "4.5", "abc", ""])
    assert values[:3] == [0, 42, 86_400]
    assert reasons[:3] == [None] * 3
    assert "大于最大值" in str(reasons[3]) and "小于最小值" in str(reasons[4])
    assert "不是整数" in str(reasons[5]) and "不是整数" in str(reasons[6])
    assert "必填值为空" in str(reasons[7])


def test_optional_empty_values_are_null_and_enumerations_are_closed() -> None:
    values, reasons = parse(CALLS.column("queue"), ["vip", "", None, "VIP"])
    assert values[:3] == ["vip", None, None] and reasons[:3] == [None, None, None]
    assert "不在允许值中" in str(reasons[3])


def test_float_lists_from_json_or_spaces() -> None:
    column = TABLES["voiceprints"].column("embedding")
    values, reasons = parse(column, ["[0.5, -0.25]", "0.5 -0.25 1e-1", "[]", "[0.5, x]"])
    assert values[0] == [0.5, -0.25] and values[1] == pytest.approx([0.5, -0.25, 0.1])
    assert reasons[:2] == [None, None] and reasons[2] is not None and reasons[3] is not None


def test_typed_parquet_columns_skip_text_parsing_and_aware_timestamps_convert() -> None:
    column = CALLS.column("start_time")
    aware = pa.array([dt.datetime(2024, 3, 1, 1, 30)], pa.timestamp("us", "UTC"))
    result = parse_column(aware, column)
    assert result.values.type == pa.timestamp("ms")
    assert result.values.to_pylist() == [dt.datetime(2024, 3, 1, 9, 30)]
    ints = parse_column(pa.array([5, -1], pa.int32()), CALLS.column("duration_s"))
    assert ints.values.type == pa.int64() and ints.reasons.to_pylist()[0] is None
    assert "小于最小值" in str(ints.reasons.to_pylist()[1])


def test_every_dtype_has_a_parser() -> None:
    for dtype in DType:
        column = Column("x", dtype, "test", required=False, nullable=True)
        result = parse_column(pa.array([None, ""], pa.string()), column)
        assert result.reasons.to_pylist() == [None, None]
