"""``grayshield pii`` through Typer's CliRunner on real files."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from typer.testing import CliRunner

from grayshield.cli.pii import app

runner = CliRunner()


def test_scan_json_gives_one_object_per_line(tmp_path: Path, cli_home: Path) -> None:
    source = tmp_path / "calls.txt"
    source.write_text("客户张伟电话13800138000\n\n卡号6222021234567890128\n", encoding="utf-8")
    result = runner.invoke(app, ["scan", str(source), "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["line"] for line in lines] == [1, 2, 3]
    assert lines[0]["hits"][1] == {
        "entity": "PHONE",
        "start": 6,
        "end": 17,
        "text": "13800138000",
        "confidence": 0.95,
        "recogniser": "number",
        "reason": "mobile numbering plan",
    }
    assert lines[1]["hits"] == [] and lines[2]["hits"][0]["entity"] == "BANK_CARD"


def test_scan_table_summarises_per_column(tmp_path: Path, cli_home: Path) -> None:
    source = tmp_path / "t.parquet"
    pq.write_table(pa.table({"remark": ["电话13800138000", "无"], "n": [1, 2]}), source)
    result = runner.invoke(app, ["scan", str(source), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"file": str(source), "rows": 2, "columns": {"remark": {"PHONE": 1}}}


def test_mask_csv_with_policy_and_default_output(tmp_path: Path, cli_home: Path) -> None:
    source = tmp_path / "c.csv"
    source.write_text("name,phone\n张伟,13800138000\n", encoding="utf-8")
    policy = tmp_path / "p.toml"
    policy.write_text('version = "t"\n[entities.PHONE]\noperator = "token"\n', encoding="utf-8")
    result = runner.invoke(
        app,
        ["mask", str(source), "--columns", "name=PERSON_NAME,phone=PHONE", "--policy", str(policy), "--json"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["policy_version"] == "t" and summary["hits"] == {"PERSON_NAME": 1, "PHONE": 1}
    written = (tmp_path / "c.masked.csv").read_text(encoding="utf-8")
    assert "[姓名]" in written and "[电话号码:" in written and "13800138000" not in written


def test_errors_are_messages_with_exit_codes(tmp_path: Path, cli_home: Path) -> None:
    missing = runner.invoke(app, ["mask", str(tmp_path / "none.txt")])
    assert missing.exit_code == 65 and "not found" in missing.output
    bad_policy = tmp_path / "p.toml"
    bad_policy.write_text('version = "t"\n[entities.PHONE]\noperator = "blur"\n', encoding="utf-8")
    source = tmp_path / "a.txt"
    source.write_text("x\n", encoding="utf-8")
    result = runner.invoke(app, ["mask", str(source), "--policy", str(bad_policy)])
    assert result.exit_code == 65 and "p.toml" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_policy_command_validates_and_prints(cli_home: Path) -> None:
    result = runner.invoke(app, ["policy"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["entities"]["BANK_CARD"] == {
        "operator": "mask",
        "keep_first": 6,
        "keep_last": 4,
        "mask_char": "*",
        "keep_from": None,
        "keep_admin": False,
    }


def test_customer_names_from_a_world(tmp_path: Path, cli_home: Path) -> None:
    world = tmp_path / "world"
    (world / "customers").mkdir(parents=True)
    pq.write_table(pa.table({"customer_id": ["C1"], "name": ["于和平"]}), world / "customers" / "p.parquet")
    source = tmp_path / "notes.txt"
    source.write_text("大家都认识于和平吗\n", encoding="utf-8")
    plain = runner.invoke(app, ["scan", str(source), "--json"])
    assert json.loads(plain.stdout)["hits"] == []
    known = runner.invoke(app, ["scan", str(source), "--json", "--customers", str(world)])
    assert known.exit_code == 0, known.output
    assert [h["text"] for h in json.loads(known.stdout)["hits"]] == ["于和平"]
    masked = runner.invoke(app, ["mask", str(source), "--customers", str(world), "--json"])
    assert masked.exit_code == 0 and "于和平" not in (tmp_path / "notes.masked.txt").read_text(
        encoding="utf-8"
    )
    missing = runner.invoke(app, ["scan", str(source), "--customers", str(tmp_path / "nowhere")])
    assert missing.exit_code == 65 and "--customers" in missing.output
