"""Public-opinion monitoring: the watch list with its append-only events, and reported items.

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None

_SQLITE_GUARDS = [
    f"CREATE TRIGGER social_watch_events_no_{verb.lower()} BEFORE {verb} ON social_watch_events "
    "BEGIN SELECT RAISE(ABORT, 'social_watch_events is append-only'); END"
    for verb in ("UPDATE", "DELETE")
]
_PG_GUARD_FUNCTION = """
CREATE OR REPLACE FUNCTION social_watch_events_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'social_watch_events is append-only';
END;
$$ LANGUAGE plpgsql
"""
_PG_GUARD_TRIGGER = (
    "CREATE TRIGGER social_watch_events_append_only BEFORE UPDATE OR DELETE ON social_watch_events "
    "FOR EACH ROW EXECUTE FUNCTION social_watch_events_append_only()"
)


def upgrade() -> None:
    op.create_table(
        "social_watch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("account_id", sa.String(128), nullable=False),
        sa.Column("nickname", sa.String(200), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("priority", sa.Float(), nullable=False),
        sa.Column("followers", sa.Integer(), nullable=False),
        sa.Column("contacts", sa.JSON(), nullable=False),
        sa.Column("added_by", sa.String(64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_social_watch"),
        sa.UniqueConstraint("platform", "account_id", name="uq_social_watch_account"),
    )
    op.create_table(
        "social_watch_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("watch_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["watch_id"], ["social_watch.id"],
                                name="fk_social_watch_events_watch_id_social_watch"),
        sa.PrimaryKeyConstraint("id", name="pk_social_watch_events"),
    )
    op.create_index("ix_social_watch_events_watch_id", "social_watch_events", ["watch_id"])
    op.create_table(
        "social_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(200), nullable=False),
        sa.Column("batch_id", sa.String(120), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("account_id", sa.String(128), nullable=False),
        sa.Column("post_id", sa.String(128), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("region", sa.String(64), nullable=True),
        sa.Column("business_type", sa.String(32), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("filed_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_social_reports"),
        sa.UniqueConstraint("item_id", name="uq_social_reports_item_id"),
    )
    op.create_index("ix_social_reports_platform_reason", "social_reports", ["platform", "reason"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in _SQLITE_GUARDS:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(_PG_GUARD_FUNCTION)
        op.execute(_PG_GUARD_TRIGGER)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS social_watch_events_append_only ON social_watch_events")
        op.execute("DROP FUNCTION IF EXISTS social_watch_events_append_only()")
    op.drop_index("ix_social_reports_platform_reason", table_name="social_reports")
    op.drop_table("social_reports")
    op.drop_index("ix_social_watch_events_watch_id", table_name="social_watch_events")
    op.drop_table("social_watch_events")
    op.drop_table("social_watch")
