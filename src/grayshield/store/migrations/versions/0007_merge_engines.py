"""Join the cases (0004), social (0005) and compliance (0006) branches, written in parallel, into one head.

Revision ID: 0007
Revises: 0004, 0005, 0006
Create Date: 2026-11-25
"""

from __future__ import annotations

revision = "0007"
down_revision = ("0004", "0005", "0006")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the three branches touch different tables."""


def downgrade() -> None:
    """Nothing to undo."""
