"""The API and pages against a real SQLite store and a real lake: sign-in, CSRF, PII, exports, errors."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from console_seed import CUSTOMERS, DAYS, PII, csrf_from, password_for, sign_in
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from grayshield.models.registry import ModelRegistry
from grayshield.services import console_queries, users
from grayshield.store.models import AuditEvent

ClientFor = Callable[[str | None], TestClient]


def test_overview_and_filters(client_for: ClientFor) -> None:
    client = client_for("analyst")
    body = client.get("/api/v1/overview").json()
    assert body["as_of"] == str(DAYS[-1]) and body["total_alerts"] == len(CUSTOMERS)
    assert {c["key"] for c in body["by_band"]} == {"A", "B", "C"}
    assert [p["as_of"] for p in body["trend"]] == [str(d) for d in DAYS]
    assert body["tags_awaiting_review"] == 4 and body["tags_confirmed_7d"] == 0
    page = client.get("/api/v1/alerts", params={"band": "A", "segment": "mass", "page_size": 2}).json()
    assert page["total"] == 4 and len(page["items"]) == 2 and page["pages"] == 2
    assert all(a["band"] == "A" and a["segment"] == "mass" for a in page["items"])
    assert client.get("/api/v1/alerts", params={"page": 99}).json()["items"] == []
    html = client.get("/alerts", params={"band": "B"}, headers={"HX-Request": "true", "HX-Target": "alerts-table"})
    assert "<html" not in html.text and html.text.count("/customers/C") == 8


def test_customer_pii_masked_until_revealed_with_reason_and_audited(client_for: ClientFor, app: FastAPI) -> None:
    analyst = client_for("analyst")
    view = analyst.get(f"/api/v1/customers/{CUSTOMERS[0]}").json()
    assert view["masked"]["registered_phone"] == "138****5678" and view["masked"]["name"] == "王**"
    page = analyst.get(f"/customers/{CUSTOMERS[0]}").text
    assert PII["registered_phone"] not in page and PII["id_number"] not in page and "近90天投诉次数偏高" in page
    assert "查看明文" not in page  # analysts may not reveal: the form is not offered
    assert analyst.post(f"/api/v1/customers/{CUSTOMERS[0]}/reveal",
                        json={"field": "registered_phone", "reason": "客户来电核实身份"}).status_code == 403

    investigator = client_for("investigator")
    no_reason = investigator.post(f"/api/v1/customers/{CUSTOMERS[0]}/reveal", json={"field": "name", "reason": ""})
    assert no_reason.status_code == 422 and "detail" in no_reason.json()
    revealed = investigator.post(f"/api/v1/customers/{CUSTOMERS[0]}/reveal",
                                 json={"field": "registered_phone", "reason": "客户来电核实身份"})
    assert revealed.status_code == 200 and revealed.json()["value"] == PII["registered_phone"]
    fragment = investigator.post(f"/customers/{CUSTOMERS[1]}/reveal", data={"field": "id_number", "reason": "调查代理投诉"})
    assert PII["id_number"] in fragment.text
    with app.state.db.session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "pii.reveal")).all()
    assert [(e.actor, e.subject_id, e.detail["field"], e.reason) for e in events] == [
        ("investigator", CUSTOMERS[0], "registered_phone", "客户来电核实身份"),
        ("investigator", CUSTOMERS[1], "id_number", "调查代理投诉")]
    audit = client_for("supervisor").get("/api/v1/audit", params={"action": "pii.reveal"}).json()
    assert audit["total"] == 2
    assert client_for("supervisor").get("/api/v1/audit/verify").json()["intact"] is True


def test_state_changes_need_the_csrf_token(client_for: ClientFor) -> None:
    client = client_for("investigator")
    del client.headers["X-CSRF-Token"]
    response = client.post(f"/api/v1/customers/{CUSTOMERS[0]}/reveal", json={"field": "name", "reason": "核实身份信息"})
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    response = client.post(f"/api/v1/customers/{CUSTOMERS[0]}/reveal", json={"field": "name", "reason": "核实身份信息"},
                           headers={"X-CSRF-Token": "forged"})
    assert response.status_code == 403
    anonymous = TestClient(client.app, base_url="https://testserver")
    assert anonymous.post("/login", data={"username": "admin", "password": password_for("admin")}).status_code == 403


def test_bearer_tokens_for_machine_clients(client_for: ClientFor, app: FastAPI) -> None:
    secret = app.state.settings.secret_key.get_secret_value()
    token = users.issue_token(app.state.db, secret, "qa")
    machine = TestClient(app, base_url="https://testserver")
    assert machine.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()["via"] == "token"
    assert machine.get("/api/v1/me", headers={"Authorization": "Bearer forged.token"}).status_code == 401
    assert machine.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401
    users.set_active(app.state.db, "qa", False)
    assert machine.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_login_is_rate_limited_per_user_and_address(client_for: ClientFor) -> None:
    client = client_for(None)
    token = csrf_from(client.get("/login").text)
    codes = [client.post("/login", data={"username": "analyst", "password": "wrong-password!", "csrf_token": token}
                         ).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    right = client.post("/login", data={"username": "analyst", "password": password_for("analyst"),
                                        "csrf_token": token}, follow_redirects=False)
    assert right.status_code == 429  # even the right password waits out the window
    other = client.post("/login", data={"username": "qa", "password": password_for("qa"), "csrf_token": token},
                        follow_redirects=False)
    assert other.status_code == 303


def test_session_cookie_flags_and_security_headers(client_for: ClientFor) -> None:
    client = client_for(None)
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"username": "admin", "password": password_for("admin"),
                                           "csrf_token": token, "next": "//evil.example/x"}, follow_redirects=False)
    assert response.headers["location"] == "/"  # no open redirect
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie
    page = client.get("/")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"


def test_csv_export_is_safe_against_formula_injection(client_for: ClientFor) -> None:
    response = client_for("analyst").get("/api/v1/alerts/export.csv", params={"as_of": str(DAYS[0])})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows[0][0] == "预警日期" and len(rows) == len(CUSTOMERS) + 1
    cells = [cell for row in rows[1:] for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert any(cell.startswith("'=HYPERLINK") or "=HYPERLINK" in cell for cell in cells)
    assert client_for("qa").get("/api/v1/alerts/export.csv").status_code == 403


def test_bad_requests_get_clear_4xx_never_500(client_for: ClientFor) -> None:
    client = client_for("admin")
    assert client.get("/api/v1/alerts", params={"as_of": "not-a-date"}).status_code == 422
    assert client.get("/api/v1/alerts", params={"page": 0}).status_code == 422
    assert client.get("/api/v1/customers/NOPE").status_code == 404
    assert client.get("/api/v1/strategies/diff", params={"old": "v9999", "new": "default"}).status_code == 404
    assert client.get("/models/complaints/v0001/card").status_code == 404
    bad = client.post("/api/v1/users", json={"username": "x y", "password": "short", "roles": ["boss"]})
    assert bad.status_code == 422 and "detail" in bad.json()
    assert client.post("/api/v1/users", content=b"{not json", headers={"content-type": "application/json"}
                       ).status_code == 422
    assert client.get("/no/such/page").status_code == 404


def test_strategy_validate_and_diff(client_for: ClientFor) -> None:
    client = client_for("analyst")
    assert client.get("/api/v1/strategies").json()["active_version"] == "default"
    good = client.get("/api/v1/strategies").json()["active_text"]
    assert client.post("/api/v1/strategies/validate", json={"text": good}).json()["valid"] is True
    bad = client.post("/api/v1/strategies/validate", json={"text": good.replace("fallback_action", "fallback")}).json()
    assert bad["valid"] is False and bad["error"]
    assert client.get("/api/v1/strategies/diff", params={"old": "default", "new": "default"}).json()["diff"] == ""


def test_admin_manages_users_and_disabling_ends_sessions(client_for: ClientFor) -> None:
    admin = client_for("admin")
    created = admin.post("/api/v1/users", json={"username": "zhang.san", "password": "a-long-password",
                                                 "roles": ["analyst", "qa"]})
    assert created.status_code == 201 and created.json()["roles"] == ["analyst", "qa"]
    assert admin.post("/api/v1/users", json={"username": "zhang.san", "password": "a-long-password",
                                             "roles": ["qa"]}).status_code == 422
    analyst = client_for("analyst")
    assert analyst.get("/api/v1/me").status_code == 200
    assert admin.post("/api/v1/users/analyst/active", json={"active": False}).status_code == 204
    assert analyst.get("/api/v1/me").status_code == 401
    assert analyst.get("/alerts", follow_redirects=False).headers["location"].startswith("/login")
    assert admin.post("/api/v1/users/nobody/roles", json={"roles": ["qa"]}).status_code == 404
    matrix = admin.get("/admin/users").text
    assert "<code>GET /api/v1/health</code></td><td>公开</td>" in matrix
    listed = {u["username"]: u for u in admin.get("/api/v1/users").json()}
    assert listed["analyst"]["active"] is False and "zhang.san" in listed


def test_every_page_renders_for_admin(client_for: ClientFor) -> None:
    client = client_for("admin")
    for path in ("/", "/alerts", f"/customers/{CUSTOMERS[0]}", "/tags", "/tags/1", "/models", "/strategies",
                 "/lexicon", "/admin/users", "/audit"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "<html lang=\"zh-CN\">" in response.text


def test_pii_typed_into_a_reason_is_masked_in_the_audit_view(client_for: ClientFor, app: FastAPI) -> None:
    investigator = client_for("investigator")
    reason = "客户用13912345678来电，核实身份"
    assert investigator.post(f"/api/v1/customers/{CUSTOMERS[2]}/reveal",
                             json={"field": "address", "reason": reason}).status_code == 200
    with app.state.db.session() as session:  # the log itself keeps what was typed
        assert session.scalars(select(AuditEvent.reason).where(AuditEvent.action == "pii.reveal")).one() == reason
    shown = client_for("admin").get("/api/v1/audit", params={"action": "pii.reveal"}).json()["items"][0]["reason"]
    assert "13912345678" not in shown and "5678" in shown


def test_tag_review_queue_four_eyes_and_history(client_for: ClientFor) -> None:
    analyst = client_for("analyst")
    queue = analyst.get("/api/v1/tags").json()["items"]
    assert len(queue) == 4 and {t["state"] for t in queue} == {"proposed"}
    own = next(t for t in queue if t["created_by"] == "analyst")
    refused = analyst.post(f"/api/v1/tags/{own['id']}/review", json={"decision": "confirm", "reason": "核实无误"})
    assert refused.status_code == 422 and "四眼" in refused.json()["detail"]
    first = next(t for t in queue if t["source"] == "model")
    stale = analyst.post(f"/api/v1/tags/{first['id']}/review",
                         json={"decision": "confirm", "reason": "核实无误", "expected_version": first["version"] + 5})
    assert stale.status_code == 409 and "已被他人修改" in stale.json()["detail"]
    done = analyst.post(f"/api/v1/tags/{first['id']}/review", json={"decision": "confirm", "reason": "外呼核实为中介"})
    assert done.status_code == 200 and done.json()["state"] == "confirmed"
    overview = analyst.get("/api/v1/overview").json()
    assert (overview["tags_awaiting_review"], overview["tags_confirmed_7d"]) == (3, 1)
    assert client_for("qa").post(f"/api/v1/tags/{first['id']}/review",
                                 json={"decision": "reject", "reason": "误报"}).status_code == 403
    detail = client_for("qa").get(f"/api/v1/tags/{first['id']}").json()
    assert [(e["action"], e["after_state"]) for e in detail["history"]] == [("proposed", "proposed"),
                                                                              ("confirmed", "confirmed")]
    assert analyst.get("/api/v1/tags").json()["total"] == 3
    assert analyst.get("/api/v1/tags", params={"state": ""}).json()["total"] == 4
    assert analyst.get("/api/v1/tags", params={"state": "", "page_size": 3, "page": 2}).json()["items"][0]["id"] == 4
    row = analyst.post(f"/tags/{queue[1]['id']}/review", data={"decision": "reject", "reason": ""})
    assert row.status_code == 422 and "理由" in row.text and f'id="tag-{queue[1]["id"]}"' in row.text


def test_lexicon_view_validate_and_diff(client_for: ClientFor) -> None:
    analyst = client_for("analyst")
    view = analyst.get("/api/v1/lexicons").json()
    assert view["selected"] == "default" and view["lexicons"][0]["terms"] > 50
    edited = view["text"].replace('"停息挂账", ', '"停息挂账", "协商停催", ')
    check = analyst.post("/api/v1/lexicons/validate", json={"text": edited}).json()
    assert check["valid"] and check["compared_with"].startswith("default@") and '+  "停息挂账", "协商停催"' in check["diff"]
    duplicate = view["text"].replace('"停息挂账", ', '"停息挂账", "停息挂账", ')
    refused = analyst.post("/api/v1/lexicons/validate", json={"text": duplicate}).json()
    assert refused["valid"] is False and "停息挂账" in refused["error"]
    assert analyst.get("/api/v1/lexicons", params={"name": "nope"}).status_code == 404
    fragment = analyst.post("/lexicon/validate", data={"text": "not = [toml"})
    assert fragment.status_code == 200 and "校验未通过" in fragment.text
    assert client_for("qa").get("/lexicon").status_code == 403


def test_model_monitoring_and_card(client_for: ClientFor, app: FastAPI) -> None:
    def write(folder: Path) -> dict[str, object]:
        (folder / "model_card.html").write_text("<html><body><h1>模型卡</h1></body></html>", encoding="utf-8")
        return {"training_window": ["2025-01-31", "2025-04-30"], "validation_window": ["2025-05-31", "2025-06-30"],
                "oot_validation": {"lightgbm": {"auc": 0.81, "ks": 0.47, "top_decile_lift": 3.9,
                                                "capture_at_10pct": 0.39, "rows": 1000}}}

    ModelRegistry(app.state.settings.models_dir).publish("complaints", write)
    analyst = client_for("analyst")
    body = analyst.get("/api/v1/models").json()
    assert body["versions"][0]["version"] == "v0001" and body["versions"][0]["oot_validation"]["lightgbm"]["auc"] == 0.81
    assert [d["level"] for d in body["drift"]] == ["ok", "warn"]
    page = analyst.get("/models").text
    assert "0.810" in page and "/models/complaints/v0001/card" in page
    card = analyst.get("/models/complaints/v0001/card")
    assert card.status_code == 200 and "模型卡" in card.text
    assert "script-src" not in card.headers["content-security-policy"] and "default-src 'none'" in card.headers[
        "content-security-policy"]
    assert analyst.get("/models/complaints/v0002/card").status_code == 404
    assert analyst.get("/models/..%2F..%2Fetc/v0001/card").status_code in (404, 422)


def test_unexpected_errors_are_500_with_an_incident_number_and_no_pii_logged(
        app: FastAPI, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("客户 13812345678 的数据损坏")

    monkeypatch.setattr(console_queries, "overview", broken)
    client = TestClient(app, base_url="https://testserver", raise_server_exceptions=False)
    sign_in(client, "analyst", password_for("analyst"))
    with caplog.at_level(logging.ERROR, logger="grayshield"):
        api = client.get("/api/v1/overview")
        page = client.get("/")
    assert api.status_code == 500 and "事件编号" in api.json()["detail"]
    assert page.status_code == 500 and "事件编号" in page.text
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "RuntimeError" in logged and "13812345678" not in logged
