"""A small real console: SQLite store migrated to head, one user per role, two scoring days of warnings,
a lake with a customers table, and a TestClient per role signed in through the real login form."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from console_seed import password_for, seed_store, sign_in, write_lake_customers
from fastapi import FastAPI
from fastapi.testclient import TestClient

from grayshield.core.settings import Settings
from grayshield.lake.world import open_world
from grayshield.services.screening import MappingDirectory, Screener, TagCache
from grayshield.store import Database
from grayshield.web import create_app


@pytest.fixture
def console_settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", environment="test")


@pytest.fixture
def app(console_settings: Settings) -> Iterator[FastAPI]:
    db = Database(console_settings.db_url)
    seed_store(db)
    write_lake_customers(console_settings.lake_dir)
    screener = Screener(TagCache(db), MappingDirectory.from_source(open_world(console_settings.lake_dir)))
    yield create_app(console_settings, db=db, screener=screener)
    db.dispose()


@pytest.fixture
def client_for(app: FastAPI) -> Callable[[str | None], TestClient]:
    """A client signed in as the user holding ``role`` (``None``: not signed in); HTTPS, as cookies are Secure."""

    def make(role: str | None) -> TestClient:
        client = TestClient(app, base_url="https://testserver")
        if role is not None:
            client.headers["X-CSRF-Token"] = sign_in(client, role, password_for(role))
        return client

    return make
