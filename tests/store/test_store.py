from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError

from grayshield.store import Database, current_revision, upgrade
from grayshield.store.audit import record, verify_chain
from grayshield.store.migrate import downgrade, head_revision
from grayshield.store.models import AuditEvent, User


def test_upgrade_reaches_head_and_is_repeatable(db: Database) -> None:
    assert current_revision(db) == head_revision() == upgrade(db)
    tables = set(sa.inspect(db.engine).get_table_names())
    assert {"users", "audit_events", "alembic_version"} <= tables


def test_downgrade_then_upgrade_round_trips(db: Database) -> None:
    downgrade(db, "base")
    assert current_revision(db) is None
    assert "users" not in sa.inspect(db.engine).get_table_names()
    upgrade(db)
    assert current_revision(db) == head_revision()


def test_usernames_are_unique(db: Database) -> None:
    with db.session() as s:
        s.add(User(username="li", display_name="李", password_hash="x", roles="analyst", active=True))
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(User(username="li", display_name="李二", password_hash="y", roles="qa", active=True))


def test_audit_log_is_hash_chained_and_append_only(db: Database) -> None:
    with db.session() as s:
        for i in range(3):
            record(s, actor="admin", action="reveal_pii", subject_type="customer", subject_id=f"C{i:06d}",
                   reason="核实投诉", detail={"field": "registered_phone"},
                   occurred_at=datetime(2026, 1, 1, 9, i, tzinfo=UTC))
    with db.session() as s:
        check = verify_chain(s)
        assert check.entries == 3 and check.intact
    # The database itself refuses edits and deletions.
    for statement in ("UPDATE audit_events SET actor = 'mallory'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(sa.text(statement))
    with db.session() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 3


def test_tampering_behind_the_triggers_is_detected(db: Database) -> None:
    with db.session() as s:
        for i in range(3):
            record(s, actor="qa1", action="review", subject_type="call", subject_id=f"CALL{i}")
    # Someone with DBA rights disables the guard and edits the middle entry.
    with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            conn.execute(sa.text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
        else:
            conn.execute(sa.text("DROP TRIGGER audit_events_no_update"))
        conn.execute(sa.text("UPDATE audit_events SET actor = 'mallory' WHERE subject_id = 'CALL1'"))
    with db.session() as s:
        check = verify_chain(s)
    assert not check.intact
    assert check.first_broken_id is not None and check.entries == 2
