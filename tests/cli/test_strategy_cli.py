"""The analysts' strategy workflow through the CLI: validate, draft, refuse to publish untested rules, diff."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from grayshield.cli.main import app
from grayshield.strategies.rules import default_rule_text

runner = CliRunner()


def test_validate_names_the_problem(tmp_path: Path, cli_home: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text(default_rule_text(), encoding="utf-8")
    assert runner.invoke(app, ["strategy", "validate", str(good)]).exit_code == 0

    bad = tmp_path / "bad.toml"
    bad.write_text(default_rule_text().replace("A = 0.30", "A = 1.30"), encoding="utf-8")
    result = runner.invoke(app, ["strategy", "validate", str(bad)])
    assert result.exit_code == 65
    assert "band thresholds" in result.output and "Traceback" not in result.output


def test_publish_needs_a_backtest_of_this_draft(tmp_path: Path, cli_home: Path) -> None:
    draft = tmp_path / "draft.toml"
    draft.write_text(default_rule_text().replace('version = "2024.1"', 'version = "2024.2"'), encoding="utf-8")
    assert runner.invoke(app, ["strategy", "draft", "tighter", str(draft)]).exit_code == 0
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"strategy_version": "2024.1"}), encoding="utf-8")
    refused = runner.invoke(app, ["strategy", "publish", "tighter", "--backtest", str(wrong)])
    assert refused.exit_code == 65 and "backtest" in refused.output
    right = tmp_path / "right.json"
    right.write_text(json.dumps({"strategy_version": "2024.2"}), encoding="utf-8")
    assert runner.invoke(app, ["strategy", "publish", "tighter", "--backtest", str(right)]).exit_code == 0
    listed = json.loads(runner.invoke(app, ["strategy", "list", "--json"]).stdout)
    assert listed == {"versions": ["v0001"], "active": "v0001"}
    diff = runner.invoke(app, ["strategy", "diff", "default", "v0001"])
    assert '-version = "2024.1"' in diff.stdout and '+version = "2024.2"' in diff.stdout


def test_score_without_a_model_says_how_to_get_one(tmp_path: Path, cli_home: Path) -> None:
    world = tmp_path / "empty-world"
    world.mkdir()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, ["score", "complaints", "--as-of", "2024-06-01", "--world", str(world)])
    assert result.exit_code == 66 and "train" in result.output
    bad_date = runner.invoke(app, ["score", "complaints", "--as-of", "June 1st", "--world", str(world)])
    assert bad_date.exit_code == 65 and "YYYY-MM-DD" in bad_date.output
