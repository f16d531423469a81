"""Scan, watch list, report batches, outcomes and tags against a real store (SQLite, and PostgreSQL when up)."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from grayshield.services.social_monitoring import Reports, Scan, WatchList, batch_items, propose_tags, scan
from grayshield.social.effectiveness import read_outcomes
from grayshield.social.reports import EXPORTERS, export_batches, safe_cell
from grayshield.store import Database
from grayshield.store.models import SocialWatchEvent, Tag

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def _export_contract(world: Path, out: Path) -> Path:
    """The world's crawled tables as contract-format JSON lines, as a vendor feed would deliver them."""
    out.mkdir(parents=True)
    for table in ("social_posts", "social_accounts"):
        frame = pd.read_parquet(world / table)
        frame.to_json(out / f"{table}.jsonl", orient="records", lines=True, force_ascii=False, date_format="iso")
    return out


@pytest.fixture(scope="module")
def scanned(social_worlds: tuple[Path, Path], social_models: Path, tmp_path_factory: pytest.TempPathFactory) -> Scan:
    feed = _export_contract(social_worlds[1], tmp_path_factory.mktemp("social-scan") / "feed")
    return scan(feed, "contract", social_models)


def test_scan_of_a_contract_feed_ranks_flagged_accounts_first(scanned: Scan) -> None:
    ranked = scanned.ranked
    assert scanned.collected.summary()["rejected"] == 0
    assert ranked["flagged"].sum() >= 20
    assert ranked.head(int(ranked["flagged"].sum()))["flagged"].all()  # priority never lifts an unflagged account
    assert ranked["priority"].is_monotonic_decreasing
    assert set(ranked["priority_version"]) == {"default-1"}


def test_report_batches_export_in_three_formats_with_evidence(scanned: Scan, tmp_path: Path) -> None:
    items = batch_items(scanned, top=10)
    assert items and all(i["url"] and i["highlighted"] != i["text"] for i in items)
    assert all("【" in i["highlighted"] for i in items)
    written = export_batches(items, tmp_path)
    batches = {(i["platform"], i["reason"]) for i in items}
    assert len(written) == 3 * len(batches)
    first = next(p for p in written if p.suffix == ".json")
    assert json.loads(first.read_text(encoding="utf-8"))[0]["screenshot_ref"].startswith("screenshots/")
    sheet = load_workbook(next(p for p in written if p.suffix == ".xlsx")).active
    assert sheet is not None and sheet["A1"].value == "编号"
    with next(p for p in written if p.suffix == ".csv").open(encoding="utf-8-sig") as fh:
        assert next(csv.reader(fh))[0] == "编号"


def test_formula_cells_are_defused_in_every_format(tmp_path: Path) -> None:
    assert safe_cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert safe_cell("+86 138") == "'+86 138" and safe_cell("普通文本") == "普通文本" and safe_cell(3) == 3
    item = {"item_id": "douyin:1", "platform": "douyin", "reason": "illegal_finance", "text": "=cmd|' /C calc'!A0"}
    EXPORTERS.get("csv")([item], tmp_path / "x.csv")
    assert "'=cmd" in (tmp_path / "x.csv").read_text(encoding="utf-8-sig")
    EXPORTERS.get("xlsx")([item], tmp_path / "x.xlsx")
    sheet = load_workbook(tmp_path / "x.xlsx").active
    assert sheet is not None and sheet["K2"].value == "'=cmd|' /C calc'!A0"


def test_filing_outcomes_rereport_and_effectiveness(scanned: Scan, db: Database, tmp_path: Path) -> None:
    items = batch_items(scanned, top=5)
    with db.session() as s:
        assert Reports(s, "analyst-1").file(items, "B1", now=T0) == {"new": len(items), "again": 0}
    outcome_csv = tmp_path / "outcomes.csv"
    rows = [{"item_id": items[0]["item_id"], "outcome": "已删除", "decided_at": "2026-06-02T09:00:00Z", "note": ""},
            {"item_id": items[1]["item_id"], "outcome": "rejected", "decided_at": "", "note": "证据不足"},
            {"item_id": "douyin:unknown", "outcome": "banned", "decided_at": "", "note": ""},
            {"item_id": items[2]["item_id"], "outcome": "maybe", "decided_at": "", "note": ""}]
    with outcome_csv.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    outcomes, problems = read_outcomes(outcome_csv)
    assert [p.line for p in problems] == [5]
    with db.session() as s:
        result = Reports(s, "analyst-1").record_outcomes(outcomes, now=T0 + timedelta(days=2))
        assert result == {"updated": 2, "unknown_items": ["douyin:unknown"]}
    with db.session() as s:
        reports = Reports(s, "analyst-1")
        figures = reports.effectiveness()
        assert figures["filed"] == len(items) and figures["removal_rate"] == round(1 / len(items), 4)
        assert figures["median_hours_to_takedown"] == 24.0
        still_up = {i["item_id"] for i in items[1:]}
        due = reports.due(still_up, now=T0 + timedelta(days=8))
        assert set(due["item_id"]) == still_up  # removed one is done; rejected and unanswered ones go again
        assert reports.due(still_up, now=T0 + timedelta(days=3)).empty  # not yet: the wait is 7 days
        assert reports.file([items[1]], "B2", now=T0 + timedelta(days=8)) == {"new": 0, "again": 1}


def test_watch_list_alerts_on_reach_jump_and_reappearance(scanned: Scan, db: Database) -> None:
    ranked = scanned.ranked
    top = ranked.head(3).to_dict(orient="records")
    seen_only_posting = {**top[0], "platform": "weibo", "account_id": "wb_no_profile", "followers": float("nan")}
    with db.session() as s:
        assert WatchList(s, "analyst-1").add(top, "高优先级", now=T0) == 3
        assert WatchList(s, "analyst-1").add([seen_only_posting], "只见其帖", now=T0) == 1
        WatchList(s, "analyst-1").close("weibo", "wb_no_profile", "测试", now=T0)
        assert WatchList(s, "analyst-1").add(top, "重复", now=T0) == 0
    grown = ranked.copy()
    grown.loc[0, "followers"] = int(top[0]["followers"] or 0) * 3 + 5_000
    with_contacts = next(r for r in top if r["contacts"])
    newcomer = {"platform": "douyin", "account_id": "dy_new_1", "nickname": "新号", "followers": 10,
                "contacts": [with_contacts["contacts"][0]], "p_blackgray": 0.97}
    grown = pd.concat([grown, pd.DataFrame([newcomer])], ignore_index=True)
    with db.session() as s:
        alerts = WatchList(s, "analyst-1").refresh(grown, now=T0 + timedelta(days=1))
    kinds = {(a.kind, a.key) for a in alerts}
    assert ("reach_jump", (top[0]["platform"], top[0]["account_id"])) in kinds
    assert ("reappeared", ("douyin", "dy_new_1")) in kinds
    with db.session() as s:
        watch = WatchList(s, "analyst-1")
        entry = watch.get(top[0]["platform"], top[0]["account_id"])
        assert [e.kind for e in watch.history(entry)][:2] == ["added", "reach_jump"]
        watch.close(entry.platform, entry.account_id, "已封号", now=T0 + timedelta(days=2))
        assert len(watch.entries()) == 2
        assert s.scalars(select(SocialWatchEvent)).first() is not None


def test_contacts_of_flagged_accounts_become_proposed_tags(scanned: Scan, db: Database) -> None:
    with db.session() as s:
        proposed = propose_tags(s, "social-scan", scanned.ranked.head(10))
    assert proposed > 0
    with db.session() as s:
        tags = list(s.scalars(select(Tag)))
    assert {t.state for t in tags} == {"proposed"}
    assert {"blackgray_social_account", "blackgray_number"} <= {t.tag_type for t in tags}
