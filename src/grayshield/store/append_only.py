"""Database-enforced append-only tables (audit log, tag history, case history, evidence).

The application never updates or deletes these rows; triggers make the database refuse it too, so not even a
mistaken script or a direct SQL session can rewrite history. Used by the migrations that create such tables.
"""

from __future__ import annotations

from alembic import op


def guard(table: str) -> None:
    """Refuse UPDATE and DELETE on ``table`` from now on (SQLite and PostgreSQL)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ BEGIN "
                   f"RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql")
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()")
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def unguard(table: str) -> None:
    """Drop the guard (downgrades only); SQLite's triggers go with their table."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
