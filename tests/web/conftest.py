"""A small real console: SQLite store migrated to head, one user per role, two scoring days of warnings, tags
waiting for review, a lake with a customers table, and a TestClient per role signed in through the real form."""

from __future__ import annotations

import shutil
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


@pytest.fixture(scope="session")
def seeded_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per run (migrations and argon2 hashes are slow); each test gets its own copy."""
    home = tmp_path_factory.mktemp("console-template") / "home"
    db = Database(Settings(home=home, environment="test").db_url)
    seed_store(db)
    db.dispose()  # checkpoints SQLite's WAL into the file before it is copied
    write_lake_customers(Settings(home=home, environment="test").lake_dir)
    return home


@pytest.fixture
def console_settings(tmp_path: Path, seeded_home: Path) -> Settings:
    shutil.copytree(seeded_home, tmp_path / "home")
    return Settings(home=tmp_path / "home", environment="test")


@pytest.fixture
def app(console_settings: Settings) -> Iterator[FastAPI]:
    db = Database(console_settings.db_url)
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
