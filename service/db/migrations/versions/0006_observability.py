"""Observability: alerts gain a life (`state` open/resolved, `notified_at`, `resolved_at`), so a
rule's alert is sent once while open and a resolve message when its condition clears.

Matches `service.db.tables` exactly (the migration test compares them on PostgreSQL and
SQLite). Additive only: downgrading drops what it added and nothing else.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 21:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("alerts") as batch_op:
        batch_op.add_column(
            sa.Column("state", sa.String(length=20), server_default="open", nullable=False)
        )
        batch_op.add_column(sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("alerts") as batch_op:
        batch_op.drop_column("resolved_at")
        batch_op.drop_column("notified_at")
        batch_op.drop_column("state")
