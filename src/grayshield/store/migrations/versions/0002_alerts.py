"""Alerts and batch scoring runs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject_type", sa.String(32), nullable=False),
        sa.Column("subject_id", sa.String(128), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("band", sa.String(8), nullable=False),
        sa.Column("proxy_score", sa.Float(), nullable=True),
        sa.Column("proxy_level", sa.String(16), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("segment", sa.String(32), nullable=True),
        sa.Column("action", sa.String(64), nullable=True),
        sa.Column("rule", sa.String(64), nullable=True),
        sa.Column("strategy_version", sa.String(32), nullable=True),
        sa.Column("model_name", sa.String(64), nullable=False),
        sa.Column("model_version", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
        sa.UniqueConstraint("kind", "subject_type", "subject_id", "as_of", name="uq_alerts_subject_day"),
    )
    op.create_index("ix_alerts_kind_as_of", "alerts", ["kind", "as_of"])
    op.create_table(
        "score_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("model_name", sa.String(64), nullable=False),
        sa.Column("model_version", sa.String(32), nullable=False),
        sa.Column("strategy_version", sa.String(32), nullable=True),
        sa.Column("rows_scored", sa.Integer(), nullable=False),
        sa.Column("alerts", sa.Integer(), nullable=False),
        sa.Column("score_summary", sa.JSON(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_score_runs"),
    )


def downgrade() -> None:
    op.drop_table("score_runs")
    op.drop_index("ix_alerts_kind_as_of", table_name="alerts")
    op.drop_table("alerts")
