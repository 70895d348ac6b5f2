"""Delivery: connector settings, the transactional outbox, export references, invoice keys for
duplicate detection, learned name aliases; `documents.duplicate_of` and `tenants.auto_approve`.

Matches `service.db.tables` exactly (the migration test compares them on PostgreSQL and
SQLite). Additive only: downgrading drops what it added and nothing else.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 20:21:37.671967
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _stamp(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants"),
        ondelete="CASCADE",
    )  # fmt: skip


def _document_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["document_id"], ["documents.id"], name=op.f(f"fk_{table}_document_id_documents"),
        ondelete="CASCADE",
    )  # fmt: skip


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "connector_aliases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("connector", sa.String(length=50), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("alias", sa.String(length=255), nullable=False),
        sa.Column("target_id", sa.String(length=255), nullable=True),
        sa.Column("target_name", sa.String(length=255), nullable=False),
        _stamp("created_at"),
        _tenant_fk("connector_aliases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connector_aliases")),
        sa.UniqueConstraint(
            "tenant_id",
            "connector",
            "kind",
            "alias",
            name=op.f("uq_connector_aliases_tenant_id_connector_kind_alias"),
        ),
    )
    op.create_table(
        "connector_configs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("connector", sa.String(length=50), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("project_filter", sa.String(length=255), nullable=True),
        sa.Column("settings", _JSON, nullable=False),
        _stamp("created_at"),
        _stamp("updated_at"),
        _tenant_fk("connector_configs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connector_configs")),
        sa.UniqueConstraint(
            "tenant_id", "connector", name=op.f("uq_connector_configs_tenant_id_connector")
        ),
    )
    op.create_table(
        "exports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("connector", sa.String(length=50), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("external_key", sa.String(length=255), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        _stamp("created_at"),
        _document_fk("exports"),
        _tenant_fk("exports"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exports")),
        sa.UniqueConstraint(
            "document_id", "connector", name=op.f("uq_exports_document_id_connector")
        ),
    )
    op.create_table(
        "invoice_keys",
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("vendor_key", sa.String(length=255), nullable=False),
        sa.Column("number_key", sa.String(length=255), nullable=True),
        sa.Column("total", sa.String(length=40), nullable=True),
        sa.Column("invoice_date", sa.Date(), nullable=True),
        _stamp("created_at"),
        _document_fk("invoice_keys"),
        _tenant_fk("invoice_keys"),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_invoice_keys")),
    )
    with op.batch_alter_table("invoice_keys", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invoice_keys_tenant_vendor", ["tenant_id", "vendor_key"], unique=False
        )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("connector", sa.String(length=50), nullable=False),
        sa.Column("result_version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _stamp("next_attempt_at"),
        sa.Column("last_error", sa.Text(), nullable=True),
        _stamp("created_at"),
        _stamp("updated_at"),
        _stamp("delivered_at", nullable=True),
        _document_fk("outbox"),
        _tenant_fk("outbox"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint(
            "document_id", "connector", name=op.f("uq_outbox_document_id_connector")
        ),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_document_id"), ["document_id"], unique=False)
        batch_op.create_index(
            "ix_outbox_state_next_attempt", ["state", "next_attempt_at"], unique=False
        )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duplicate_of", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_documents_duplicate_of_documents"), "documents",
            ["duplicate_of"], ["id"], ondelete="SET NULL",
        )  # fmt: skip
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("auto_approve", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("auto_approve")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_documents_duplicate_of_documents"), type_="foreignkey"
        )
        batch_op.drop_column("duplicate_of")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_state_next_attempt")
        batch_op.drop_index(batch_op.f("ix_outbox_document_id"))
    op.drop_table("outbox")
    with op.batch_alter_table("invoice_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_invoice_keys_tenant_vendor")
    op.drop_table("invoice_keys")
    op.drop_table("exports")
    op.drop_table("connector_configs")
    op.drop_table("connector_aliases")
