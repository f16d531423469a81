from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from grayshield.cli.main import app

runner = CliRunner()


def test_help_lists_nouns() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for noun in ("config", "db"):
        assert noun in result.output


def test_config_show_hides_secrets(cli_home: Path, monkeypatch: object) -> None:
    result = runner.invoke(app, ["config", "show"], env={"GRAYSHIELD_SECRET_KEY": "hunter2-very-secret"})
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["secret_key"] == "**********" and "hunter2" not in result.stdout
    assert shown["home"] == str(cli_home)


def test_db_upgrade_then_current(cli_home: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert (cli_home / "grayshield.db").is_file()
    result = runner.invoke(app, ["db", "current", "--json"])
    info = json.loads(result.stdout)
    assert info["current_revision"] == info["head_revision"] is not None


def test_bad_config_is_a_clear_error_with_config_exit_code(cli_home: Path) -> None:
    result = runner.invoke(app, ["config", "show"], env={"GRAYSHIELD_LAKE__ENGINE": "oracle"})
    assert result.exit_code == 78
    assert "invalid configuration" in result.output and "Traceback" not in result.output
