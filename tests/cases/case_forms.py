"""Submitting case-console forms the way the browser does (CSRF token and case version from the page itself),
and reading what the audit log says about a case."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from grayshield.store import Database
from grayshield.store.models import AuditEvent

PASSWORD = "pw-strike-team-0123456789"
USERS = {"li": "investigator", "zhao": "supervisor", "wang": "analyst", "qa1": "qa", "root": "admin"}


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def post(client: TestClient, page: str, action: str, **form: object) -> httpx.Response:
    """Submit a form the way the browser does: the CSRF token (and case version) taken from the page itself."""
    html = client.get(page).text
    data = {"csrf_token": csrf(html), **{k: str(v) for k, v in form.items()}}
    if "version" not in data:
        version = re.search(r'name="version" value="(\d+)"', html)
        if version:
            data["version"] = version.group(1)
    response: httpx.Response = client.post(action, data=data, follow_redirects=False)
    return response


def audit_actions(db: Database, case_id: int) -> list[str]:
    with db.session() as session:
        return list(session.scalars(select(AuditEvent.action).where(
            AuditEvent.subject_type == "case", AuditEvent.subject_id == str(case_id)).order_by(AuditEvent.id)))
