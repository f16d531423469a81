"""Opening a case from a number's tag, a watched social account or a customer, or adding one to an open case.

Real store on SQLite and PostgreSQL, real sign-in and forms: the subject's page carries the card, the case
service records the case, its first evidence item and the audit entries; a stale choice of case is a 409.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from case_forms import audit_actions, csrf, post
from fastapi.testclient import TestClient
from sqlalchemy import select

from grayshield.core.settings import Settings
from grayshield.services.social_monitoring import WatchList
from grayshield.store import Database
from grayshield.store.models import Alert, Case, EvidenceItem, Tag
from grayshield.tags import TagProposal, TagService

NUMBER = "13912345678"
CONTACT_PHONE = "13787654321"
CUSTOMER = "C000042"


@pytest.fixture
def subjects(world: tuple[Settings, Database]) -> dict[str, str]:
    """A number tag, a device tag, a watched account advertising a phone, a customer with a complaint warning."""
    with world[1].session() as session:
        tags = TagService(session, "complaint-model")
        number = tags.propose(TagProposal("blackgray_number", "number", NUMBER, "model", 0.8, note="多名投诉客户共用"))
        device = tags.propose(TagProposal("suspect_device", "device", "DEV-9", "model", 0.7))
        WatchList(session, "social-scan").add([{"platform": "douyin", "account_id": "acc-7", "nickname": "债务优化",
                                               "priority": 8.5, "followers": 1200,
                                               "contacts": [f"phone:{CONTACT_PHONE}"]}], "高优先级代理账号")
        session.add(Alert(kind="complaint", subject_type="customer", subject_id=CUSTOMER, as_of=date(2024, 5, 1),
                          score=0.91, band="A", proxy_score=0.7, proxy_level="high",
                          reasons=[{"feature": "complaints_90d", "reason": "近90天投诉次数偏高", "value": 3}],
                          segment="mass", action="monitor", rule="r1", strategy_version="2024.1",
                          model_name="complaints", model_version="v0001"))
        session.flush()
        watch = WatchList(session, "social-scan").get("douyin", "acc-7")
        return {"number_tag": f"/tags/{number.id}", "device_tag": f"/tags/{device.id}",
                "account": f"/social/watchlist/{watch.id}", "customer": f"/customers/{CUSTOMER}"}


def open_case(client: TestClient, page: str, title: str) -> int:
    response = post(client, page, f"{page}/cases", target="new", title=title, assignee="li", reason="核查可疑对象")
    assert response.status_code == 303, response.text[:500]
    found = re.match(r"^/cases/(\d+)\?done=opened$", response.headers["location"])
    assert found
    return int(found.group(1))


def evidence(db: Database, case_id: int) -> list[tuple[str, str]]:
    with db.session() as session:
        return [(e.kind, e.source) for e in session.scalars(
            select(EvidenceItem).where(EvidenceItem.case_id == case_id).order_by(EvidenceItem.id))]


def test_open_a_case_from_each_subject_page(world: tuple[Settings, Database], subjects: dict[str, str],
                                            login: Callable[[str], TestClient]) -> None:
    li = login("li")
    for page in ("number_tag", "account", "customer"):
        html = li.get(subjects[page]).text
        assert 'id="case-card"' in html and 'id="case-open"' in html, page
        assert NUMBER not in html or page == "number_tag"  # the tag page shows its own number, nothing else does
        assert CONTACT_PHONE not in html, page
    opened = {page: open_case(li, subjects[page], f"{page} 立案") for page in ("number_tag", "account", "customer")}

    with world[1].session() as session:
        cases = {page: session.get(Case, case_id) for page, case_id in opened.items()}
        tag_id = session.scalars(select(Tag.id).where(Tag.subject_id.like(f"%{NUMBER[-8:]}"))).one()
        assert all(c is not None for c in cases.values())
        got = {page: (c.subject_type, c.subject_id, c.assignee) for page, c in cases.items() if c is not None}
    assert got["number_tag"][0] == "number" and got["number_tag"][1].endswith(NUMBER)
    assert got["account"] == ("account", "douyin:acc-7", "li")
    assert got["customer"] == ("customer", CUSTOMER, "li")
    assert evidence(world[1], opened["number_tag"]) == [("tag", f"tag:{tag_id}")]
    assert evidence(world[1], opened["account"])[0][0] == "social_account"
    assert evidence(world[1], opened["customer"])[0][0] == "alert"
    for case_id in opened.values():
        assert audit_actions(world[1], case_id) == ["case.opened", "case.evidence_added"]
        page = li.get(f"/cases/{case_id}").text
        assert "已立案" in page and NUMBER not in page and CONTACT_PHONE not in page
        assert 'id="chart-data-graph"' not in page  # no gang, no graph to draw
    assert "标签 #" in li.get(f"/cases/{opened['number_tag']}").text
    assert "黑灰产惯用号码" in li.get(f"/cases/{opened['number_tag']}").text  # the tag type's name, not its key
    board = li.get("/cases").text
    assert "号码" in board and "社交账号" in board and "客户" in board and NUMBER not in board

    # the card now lists the case already on the subject
    assert f'href="/cases/{opened["customer"]}"' in li.get(subjects["customer"]).text


def test_add_to_an_open_case_and_refuse_a_stale_choice(world: tuple[Settings, Database], subjects: dict[str, str],
                                                        login: Callable[[str], TestClient]) -> None:
    li, zhao = login("li"), login("zhao")
    case_id = open_case(li, subjects["number_tag"], "号码团伙线索")
    page = li.get(subjects["customer"]).text
    choice = re.search(rf'<option value="({case_id}:\d+)">', page)
    assert choice, "the open case is offered on the customer's card"
    added = post(li, subjects["customer"], f"{subjects['customer']}/cases", target=choice.group(1),
                 reason="该客户投诉涉及此号码")
    assert added.status_code == 303 and added.headers["location"] == f"/cases/{case_id}?done=added"
    assert [kind for kind, _ in evidence(world[1], case_id)] == ["tag", "alert"]
    assert "该客户投诉涉及此号码" in li.get(f"/cases/{case_id}").text

    again = li.get(subjects["customer"]).text
    fresh = re.search(rf'<option value="({case_id}:\d+)">', again)
    assert fresh
    twice = li.post(f"{subjects['customer']}/cases", data={"csrf_token": csrf(again), "target": fresh.group(1),
                                                           "reason": "重复"})
    assert twice.status_code == 422 and "相同内容的证据已附在本案" in twice.text and 'id="case-error"' in twice.text

    stale = li.get(subjects["account"]).text
    old = re.search(rf'<option value="({case_id}:\d+)">', stale)
    assert old
    assert post(zhao, f"/cases/{case_id}", f"/cases/{case_id}/transition", to_state="investigating",
                reason="主管接手").status_code == 303
    refused = li.post(f"{subjects['account']}/cases", data={"csrf_token": csrf(stale), "target": old.group(1),
                                                            "reason": "加入"})
    assert refused.status_code == 409 and "案件已被他人修改" in refused.text
    assert [kind for kind, _ in evidence(world[1], case_id)] == ["tag", "alert"]

    assert post(zhao, f"/cases/{case_id}", f"/cases/{case_id}/transition", to_state="closed",
                outcome="cleared", reason="排除").status_code == 303
    closed = li.get(subjects["account"]).text
    assert f'<option value="{case_id}:' not in closed  # closed cases are not offered
    with world[1].session() as session:
        case = session.get(Case, case_id)
        assert case is not None
        version = case.version
    late = li.post(f"{subjects['account']}/cases", data={"csrf_token": csrf(closed), "target": f"{case_id}:{version}",
                                                         "reason": "加入"})
    assert late.status_code == 422 and "已结案" in late.text


def test_roles_csrf_and_bad_input(world: tuple[Settings, Database], subjects: dict[str, str],
                                  login: Callable[[str], TestClient]) -> None:
    li = login("li")
    for user in ("wang", "qa1", "root"):  # analysts, QA and the admin see the pages but cannot open cases
        client = login(user)
        for page in ("number_tag", "account", "customer"):
            html = client.get(subjects[page])
            assert html.status_code == 200 and 'id="case-card"' not in html.text, (user, page)
            refused = client.post(f"{subjects[page]}/cases", data={"csrf_token": csrf(html.text), "title": "t",
                                                                    "reason": "r"})
            assert refused.status_code == 403, (user, page)
    token = csrf(li.get(subjects["customer"]).text)
    assert li.post(f"{subjects['customer']}/cases", data={"title": "无令牌", "reason": "r"}).status_code == 403
    with world[1].session() as session:
        assert session.scalar(select(Case.id)) is None  # nothing was opened by any refused request

    assert li.post("/tags/9999/cases", data={"csrf_token": token, "title": "t", "reason": "r"}).status_code == 404
    assert li.post("/social/watchlist/9999/cases", data={"csrf_token": token, "title": "t",
                                                         "reason": "r"}).status_code == 404
    assert li.post("/customers/C999999/cases", data={"csrf_token": token, "title": "t",
                                                     "reason": "r"}).status_code == 404
    device = li.post(f"{subjects['device_tag']}/cases", data={"csrf_token": token, "title": "t", "reason": "r"})
    assert device.status_code == 422 and "设备不能作为案件对象" in device.text
    assert 'id="case-card"' not in li.get(subjects["device_tag"]).text
    assert li.post(f"{subjects['customer']}/cases", data={"csrf_token": token, "target": "1;DROP",
                                                          "reason": "r"}).status_code == 422
    no_reason = li.post(f"{subjects['customer']}/cases", data={"csrf_token": token, "title": "客户立案", "reason": " "})
    assert no_reason.status_code == 422 and "原因不能为空" in no_reason.text and 'id="case-open"' in no_reason.text
    assert li.post("/cases/9999/notes", data={"csrf_token": token, "text": "x"}).status_code == 404
    with world[1].session() as session:
        assert session.scalar(select(Case.id)) is None
