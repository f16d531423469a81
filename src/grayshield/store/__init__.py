"""Operational store: what the platform itself writes (users, audit log, tags, alerts, cases, reports).

SQLAlchemy 2 models with Alembic migrations; a SQLite file by default, PostgreSQL in production. Engines
never import this package's sessions directly: services pass them what they need.
"""

from grayshield.store.db import Database
from grayshield.store.migrate import current_revision, upgrade

__all__ = ["Database", "current_revision", "upgrade"]
