"""Operators, policies and masking of texts, Arrow tables and streamed files (real files, real pyarrow)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from grayshield.core.errors import ConfigError, IngestError, ValidationError
from grayshield.pii import load_policy, mask_file, mask_table, mask_text
from grayshield.pii.policy import parse_policy

TEXT = "客户张伟，卡号6222021234567890128，电话138 0013 8000，身份证11010519491231002X，邮箱lina88@qq.com。"
KEY = b"test-key"


def policy_of(**entities: dict[str, object]) -> object:
    return parse_policy({"version": "t1", "entities": entities}, "test")


def test_default_policy_is_jrt_display_masking() -> None:
    assert mask_text(TEXT) == (
        "客户张*，卡号622202*********0128，电话138 **** 8000，身份证1****************X，邮箱li****@qq.com。"
    )


def test_address_keeps_administrative_units() -> None:
    assert mask_text("住在广东省深圳市南山区科技园路12号3栋501室") == "住在广东省深圳市南山区*************"


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ({"operator": "redact"}, "电话"),
        ({"operator": "placeholder"}, "电话[电话号码]"),
        ({"operator": "keep"}, "电话13800138000"),
        ({"operator": "mask", "keep_first": 3, "keep_last": 4, "mask_char": "#"}, "电话138####8000"),
    ],
)
def test_operators(operator: dict[str, object], expected: str) -> None:
    policy = parse_policy({"version": "t", "entities": {"PHONE": operator}}, "test")
    assert mask_text("电话13800138000", policy) == expected


def test_tokens_are_keyed_deterministic_and_ignore_formatting() -> None:
    policy = parse_policy({"version": "t", "default": {"operator": "token"}}, "test")
    spaced = mask_text("电话138 0013 8000", policy, key=KEY)
    plain = mask_text("电话+8613800138000", policy, key=KEY)
    assert spaced == plain and "13800138000" not in spaced and spaced.startswith("电话[电话号码:")
    assert mask_text("电话13800138000", policy, key=b"other") != plain
    with pytest.raises(ConfigError, match="pii_token_key"):
        mask_text("电话13800138000", policy)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"entities": {}}, "version"),
        ({"version": "1", "entities": {"SSN": {"operator": "mask"}}}, "unknown entities"),
        ({"version": "1", "entities": {"PHONE": {"operator": "blur"}}}, "PHONE"),
        ({"version": "1", "entities": {"PHONE": {"operator": "mask", "keep": 3}}}, "keep"),
        ({"version": "1", "entities": {"PHONE": {"operator": "mask", "keep_first": -1}}}, "keep_first"),
    ],
)
def test_bad_policies_are_clear_errors(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_policy(data, "bad.toml")


def test_policy_file_errors_name_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "p.toml"
    broken.write_text("version = [", encoding="utf-8")
    with pytest.raises(ValidationError, match="p.toml"):
        load_policy(broken)
    with pytest.raises(ValidationError, match="not found"):
        load_policy(tmp_path / "missing.toml")


def test_mask_table_scans_text_columns_and_masks_whole_values() -> None:
    table = pa.table(
        {
            "customer_id": ["C1", "C2", "C3"],
            "name": ["张伟", "欧阳娜娜", None],
            "remark": ["回拨13800138000", "", "无"],
            "phone": [13800138000, 13912345678, None],
        }
    )
    masked = mask_table(table, {"name": "PERSON_NAME", "remark": None, "phone": "PHONE"})
    assert masked.column("customer_id").to_pylist() == ["C1", "C2", "C3"]
    assert masked.column("name").to_pylist() == ["张*", "欧***", None]
    assert masked.column("remark").to_pylist() == ["回拨138****8000", "", "无"]
    assert masked.column("phone").to_pylist() == ["138****8000", "139****5678", None]
    with pytest.raises(ValidationError, match="not in the table"):
        mask_table(table, ["nope"])
    with pytest.raises(ValidationError, match="unknown entity"):
        mask_table(table, "name=NAME")


def test_token_columns_still_join() -> None:
    policy = parse_policy({"version": "t", "default": {"operator": "token"}}, "test")
    left = mask_table(pa.table({"phone": ["138 0013 8000"]}), "phone=PHONE", policy, key=KEY)
    right = mask_table(pa.table({"phone": ["13800138000"]}), "phone=PHONE", policy, key=KEY)
    assert left.column("phone").to_pylist() == right.column("phone").to_pylist()


def test_csv_streams_in_batches_keeps_text_and_writes_atomically(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    rows = [f"C{i:05d},0{i:03d},客户张伟电话1380013{i:04d}" for i in range(3000)]
    source.write_text("customer_id,branch,remark\n" + "\n".join(rows) + "\n", encoding="utf-8")
    target = tmp_path / "out" / "masked.csv"
    stats = mask_file(source, target, "remark")
    assert stats.rows == 3000 and stats.hits["PHONE"] == 3000 and stats.hits["PERSON_NAME"] == 3000
    as_text = pacsv.ConvertOptions(
        column_types=dict.fromkeys(["customer_id", "branch", "remark"], pa.string())
    )
    out = pacsv.read_csv(target, convert_options=as_text).to_pylist()
    assert out[7] == {"customer_id": "C00007", "branch": "0007", "remark": "客户张*电话138****0007"}
    assert not list(target.parent.glob(".*tmp"))


def test_parquet_round_trip(tmp_path: Path) -> None:
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"card": ["6222021234567890128", None], "n": [1, 2]}), source)
    mask_file(source, tmp_path / "out.parquet", "card=BANK_CARD")
    out = pq.read_table(tmp_path / "out.parquet")
    assert out.column("card").to_pylist() == ["622202*********0128", None]
    assert out.column("n").to_pylist() == [1, 2]


def test_failed_run_leaves_no_output(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("a,b\n1,2\n", encoding="utf-8")
    target = tmp_path / "out.csv"
    with pytest.raises(ValidationError):
        mask_file(source, target, "missing_column")
    assert not target.exists() and not list(tmp_path.glob(".*tmp"))
    with pytest.raises(ValidationError, match="columns"):
        mask_file(source, target)
    with pytest.raises(IngestError, match="not found"):
        mask_file(tmp_path / "none.txt", target)


def test_text_file_is_masked_line_by_line(tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text(TEXT + "\n第二行没有\n", encoding="utf-8")
    mask_file(source, tmp_path / "notes.masked.txt")
    lines = (tmp_path / "notes.masked.txt").read_text(encoding="utf-8").splitlines()
    assert lines[1] == "第二行没有" and "13800138000" not in lines[0] and "张伟" not in lines[0]
    bad = tmp_path / "gbk.txt"
    bad.write_bytes("客户张伟".encode("gbk"))
    with pytest.raises(IngestError, match="UTF-8"):
        mask_file(bad, tmp_path / "x.txt")
