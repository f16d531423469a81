"""Fixtures shared by every test package: isolated homes, and one test body for every database backend."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from grayshield.core.settings import Settings, get_settings
from grayshield.store import Database, upgrade

PG_ADMIN_URL = os.environ.get("GRAYSHIELD_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose home is a fresh temporary directory: no test shares state with another."""
    return Settings(home=tmp_path / "home", environment="test")


@pytest.fixture
def cli_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the CLI's settings at a temporary home for the duration of a test."""
    home = tmp_path / "cli-home"
    monkeypatch.setenv("GRAYSHIELD_HOME", str(home))
    monkeypatch.setenv("GRAYSHIELD_ENVIRONMENT", "test")
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


def _postgres_database() -> Iterator[str]:
    import sqlalchemy as sa

    name = f"gs_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # the server is down or unreachable
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI but unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {PG_ADMIN_URL}: {exc}")
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same test body runs on a SQLite file and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    else:
        yield from _postgres_database()


@pytest.fixture(scope="session")
def simulated_world(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """Simulate a world once per test session per parameter set: ``simulated_world("default", 3000, 9, seed=7)``."""
    cache: dict[tuple[Any, ...], Path] = {}

    def make(profile: str = "default", customers: int = 2_000, months: int = 9, seed: int = 7) -> Path:
        from grayshield.sim import WorldParams, simulate

        key = (profile, customers, months, seed)
        if key not in cache:
            out = tmp_path_factory.mktemp("worlds") / f"{profile}-{customers}-{months}-{seed}"
            simulate(WorldParams.for_profile(profile, customers=customers, months=months, seed=seed), out)
            cache[key] = out
        return cache[key]

    return make


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A migrated operational store on each backend (SQLite file, fresh PostgreSQL database)."""
    database = Database(database_url)
    upgrade(database)
    yield database
    database.dispose()
