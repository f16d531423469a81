"""舆情监测 pages against a real store, a real trained social model and a real crawl: file a batch, export it
formula-safe, import outcomes, re-reports, the watch list with masked contacts, effectiveness and trend."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from grayshield.core.settings import Settings
from grayshield.services import social_monitoring as sm
from grayshield.social.evaluation import train_world
from grayshield.store.models import AuditEvent, SocialReport, SocialWatch

ClientFor = Callable[[str | None], TestClient]
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def social_assets(simulated_world: Callable[..., Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A models folder with a trained social model, and the world's crawl as contract-format JSON lines."""
    world = simulated_world("default", 1_500, 6, seed=31)
    models = tmp_path_factory.mktemp("web-social-models")
    train_world(world, models)
    feed = tmp_path_factory.mktemp("web-social-crawl") / "feed"
    feed.mkdir()
    for table in ("social_posts", "social_accounts"):
        frame = pd.read_parquet(world / table)
        frame.to_json(feed / f"{table}.jsonl", orient="records", lines=True, force_ascii=False, date_format="iso")
    return models, feed


@pytest.fixture
def social_home(console_settings: Settings, social_assets: tuple[Path, Path]) -> Settings:
    models, feed = social_assets
    shutil.copytree(models, console_settings.models_dir, dirs_exist_ok=True)
    shutil.copytree(feed, sm.crawls_dir(console_settings.home_dir) / "feed-2026-06")
    return console_settings


def test_file_export_outcomes_and_effectiveness(social_home: Settings, client_for: ClientFor, app: FastAPI) -> None:
    analyst = client_for("analyst")
    page = analyst.get("/social/reports").text
    assert 'value="feed-2026-06"' in page and "暂无举报批次" in page
    bad = analyst.post("/social/reports/batches", data={"crawl": "../../etc", "importer": "contract"})
    assert bad.status_code == 422 and "没有名为" in bad.text

    created = analyst.post("/social/reports/batches", data={"crawl": "feed-2026-06", "importer": "contract",
                                                            "top": "5"}, follow_redirects=False)
    assert created.status_code == 303, created.text
    batch_url = created.headers["location"]
    batch_id = batch_url.rsplit("/", 1)[1]
    with app.state.db.session() as session:
        reports = session.scalars(select(SocialReport).where(SocialReport.batch_id == batch_id)).all()
        assert reports and all(r.filed_by == "analyst" and r.evidence.get("text") for r in reports)
        phones = [c.split(":", 1)[1] for r in reports for c in (r.evidence["contacts"] or "").split("、")
                  if c.startswith("phone:")]
        first = reports[0]
        first.evidence = {**first.evidence, "text": "=HYPERLINK(\"http://evil\")"}  # as a suspect might write
        items = [r.item_id for r in reports]
        platform, reason = first.platform, first.reason
    html = analyst.get(batch_url).text
    assert items[0] in html and all(p not in html for p in phones)  # contacts masked on the page

    exported = analyst.get(f"{batch_url}/export.csv", params={"platform": platform, "reason": reason})
    assert exported.status_code == 200 and exported.text.startswith("\ufeff编号,平台,")
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert rows[1:] and all(row[1] == platform and row[3] == reason for row in rows[1:])
    assert any(cell == "'=HYPERLINK(\"http://evil\")" for row in rows for cell in row)
    sheet = load_workbook(io.BytesIO(analyst.get(f"{batch_url}/export.xlsx", params={
        "platform": platform, "reason": reason}).content)).active
    assert sheet is not None and sheet.max_row == len(rows)
    assert any(c.value == "'=HYPERLINK(\"http://evil\")" for r in sheet.iter_rows() for c in r)
    assert analyst.get(f"/social/reports/{batch_id}/export.json").status_code == 422
    assert analyst.get("/social/reports/R19990101000000/export.csv").status_code == 404

    outcomes = "item_id,outcome,decided_at\n" + f"{items[0]},已删除,2030-01-02 10:00\n" + (
        f"{items[1]},banned,\n" if len(items) > 1 else "") + "douyin:not-filed,removed,\nx,飞走了,\n"
    answer = analyst.post("/social/reports/outcomes", files={"file": ("outcomes.csv", outcomes.encode(), "text/csv")})
    assert answer.status_code == 422  # a partial import says so
    assert f"已更新 {min(2, len(items))} 条；未找到举报记录 1 条；无法识别 1 行" in answer.text
    assert "未知处置结果" in answer.text
    not_csv = analyst.post("/social/reports/outcomes", files={"file": ("o.csv", b"\xff\xfe\x00garbage", "text/csv")})
    assert not_csv.status_code == 422

    effect = analyst.get("/social/effectiveness").text
    assert "删除率" in effect and "chart-data-platform" in effect
    overview = analyst.get("/api/v1/overview").json()
    assert overview["report_outcomes"].get("已删除") == 1 and sum(overview["report_outcomes"].values()) == len(items)
    assert sum(d["filed"] for d in overview["report_trend"]) == len(items)

    with app.state.db.session() as session:
        actions = [e.action for e in session.scalars(select(AuditEvent).where(AuditEvent.actor == "analyst"))]
    assert actions.count("social.report.exported") == 2 and "social.report.filed" in actions
    assert actions.count("social.report.outcome") == min(2, len(items))
    assert client_for("qa").get(batch_url).status_code == 403


def test_trend_is_computed_once_per_crawl(social_home: Settings, client_for: ClientFor) -> None:
    client = client_for("qa")  # everyone may read effectiveness and trend
    first = client.get("/social/effectiveness", params={"crawl": "feed-2026-06", "importer": "contract"})
    assert first.status_code == 200 and "黑灰产声量" in first.text and "chart-data-volume" in first.text
    cache = social_home.home_dir / "social" / "trend-cache" / "feed-2026-06.json"
    assert cache.is_file()
    assert client.get("/social/effectiveness", params={"crawl": "feed-2026-06", "importer": "contract"}
                      ).text.count("<tr>") == first.text.count("<tr>")
    missing = client.get("/social/effectiveness", params={"crawl": "nope"})
    assert missing.status_code == 200 and "没有名为" in missing.text


def test_due_for_rereport_after_the_wait(social_home: Settings, app: FastAPI, client_for: ClientFor) -> None:
    result = sm.scan(sm.crawl_path(social_home.home_dir, "feed-2026-06"), "contract", social_home.models_dir)
    with app.state.db.session() as session:
        filed = sm.file_batch(session, "wang", result, top=3, now=T0)
    with app.state.db.session() as session:
        due, crawl = sm.due_reports(session, social_home.home_dir, "contract", now=T0 + timedelta(days=8))
        early, _ = sm.due_reports(session, social_home.home_dir, "contract", now=T0 + timedelta(days=2))
    assert crawl == "feed-2026-06" and early.empty and 0 < len(due) <= filed["items"]
    page = client_for("investigator").get("/social/due", params={"importer": "contract"})
    assert page.status_code == 200 and "feed-2026-06" in page.text


def test_watch_list_masks_contacts_and_closes_with_a_reason(client_for: ClientFor, app: FastAPI) -> None:
    account = {"platform": "douyin", "account_id": "dy_9", "nickname": "上岸<b>老李</b>", "priority": 91.0,
               "followers": 800, "contacts": ["phone:13912345678", "wechat:shangan_2026"]}
    with app.state.db.session() as session:
        watch = sm.WatchList(session, "scan")
        watch.add([account], "高优先级", now=T0)
        watch.refresh(pd.DataFrame([{"platform": "douyin", "account_id": "dy_9", "followers": 5000,
                                     "nickname": "x", "contacts": [], "p_blackgray": 0.9},
                                    {"platform": "weibo", "account_id": "wb_1", "followers": 10, "nickname": "y",
                                     "contacts": ["wechat:shangan_2026"], "p_blackgray": 0.8}]), now=T0)
        watch_id = watch.get("douyin", "dy_9").id
    client = client_for("investigator")
    html = client.get("/social/watchlist").text
    assert "13912345678" not in html and "shangan_2026" not in html and "139****5678" in html
    assert "上岸&lt;b&gt;老李&lt;/b&gt;" in html and "粉丝激增" in html and "换号重现" in html
    assert client.post(f"/social/watchlist/{watch_id}/close", data={"reason": ""}).status_code == 422
    assert client.post("/social/watchlist/999999/close", data={"reason": "已封号"}).status_code == 404
    closed = client.post(f"/social/watchlist/{watch_id}/close", data={"reason": "平台已封号"})
    assert closed.status_code == 200 and "已移出关注" in closed.text
    with app.state.db.session() as session:
        assert session.get(SocialWatch, watch_id).state == "closed"  # type: ignore[union-attr]
    assert client_for("qa").post(f"/social/watchlist/{watch_id}/close", data={"reason": "x"}).status_code == 403
