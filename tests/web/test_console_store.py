"""The console's read models and account rules on every store backend (SQLite here, PostgreSQL in CI)."""

from __future__ import annotations

from pathlib import Path

from console_seed import CUSTOMERS, DAYS, PII, password_for, seed_store, write_lake_customers

from grayshield.services import console_queries as q
from grayshield.services import users
from grayshield.store import Database


def test_read_models_and_audited_reveal(database_url: str, tmp_path: Path) -> None:
    db = Database(database_url)
    try:
        seed_store(db)
        write_lake_customers(tmp_path / "lake")
        with db.session() as session:
            overview = q.overview(session)
            assert overview.as_of == DAYS[-1] and overview.total_alerts == len(CUSTOMERS)
            assert overview.tags_awaiting_review == 4
            page = q.list_alerts(session, q.AlertFilter(band="A", segment="mass"), page=1, page_size=3)
            assert page.total == 4 and [a.band for a in page.items] == ["A"] * 3
            assert set(q.alert_facets(session).proxy_levels) == {"high", "low"}
            view = q.customer_view(session, tmp_path / "lake", CUSTOMERS[0])
            assert view.masked["registered_phone"] != PII["registered_phone"] and len(view.history) == 2
            value = q.reveal_customer_field(session, tmp_path / "lake", CUSTOMERS[0], "id_number",
                                            actor="investigator", reason="核实身份证件")
            assert value == PII["id_number"]
        with db.session() as session:
            audit = q.audit_page(session, action="pii.reveal")
            assert audit.total == 1 and audit.items[0].reason == "核实身份证件"
            assert q.audit_chain_status(session).intact
            first = q.list_tags(session, q.TagFilter()).items[0]
            reviewed = q.review_tag(session, first.id, q.TagReview(decision="reject", reason="号码属正常客户"),
                                    actor="supervisor")
            assert reviewed.state == "rejected"
        users.set_roles(db, "qa", ["qa", "analyst"], actor="admin")
        principal = users.LocalAuthenticator(db).authenticate("qa", password_for("qa"))
        assert principal is not None and principal.roles == {"qa", "analyst"}
    finally:
        db.dispose()
