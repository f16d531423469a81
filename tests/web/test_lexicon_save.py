"""Saving a lexicon from the console: validated, version raised, based on the current version, never overwritten,
audited, with history; the engine's registered file is left alone."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from grayshield.core.settings import Settings
from grayshield.store.models import AuditEvent
from grayshield.text.lexicon import LEXICONS

ClientFor = Callable[[str | None], TestClient]


def _bumped(text: str, last: int) -> str:
    return re.sub(r'^version = "(\d+)\.(\d+)\.(\d+)"', lambda m: f'version = "{m[1]}.{m[2]}.{last}"', text,
                  count=1, flags=re.M).replace('"停息挂账",', '"停息挂账", "停催上岸",', 1)


def test_save_new_version_with_history_and_audit(client_for: ClientFor, app: FastAPI,
                                                 console_settings: Settings) -> None:
    registered = LEXICONS.get("default").read_text(encoding="utf-8")
    client = client_for("analyst")
    view = client.get("/api/v1/lexicons").json()
    assert view["history"] == [] and view["text"] == registered
    draft = _bumped(registered, 90)
    check = client.post("/api/v1/lexicons/validate", json={"text": draft}).json()
    assert check["valid"] and check["compared_with"] == view["identity"] and "停催上岸" in check["diff"]

    page = client.post("/lexicon/save", data={"text": draft, "note": "新增引流词 停催上岸", "based_on": view["identity"]})
    assert page.status_code == 200 and "已保存新版本 default@" in page.text
    saved = client.get("/api/v1/lexicons").json()
    assert saved["text"] == draft and saved["identity"] != view["identity"]
    assert [(h["version"], h["saved_by"], h["previous"]) for h in saved["history"]] == [
        (saved["identity"].split("@")[1].split("#")[0], "analyst", view["identity"])]
    assert (console_settings.home_dir / "lexicons" / "default").is_dir()
    assert LEXICONS.get("default").read_text(encoding="utf-8") == registered  # the packaged file is untouched
    html = client.get("/lexicon").text
    assert "新增引流词 停催上岸" in html and saved["identity"] in html

    # a colleague who started from the old version, the same version again, or a broken draft: all refused
    stale = client.post("/api/v1/lexicons/save", json={"text": _bumped(registered, 91), "note": "另一处修改",
                                                       "based_on": view["identity"]})
    assert stale.status_code == 409 and "已被他人更新" in stale.json()["detail"]
    same = client.post("/api/v1/lexicons/save", json={"text": draft, "note": "重复保存", "based_on": saved["identity"]})
    assert same.status_code == 422 and "版本号须高于" in same.json()["detail"]
    broken = client.post("/lexicon/save", data={"text": "name = 1", "note": "坏的草稿", "based_on": saved["identity"]})
    assert broken.status_code == 422 and "校验未通过" in broken.text
    no_note = client.post("/lexicon/save", data={"text": _bumped(registered, 92), "note": "", "based_on": "x"})
    assert no_note.status_code == 422 and "修改说明" in no_note.text
    twice = client.post("/api/v1/lexicons/save", json={"text": _bumped(draft, 93), "note": "重复词条",
                                                       "based_on": saved["identity"]})
    assert twice.status_code == 422 and "停催上岸" in twice.json()["detail"]  # the term is listed twice now
    third = draft.replace('version = "2026.11.90"', 'version = "2026.11.93"')
    assert client.post("/api/v1/lexicons/save", json={"text": third, "note": "第三版修改",
                                                      "based_on": saved["identity"]}).status_code == 200
    assert len(client.get("/api/v1/lexicons").json()["history"]) == 2

    with app.state.db.session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "lexicon.saved")).all()
    assert [(e.actor, e.subject_id, e.reason) for e in events] == [("analyst", "default", "新增引流词 停催上岸"),
                                                                     ("analyst", "default", "第三版修改")]
    assert client_for("investigator").post("/lexicon/save", data={"text": draft, "note": "无权", "based_on": "x"}
                                           ).status_code == 403
