"""``grayshield tags`` end to end on a temporary home: propose, review, history, import, export, expire."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from grayshield.cli.tags import app
from grayshield.core.settings import get_settings
from grayshield.store import Database, upgrade

runner = CliRunner()


def _store() -> None:
    db = Database(get_settings().db_url)
    upgrade(db)
    db.dispose()


def test_tag_commands_round_trip(cli_home: Path, tmp_path: Path) -> None:
    _store()
    made = runner.invoke(app, ["propose", "blackgray_number", "number", "170 1234 5678", "--actor", "zhang",
                               "--confidence", "0.8", "--note", "案件 A-17", "--json"])
    assert made.exit_code == 0, made.output
    tag_id = json.loads(made.stdout)["id"]
    own = runner.invoke(app, ["review", str(tag_id), "confirm", "--reason", "自审", "--actor", "zhang"])
    assert own.exit_code == 65 and "四眼" in own.output
    ok = runner.invoke(app, ["review", str(tag_id), "confirm", "--reason", "录音核实", "--actor", "wang", "--json"])
    assert json.loads(ok.stdout)["state"] == "confirmed"
    history = json.loads(runner.invoke(app, ["history", str(tag_id), "--json"]).stdout)
    assert [h["action"] for h in history] == ["proposed", "confirmed"]

    source = tmp_path / "list.csv"
    source.write_text("tag_type,subject_type,subject_id\nblackgray_number,number,13812345678\n"
                      "blackgray_number,number,oops\n", encoding="utf-8")
    imported = runner.invoke(app, ["import", str(source), "--list", "同业名单", "--actor", "li", "--json"])
    assert imported.exit_code == 3  # partial: one row refused
    assert json.loads(imported.stdout)["created"] == 1

    out = tmp_path / "out.csv"
    assert runner.invoke(app, ["export", str(out), "--state", "proposed"]).exit_code == 0
    assert "+8613812345678" in out.read_text(encoding="utf-8")
    listed = json.loads(runner.invoke(app, ["list", "--subject-type", "number", "--subject", "17012345678",
                                            "--json"]).stdout)
    assert [t["id"] for t in listed] == [tag_id]
    assert json.loads(runner.invoke(app, ["expire", "--json"]).stdout) == {"expired": 0}


def test_clear_errors(cli_home: Path) -> None:
    _store()
    unknown = runner.invoke(app, ["propose", "nope", "number", "13812345678", "--actor", "x"])
    assert unknown.exit_code == 65 and "未知标签类型" in unknown.output
    missing = runner.invoke(app, ["review", "42", "confirm", "--reason", "r", "--actor", "x"])
    assert missing.exit_code == 66 and "不存在" in missing.output
    assert runner.invoke(app, ["import", "/no/such.csv", "--list", "L", "--actor", "x"]).exit_code == 66
