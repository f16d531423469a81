"""The case console on both stores: users for each case role, a latest gang run, clients signed in through the
real form."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from case_forms import PASSWORD, USERS, csrf
from fastapi.testclient import TestClient
from gang_snapshot import write_latest_run

from grayshield.core.settings import Settings
from grayshield.services.users import add_user
from grayshield.store import Database
from grayshield.web import create_app


@pytest.fixture
def world(tmp_path: Path, db: Database) -> tuple[Settings, Database]:
    """Run on both stores (the ``db`` fixture): the version check must hold on SQLite and PostgreSQL alike."""
    settings = Settings(home=tmp_path / "home", environment="test")
    for name, role in USERS.items():
        add_user(db, name, PASSWORD, [role], display_name=name)
    write_latest_run(settings.home_dir / "gangs")
    return settings, db


@pytest.fixture
def login(world: tuple[Settings, Database]) -> Callable[[str], TestClient]:
    app = create_app(world[0], db=world[1])

    def signed_in(username: str) -> TestClient:
        client = TestClient(app, base_url="https://testserver")
        client.post("/login", data={"username": username, "password": PASSWORD,
                                    "csrf_token": csrf(client.get("/login").text)}, follow_redirects=False)
        assert client.get("/").status_code == 200
        return client
    return signed_in
