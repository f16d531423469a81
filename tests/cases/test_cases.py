"""Case workflow, immutable evidence and evidence packages, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from grayshield.cases import CaseService, NewEvidence, export_package, outcome_labels, verify_package
from grayshield.core.errors import NotFoundError, ValidationError
from grayshield.store import Database
from grayshield.store.audit import verify_chain
from grayshield.store.models import AuditEvent

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NUMBER = "+8617012345678"
GANG_DETAIL = {
    "summary_zh": f"团伙 GS-0001：客户 3 个、号码 2 个。主要号码：{NUMBER}（关联客户 3 次）。",
    "facts": {"first_seen": "2025-10-01T08:00:00", "last_seen": "2025-12-20T18:00:00"},
    "members": ["customer:C001", f"number:{NUMBER}", "account:douyin/abc"],
    "entities": [{"kind": "号码", "id": NUMBER, "note": "代 3 名客户来电"},
                 {"kind": "客户", "id": "C001", "note": "张伟 身份证 110101199003074514"}],
    "graph": {"nodes": [{"id": "customer:C001", "kind": "customer"}, {"id": f"number:{NUMBER}", "kind": "number"},
                        {"id": "account:douyin/abc", "kind": "account"}],
              "edges": [[f"number:{NUMBER}", "customer:C001"], ["account:douyin/abc", f"number:{NUMBER}"]]},
}


def _open(db: Database) -> int:
    with db.session() as s:
        return CaseService(s, "analyst1").open("gang", "GS-0001", "湖北某代理维权团伙", detail=GANG_DETAIL,
                                               deadline=T0 + timedelta(days=30), now=T0).id


def test_workflow_history_and_audit(db: Database) -> None:
    case_id = _open(db)
    with db.session() as s:
        cases = CaseService(s, "analyst1")
        cases.assign(case_id, "investigator2", "专人跟进", now=T0 + timedelta(hours=1))
        cases.transition(case_id, "investigating", "开始调查", now=T0 + timedelta(hours=2))
        cases.note(case_id, "核实 3 名客户，均称不知情", now=T0 + timedelta(hours=3))
        cases.transition(case_id, "referred_police", "线索充分，移送公安", now=T0 + timedelta(days=1))
        cases.transition(case_id, "closed", "公安已立案", outcome="police_case_filed", now=T0 + timedelta(days=9))
    with db.session() as s:
        cases = CaseService(s, "auditor")
        case = cases.get(case_id)
        assert (case.state, case.outcome, case.assignee) == ("closed", "police_case_filed", "investigator2")
        actions = [e.action for e in cases.history(case_id)]
        assert actions == ["opened", "assigned", "state_changed", "note", "state_changed", "closed"]
        assert (cases.history(case_id)[2].before or {}).get("state") == "open"
        audit = s.scalars(sa.select(AuditEvent).where(AuditEvent.subject_type == "case")).all()
        assert [a.action for a in audit][-1] == "case.closed" and len(audit) == 6
        assert verify_chain(s).intact


@pytest.mark.parametrize(("moves", "message"), [
    ([("referred_police", None)], "只能转为"),
    ([("investigating", None), ("closed", None)], "结案须给出结论"),
    ([("investigating", "cleared")], "只有结案时"),
    ([("investigating", None), ("closed", "maybe")], "未知结案结论"),
])
def test_bad_moves_are_refused(db: Database, moves: list[tuple[str, str | None]], message: str) -> None:
    case_id = _open(db)
    with pytest.raises(ValidationError, match=message), db.session() as s:
        for state, outcome in moves:
            CaseService(s, "analyst1").transition(case_id, state, "原因", outcome=outcome, now=T0)


def test_bad_input_is_a_clear_error(db: Database) -> None:
    with db.session() as s:
        cases = CaseService(s, "analyst1")
        with pytest.raises(ValidationError, match="案件对象类型"):
            cases.open("person", "x", "标题")
        with pytest.raises(ValidationError, match="案件标题不能为空"):
            cases.open("gang", "GS-1", "  ")
        with pytest.raises(ValidationError, match="截止时间"):
            cases.open("gang", "GS-1", "标题", deadline=T0, now=T0 + timedelta(days=1))
        with pytest.raises(NotFoundError):
            cases.get(999)


def test_evidence_is_hashed_immutable_and_not_duplicated(db: Database) -> None:
    case_id = _open(db)
    item = NewEvidence("call", "call:CL0001", "代客户来电", {"call_id": "CL0001", "caller": NUMBER})
    with db.session() as s:
        evidence = CaseService(s, "analyst1").attach(case_id, item, now=T0)
        assert len(evidence.sha256) == 64
        with pytest.raises(ValidationError, match="相同内容的证据"):
            CaseService(s, "analyst1").attach(case_id, item, now=T0)
    for statement in ("UPDATE evidence_items SET title = 'x'", "DELETE FROM evidence_items",
                      "UPDATE case_events SET actor = 'x'"):
        with pytest.raises(DBAPIError), db.engine.begin() as conn:
            conn.execute(sa.text(statement))


def _pdf_pages(path: Path) -> tuple[list[object], str]:
    """Every page rendered to an image, and the text: proves the PDF is valid, not just a file with a PDF name."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped,import-not-found,unused-ignore]

    document = pdfium.PdfDocument(str(path))
    try:
        pages = [document[i].render(scale=1).to_pil() for i in range(len(document))]
        text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()
    return pages, text


def test_pdf_renders_to_page_images_with_chinese_text(db: Database, tmp_path: Path) -> None:
    pytest.importorskip("pypdfium2")  # dev dependency; the manifest tests below run without it
    case_id = _open(db)
    with db.session() as s:
        record = CaseService(s, "analyst1").record(case_id)
    folder, _ = export_package(record, tmp_path / "internal", "internal")
    pages, text = _pdf_pages(folder / "report.pdf")
    assert "一、案情摘要" in text and "五、证据清单" in text and "+861******5678" in text and NUMBER not in text
    assert pages and all(p.size[0] > 500 for p in pages)  # type: ignore[attr-defined]
    assert any(p.convert("L").getextrema()[0] < 100 for p in pages), "a page with no ink"  # type: ignore[attr-defined]


def test_package_for_police_shows_pii_internal_masks_it_and_manifest_catches_one_byte(
        db: Database, tmp_path: Path) -> None:
    case_id = _open(db)
    with db.session() as s:
        cases = CaseService(s, "analyst1")
        cases.attach(case_id, NewEvidence("gang_summary", "gang:GS-0001", "团伙研判摘要", GANG_DETAIL), now=T0)
        record = cases.record(case_id)
    police, _ = export_package(record, tmp_path / "police", "police")
    internal, manifest_hash = export_package(record, tmp_path / "internal", "internal")
    assert len(manifest_hash) == 64
    assert NUMBER in (police / "bundle.json").read_text(encoding="utf-8")
    masked = (internal / "bundle.json").read_text(encoding="utf-8")
    assert NUMBER not in masked and "110101199003074514" not in masked and "GS-0001" in masked
    assert json.loads(masked)["reveal_pii"] is False

    assert (internal / "report.pdf").read_bytes().startswith(b"%PDF-")

    assert verify_package(police).intact
    for name in ("bundle.json", "report.pdf"):
        target = police / name
        data = bytearray(target.read_bytes())
        data[len(data) // 2] ^= 0x01
        target.write_bytes(bytes(data))
        assert name in verify_package(police).changed
    (internal / "report.pdf").unlink()
    assert verify_package(internal).missing == ["report.pdf"]
    with pytest.raises(ValidationError, match="证据包清单"):
        verify_package(tmp_path)
    with pytest.raises(ValidationError, match="导出目录非空"):
        export_package(record, police, "police")


def test_closed_cases_become_labels(db: Database) -> None:
    confirmed, cleared, unsure = _open(db), _open(db), _open(db)
    with db.session() as s:
        cases = CaseService(s, "analyst1")
        for case_id, outcome in ((confirmed, "confirmed_gang"), (cleared, "cleared"),
                                 (unsure, "insufficient_evidence")):
            cases.transition(case_id, "closed", "结案", outcome=outcome, now=T0 + timedelta(days=case_id))
        labels = outcome_labels(s)
    # the later case (cleared) wins for the shared members; insufficient evidence labels nothing
    assert set(labels["label"]) == {0}
    assert {(r.subject_type, r.subject_id) for r in labels.itertuples()} == {
        ("gang", "GS-0001"), ("customer", "C001"), ("number", NUMBER), ("account", "douyin/abc")}
