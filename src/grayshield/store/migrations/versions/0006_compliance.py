"""Compliance findings and their QA review queue.

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "compliance_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("finding_type", sa.String(64), nullable=False),
        sa.Column("subject_type", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(128), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("staff_id", sa.String(64), nullable=True),
        sa.Column("team", sa.String(64), nullable=True),
        sa.Column("month", sa.String(7), nullable=True),
        sa.Column("rule_id", sa.String(64), nullable=True),
        sa.Column("title_zh", sa.String(128), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("made_by", sa.String(128), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(64), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_compliance_findings"),
        sa.UniqueConstraint("source", "subject_id", "ref", "finding_type", name="uq_compliance_findings_key"),
    )
    op.create_index("ix_compliance_findings_state", "compliance_findings", ["state", "source"])
    op.create_index("ix_compliance_findings_staff", "compliance_findings", ["staff_id"])


def downgrade() -> None:
    op.drop_index("ix_compliance_findings_staff", table_name="compliance_findings")
    op.drop_index("ix_compliance_findings_state", table_name="compliance_findings")
    op.drop_table("compliance_findings")
