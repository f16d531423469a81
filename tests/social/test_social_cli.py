"""``grayshield social`` end to end on a temporary home, over MediaCrawler files laid out as it writes them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from social_crawler_files import crawl_folder
from typer.testing import CliRunner

from grayshield.cli.social import app
from grayshield.core.settings import get_settings
from grayshield.store import Database, upgrade

runner = CliRunner()


def _home(models: Path | None) -> None:
    db = Database(get_settings().db_url)
    upgrade(db)
    db.dispose()
    if models is not None:
        shutil.copytree(models, get_settings().models_dir, dirs_exist_ok=True)


def test_scan_without_a_model_says_what_to_do(cli_home: Path, tmp_path: Path) -> None:
    _home(None)
    result = runner.invoke(app, ["scan", str(crawl_folder(tmp_path / "data"))])
    assert result.exit_code != 0 and "grayshield train social" in result.output
    missing = runner.invoke(app, ["outcomes", str(tmp_path / "none.csv"), "--actor", "wang"])
    assert missing.exit_code != 0 and "文件不存在" in missing.output
    assert json.loads(runner.invoke(app, ["importers", "--json"]).stdout) == ["contract", "mediacrawler"]


def test_scan_report_outcomes_effectiveness_round_trip(cli_home: Path, tmp_path: Path, social_models: Path) -> None:
    _home(social_models)
    data = crawl_folder(tmp_path / "data")
    scanned = runner.invoke(app, ["scan", str(data), "--watch", "5", "--tags", "--actor", "wang", "--json"])
    assert scanned.exit_code == 0, scanned.output
    summary = json.loads(scanned.stdout)
    assert summary["import"]["distinct_posts"] == 8 and summary["model"] == "social/accounts/v0001"
    flagged = summary["accounts_flagged"]
    assert flagged >= 1  # the four advertising accounts, one per platform, are the ones to catch
    assert summary["top"][0]["p_blackgray"] > 0.5
    assert summary["watch_added"] == min(flagged, 5) and summary["tags_proposed"] >= flagged

    out = tmp_path / "reports"
    report = runner.invoke(app, ["report", str(data), "--out", str(out), "--actor", "wang", "--json"])
    assert report.exit_code == 0, report.output
    filed = json.loads(report.stdout)
    assert filed["items"] >= 1 and len(filed["files"]) == 3 * len(filed["batches"])
    item_id = json.loads(Path(next(f for f in filed["files"] if f.endswith(".json"))).read_text("utf-8"))[0]["item_id"]

    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text(f"item_id,outcome,decided_at\n{item_id},封号,2030-01-01T00:00:00Z\n", encoding="utf-8")
    recorded = runner.invoke(app, ["outcomes", str(outcomes), "--actor", "wang", "--json"])
    assert recorded.exit_code == 0 and json.loads(recorded.stdout)["updated"] == 1
    figures = json.loads(runner.invoke(app, ["effectiveness", "--json"]).stdout)
    assert figures["filed"] == filed["items"] and figures["ban_rate"] > 0
    watched = json.loads(runner.invoke(app, ["watchlist", "--json"]).stdout)
    assert len(watched) == summary["watch_added"]
    first = watched[0]
    closed = runner.invoke(app, ["unwatch", first["platform"], first["account_id"], "--reason", "已封号",
                                 "--actor", "wang"])
    assert closed.exit_code == 0
    assert len(json.loads(runner.invoke(app, ["watchlist", "--json"]).stdout)) == len(watched) - 1
    trend = json.loads(runner.invoke(app, ["trend", str(data), "--json"]).stdout)
    assert trend["by_month"] == {"2024-05": 4}  # the four ads, one per platform; the comments are not ads
    assert trend["by_month_keyword"]["2024-05"]["停息挂账"] == 4
    due = runner.invoke(app, ["due", str(data), "--json"])
    assert due.exit_code == 0 and json.loads(due.stdout) == []  # just filed: nothing due yet

