"""Exported evidence packages are deleted after the retention period; the export and the deletion stay audited."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from typer.testing import CliRunner

from grayshield.cases import CaseService, export_package
from grayshield.cli.cases import app as cases_app
from grayshield.core.settings import Settings, get_settings
from grayshield.services import strike
from grayshield.store import Database, upgrade
from grayshield.store.models import AuditEvent

OLD = datetime(2024, 1, 1, tzinfo=UTC)


def export_old_and_new(db: Database, root: Path) -> tuple[int, str, str]:
    """One case with a police package written on ``OLD`` and an internal one written now (both recorded)."""
    case_id = strike.open_case(db, "li", "number", "+8613912345678", "号码线索", reason="可疑")
    old = root / str(case_id) / "20240101T000000-police-aaaaaa"
    with db.session() as session:
        cases = CaseService(session, "li")
        _, digest = export_package(cases.record(case_id), old, "police", now=OLD)
        cases.log_export(case_id, "police", True, digest, "移送")
    new, _ = strike.export_case(db, "li", case_id, "internal", root / str(case_id) / "20990101T000000-internal-bbbbbb",
                                "内部通报")
    return case_id, old.name, new.name


def audit(db: Database, case_id: int, action: str) -> list[AuditEvent]:
    with db.session() as session:
        rows = list(session.scalars(select(AuditEvent).where(AuditEvent.subject_id == str(case_id),
                                                             AuditEvent.action == action)))
        session.expunge_all()
        return rows


def test_purge_deletes_only_expired_packages_and_audits_each(db: Database, settings: Settings) -> None:
    root = settings.packages_dir
    case_id, old, new = export_old_and_new(db, root)
    leftover = root / str(case_id) / "20240102T000000-branch-cccccc"  # an export that died before its bundle
    leftover.mkdir()
    stamp = (OLD + timedelta(days=1)).timestamp()
    os.utime(leftover, (stamp, stamp))

    listed = strike.purge_packages(db, "ops", root, 180, dry_run=True)
    assert sorted(p.id for p in listed) == sorted([old, leftover.name])
    assert (root / str(case_id) / old).is_dir() and audit(db, case_id, "case.package_purged") == []

    purged = strike.purge_packages(db, "ops", root, 180)
    assert {p.id: p.reveal_pii for p in purged} == {old: True, leftover.name: False}
    assert [p.id for p in strike.case_packages(root, case_id)] == [new]
    entries = audit(db, case_id, "case.package_purged")
    assert sorted(e.detail["id"] for e in entries) == sorted([old, leftover.name])
    assert {e.actor for e in entries} == {"ops"} and all("180" in (e.reason or "") for e in entries)
    # what was exported for whom stays on record: the exported events and their audit entries are untouched
    assert [e.detail["recipient"] for e in audit(db, case_id, "case.exported")] == ["police", "internal"]
    with db.session() as session:
        assert [e.action for e in CaseService(session, "ops").history(case_id)].count("exported") == 2

    assert strike.purge_packages(db, "ops", root, 180) == []  # nothing left to do, nothing audited twice
    assert len(audit(db, case_id, "case.package_purged")) == 2
    later = datetime.now(UTC) + timedelta(days=365 * 80)
    assert [p.id for p in strike.purge_packages(db, "ops", root, 1, now=later)] == [new]
    with pytest.raises(Exception, match="至少为 1 天"):
        strike.purge_packages(db, "ops", root, 0)


def test_retention_is_a_validated_setting(tmp_path: Path) -> None:
    assert Settings(home=tmp_path, environment="test").cases.package_retention_days == 180
    assert Settings(home=tmp_path, environment="test",
                    cases={"package_retention_days": 30}).cases.package_retention_days == 30
    for bad in ({"package_retention_days": 0}, {"retention": 30}):
        with pytest.raises(ValidationError):
            Settings(home=tmp_path, environment="test", cases=bad)


def test_purge_exports_command(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = Database(get_settings().db_url)
    upgrade(db)
    case_id, old, new = export_old_and_new(db, get_settings().packages_dir)
    runner = CliRunner()
    dry = runner.invoke(cases_app, ["purge-exports", "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    body = json.loads(dry.stdout)
    assert body["older_than_days"] == 180 and [p["id"] for p in body["packages"]] == [old]

    monkeypatch.setenv("GRAYSHIELD_CASES__PACKAGE_RETENTION_DAYS", "3650")  # the old package is younger
    get_settings.cache_clear()
    assert json.loads(runner.invoke(cases_app, ["purge-exports", "--json"]).stdout)["packages"] == []
    done = runner.invoke(cases_app, ["purge-exports", "--older-than-days", "30", "--actor", "ops", "--json"])
    assert done.exit_code == 0 and [p["id"] for p in json.loads(done.stdout)["packages"]] == [old]
    assert [p.id for p in strike.case_packages(get_settings().packages_dir, case_id)] == [new]
    assert [e.actor for e in audit(db, case_id, "case.package_purged")] == ["ops"]
    assert runner.invoke(cases_app, ["purge-exports", "--older-than-days", "0"]).exit_code != 0
    db.dispose()
