"""Migrations form one line of history again after every merge: a single head, reached from an empty store."""

from __future__ import annotations

from grayshield.store import Database, current_revision, upgrade
from grayshield.store.migrate import head_revision


def test_single_head_reached_from_scratch(database_url: str) -> None:
    assert head_revision() is not None and "+" not in head_revision()  # type: ignore[operator]
    db = Database(database_url)
    try:
        upgrade(db)
        assert current_revision(db) == head_revision()
    finally:
        db.dispose()
