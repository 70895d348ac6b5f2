"""SQLAlchemy 2 tables. Named `…Record` so they never collide with the contract's `models`.

One schema for PostgreSQL (production, tests) and SQLite (embedded default); Alembic migrates it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Now, timezone-aware."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware timestamps on every backend (SQLite drops the zone; put UTC back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime stored; use timezone-aware UTC")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


JsonDoc = JSON().with_variant(JSONB(), "postgresql")


class DocumentStatus(StrEnum):
    """A document's life; the names double as progress messages on the web page."""

    RECEIVED = "received"
    QUEUED = "queued"
    PROCESSING = "processing"
    EXTRACTED = "extracted"
    NEEDS_REVIEW = "needs_review"
    FAILED = "failed"
    EXPORTED = "exported"

    @property
    def is_done(self) -> bool:
        """True once extraction has finished, well or badly."""
        return self in _DONE


_DONE = frozenset(
    {DocumentStatus.EXTRACTED, DocumentStatus.NEEDS_REVIEW, DocumentStatus.FAILED,
     DocumentStatus.EXPORTED}
)  # fmt: skip


class ResultKind(StrEnum):
    """Who wrote a result version."""

    EXTRACTED = "extracted"
    CORRECTED = "corrected"
    APPROVED = "approved"


class Base(DeclarativeBase):
    """Declarative base with stable constraint names (migrations depend on them)."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        dict[str, Any]: JsonDoc,
    }


class TenantRecord(Base):
    """A customer organisation; every other row belongs to one."""

    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # Signs callbacks (HMAC-SHA256); it must be readable to sign, so it is not hashed.
    signing_secret: Mapped[str | None] = mapped_column(String(128), default=None)
    # Delivery: approve (and export) a document on its own when extraction needs no review.
    auto_approve: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKeyRecord(Base):
    """An API key, stored as the SHA-256 of the secret (the secret is shown once)."""

    __tablename__ = "api_keys"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class DocumentRecord(Base):
    """One uploaded file of one tenant; the same bytes for the same tenant are one document."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("tenant_id", "sha256"),
        Index("ix_documents_tenant_created", "tenant_id", "created_at", "id"),
        Index("ix_documents_tenant_status", "tenant_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str | None] = mapped_column(String(100))
    filename: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(50), default="api")
    external_id: Mapped[str | None] = mapped_column(String(255))
    callback_url: Mapped[str | None] = mapped_column(Text)
    document_type_hint: Mapped[str | None] = mapped_column(String(50))
    project_hint: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default=DocumentStatus.RECEIVED)
    document_type: Mapped[str | None] = mapped_column(String(50))
    vendor_name: Mapped[str | None] = mapped_column(String(255), index=True)
    project_name: Mapped[str | None] = mapped_column(String(255))
    generation: Mapped[int] = mapped_column(Integer, default=1)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    lease_owner: Mapped[str | None] = mapped_column(String(255), default=None)
    error_code: Mapped[str | None] = mapped_column(String(50))
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column(default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    # Delivery: the earlier document this one duplicates (never exported twice).
    duplicate_of: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), default=None
    )


class ResultRecord(Base):
    """One version of a document's result envelope; corrections add versions, never overwrite."""

    __tablename__ = "results"
    __table_args__ = (
        UniqueConstraint("document_id", "version"),
        # One extraction per processing generation: a task that runs twice stores one result.
        Index(
            "uq_results_one_extraction_per_generation",
            "document_id",
            "generation",
            unique=True,
            postgresql_where=text("kind = 'extracted'"),
            sqlite_where=text("kind = 'extracted'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    generation: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    envelope: Mapped[dict[str, Any]] = mapped_column()
    author: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who supplied each field (heuristic, llm, person) and what the LLM tier cost; kept beside
    # the envelope because the contract has no place for it. Null: no provenance recorded.
    provenance: Mapped[dict[str, Any] | None] = mapped_column(default=None)


class EventRecord(Base):
    """The append-only log of what happened to a document."""

    __tablename__ = "document_events"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(50))
    status: Mapped[str | None] = mapped_column(String(20))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyRecord(Base):
    """A replayable answer to a request sent with an `Idempotency-Key`."""

    __tablename__ = "idempotency_keys"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[dict[str, Any] | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxState(StrEnum):
    """Where one export intent stands; stored and shown."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    DEAD = "dead"


class ConnectorConfigRecord(Base):
    """Which connector runs for a tenant, on which projects, with which (encrypted) settings."""

    __tablename__ = "connector_configs"
    __table_args__ = (UniqueConstraint("tenant_id", "connector"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    connector: Mapped[str] = mapped_column(String(50))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    project_filter: Mapped[str | None] = mapped_column(String(255), default=None)
    # Secret values inside are AES-GCM ciphertexts (`service.connectors.vault`).
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OutboxRecord(Base):
    """One export intent (document x connector), written in the approving transaction."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("document_id", "connector"),
        Index("ix_outbox_state_next_attempt", "state", "next_attempt_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    connector: Mapped[str] = mapped_column(String(50))
    result_version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default=OutboxState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)


class ExportRecord(Base):
    """Where a document landed in an external system (its `ExternalRef`)."""

    __tablename__ = "exports"
    __table_args__ = (UniqueConstraint("document_id", "connector"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    connector: Mapped[str] = mapped_column(String(50))
    external_id: Mapped[str] = mapped_column(String(255))
    external_key: Mapped[str] = mapped_column(String(255))
    url: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InvoiceKeyRecord(Base):
    """The fields duplicate detection compares, one row per invoice-like document."""

    __tablename__ = "invoice_keys"
    __table_args__ = (Index("ix_invoice_keys_tenant_vendor", "tenant_id", "vendor_key"),)

    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    vendor_key: Mapped[str] = mapped_column(String(255))
    number_key: Mapped[str | None] = mapped_column(String(255), default=None)
    total: Mapped[str | None] = mapped_column(String(40), default=None)
    invoice_date: Mapped[date | None] = mapped_column(Date, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AliasRecord(Base):
    """A learned name mapping: an extracted vendor or project name to an external record."""

    __tablename__ = "connector_aliases"
    __table_args__ = (UniqueConstraint("tenant_id", "connector", "kind", "alias"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    connector: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(20))
    alias: Mapped[str] = mapped_column(String(255))
    target_id: Mapped[str | None] = mapped_column(String(255), default=None)
    target_name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LlmCacheRecord(Base):
    """One LLM answer, keyed by document hash + model + prompt version + fields asked, so that
    reprocessing an unchanged document never pays twice."""

    __tablename__ = "llm_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    document_sha256: Mapped[str] = mapped_column(String(64), index=True)
    model: Mapped[str] = mapped_column(String(200))
    prompt_version: Mapped[str] = mapped_column(String(50))
    answer: Mapped[dict[str, Any]] = mapped_column()
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost: Mapped[Decimal] = mapped_column(Numeric(14, 6), default=Decimal(0))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LlmUsageRecord(Base):
    """One use of the LLM tier for a document: requests sent, tokens and cost (the daily
    per-tenant budget sums these)."""

    __tablename__ = "llm_usage"
    __table_args__ = (Index("ix_llm_usage_tenant_day", "tenant_id", "day"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), default=None
    )
    document_sha256: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    model: Mapped[str] = mapped_column(String(200))
    prompt_version: Mapped[str] = mapped_column(String(50))
    outcome: Mapped[str] = mapped_column(String(20))
    cached: Mapped[bool] = mapped_column(Boolean, default=False)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost: Mapped[Decimal] = mapped_column(Numeric(14, 6), default=Decimal(0))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AlertRecord(Base):
    """Something an operator must hear about (a budget spent, …); `dedupe_key` raises it once."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    kind: Mapped[str] = mapped_column(String(50))
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), default=None
    )
    dedupe_key: Mapped[str | None] = mapped_column(String(255), unique=True, default=None)
    message: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Observability (0006): open until its condition clears; notified once per opening.
    state: Mapped[str] = mapped_column(String(20), default="open", server_default="open")
    notified_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)


class UserRecord(Base):
    """A person who signs in to the web app: one tenant, an email and a scrypt password hash."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)


class WebSessionRecord(Base):
    """A signed-in browser: the SHA-256 of its cookie token, who it is and its CSRF token."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), default=None
    )
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="CASCADE"), default=None
    )
    label: Mapped[str] = mapped_column(String(320))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class MailboxRecord(Base):
    """A tenant's IMAP mailbox polled for attachments, with its sender rules and routing.

    The password or OAuth2 token is never stored: `secret_ref` names where it is read
    (`env:NAME`, an environment variable of the poller).
    """

    __tablename__ = "mailboxes"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(Integer)
    security: Mapped[str] = mapped_column(String(20), default="ssl")
    auth: Mapped[str] = mapped_column(String(20), default="password")
    username: Mapped[str] = mapped_column(String(255))
    secret_ref: Mapped[str] = mapped_column(String(255))
    ca_file: Mapped[str | None] = mapped_column(Text, default=None)
    folder: Mapped[str] = mapped_column(String(255), default="INBOX")
    after: Mapped[str] = mapped_column(String(20), default="seen")
    move_to: Mapped[str | None] = mapped_column(String(255), default=None)
    allowed_senders: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    project: Mapped[str | None] = mapped_column(String(255), default=None)
    reply: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    failing_since: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    last_polled_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MailMessageRecord(Base):
    """One received email (IMAP or webhook), once per tenant and Message-ID: what it was,
    where it came from (UIDVALIDITY + UID for IMAP) and how it ended."""

    __tablename__ = "mail_messages"
    __table_args__ = (
        UniqueConstraint("tenant_id", "message_key"),
        Index("ix_mail_messages_mailbox_uid", "mailbox_id", "uidvalidity", "uid"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    mailbox_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("mailboxes.id", ondelete="SET NULL"), default=None
    )
    # SHA-256 of the Message-ID (of the raw bytes when there is none): the dedupe key.
    message_key: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str | None] = mapped_column(Text, default=None)
    channel: Mapped[str] = mapped_column(String(20))
    sender: Mapped[str | None] = mapped_column(String(320), default=None)
    subject: Mapped[str | None] = mapped_column(Text, default=None)
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger, default=None)
    uid: Mapped[int | None] = mapped_column(BigInteger, default=None)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    documents: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MailAttachmentRecord(Base):
    """One part of a received email judged as an attachment: made a document, or skipped or
    rejected with its reason."""

    __tablename__ = "mail_attachments"
    __table_args__ = (UniqueConstraint("mail_message_id", "part"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    mail_message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mail_messages.id", ondelete="CASCADE")
    )
    part: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str | None] = mapped_column(String(255), default=None)
    media_type: Mapped[str | None] = mapped_column(String(100), default=None)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    document_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), default=None
    )


class InboundTokenRecord(Base):
    """A webhook delivery token already accepted (replay protection for signed providers)."""

    __tablename__ = "inbound_tokens"

    provider: Mapped[str] = mapped_column(String(20), primary_key=True)
    token: Mapped[str] = mapped_column(String(255), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
