"""The strike pages render in the real console (real store, real sign-in), with numbers masked."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from gang_snapshot import NUMBER, write_latest_run

from grayshield.core.settings import Settings
from grayshield.services import strike
from grayshield.services.users import add_user
from grayshield.store import Database, upgrade
from grayshield.web import create_app


def test_gang_and_case_pages(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", environment="test")
    db = Database(settings.db_url)
    upgrade(db)
    add_user(db, "li", "pw-investigator-0123456789", ["investigator"], display_name="李")
    state = write_latest_run(settings.home_dir / "gangs")
    case_id = strike.open_case(db, "li", "gang", "GS-0001", "测试团伙", state_dir=state)
    app = create_app(settings, db=db)
    client = TestClient(app, base_url="https://testserver")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    client.post("/login", data={"username": "li", "password": "pw-investigator-0123456789",
                                "csrf_token": token.group(1)}, follow_redirects=False)

    pages = {path: client.get(path) for path in ("/gangs", "/gangs/GS-0001", "/cases", f"/cases/{case_id}")}
    for path, page in pages.items():
        assert page.status_code == 200, (path, page.text[:500])
        assert NUMBER not in page.text, path
    assert "GS-0001" in pages["/gangs"].text and "测试团伙" in pages["/cases"].text
    assert 'id="chart-data-graph"' in pages["/gangs/GS-0001"].text
    assert 'id="chart-data-graph"' in pages[f"/cases/{case_id}"].text  # a gang case draws its gang
    assert "团伙 GS-0001 研判摘要" in pages[f"/cases/{case_id}"].text
    assert client.get("/gangs/GS-9999").status_code == 404
    assert client.get("/gangs/DROP TABLE").status_code in (404, 422)
    db.dispose()
