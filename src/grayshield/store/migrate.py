"""Alembic, driven from code: the migrations ship inside the package, so an installed GrayShield can
upgrade its own store without an alembic.ini on disk."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from grayshield.store.db import Database

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(db: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = db.engine
    return config


def upgrade(db: Database, revision: str = "heads") -> str | None:
    """Bring the schema to ``revision`` (default: every head, so parallel branches of migrations written by
    different engines apply before a merge revision joins them); returns the revision now current."""
    command.upgrade(alembic_config(db), revision)
    return current_revision(db)


def downgrade(db: Database, revision: str) -> str | None:
    command.downgrade(alembic_config(db), revision)
    return current_revision(db)


def current_revision(db: Database) -> str | None:
    """The applied revision; several heads are reported joined by '+', in sorted order."""
    with db.engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return "+".join(sorted(heads)) or None


def head_revision() -> str | None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    heads = ScriptDirectory.from_config(config).get_heads()
    return "+".join(sorted(heads)) or None
