"""``grayshield compliance`` end to end on a simulated world: train, QA, process checks, review, labels."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from grayshield.cli.compliance import app
from grayshield.compliance.evaluation import train_world
from grayshield.core.settings import get_settings
from grayshield.store import Database, upgrade

runner = CliRunner()


def _store() -> None:
    db = Database(get_settings().db_url)
    upgrade(db)
    db.dispose()


def test_qa_process_and_review_round_trip(cli_home: Path, tmp_path: Path,
                                          simulated_world: Callable[..., Path]) -> None:
    world = simulated_world("default", 2_000, 6, seed=7)
    _store()
    rules_only = runner.invoke(app, ["qa", str(world), "--json"])
    assert rules_only.exit_code == 0, rules_only.output
    assert json.loads(rules_only.stdout)["model"] == "rules_only"

    trained = train_world(world, get_settings().models_dir)
    qa = runner.invoke(app, ["qa", str(world), "--by", "team", "--save", "--json"])
    assert qa.exit_code == 0, qa.output
    summary = json.loads(qa.stdout)
    assert summary["model"] == f"compliance_qa/{trained['version']}" and summary["calls"] > 50
    assert summary["saved"]["added"] > 0 and "team" in summary["scores"][0]

    process = runner.invoke(app, ["process", str(world), "--save", "--json"])
    assert process.exit_code == 0, process.output
    report = json.loads(process.stdout)
    assert report["expected_path"].startswith("received > registered")
    assert report["staff_alerts"] > 0 and report["saved"]["added"] >= report["case_alerts"]

    queue = json.loads(runner.invoke(app, ["review", "--source", "qa", "--json"]).stdout)
    assert queue and all(r["state"] == "open" for r in queue)
    done = runner.invoke(app, ["review", "--confirm", str(queue[0]["id"]), "--reason", "复听属实", "--actor", "wang",
                               "--json"])
    assert json.loads(done.stdout)["state"] == "confirmed"
    again = runner.invoke(app, ["review", "--dismiss", str(queue[0]["id"]), "--reason", "x", "--actor", "li"])
    assert again.exit_code != 0 and "已复核（confirmed）" in again.output
    labels = tmp_path / "labels.csv"
    assert runner.invoke(app, ["review", "--export-labels", str(labels)]).exit_code == 0
    assert len(labels.read_text(encoding="utf-8").splitlines()) == 2


def test_rules_command_and_clear_errors(cli_home: Path, tmp_path: Path) -> None:
    ok = runner.invoke(app, ["rules", "--json"])
    assert ok.exit_code == 0 and len(json.loads(ok.stdout)["rules"]) == 9
    broken = tmp_path / "rules.toml"
    broken.write_text("version = 1\n", encoding="utf-8")
    bad = runner.invoke(app, ["rules", str(broken)])
    assert bad.exit_code != 0 and "rulebook" in bad.output
    missing = runner.invoke(app, ["qa", str(tmp_path / "nowhere")])
    assert missing.exit_code != 0 and "Traceback" not in missing.output
    wrong = runner.invoke(app, ["qa", str(tmp_path), "--by", "desk"])
    assert wrong.exit_code != 0 and "--by" in wrong.output
