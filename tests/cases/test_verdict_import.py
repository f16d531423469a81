"""``grayshield cases import-verdicts``: decisions made elsewhere become closed cases, hence training labels;
a bad row is reported with its line and never stops the others."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from grayshield.cli.cases import app as cases_app
from grayshield.core.settings import get_settings
from grayshield.services.labels import store_labels
from grayshield.store import Database, upgrade

runner = CliRunner()
VERDICTS = """\ufeffsubject_type,subject_id,outcome,reason,title
number,+8617012345678,confirmed_gang,公安回函确认,
complaint,CP000001,cleared,投诉核实为客户本人真实诉求,投诉结论
number,+8613800000000,guilty,写错的结论,
account,,taken_down,平台已封号,
account,douyin:abc,taken_down,平台已封号,
"""


def _store() -> Database:
    db = Database(get_settings().db_url)
    upgrade(db)
    return db


def test_valid_rows_are_recorded_and_bad_rows_reported(cli_home: Path, tmp_path: Path) -> None:
    db = _store()
    file = tmp_path / "verdicts.csv"
    file.write_text(VERDICTS, encoding="utf-8")

    checked = runner.invoke(cases_app, ["import-verdicts", str(file), "--dry-run", "--json"])
    assert checked.exit_code == 3, checked.output
    assert json.loads(checked.stdout)["recorded"] == 0

    done = runner.invoke(cases_app, ["import-verdicts", str(file), "--actor", "complaints-desk", "--json"])
    assert done.exit_code == 3, done.output
    report = json.loads(done.stdout)
    assert report["valid"] == report["recorded"] == 3
    assert [(r["line"], "结论" in r["reason"] or "对象编号" in r["reason"]) for r in report["rejected"]] == [
        (4, True), (5, True)]

    with db.session() as session:
        labels = store_labels(session)
    numbers = dict(zip(labels.numbers["number"], labels.numbers["label"], strict=True))
    complaints = dict(zip(labels.complaints["complaint_id"], labels.complaints["label"], strict=True))
    accounts = list(zip(labels.social_accounts["platform"], labels.social_accounts["account_id"], strict=True))
    db.dispose()
    assert numbers == {"+8617012345678": 1}
    assert complaints == {"CP000001": 0}
    assert accounts == [("douyin", "abc")]


def test_a_file_without_the_columns_is_refused(cli_home: Path, tmp_path: Path) -> None:
    _store().dispose()
    file = tmp_path / "verdicts.csv"
    file.write_text("id,result\n1,ok\n", encoding="utf-8")
    result = runner.invoke(cases_app, ["import-verdicts", str(file)])
    assert result.exit_code == 65 and "缺少列" in result.output
