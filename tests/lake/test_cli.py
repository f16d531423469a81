"""``grayshield ingest`` and ``grayshield lake``, through a local Typer app registering the real commands."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import typer
from lake_samples import call_line
from typer.testing import CliRunner

from grayshield.cli.ingest import ingest
from grayshield.cli.lake import app as lake_app

app = typer.Typer()
app.command("ingest")(ingest)
app.add_typer(lake_app, name="lake")
runner = CliRunner()


def test_all_accepted_exits_zero_with_a_json_report(cli_home: Path, calls_csv: Callable[..., Path]) -> None:
    result = runner.invoke(app, ["ingest", str(calls_csv("calls.csv", call_line("A1"))), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["tables"] == {"calls": {"accepted": 1, "rejected": 0}} and report["exit_code"] == 0
    assert (cli_home / "lake" / "calls").is_dir()


def test_quarantined_rows_or_refused_files_exit_three(cli_home: Path, calls_csv: Callable[..., Path],
                                                      write: Callable[..., Path]) -> None:
    path = calls_csv("calls.csv", call_line("B1"), call_line("B2", caller="1234"))
    result = runner.invoke(app, ["ingest", str(path), str(write("calls_empty.csv", ""))])
    assert result.exit_code == 3, result.output
    assert "导入报告" in result.output and "已拒绝" in result.output and "Traceback" not in result.output
    shown = runner.invoke(app, ["lake", "quarantine", "--json", "--table", "calls"])
    rows = json.loads(shown.stdout)["rows"]
    assert [(r["line"], r["column"]) for r in rows] == [(3, "caller_number")]
    summary = runner.invoke(app, ["lake", "summary", "--json"])
    assert json.loads(summary.stdout)["tables"]["calls"] == {"rows": 1, "months": ["2024-03"], "quarantined": 1}
    table = runner.invoke(app, ["lake", "summary"])
    assert table.exit_code == 0 and "calls" in table.output


def test_quarantine_display_masks_phone_numbers(cli_home: Path, calls_csv: Callable[..., Path]) -> None:
    runner.invoke(app, ["ingest", str(calls_csv("calls.csv", call_line("P1", duration="x")))])
    shown = runner.invoke(app, ["lake", "quarantine"])
    assert shown.exit_code == 0 and "13812345678" not in shown.output


def test_unknown_table_is_a_contract_error(cli_home: Path, calls_csv: Callable[..., Path]) -> None:
    result = runner.invoke(app, ["ingest", str(calls_csv("calls.csv", call_line("C1"))), "--table", "nope"])
    assert result.exit_code == 65 and "unknown table" in result.output
    shown = runner.invoke(app, ["lake", "quarantine", "--table", "nope"])
    assert shown.exit_code == 65
