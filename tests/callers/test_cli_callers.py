"""``grayshield callers`` on a temporary home: score a world with a trained model, propose tags, show a number."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grayshield.callers.evaluation import train_world
from grayshield.cli.callers import app
from grayshield.core.settings import get_settings
from grayshield.store import Database, upgrade

runner = CliRunner()


MASKED = re.compile(r"^1\d{2}\*{4}\d{4}$")  # the PII policy's PHONE mask on a national mobile number


def _trained_home(train: Path) -> None:
    settings = get_settings()
    train_world(train, settings.models_dir)
    db = Database(settings.db_url)
    upgrade(db)
    db.dispose()


def test_score_propose_and_show(cli_home: Path, toy_worlds: tuple[Path, Path], tmp_path: Path) -> None:
    train, test = toy_worlds
    _trained_home(train)
    out = tmp_path / "numbers.csv"
    result = runner.invoke(app, ["score", "--world", str(test), "--top", "3", "--propose-tags", "--out", str(out),
                                 "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["model"] == "callers/v0001" and body["flagged"] == body["tags_proposed"] > 0
    top = body["top"][0]
    assert top["flagged"] and top["reasons"] and top["carrier"] is not None
    assert body["numbers_masked"] and MASKED.match(top["number"])
    full = next(csv.DictReader(out.open(encoding="utf-8")))["number"]  # the review file keeps numbers whole
    assert full.startswith("+86") and full not in result.stdout
    assert MASKED.match(top["number"]) and top["number"][:3] + top["number"][-4:] == full[3:6] + full[-4:]
    shown = json.loads(runner.invoke(app, ["show", full, "--json"]).stdout)
    assert shown["tags"][0]["tag_type"] == "blackgray_number" and shown["tags"][0]["state"] == "proposed"
    assert shown["tags"][0]["history"][0]["action"] == "proposed"


def test_score_table_masks_numbers(cli_home: Path, toy_worlds: tuple[Path, Path], tmp_path: Path) -> None:
    train, test = toy_worlds
    _trained_home(train)
    out = tmp_path / "numbers.csv"
    result = runner.invoke(app, ["score", "--world", str(test), "--top", "5", "--out", str(out)])
    assert result.exit_code == 0, result.output
    numbers = [row["number"] for row in csv.DictReader(out.open(encoding="utf-8"))][:5]
    assert not any(n.removeprefix("+86") in result.output for n in numbers)
    assert "****" in result.output


@pytest.mark.parametrize(("extra", "message"), [
    ([], "--reason"), (["--reason", "移送公安前核对"], "--actor"), (["--reason", "看看", "--actor", "wang"], "--reason"),
])
def test_reveal_needs_a_reason_and_an_actor(cli_home: Path, toy_worlds: tuple[Path, Path], extra: list[str],
                                            message: str) -> None:
    """Refused before the model is even looked for (no model here: otherwise exit code 66)."""
    result = runner.invoke(app, ["score", "--world", str(toy_worlds[1]), "--reveal", *extra])
    assert result.exit_code == 65 and message in result.output and "+86" not in result.output


def test_reveal_shows_full_numbers_and_audits_each(cli_home: Path, toy_worlds: tuple[Path, Path]) -> None:
    from sqlalchemy import select

    from grayshield.store.audit import verify_chain
    from grayshield.store.models import AuditEvent

    _trained_home(toy_worlds[0])
    result = runner.invoke(app, ["score", "--world", str(toy_worlds[1]), "--top", "4", "--json", "--reveal",
                                 "--reason", "移送公安前核对号码", "--actor", "wang"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    shown = [row["number"] for row in body["top"]]
    assert not body["numbers_masked"] and all(n.startswith("+86") for n in shown)
    db = Database(get_settings().db_url)
    with db.session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "pii.reveal")).all()
        assert sorted(e.subject_id for e in events) == sorted(shown)
        assert {(e.actor, e.reason, e.subject_type) for e in events} == {("wang", "移送公安前核对号码", "number")}
        assert verify_chain(session).intact
    db.dispose()


def test_show_refuses_a_malformed_number(cli_home: Path) -> None:
    result = runner.invoke(app, ["show", "12ab"])
    assert result.exit_code == 65 and "号码格式不正确" in result.output


def test_score_without_a_model_says_so(cli_home: Path, toy_worlds: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["score", "--world", str(toy_worlds[1])])
    assert result.exit_code == 66
