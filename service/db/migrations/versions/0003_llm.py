"""LLM tier: the answer cache, per-document usage (for cost and the daily budget), alerts, and
`results.provenance` (who supplied each field, beside the contract envelope).

Matches `service.db.tables` exactly (the migration test compares them on PostgreSQL and
SQLite). Additive only: downgrading drops what it added and nothing else.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 20:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _stamp() -> sa.Column[object]:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def _tenant() -> sa.Column[object]:
    return sa.Column("tenant_id", sa.Uuid(), nullable=True)


def _usage_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Numeric(precision=14, scale=6), nullable=False),
    ]


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "llm_cache",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("prompt_version", sa.String(length=50), nullable=False),
        sa.Column("answer", _JSON, nullable=False),
        *_usage_columns(),
        _stamp(),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_llm_cache")),
    )
    with op.batch_alter_table("llm_cache", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_llm_cache_document_sha256"), ["document_sha256"], unique=False
        )
    op.create_table(
        "llm_usage",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        _tenant(),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("prompt_version", sa.String(length=50), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("cached", sa.Boolean(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        *_usage_columns(),
        _stamp(),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_llm_usage_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_llm_usage")),
    )
    with op.batch_alter_table("llm_usage", schema=None) as batch_op:
        batch_op.create_index("ix_llm_usage_tenant_day", ["tenant_id", "day"], unique=False)
    op.create_table(
        "alerts",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        _tenant(),
        sa.Column("dedupe_key", sa.String(length=255), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("detail", _JSON, nullable=False),
        _stamp(),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_alerts_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_alerts_dedupe_key")),
    )
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provenance", _JSON, nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("results", schema=None) as batch_op:
        batch_op.drop_column("provenance")
    op.drop_table("alerts")
    with op.batch_alter_table("llm_usage", schema=None) as batch_op:
        batch_op.drop_index("ix_llm_usage_tenant_day")
    op.drop_table("llm_usage")
    with op.batch_alter_table("llm_cache", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_llm_cache_document_sha256"))
    op.drop_table("llm_cache")
