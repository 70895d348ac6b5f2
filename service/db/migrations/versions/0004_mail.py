"""Mail intake: `mailboxes` (per-tenant IMAP mailboxes with sender rules and routing),
`mail_messages` (one row per received email and Message-ID, with UIDVALIDITY + UID),
`mail_attachments` (what became of each attachment) and `inbound_tokens` (webhook replay
protection).

Matches `service.db.tables` exactly (the migration test compares them on PostgreSQL and
SQLite). Additive only: downgrading drops what it added and nothing else.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 20:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _when(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _mailboxes() -> None:
    op.create_table(
        "mailboxes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("security", sa.String(length=20), nullable=False),
        sa.Column("auth", sa.String(length=20), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("secret_ref", sa.String(length=255), nullable=False),
        sa.Column("ca_file", sa.Text(), nullable=True),
        sa.Column("folder", sa.String(length=255), nullable=False),
        sa.Column("after", sa.String(length=20), nullable=False),
        sa.Column("move_to", sa.String(length=255), nullable=True),
        sa.Column("allowed_senders", _JSON, nullable=False),
        sa.Column("project", sa.String(length=255), nullable=True),
        sa.Column("reply", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        _when("failing_since", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        _when("last_polled_at", nullable=True),
        _when("created_at"),
        _when("updated_at"),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_mailboxes_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailboxes")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_mailboxes_tenant_id_name")),
    )


def _messages() -> None:
    op.create_table(
        "mail_messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("mailbox_id", sa.Uuid(), nullable=True),
        sa.Column("message_key", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=True),
        sa.Column("uid", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("documents", sa.Integer(), nullable=False),
        _when("created_at"),
        sa.ForeignKeyConstraint(
            ["mailbox_id"],
            ["mailboxes.id"],
            name=op.f("fk_mail_messages_mailbox_id_mailboxes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_mail_messages_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_messages")),
        sa.UniqueConstraint(
            "tenant_id", "message_key", name=op.f("uq_mail_messages_tenant_id_message_key")
        ),
    )
    with op.batch_alter_table("mail_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mail_messages_mailbox_uid", ["mailbox_id", "uidvalidity", "uid"], unique=False
        )


def _attachments() -> None:
    op.create_table(
        "mail_attachments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("mail_message_id", sa.Uuid(), nullable=False),
        sa.Column("part", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_mail_attachments_document_id_documents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mail_message_id"],
            ["mail_messages.id"],
            name=op.f("fk_mail_attachments_mail_message_id_mail_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_attachments")),
        sa.UniqueConstraint(
            "mail_message_id", "part", name=op.f("uq_mail_attachments_mail_message_id_part")
        ),
    )


def upgrade() -> None:
    """Apply this revision."""
    _mailboxes()
    _messages()
    _attachments()
    op.create_table(
        "inbound_tokens",
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("token", sa.String(length=255), nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("provider", "token", name=op.f("pk_inbound_tokens")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("inbound_tokens")
    op.drop_table("mail_attachments")
    with op.batch_alter_table("mail_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_mail_messages_mailbox_uid")
    op.drop_table("mail_messages")
    op.drop_table("mailboxes")
