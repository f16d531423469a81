"""Vectorised parsing of one column against its contract type, with a reason for every value that fails.

Text formats arrive as strings; each contract type has one parser that turns a string array into the
stored Arrow type and a parallel array of reasons (null where the value is fine). Parquet columns that
already have the stored type skip parsing. Everything is pyarrow compute: no Python loop over rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from grayshield.contract.arrow import arrow_type
from grayshield.contract.model import Column, DType
from grayshield.lake.phone import normalise_phone_array

TRUE_WORDS = ("true", "1", "yes", "y", "t", "是")
FALSE_WORDS = ("false", "0", "no", "n", "f", "否")
INT_PATTERN = r"^[+-]?\d{1,18}$"
FLOAT_PATTERN = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
DATE_PATTERN = r"^(\d{4}-\d{2}-\d{2}|\d{4}/\d{2}/\d{2}|\d{8})$"
TIMESTAMP_PATTERN = (
    r"^(?P<day>\d{4}[-/]\d{2}[-/]\d{2})[T ](?P<clock>\d{2}:\d{2}(?::\d{2})?)"
    r"(?P<fraction>\.\d{1,9})?(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?$"
)
CANONICAL_TIMESTAMP = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"
# China has kept UTC+8 all year since 1991, so a fixed offset converts to Asia/Shanghai exactly.
SHANGHAI_OFFSET_MINUTES = 8 * 60

REASON_MISSING = "必填值为空"


@dataclass(frozen=True)
class ParsedColumn:
    """The column in its stored type (null where blank or invalid) and why each rejected value failed."""

    values: pa.Array
    reasons: pa.Array  # string, null where the value is acceptable


def _null_strings(length: int) -> pa.Array:
    return pa.nulls(length, pa.string())


def _reason_where(mask: pa.Array, reason: str) -> pa.Array:
    return pc.if_else(pc.fill_null(mask, False), reason, pa.scalar(None, pa.string()))


def _first_reason(*reasons: pa.Array) -> pa.Array:
    return pc.coalesce(*reasons)


def _parse_int(text: pa.Array) -> tuple[pa.Array, pa.Array]:
    ok = pc.match_substring_regex(text, INT_PATTERN)
    return pc.cast(pc.if_else(ok, text, pa.scalar(None, pa.string())), pa.int64()), ok


def _parse_float(text: pa.Array) -> tuple[pa.Array, pa.Array]:
    ok = pc.match_substring_regex(text, FLOAT_PATTERN)
    return pc.cast(pc.if_else(ok, text, pa.scalar(None, pa.string())), pa.float64()), ok


def _parse_bool(text: pa.Array) -> tuple[pa.Array, pa.Array]:
    lowered = pc.utf8_lower(text)
    is_true = pc.is_in(lowered, value_set=pa.array(TRUE_WORDS))
    is_false = pc.is_in(lowered, value_set=pa.array(FALSE_WORDS))
    ok = pc.or_(is_true, is_false)
    return pc.if_else(ok, is_true, pa.scalar(None, pa.bool_())), ok


def _iso_to_timestamp(text: pa.Array, fmt: str) -> pa.Array:
    """Text already shaped as ISO ``fmt`` to timestamp[ms]; impossible dates (2024-02-30) become null.

    Arrow's cast is fast and strict but fails the whole array on one bad value; only then does the
    element-wise path run (strptime rolls 2024-02-30 over to March, so it is checked by a round trip).
    """
    try:
        return pc.cast(pc.cast(text, pa.timestamp("s")), pa.timestamp("ms"))
    except pa.ArrowInvalid:
        pass
    parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
    round_trip = pc.equal(pc.strftime(parsed, format=fmt), text)
    kept = pc.if_else(pc.fill_null(round_trip, False), parsed, pa.scalar(None, pa.timestamp("s")))
    return pc.cast(kept, pa.timestamp("ms"))


def _parse_date(text: pa.Array) -> tuple[pa.Array, pa.Array]:
    shaped = pc.match_substring_regex(text, DATE_PATTERN)
    digits = pc.replace_substring_regex(text, r"[-/]", "")
    iso = pc.replace_substring_regex(digits, r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3")
    parsed = _iso_to_timestamp(pc.if_else(shaped, iso, pa.scalar(None, pa.string())), "%Y-%m-%d")
    return pc.cast(parsed, pa.date32()), pc.is_valid(parsed)


def _parse_timestamp(text: pa.Array) -> tuple[pa.Array, pa.Array]:
    canonical = pc.match_substring_regex(text, CANONICAL_TIMESTAMP)
    if pc.all(canonical).as_py() is not False:  # the usual extract: no offsets, no fractions, one cast
        parsed = _iso_to_timestamp(text, "%Y-%m-%d %H:%M:%S")
        return parsed, pc.is_valid(parsed)
    parts = pc.extract_regex(text, TIMESTAMP_PATTERN)
    day = pc.replace_substring(pc.struct_field(parts, "day"), "/", "-")
    clock = pc.struct_field(parts, "clock")
    clock = pc.if_else(pc.equal(pc.utf8_length(clock), 5), pc.binary_join_element_wise(clock, ":00", ""), clock)
    local = _iso_to_timestamp(pc.binary_join_element_wise(day, clock, " "), "%Y-%m-%d %H:%M:%S")
    fraction = pc.struct_field(parts, "fraction")
    millis = pc.cast(pc.utf8_slice_codeunits(pc.binary_join_element_wise(fraction, "000", ""), 1, 4), pa.int64())
    local = pc.add(local, pc.cast(pc.fill_null(millis, 0), pa.duration("ms")))
    zone = pc.struct_field(parts, "zone")  # optional groups that did not match come back as ""
    has_zone = pc.not_equal(zone, "")
    zone_digits = pc.replace_substring_regex(zone, r"[Z:+-]", "")
    hours = pc.cast(pc.if_else(pc.equal(zone_digits, ""), "0", pc.utf8_slice_codeunits(zone_digits, 0, 2)), pa.int64())
    minutes_text = pc.utf8_slice_codeunits(zone_digits, 2, 4)
    minutes = pc.cast(pc.if_else(pc.equal(minutes_text, ""), "0", minutes_text), pa.int64())
    sign = pc.if_else(pc.starts_with(zone, "-"), -1, 1)
    offset = pc.multiply(sign, pc.add(pc.multiply(hours, 60), minutes))
    zone_ok = pc.or_(pc.invert(has_zone), pc.and_(pc.less_equal(hours, 14), pc.less(minutes, 60)))
    shift = pc.if_else(has_zone, pc.subtract(SHANGHAI_OFFSET_MINUTES, offset), 0)
    shanghai = pc.add(local, pc.cast(pc.multiply(shift, 60_000), pa.duration("ms")))
    ok = pc.and_(pc.is_valid(local), pc.fill_null(zone_ok, False))
    return pc.if_else(ok, shanghai, pa.scalar(None, pa.timestamp("ms"))), ok


def _parse_phone(text: pa.Array) -> tuple[pa.Array, pa.Array]:
    normalised = normalise_phone_array(text)
    return normalised, pc.is_valid(normalised)


def _parse_float_list(text: pa.Array) -> tuple[pa.Array, pa.Array]:
    inner = pc.replace_substring_regex(text, r"^\[(.*)\]$", r"\1")
    spaced = pc.utf8_trim_whitespace(pc.replace_substring(inner, ",", " "))
    pieces = pc.split_pattern_regex(spaced, r"\s+")
    flat = pc.list_flatten(pieces)
    element_ok = pc.match_substring_regex(flat, FLOAT_PATTERN)
    offsets = pieces.offsets.to_numpy(zero_copy_only=False)
    bad_counts = np.add.reduceat(np.append(np.invert(element_ok.to_numpy(zero_copy_only=False)), False), offsets[:-1])
    empty = np.diff(offsets) == 0
    bad_counts[empty] = 0
    non_empty = pc.not_equal(spaced, "")
    ok = pc.and_(pc.and_(pa.array(bad_counts == 0), non_empty), pc.is_valid(text))
    floats = pc.cast(pc.if_else(element_ok, flat, pa.scalar(None, pa.string())), pa.float32())
    lists = pa.ListArray.from_arrays(pieces.offsets, floats)
    return pc.if_else(ok, lists, pa.scalar(None, pa.list_(pa.float32()))), ok


_PARSERS: dict[DType, Callable[[pa.Array], tuple[pa.Array, pa.Array]]] = {
    DType.INT: _parse_int,
    DType.FLOAT: _parse_float,
    DType.BOOL: _parse_bool,
    DType.DATE: _parse_date,
    DType.TIMESTAMP: _parse_timestamp,
    DType.PHONE: _parse_phone,
    DType.FLOAT_LIST: _parse_float_list,
}

_EXPECTED: dict[DType, str] = {
    DType.INT: "不是整数",
    DType.FLOAT: "不是数字",
    DType.BOOL: "不是布尔值（true/false、1/0、yes/no、是/否）",
    DType.DATE: "不是有效日期（YYYY-MM-DD、YYYY/MM/DD 或 YYYYMMDD）",
    DType.TIMESTAMP: "不是有效的 ISO 8601 时间（如 2024-03-01 09:30:00 或 2024-03-01T09:30:00+08:00）",
    DType.PHONE: "不是有效的电话号码（手机、固话或 5-6 位服务号）",
    DType.FLOAT_LIST: "不是数字列表（JSON 数组或空格分隔的数字）",
}


def _wall_clock(values: pa.Array) -> pa.Array:
    """A timestamp column as naive Shanghai wall-clock time: a zoned instant is relabelled first."""
    if values.type.tz is not None:
        return pc.local_timestamp(values.cast(pa.timestamp(values.type.unit, "Asia/Shanghai")))
    return values


def _timestamp_as_date_text(values: pa.Array) -> pa.Array:
    """Dates that a Parquet writer stored as timestamps (pandas' datetime64 does) as text for the date parser.

    Midnight is a plain date and becomes ``YYYY-MM-DD``; any other time of day keeps its clock, so the
    date parser refuses it with the usual reason instead of silently dropping the time.
    """
    local = _wall_clock(values)
    midnight = pc.equal(pc.floor_temporal(local, unit="day"), local)
    return pc.if_else(midnight, pc.strftime(local, format="%Y-%m-%d"), pc.strftime(local, format="%Y-%m-%d %H:%M:%S"))


def _typed_input(values: pa.Array, target: pa.DataType) -> pa.Array | None:
    """Parquet columns already typed (or safely castable) skip text parsing; None means parse as text."""
    if values.type == target:
        return values
    if pa.types.is_timestamp(values.type) and pa.types.is_timestamp(target):
        return pc.cast(_wall_clock(values), target, safe=False)
    numeric = pa.types.is_integer(values.type) or pa.types.is_floating(values.type)
    if numeric and (pa.types.is_integer(target) or pa.types.is_floating(target)):
        if pa.types.is_floating(values.type) and pa.types.is_integer(target):
            return None
        return pc.cast(values, target)
    if pa.types.is_date(values.type) and pa.types.is_date(target):
        return pc.cast(values, target)
    if (pa.types.is_list(values.type) or pa.types.is_large_list(values.type)) and pa.types.is_list(target):
        return pc.cast(values, target)
    return None


def parse_column(values: pa.Array, column: Column) -> ParsedColumn:
    """Parse and check one column: type, required value, allowed values, min/max."""
    target = arrow_type(column.dtype)
    text_only = column.dtype in (DType.STRING, DType.PHONE)  # both need their text checks even from Parquet
    typed = None if text_only else _typed_input(values, target)
    if typed is not None:
        blank = pc.is_null(typed)
        parsed, type_reason = typed, _null_strings(len(typed))
    else:
        if column.dtype is DType.DATE and pa.types.is_timestamp(values.type):
            text = _timestamp_as_date_text(values)
        else:
            text = values if values.type == pa.string() else pc.cast(values, pa.string())
        if column.dtype is DType.STRING:
            blank = pc.or_(pc.is_null(text), pc.equal(text, ""))
            parsed, type_reason = pc.if_else(blank, pa.scalar(None, pa.string()), text), _null_strings(len(text))
        else:
            stripped = pc.utf8_trim_whitespace(text)
            blank = pc.or_(pc.is_null(stripped), pc.equal(stripped, ""))
            parsed, ok = _PARSERS[column.dtype](pc.if_else(blank, pa.scalar(None, pa.string()), stripped))
            bad = pc.and_(pc.invert(blank), pc.invert(pc.fill_null(ok, False)))
            type_reason = _reason_where(bad, f"{column.name} {_EXPECTED[column.dtype]}")
    blank = pc.fill_null(blank, True)
    missing = _reason_where(blank, f"{column.name} {REASON_MISSING}") if not column.nullable else None
    checks = [type_reason] + ([missing] if missing is not None else [])
    if column.allowed is not None:
        outside = pc.and_(pc.is_valid(parsed), pc.invert(pc.is_in(parsed, value_set=pa.array(column.allowed))))
        shown = "、".join(column.allowed[:12])
        checks.append(_reason_where(outside, f"{column.name} 不在允许值中（{shown}）"))
    if column.min_value is not None:
        checks.append(_reason_where(pc.less(parsed, column.min_value), f"{column.name} 小于最小值 {column.min_value:g}"))
    if column.max_value is not None:
        checks.append(_reason_where(pc.greater(parsed, column.max_value), f"{column.name} 大于最大值 {column.max_value:g}"))
    return ParsedColumn(values=parsed, reasons=_first_reason(*checks))
