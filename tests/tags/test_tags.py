"""Tag lifecycle, history, audit and CSV exchange, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from grayshield.core.errors import NotFoundError, ValidationError
from grayshield.store import Database
from grayshield.store.audit import verify_chain
from grayshield.store.models import AuditEvent
from grayshield.tags import TagProposal, TagService, change_marker, export_csv, import_csv

NUMBER = "+8617012345678"
T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def _propose(db: Database, actor: str = "model-run", **kw: object) -> int:
    fields: dict[str, object] = {"tag_type": "blackgray_number", "subject_type": "number",
                                 "subject_id": "170 1234 5678", "source": "model", "confidence": 0.8}
    fields.update(kw)
    with db.session() as s:
        return TagService(s, actor).propose(TagProposal(**fields), now=T0).id  # type: ignore[arg-type]


def test_lifecycle_with_history_and_audit(db: Database) -> None:
    tag_id = _propose(db)
    with db.session() as s:
        tag = TagService(s, "wang").review(tag_id, "confirm", "通话核实为代理机构", now=T0 + timedelta(hours=1))
        assert (tag.state, tag.subject_id, tag.reviewed_by) == ("confirmed", NUMBER, "wang")
    with db.session() as s:
        TagService(s, "li").review(tag_id, "reject", "客户本人澄清，撤销", now=T0 + timedelta(days=1))
    with db.session() as s:
        history = TagService(s, "li").history(tag_id)
        assert [e.action for e in history] == ["proposed", "confirmed", "rejected"]
        assert history[1].before is not None and history[1].before["state"] == "proposed"
        assert history[2].after["state"] == "rejected" and history[2].reason == "客户本人澄清，撤销"
        actions = s.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions == ["tag.proposed", "tag.confirmed", "tag.rejected"]
        assert verify_chain(s).intact
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM tag_events"))


def test_one_live_tag_per_subject_and_type(db: Database) -> None:
    first = _propose(db, confidence=0.6)
    assert _propose(db, confidence=0.5) == first  # weaker: unchanged
    assert _propose(db, confidence=0.9, subject_id="+86 170-1234-5678") == first  # stronger: updated in place
    with db.session() as s:
        service = TagService(s, "x")
        assert service.get(first).confidence == 0.9
        assert [e.action for e in service.history(first)] == ["proposed", "updated"]
        assert len(service.list(subject_type="number", subject_id="17012345678")) == 1


@pytest.mark.parametrize(("fields", "message"), [
    ({"tag_type": "nope"}, "未知标签类型"),
    ({"subject_type": "customer"}, "不能用于客户"),
    ({"subject_id": "12ab"}, "电话号码格式不正确"),
    ({"confidence": 1.5}, "置信度"),
    ({"source": "gossip"}, "未知标签来源"),
    ({"valid_until": T0 - timedelta(days=1)}, "有效期"),
])
def test_invalid_proposals_are_refused_clearly(db: Database, fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _propose(db, **fields)


def test_review_rules(db: Database) -> None:
    tag_id = _propose(db, actor="zhang", source="analyst")
    with db.session() as s, pytest.raises(ValidationError, match="四眼"):
        TagService(s, "zhang").review(tag_id, "confirm", "自己确认")
    with db.session() as s, pytest.raises(ValidationError, match="理由"):
        TagService(s, "wang").review(tag_id, "confirm", "  ")
    with db.session() as s, pytest.raises(ValidationError, match="他人修改"):
        TagService(s, "wang").review(tag_id, "confirm", "ok", expected_version=7)
    with db.session() as s, pytest.raises(NotFoundError):
        TagService(s, "wang").review(9999, "confirm", "ok")
    with db.session() as s:
        TagService(s, "wang").review(tag_id, "reject", "证据不足")
    with db.session() as s, pytest.raises(ValidationError, match="不能 confirm"):
        TagService(s, "wang").review(tag_id, "confirm", "改主意")


def test_expiry_and_change_marker(db: Database) -> None:
    with db.session() as s:
        before = change_marker(s)
    tag_id = _propose(db, valid_until=T0 + timedelta(days=2))
    with db.session() as s:
        assert change_marker(s) > before
        service = TagService(s, "system")
        assert service.expire(now=T0 + timedelta(days=1)) == 0
        assert service.expire(now=T0 + timedelta(days=3)) == 1
        assert service.get(tag_id).state == "expired"
    assert _propose(db) != tag_id  # an expired tag no longer blocks a new one


def test_csv_import_keeps_valid_rows_and_reports_bad_ones(db: Database) -> None:
    text = (
        "\ufefftag_type,subject_type,subject_id,confidence,valid_until,note\n"
        "blackgray_number,number,17012345678,0.9,2099-01-01,行业共享名单\n"
        "blackgray_number,number,not-a-phone,0.9,,\n"
        "recruited_customer,customer,C000123,,,\n"
        "recruited_customer,number,17012345679,,,\n"
        "blackgray_number,number,+8617012345678,0.95,,重复\n"
        "proxy_agency,device,dev-77,2,,\n"
        "blackgray_number,number,13812345678,0.7,31/12/2099,\n"
    )
    with db.session() as s:
        report = import_csv(TagService(s, "importer"), text, "银联共享名单-2026Q1", conflict="update").as_dict()
    assert (report["rows"], report["created"], report["updated"], report["rejected"]) == (7, 2, 1, 4)
    assert [e["line"] for e in report["errors"]] == [3, 5, 7, 8]
    with db.session() as s:
        tags = TagService(s, "x").list()
        exported = export_csv(tags)
    assert exported.splitlines()[0].startswith("id,tag_type,subject_type,subject_id")
    assert "银联共享名单-2026Q1" in exported and "+8617012345678" in exported and "C000123" in exported


def test_csv_conflict_policies(db: Database) -> None:
    _propose(db)
    row = "tag_type,subject_type,subject_id,confidence\nblackgray_number,number,17012345678,0.99\n"
    with db.session() as s:
        assert import_csv(TagService(s, "i"), row, "L", conflict="keep").kept == 1
        failed = import_csv(TagService(s, "i"), row, "L", conflict="fail")
        assert failed.errors and "已有生效中的同类标签" in failed.errors[0]["error"]


@pytest.mark.parametrize(("text", "message"), [
    ("subject_type,subject_id\nnumber,1\n", "缺少必需列: tag_type"),
    ("tag_type,subject_type,subject_id,colour\n", "未知列: colour"),
])
def test_csv_with_wrong_columns_is_refused(db: Database, text: str, message: str) -> None:
    with db.session() as s, pytest.raises(ValidationError, match=message):
        import_csv(TagService(s, "i"), text, "L")
