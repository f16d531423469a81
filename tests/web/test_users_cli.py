"""``grayshield users`` through Typer's runner against a real store in a temporary home."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from grayshield.cli.users import app
from grayshield.core.settings import get_settings
from grayshield.services.users import LocalAuthenticator, ensure_demo_user, token_username
from grayshield.store import Database, upgrade

runner = CliRunner()


def test_add_list_token_disable(cli_home: Path) -> None:
    db = Database(get_settings().db_url)
    upgrade(db)
    added = runner.invoke(app, ["add", "li.si", "--role", "qa", "--role", "analyst", "--password-stdin"],
                          input="a-long-password\n")
    assert added.exit_code == 0, added.output
    assert LocalAuthenticator(db).authenticate("li.si", "a-long-password") is not None
    assert runner.invoke(app, ["add", "li.si", "--role", "qa", "--password-stdin"], input="a-long-password\n"
                         ).exit_code == 65
    assert runner.invoke(app, ["add", "wang", "--role", "boss", "--password-stdin"], input="a-long-password\n"
                         ).exit_code == 65
    assert runner.invoke(app, ["add", "wang", "--role", "qa"]).exit_code == 65  # no password on argv, ever
    listed = json.loads(runner.invoke(app, ["list", "--json"]).stdout)
    assert listed == [{"username": "li.si", "display_name": "li.si", "roles": ["analyst", "qa"], "active": True}]
    token = runner.invoke(app, ["token", "li.si"]).stdout.strip()
    assert token_username(get_settings().secret_key.get_secret_value(), token) == "li.si"
    assert runner.invoke(app, ["disable", "li.si"]).exit_code == 0
    assert LocalAuthenticator(db).authenticate("li.si", "a-long-password") is None
    assert runner.invoke(app, ["token", "li.si"]).exit_code == 65
    assert runner.invoke(app, ["disable", "nobody"]).exit_code == 66
    db.dispose()


def test_demo_user_gets_a_fresh_working_password(cli_home: Path) -> None:
    db = Database(get_settings().db_url)
    upgrade(db)
    first = ensure_demo_user(db)
    second = ensure_demo_user(db)
    assert first[0] == second[0] == "demo" and first[1] != second[1]
    authenticator = LocalAuthenticator(db)
    assert authenticator.authenticate(*first) is None
    demo = authenticator.authenticate(*second)
    assert demo is not None and len(demo.roles) == 5
    username, password = runner.invoke(app, ["demo"]).stdout.split()
    assert authenticator.authenticate(username, password) is not None
    db.dispose()
