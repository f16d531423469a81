"""Working a case in the console: open from a gang, move, assign, note, export, download, with roles and CSRF.

Real store (SQLite via the settings), real sign-in, real PDF export: the pages go through the same case service
as the CLI, so the case history and the audit log are checked, not mocked.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from case_forms import audit_actions, csrf, post
from fastapi.testclient import TestClient
from gang_snapshot import NUMBER
from sqlalchemy import select

from grayshield.core.settings import Settings
from grayshield.services import strike
from grayshield.store import Database
from grayshield.store.models import AuditEvent, Case


def open_from_gang(client: TestClient) -> int:
    response = post(client, "/gangs/GS-0001", "/gangs/GS-0001/cases", title="网络招揽代理投诉团伙",
                    assignee="li", deadline=(datetime.now(UTC) + timedelta(days=30)).date().isoformat(),
                    reason="团伙发现结果可疑度高")
    assert response.status_code == 303, response.text[:400]
    found = re.match(r"^/cases/(\d+)\?done=opened$", response.headers["location"])
    assert found
    return int(found.group(1))


def test_open_move_assign_note_and_close(world: tuple[Settings, Database],
                                         login: Callable[[str], TestClient]) -> None:
    li = login("li")
    case_id = open_from_gang(li)
    page = li.get(f"/cases/{case_id}")
    assert page.status_code == 200 and "已立案" in page.text
    assert "团伙 GS-0001 研判摘要" in page.text and NUMBER not in page.text

    assert post(li, f"/cases/{case_id}", f"/cases/{case_id}/transition", to_state="investigating",
                reason="开始调查").status_code == 303
    assert post(li, f"/cases/{case_id}", f"/cases/{case_id}/assign", assignee="zhao",
                reason="交主管").status_code == 303
    later = (datetime.now(UTC) + timedelta(days=60)).date().isoformat()
    assert post(li, f"/cases/{case_id}", f"/cases/{case_id}/deadline", deadline=later).status_code == 303
    assert post(li, f"/cases/{case_id}", f"/cases/{case_id}/notes", text="已调取通话记录").status_code == 303

    refused = post(li, f"/cases/{case_id}", f"/cases/{case_id}/transition", to_state="closed", reason="结案")
    assert refused.status_code == 422 and "结案须给出结论" in refused.text
    skip = post(li, f"/cases/{case_id}", f"/cases/{case_id}/transition", to_state="open", reason="退回")
    assert skip.status_code == 422 and "只能转为" in skip.text
    past = post(li, f"/cases/{case_id}", f"/cases/{case_id}/deadline", deadline="2020-01-01")
    assert past.status_code == 422 and "截止时间必须晚于当前时间" in past.text
    garbled = post(li, f"/cases/{case_id}", f"/cases/{case_id}/deadline", deadline="明天")
    assert garbled.status_code == 422 and "YYYY-MM-DD" in garbled.text
    assert post(li, f"/cases/{case_id}", f"/cases/{case_id}/notes", text="  ").status_code == 422

    zhao = login("zhao")
    assert post(zhao, f"/cases/{case_id}", f"/cases/{case_id}/transition", to_state="closed",
                outcome="confirmed_gang", reason="确认团伙").status_code == 303
    with world[1].session() as session:
        case = session.get(Case, case_id)
        assert case is not None
        assert (case.state, case.outcome, case.assignee) == ("closed", "confirmed_gang", "zhao")
    timeline = li.get(f"/cases/{case_id}").text
    for label in ("立案", "状态变更", "指派承办人", "设定截止时间", "调查记录", "附加证据", "结案", "已调取通话记录",
                  "确认为黑灰产团伙"):
        assert label in timeline, label
    actions = audit_actions(world[1], case_id)
    assert actions[:2] == ["case.opened", "case.evidence_added"]
    assert {"case.state_changed", "case.assigned", "case.deadline_set", "case.note", "case.closed"} <= set(actions)


def test_a_stale_form_is_a_clear_conflict(world: tuple[Settings, Database],
                                          login: Callable[[str], TestClient]) -> None:
    li, zhao = login("li"), login("zhao")
    case_id = open_from_gang(li)
    stale_page = li.get(f"/cases/{case_id}").text
    assert post(zhao, f"/cases/{case_id}", f"/cases/{case_id}/transition", to_state="investigating",
                reason="主管接手").status_code == 303
    old_version = re.search(r'name="version" value="(\d+)"', stale_page)
    assert old_version
    for action, form in (("transition", {"to_state": "closed", "outcome": "cleared", "reason": "排除"}),
                         ("assign", {"assignee": "li", "reason": "抢单"})):
        response = li.post(f"/cases/{case_id}/{action}",
                           data={"csrf_token": csrf(stale_page), "version": old_version.group(1), **form})
        assert response.status_code == 409, response.text[:300]
        assert "案件已被他人修改" in response.text
    with world[1].session() as session:
        case = session.get(Case, case_id)
        assert case is not None and (case.state, case.assignee, case.outcome) == ("investigating", "li", None)


def test_export_masks_for_internal_and_shows_for_police(world: tuple[Settings, Database],
                                                        login: Callable[[str], TestClient]) -> None:
    li = login("li")
    case_id = open_from_gang(li)
    for recipient in ("internal", "police"):
        response = post(li, f"/cases/{case_id}", f"/cases/{case_id}/export", recipient=recipient,
                        reason=f"{recipient} 导出")
        assert response.status_code == 303, response.text[:400]
    page = li.get(f"/cases/{case_id}").text
    packages = re.findall(rf'href="/cases/{case_id}/packages/([^/"]+)/bundle\.json"', page)
    assert len(packages) == 2 and NUMBER not in page
    bundles = {}
    for package in packages:
        response = li.get(f"/cases/{case_id}/packages/{package}/bundle.json")
        assert response.status_code == 200
        bundles[response.json()["recipient"]] = response.text
    assert NUMBER not in bundles["internal"] and "5678" in bundles["internal"]
    assert NUMBER in bundles["police"]

    police = next(p for p in packages if "-police-" in p)
    archive = zipfile.ZipFile(io.BytesIO(li.get(f"/cases/{case_id}/packages/{police}/package.zip").content))
    assert sorted(archive.namelist()) == ["bundle.json", "manifest.json", "report.pdf"]
    assert archive.read("report.pdf").startswith(b"%PDF")
    assert strike.verify_case_package(world[0].home_dir / "cases" / "packages" / str(case_id) / police).intact

    with world[1].session() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.subject_id == str(case_id),
                                                        AuditEvent.action.in_(("case.exported",
                                                                               "case.package_downloaded")))).all()
        exported = {r.detail["recipient"]: r.detail["reveal_pii"] for r in rows if r.action == "case.exported"}
        downloads = [(r.actor, r.detail["file"], r.detail["reveal_pii"]) for r in rows
                     if r.action == "case.package_downloaded"]
    assert exported == {"internal": False, "police": True}
    assert ("li", "package.zip", True) in downloads and len(downloads) == 3
    for package in packages:  # a bad package id or file name is a 4xx, never a file outside the folder
        assert li.get(f"/cases/{case_id}/packages/{package}/..%2F..%2Fhome.db").status_code in (404, 422)
    assert li.get(f"/cases/{case_id}/packages/20200101T000000-police-abcdef/report.pdf").status_code == 404


def test_roles_csrf_and_unknown_things(world: tuple[Settings, Database],
                                       login: Callable[[str], TestClient]) -> None:
    li, wang, qa = login("li"), login("wang"), login("qa1")
    case_id = open_from_gang(li)
    police = post(li, f"/cases/{case_id}", f"/cases/{case_id}/export", recipient="police", reason="移送")
    assert police.status_code == 303

    # an analyst reads cases and may export a masked internal briefing, but not work cases or see full PII
    page = wang.get(f"/cases/{case_id}")
    assert page.status_code == 200 and 'id="case-transition"' not in page.text and 'id="case-export"' in page.text
    assert 'value="police" disabled' in page.text and 'value="police" disabled' not in li.get(f"/cases/{case_id}").text
    token = csrf(page.text)
    assert wang.post(f"/cases/{case_id}/transition", data={"csrf_token": token, "version": "1",
                     "to_state": "investigating", "reason": "x"}).status_code == 403
    assert wang.post("/gangs/GS-0001/cases", data={"csrf_token": token, "title": "t", "reason": "r"}).status_code == 403
    refused = wang.post(f"/cases/{case_id}/export", data={"csrf_token": token, "recipient": "police", "reason": "r"})
    assert refused.status_code == 403 and "完整个人信息" in refused.text
    package = re.search(rf'/cases/{case_id}/packages/([^/"]+-police-[^/"]+)/report\.pdf', page.text)
    assert package
    assert wang.get(f"/cases/{case_id}/packages/{package.group(1)}/report.pdf").status_code == 403
    assert wang.post(f"/cases/{case_id}/export", data={"csrf_token": token, "recipient": "internal",
                                                       "reason": "内部通报"}, follow_redirects=False).status_code == 303
    assert qa.get(f"/cases/{case_id}").status_code == 403

    # separation of duties: the admin may reveal PII on a customer page but manages users, not evidence
    root = login("root")
    page = root.get(f"/cases/{case_id}")
    assert page.status_code == 200 and 'id="case-export"' not in page.text
    token = csrf(page.text)
    for recipient in ("police", "internal"):
        assert root.post(f"/cases/{case_id}/export", data={"csrf_token": token, "recipient": recipient,
                                                           "reason": "管理员导出"}).status_code == 403
    assert root.get(f"/cases/{case_id}/packages/{package.group(1)}/package.zip").status_code == 403

    # no CSRF token, or a wrong one: refused before anything changes
    before = audit_actions(world[1], case_id)
    assert li.post(f"/cases/{case_id}/notes", data={"text": "无令牌"}).status_code == 403
    assert li.post(f"/cases/{case_id}/notes", data={"text": "错令牌", "csrf_token": "x"}).status_code == 403
    assert li.post("/gangs/GS-0001/cases", data={"title": "t", "reason": "r"}).status_code == 403
    assert audit_actions(world[1], case_id) == before

    token = csrf(li.get(f"/cases/{case_id}").text)
    assert li.post("/cases/9999/notes", data={"csrf_token": token, "text": "x"}).status_code == 404
    assert li.post("/gangs/GS-9999/cases", data={"csrf_token": token, "title": "t", "reason": "r"}).status_code == 404
    empty = li.post("/gangs/GS-0001/cases", data={"csrf_token": token, "title": "", "reason": "r"})
    assert empty.status_code == 422 and "案件标题不能为空" in empty.text
    unknown = li.post(f"/cases/{case_id}/export", data={"csrf_token": token, "recipient": "press", "reason": "r"})
    assert unknown.status_code == 422 and "接收方" in unknown.text
    outcome = post(li, f"/cases/{case_id}", f"/cases/{case_id}/transition", to_state="investigating",
                   outcome="cleared", reason="r")
    assert outcome.status_code == 422 and "只有结案时才能给出结论" in outcome.text
