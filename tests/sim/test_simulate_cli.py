"""``grayshield simulate`` end to end through the real CLI app."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from grayshield.cli.main import app

runner = CliRunner()


def test_simulate_writes_a_world_and_refuses_to_overwrite_it(tmp_path: Path, cli_home: Path) -> None:
    out = tmp_path / "world"
    args = ["simulate", "--customers", "120", "--months", "2", "--seed", "9", "--profile", "easy", "--out", str(out)]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.stdout.strip().splitlines()[-1])
    assert manifest["customers"] == 120 and manifest["profile"] == "easy"
    assert (out / "world.json").exists() and (out / "report.md").exists()

    again = runner.invoke(app, args)
    assert again.exit_code == 65
    assert "--force" in again.output

    forced = runner.invoke(app, [*args, "--force", "--start", "2025-03"])
    assert forced.exit_code == 0, forced.output
    assert json.loads((out / "world.json").read_text(encoding="utf-8"))["start"] == "2025-03"


def test_bad_options_are_clear_errors(tmp_path: Path, cli_home: Path) -> None:
    result = runner.invoke(app, ["simulate", "--profile", "nightmare", "--out", str(tmp_path / "w")])
    assert result.exit_code == 65
    assert "unknown profile" in result.output
    assert not (tmp_path / "w").exists()
