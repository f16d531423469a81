"""``grayshield callers`` on a temporary home: score a world with a trained model, propose tags, show a number."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from grayshield.callers.evaluation import train_world
from grayshield.cli.callers import app
from grayshield.core.settings import get_settings
from grayshield.store import Database, upgrade

runner = CliRunner()


def test_score_propose_and_show(cli_home: Path, toy_worlds: tuple[Path, Path], tmp_path: Path) -> None:
    train, test = toy_worlds
    settings = get_settings()
    train_world(train, settings.models_dir)
    db = Database(settings.db_url)
    upgrade(db)
    db.dispose()
    out = tmp_path / "numbers.csv"
    result = runner.invoke(app, ["score", "--world", str(test), "--top", "3", "--propose-tags", "--out", str(out),
                                 "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["model"] == "callers/v0001" and body["flagged"] == body["tags_proposed"] > 0
    top = body["top"][0]
    assert top["flagged"] and top["reasons"] and top["carrier"] is not None
    assert out.read_text(encoding="utf-8").startswith("number,")
    shown = json.loads(runner.invoke(app, ["show", top["number"], "--json"]).stdout)
    assert shown["tags"][0]["tag_type"] == "blackgray_number" and shown["tags"][0]["state"] == "proposed"
    assert shown["tags"][0]["history"][0]["action"] == "proposed"


def test_show_refuses_a_malformed_number(cli_home: Path) -> None:
    result = runner.invoke(app, ["show", "12ab"])
    assert result.exit_code == 65 and "号码格式不正确" in result.output


def test_score_without_a_model_says_so(cli_home: Path, toy_worlds: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["score", "--world", str(toy_worlds[1])])
    assert result.exit_code == 66
