"""Seed data and sign-in helpers shared by the console tests and fixtures."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from fastapi.testclient import TestClient

from grayshield.contract import TABLES
from grayshield.contract.arrow import arrow_schema
from grayshield.core.roles import ROLES
from grayshield.services import users
from grayshield.store import Database, upgrade
from grayshield.store.models import Alert, ScoreRun
from grayshield.tags import TagProposal, TagService

DAYS = (date(2025, 5, 31), date(2025, 6, 30))
CUSTOMERS = [f"C{i:06d}" for i in range(1, 13)]
PII = {"name": "王小明", "id_number": "110101199003071234", "registered_phone": "13812345678",
       "address": "北京市东城区某某街道1号"}


def password_for(role: str) -> str:
    return f"pw-{role}-0123456789"


def seed_store(db: Database) -> None:
    upgrade(db)
    for role in ROLES:
        users.add_user(db, role, password_for(role), [role], display_name=f"测试{role}")
    reasons = [{"feature": "complaints_90d", "reason": "近90天投诉次数偏高", "contribution": 0.8, "value": 2},
               {"feature": "=cmd|' /C calc'!A0", "reason": "=HYPERLINK(\"http://x\")", "contribution": 0.1}]
    with db.session() as session:
        for d, as_of in enumerate(DAYS):
            for i, customer in enumerate(CUSTOMERS):
                band = "ABC"[i % 3]
                session.add(Alert(kind="complaint", subject_type="customer", subject_id=customer, as_of=as_of,
                                  score=0.9 - i * 0.05, band=band, proxy_score=0.5, proxy_level=("high", "low")[i % 2],
                                  reasons=reasons, segment=("mass", "senior")[i % 2],
                                  action=("identity_reverification", "monitor")[i % 2], rule="r1",
                                  strategy_version="2024.1", model_name="complaints", model_version="v0001"))
            session.add(ScoreRun(kind="complaint", as_of=as_of, model_name="complaints", model_version="v0001",
                                 strategy_version="2024.1", rows_scored=1000, alerts=len(CUSTOMERS),
                                 score_summary={"score_mean": 0.03 + d / 100, "drift": {
                                     "score_psi": 0.05 + d * 0.2, "level": ("ok", "warn")[d],
                                     "top_feature_psi": [{"feature": "complaints_90d", "psi": 0.1, "level": "warn"}]}},
                                 finished_at=datetime.now(UTC)))
    seed_tags(db)


TAGGED_NUMBERS = ("13800001111", "13800002222", "13800003333")


def seed_tags(db: Database) -> None:
    """Three model-proposed number tags waiting for review, and one an analyst proposed herself."""
    with db.session() as session:
        model = TagService(session, "complaint-model")
        for number in TAGGED_NUMBERS:
            model.propose(TagProposal("blackgray_number", "number", number, "model", 0.8, note="多名投诉客户共用"))
        TagService(session, "analyst").propose(TagProposal("proxy_agency", "number", "13800004444", "analyst", 0.9))


def write_lake_customers(lake_dir: Path) -> None:
    schema = arrow_schema(TABLES["customers"])
    rows = [{"customer_id": c, **PII, "gender": "M", "birth_date": date(1990, 3, 7), "province": "北京市",
             "city": "北京市", "occupation": "employee", "annual_income": 100000.0, "education": "bachelor",
             "onboard_date": date(2020, 1, 1), "segment": "mass"} for c in CUSTOMERS]
    folder = lake_dir / "customers"
    folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), folder / "part-0.parquet")


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF field"
    return match.group(1)


def sign_in(client: TestClient, username: str, password: str) -> str:
    """Sign in through the real form; returns the session's CSRF token for later state-changing calls."""
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return csrf_from(client.get("/").text)
