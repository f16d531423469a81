"""A real Chromium against a real uvicorn server: sign in, open every page, filter, reveal PII and find the audit
entry, review a tag and open a case on its number.

Screenshots go to ``test-artifacts/console/`` for review. Chromium is Debian's (``scripts/system-deps.sh``),
launched by path so no browser download is ever needed.
"""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from console_seed import CUSTOMERS, PII

from grayshield.core.settings import Settings
from grayshield.services.users import ensure_demo_user
from grayshield.store import Database
from grayshield.web import create_app

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path, seeded_home: Path) -> Iterator[tuple[str, tuple[str, str]]]:
    """The console on a loopback port (development mode: plain HTTP, so cookies are not marked Secure)."""
    shutil.copytree(seeded_home, tmp_path / "home")
    settings = Settings(home=tmp_path / "home", environment="development")
    db = Database(settings.db_url)
    login = ensure_demo_user(db)
    port = _free_port()
    config = uvicorn.Config(create_app(settings, db=db), host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline, "console did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", login
    uv.should_exit = True
    thread.join(timeout=10)
    db.dispose()


@pytest.fixture
def page(server: tuple[str, tuple[str, str]]) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium missing: run `bash scripts/system-deps.sh`")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        context = browser.new_context(base_url=server[0], locale="zh-CN", viewport={"width": 1400, "height": 900})
        pg = context.new_page()
        pg.script_errors = []  # CSP refusals and uncaught exceptions; 4xx documents are expected here
        pg.on("console", lambda msg: pg.script_errors.append(msg.text)
              if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
        pg.on("pageerror", lambda exc: pg.script_errors.append(str(exc)))
        yield pg
        browser.close()


def test_console_end_to_end(page: Any, server: tuple[str, tuple[str, str]]) -> None:
    from playwright.sync_api import expect

    username, password = server[1]
    page.goto("/alerts")
    expect(page).to_have_url("/login?next=%2Falerts")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码错误")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    expect(page).to_have_url("/alerts")

    for path, heading in [("/", "总览"), ("/alerts", "投诉预警"), ("/tags", "号码与标签"), ("/tags/1", "标签 #1"), (f"/customers/{CUSTOMERS[0]}", "客户"),
                          ("/models", "模型监控"), ("/strategies", "前端策略规则"), ("/lexicon", "词库"), ("/admin/users", "用户与角色"),
                          ("/audit", "审计日志"), ("/social", "舆情监测"), ("/social/watchlist", "关注列表与预警"),
                          ("/social/reports", "举报批次"), ("/social/due", "待再次举报"),
                          ("/social/effectiveness", "举报成效与趋势"), ("/compliance", "通话质检发现"),
                          ("/compliance/alerts", "流程异常预警"), ("/compliance/scores", "质检得分")]:
        page.goto(path)
        expect(page.locator("h1")).to_contain_text(heading)
        page.screenshot(path=str(ARTIFACTS / f"{path.strip('/').replace('/', '_') or 'overview'}.png"), full_page=True)
    page.goto("/")
    expect(page.locator("#chart-bands canvas")).to_have_count(1)  # ECharts drew from the embedded JSON
    expect(page.locator("#chart-screened canvas")).to_have_count(1)  # screened calls per risk level, 14 days
    expect(page.locator("#chart-reports canvas")).to_have_count(1)

    page.goto("/alerts")
    expect(page.locator("#alerts-total")).to_have_text(str(2 * len(CUSTOMERS)))
    page.select_option("select[name=band]", "A")
    expect(page.locator("#alerts-total")).to_have_text("8")
    expect(page).to_have_url("/alerts?as_of=&band=A&action=&proxy_level=&segment=&customer_id=")
    bands = page.locator("table.alerts tbody td:nth-child(4)").all_inner_texts()
    assert bands and set(bands) == {"A"}
    page.screenshot(path=str(ARTIFACTS / "alerts_filtered.png"), full_page=True)

    page.locator("table.alerts tbody a").first.click()
    expect(page.locator("#pii-registered_phone .masked")).to_have_text("138****5678")
    phone = page.locator("#pii-registered_phone")
    phone.locator("input[name=reason]").fill("客户来电要求核实预留手机号")
    phone.get_by_role("button", name="查看明文").click()
    expect(phone.locator(".revealed")).to_have_text(PII["registered_phone"])
    page.screenshot(path=str(ARTIFACTS / "customer_revealed.png"), full_page=True)

    page.goto("/audit?action=pii.reveal")
    row = page.locator("table.audit tbody tr").first
    expect(row).to_contain_text("客户来电要求核实预留手机号")
    expect(row).to_contain_text("registered_phone")
    expect(page.locator("#chain-status")).to_contain_text("哈希链校验通过")
    page.screenshot(path=str(ARTIFACTS / "audit_reveal.png"), full_page=True)

    page.goto("/tags")
    row = page.locator("#tag-1")
    expect(row.locator(".state")).to_have_text("待审核")
    row.locator("input[name=reason]").fill("外呼核实为债务协商中介")
    row.get_by_role("button", name="确认").click()
    expect(page.locator("#tag-1 .state")).to_have_text("已确认")
    page.screenshot(path=str(ARTIFACTS / "tags_reviewed.png"), full_page=True)
    page.goto("/tags/1")
    expect(page.locator("table").last).to_contain_text("外呼核实为债务协商中介")
    opening = page.locator("#case-open")  # 立案 on the tagged number, the tag as the first evidence item
    opening.locator("input[name=title]").fill("号码线索：债务协商中介")
    opening.locator("input[name=reason]").fill("标签已确认，立案核查")
    opening.get_by_role("button", name="立案").click()
    expect(page.locator("#form-message")).to_have_text("已立案")
    expect(page.locator("table.case-evidence")).to_contain_text("标签 #1")
    page.screenshot(path=str(ARTIFACTS / "case_from_tag.png"), full_page=True)

    page.goto("/lexicon")
    current = page.locator("pre.code").inner_text()
    page.fill("textarea[name=text]", re.sub(r'^version = "[^"]+"', 'version = "2099.1.1"', current, count=1, flags=re.M))
    page.fill("input[name=note]", "浏览器测试：提升版本号")
    page.get_by_role("button", name="校验并保存").click()
    expect(page.locator("#lexicon-save")).to_contain_text("已保存新版本 default@2099.1.1")
    page.reload()
    expect(page.locator("table.lexicon-history")).to_contain_text("浏览器测试：提升版本号")
    page.screenshot(path=str(ARTIFACTS / "lexicon_saved.png"), full_page=True)

    page.goto("/strategies")
    page.fill("textarea[name=text]", 'version = "x"\nfallback_action = "monitor"')
    page.get_by_role("button", name="校验").click()
    expect(page.locator("#draft-check")).to_contain_text("校验未通过")
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url("/login")
    page.goto("/audit")
    expect(page).to_have_url("/login?next=%2Faudit")
    assert page.script_errors == []
