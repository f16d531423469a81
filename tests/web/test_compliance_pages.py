"""合规监测 pages on a real console (SQLite store, Parquet lake): findings with filters, a call's masked transcript
with the flagged utterance marked, the audited review workflow with its refusals, process alerts with evidence and
the expected path, and scores with their chart."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from grayshield.contract import TABLES
from grayshield.contract.arrow import arrow_schema
from grayshield.core.settings import Settings
from grayshield.services.compliance import ComplianceReview
from grayshield.store import Database
from grayshield.store.models import AuditEvent, ComplianceFinding

PHONE = "13912345678"
LEAK = f"他欠款三万，手机号{PHONE}"


def _write(lake: Path, name: str, rows: list[dict[str, object]]) -> None:
    schema = arrow_schema(TABLES[name])
    full = [{c: row.get(c) for c in schema.names} for row in rows]
    (lake / name).mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(full, schema=schema), lake / name / "part-0.parquet")


def _finding(source: str, kind: str, subject: str, ref: str, **extra: object) -> dict[str, object]:
    return {"source": source, "finding_type": kind, "subject_type": extra.pop("subject_type", "call"),
            "subject_id": subject, "ref": ref, "title_zh": str(extra.pop("title_zh", kind)),
            "severity": int(extra.pop("severity", 10)), "probability": 0.9, "reasons": extra.pop("reasons", []),
            "evidence": extra.pop("evidence", {}), "made_by": "test", **extra}


@pytest.fixture
def seeded(console_settings: Settings) -> Settings:
    lake = console_settings.lake_dir
    _write(lake, "calls", [{"call_id": "CL1", "caller_number": f"+86{PHONE}", "called_line": "95528",
                            "direction": "inbound", "start_time": datetime(2024, 3, 4, 10, 0), "duration_s": 120,
                            "agent_id": "S7", "queue": "card_service", "claimed_customer_id": "C000001",
                            "caller_relation": "spouse", "identity_verified": False}])
    _write(lake, "call_utterances", [
        {"call_id": "CL1", "seq": 0, "speaker": "agent", "start_ms": 0, "end_ms": 900, "text": "您好，工号1234为您服务"},
        {"call_id": "CL1", "seq": 1, "speaker": "caller", "start_ms": 900, "end_ms": 2000, "text": "我替我老婆问问"},
        {"call_id": "CL1", "seq": 2, "speaker": "agent", "start_ms": 2000, "end_ms": 4000, "text": LEAK}])
    db = Database(console_settings.db_url)
    with db.session() as session:
        ComplianceReview(session, "cli").save([
            _finding("qa", "third_party_disclosure", "CL1", "2", staff_id="S7", team="SH01-01", month="2024-03",
                     rule_id="F05", title_zh="向未核身第三方泄露信息", severity=30,
                     reasons=["rule:F05_disclosure「他欠款」"], evidence={"kind": "breach", "text": "他欠款三万，手机号139****5678"}),
            _finding("qa", "recording_notice", "CL1", "", staff_id="S7", team="SH01-01", month="2024-03",
                     title_zh="缺少录音提示", severity=5),
            _finding("qa", "threat", "CL2", "4", staff_id="S9", team="SH01-02", month="2024-04", severity=40),
            _finding("staff", "gang_collusion", "S7", "2024-03-04", subject_type="staff", staff_id="S7",
                     title_zh="反复接待同一团伙来电（疑似内外勾结）",
                     reasons=["12 笔操作，涉及 5 位客户", "坐席接待号码群 G7 的来电 14 次，按队列随机分配期望 2.7 次"],
                     evidence={"expected": "同一号码群的代理来电应按队列随机分配到各坐席", "op_ids": ["P1"],
                               "first_time": "2024-03-04 10:00:00", "last_time": "2024-03-04 16:00:00"}),
            _finding("case", "process_deviation", "CP9", "", subject_type="complaint", title_zh="投诉处理流程偏离正常流程",
                     reasons=["结案前缺少主管审批"], evidence={"trace": "received > resolved",
                                                      "expected_path": ["received", "assigned", "approved", "resolved"]}),
        ])
    db.dispose()
    return console_settings


def _id(settings: Settings, kind: str) -> int:
    db = Database(settings.db_url)
    with db.session() as session:
        found = session.query(ComplianceFinding).filter_by(finding_type=kind).one()
        ident = found.id
    db.dispose()
    return ident


def test_findings_list_filters_by_agent_and_state(seeded: Settings, client_for: Callable[[str | None], TestClient]
                                                 ) -> None:
    qa = client_for("qa")
    page = qa.get("/compliance")
    assert page.status_code == 200 and "通话质检发现" in page.text
    assert 'id="findings-total">3<' in page.text and PHONE not in page.text and "139****5678" in page.text
    only = qa.get("/compliance", params={"staff_id": "S9"})
    assert 'id="findings-total">1<' in only.text and "CL2" in only.text and "CL1" not in only.text
    assert 'id="findings-total">0<' in qa.get("/compliance", params={"state": "confirmed"}).text
    assert qa.get("/compliance", params={"month": "March"}).status_code == 422  # bad input is a 4xx, not a 500


def test_call_page_masks_the_transcript_and_marks_the_flagged_utterance(
        seeded: Settings, client_for: Callable[[str | None], TestClient]) -> None:
    page = client_for("supervisor").get("/compliance/calls/CL1")
    assert page.status_code == 200
    assert PHONE not in page.text and "139****5678" in page.text  # caller number and the utterance are masked
    flagged = page.text.split('id="u2"')[1].split("</tr>")[0]
    assert "<mark>" in flagged and "向未核身第三方泄露信息" in flagged and "确认" in flagged
    assert "<mark>" not in page.text.split('id="u1"')[1].split("</tr>")[0]
    assert "缺少录音提示" in page.text
    assert client_for("qa").get("/compliance/calls/NOPE").status_code == 404


def test_review_needs_a_reason_is_audited_and_happens_once(
        seeded: Settings, client_for: Callable[[str | None], TestClient]) -> None:
    ident = _id(seeded, "third_party_disclosure")
    qa = client_for("qa")
    url = f"/compliance/findings/{ident}/review"
    refused = qa.post(url, data={"decision": "confirm", "reason": " "})
    assert refused.status_code == 422 and "复核理由" in refused.text
    assert qa.post(url, data={"decision": "approve", "reason": "复听属实"}).status_code == 422
    stale = qa.post(url, data={"decision": "confirm", "reason": "复听属实", "expected_version": "7"})
    assert stale.status_code == 409 and "请刷新" in stale.text
    done = qa.post(url, data={"decision": "confirm", "reason": "复听属实", "expected_version": "1"})
    assert done.status_code == 200 and "已确认" in done.text and "复听属实" in done.text
    again = qa.post(url, data={"decision": "dismiss", "reason": "重复提交"})
    assert again.status_code == 409 and "已复核（confirmed）" in again.text
    assert client_for("analyst").post(url, data={"decision": "dismiss", "reason": "越权"}).status_code == 403
    no_csrf = client_for("supervisor")
    del no_csrf.headers["X-CSRF-Token"]
    assert no_csrf.post(url, data={"decision": "dismiss", "reason": "无令牌"}).status_code == 403
    assert qa.post("/compliance/findings/999999/review", data={"decision": "confirm", "reason": "不存在"}
                   ).status_code == 404
    db = Database(seeded.db_url)
    with db.session() as session:
        entries = session.query(AuditEvent).filter_by(action="compliance.confirm").all()
        assert [(e.actor, e.subject_id, e.reason) for e in entries] == [("qa", str(ident), "复听属实")]
    db.dispose()
    assert 'id="findings-total">1<' in qa.get("/compliance", params={"state": "confirmed"}).text


def test_process_alerts_show_evidence_and_the_expected_path(
        seeded: Settings, client_for: Callable[[str | None], TestClient]) -> None:
    page = client_for("investigator").get("/compliance/alerts")
    assert page.status_code == 200 and 'id="alerts-total">2<' in page.text
    assert "期望 2.7 次" in page.text and "按队列随机分配" in page.text
    assert "received › assigned › approved › resolved" in page.text and "实际路径：received › resolved" in page.text
    assert "确认</button>" not in page.text  # investigators read alerts; QA staff and supervisors review them
    only = client_for("qa").get("/compliance/alerts", params={"finding_type": "gang_collusion"})
    assert 'id="alerts-total">1<' in only.text and "确认</button>" in only.text


def test_scores_per_agent_team_and_month_with_a_chart(
        seeded: Settings, client_for: Callable[[str | None], TestClient]) -> None:
    qa = client_for("qa")
    page = qa.get("/compliance/scores")
    assert page.status_code == 200 and 'data-chart="chart-data-scores"' in page.text
    rows = page.text.split("<tbody>")[1]
    assert rows.index("S9") < rows.index("S7")  # lowest score first: S9 60, S7 65 (30 + 5 off one call)
    assert "<td>65.0</td>" in rows and "<td>60.0</td>" in rows
    assert "2024-04" in qa.get("/compliance/scores", params={"by": "month"}).text
    assert "SH01-02" in qa.get("/compliance/scores", params={"by": "team"}).text
    assert qa.get("/compliance/scores", params={"by": "desk"}).status_code == 422
