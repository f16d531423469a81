"""``grayshield gangs`` and ``grayshield cases`` end to end on a simulated world and a temporary home."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from grayshield.cli.cases import app as cases_app
from grayshield.cli.gangs import app as gangs_app
from grayshield.core.settings import get_settings
from grayshield.store import Database, upgrade

runner = CliRunner()


def test_discover_open_export_verify(cli_home: Path, tmp_path: Path,
                                     simulated_world: Callable[..., Path]) -> None:
    db = Database(get_settings().db_url)
    upgrade(db)
    db.dispose()
    world = simulated_world("hard", 2_000, 6, seed=21)

    missing = runner.invoke(gangs_app, ["list"])
    assert missing.exit_code == 66 and "尚未运行团伙发现" in missing.output
    first = runner.invoke(gangs_app, ["discover", str(world), "--json"])
    assert first.exit_code == 0, first.output
    run = json.loads(first.stdout)
    assert run["run"] == 1 and run["gangs"] and all(g["status"] == "new" for g in run["gangs"])
    again = json.loads(runner.invoke(gangs_app, ["discover", str(world), "--json"]).stdout)
    assert {g["gang_id"] for g in again["gangs"]} == {g["gang_id"] for g in run["gangs"]}
    assert all(g["status"] == "continued" for g in again["gangs"])
    gang_id = run["gangs"][0]["gang_id"]
    shown = json.loads(runner.invoke(gangs_app, ["show", gang_id, "--json"]).stdout)
    assert "依据" in shown["summary_zh"] and "******" in shown["summary_zh"]
    assert runner.invoke(gangs_app, ["show", "GS-9999"]).exit_code == 66

    opened = runner.invoke(cases_app, ["open", "gang", gang_id, "--title", "测试团伙案件", "--assignee", "li",
                                       "--deadline", "2099-01-01", "--actor", "zhang", "--json"])
    assert opened.exit_code == 0, opened.output
    case_id = str(json.loads(opened.stdout)["id"])
    assert runner.invoke(cases_app, ["move", case_id, "investigating", "--reason", "开始调查"]).exit_code == 0
    bad = runner.invoke(cases_app, ["move", case_id, "closed", "--reason", "结案"])
    assert bad.exit_code == 65 and "结案须给出结论" in bad.output
    assert runner.invoke(cases_app, ["note", case_id, "已调取录音"]).exit_code == 0
    evidence = tmp_path / "call.json"
    evidence.write_text(json.dumps({"call_id": "CL1", "caller": "+8617012345678"}), encoding="utf-8")
    attached = runner.invoke(cases_app, ["attach", case_id, "--kind", "call", "--source", "call:CL1",
                                         "--title", "代客户来电", "--content", str(evidence)])
    assert attached.exit_code == 0, attached.output

    out = tmp_path / "package"
    exported = runner.invoke(cases_app, ["export", case_id, "--for", "internal", "--out", str(out),
                                         "--reason", "内部通报", "--json"])
    assert exported.exit_code == 0, exported.output
    assert "+8617012345678" not in (out / "bundle.json").read_text(encoding="utf-8")
    assert runner.invoke(cases_app, ["verify", str(out)]).exit_code == 0
    (out / "bundle.json").write_bytes((out / "bundle.json").read_bytes().replace(b"GS-", b"GX-", 1))
    tampered = runner.invoke(cases_app, ["verify", str(out), "--json"])
    assert tampered.exit_code == 1 and json.loads(tampered.stdout)["changed"] == ["bundle.json"]

    history = json.loads(runner.invoke(cases_app, ["show", case_id, "--json"]).stdout)
    assert [e["action"] for e in history["events"]] == ["opened", "evidence_added", "state_changed", "note",
                                                        "evidence_added", "exported"]
    assert history["events"][-1]["after"]["reveal_pii"] is False
    board = json.loads(runner.invoke(cases_app, ["list", "--state", "investigating", "--json"]).stdout)
    assert [c["id"] for c in board] == [int(case_id)]
    unknown = runner.invoke(cases_app, ["export", case_id, "--for", "press", "--out", str(tmp_path / "x"),
                                        "--reason", "r"])
    assert unknown.exit_code != 0 and "Traceback" not in unknown.output
