"""Screened calls counted per hour and risk level, for the console's overview (no per-call rows).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screening_counts",
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("risk_level", sa.String(16), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "risk_level", name="pk_screening_counts"),
    )


def downgrade() -> None:
    op.drop_table("screening_counts")
