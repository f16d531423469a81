"""The 舆情监测 page template renders the watch list and effectiveness from a real store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import jinja2
import pytest

import grayshield.web
from grayshield.services.social_monitoring import Reports, WatchList
from grayshield.social.effectiveness import Outcome
from grayshield.store import Database, upgrade
from grayshield.web.social_pages import WATCH_STATES, page_labels

T0 = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(database)
    yield database
    database.dispose()


def test_page_shows_watched_accounts_and_rates(db: Database) -> None:
    account = {"platform": "douyin", "account_id": "dy_1", "nickname": "上岸<b>老王</b>", "priority": 88.5,
               "followers": 5200, "contacts": ["wechat:shangan_88"]}
    item = {"item_id": "douyin:7301", "platform": "douyin", "account_id": "dy_1", "post_id": "7301",
            "reason": "illegal_finance", "region": "广东", "url": "https://www.douyin.com/video/7301"}
    with db.session() as s:
        WatchList(s, "wang").add([account], "高优先级", now=T0)
        Reports(s, "wang").file([item], "R1", now=T0)
        Reports(s, "wang").record_outcomes([Outcome("douyin:7301", "banned", T0.replace(day=2), None)])
    folder = Path(grayshield.web.__file__).parent / "templates"
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=True)
    with db.session() as s:
        watch = WatchList(s, "console")
        entries = watch.entries()
        html = env.get_template("social/index.html").render(
            request=SimpleNamespace(url=SimpleNamespace(path="/social")), principal=None, csrf_token="t",
            may=lambda method, path: True, url_for=lambda name, path: f"/static/{path}", entries=entries,
            events={e.id: watch.history(e) for e in entries}, state="watching", state_labels=WATCH_STATES,
            figures=Reports(s, "console").effectiveness(), **page_labels())
    assert "dy_1" in html and "上岸&lt;b&gt;老王&lt;/b&gt;" in html  # escaped: nicknames are written by suspects
    assert "封号率 100%" in html and "处置中位时长 24.0 小时" in html
