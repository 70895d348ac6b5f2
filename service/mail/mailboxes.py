"""Repository of mailboxes: their configuration (validated), the enabled ones, and the
bookkeeping of poll successes and failures. Functions take a `Session` and never commit.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.tables import MailboxRecord, utcnow
from service.mail.rules import normalise_rule


class MailboxConfig(BaseModel):
    """What an operator configures for one mailbox (the secret only by reference)."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(min_length=1, max_length=255)
    port: int = Field(default=993, gt=0, lt=65536)
    security: Literal["ssl", "starttls", "none"] = "ssl"
    auth: Literal["password", "xoauth2"] = "password"
    username: str = Field(min_length=1, max_length=255)
    secret_ref: str = Field(
        pattern=r"^env:[A-Za-z_][A-Za-z0-9_]*$",
        description="where the password or OAuth2 token is read: env:VARIABLE",
    )
    ca_file: str | None = None
    folder: str = Field(default="INBOX", min_length=1, max_length=255)
    after: Literal["seen", "move"] = "seen"
    move_to: str | None = Field(default=None, max_length=255)
    allowed_senders: list[str] = Field(default_factory=list, max_length=1000)
    project: str | None = Field(default=None, max_length=255)
    reply: bool = False
    enabled: bool = True

    @field_validator("allowed_senders")
    @classmethod
    def _normalise(cls, value: list[str]) -> list[str]:
        return sorted({normalise_rule(rule) for rule in value if rule.strip()})

    @model_validator(mode="after")
    def _move_needs_folder(self) -> MailboxConfig:
        if self.after == "move" and not self.move_to:
            raise ValueError("after=move needs move_to (the folder to move messages to)")
        return self


def get_mailbox(session: Session, tenant_id: uuid.UUID, name: str) -> MailboxRecord | None:
    """The tenant's mailbox by name."""
    query = select(MailboxRecord).where(
        MailboxRecord.tenant_id == tenant_id, MailboxRecord.name == name
    )
    return session.scalars(query).first()


def put_mailbox(
    session: Session, tenant_id: uuid.UUID, name: str, config: MailboxConfig
) -> tuple[MailboxRecord, bool]:
    """Create or replace the tenant's mailbox `name`; True when created."""
    mailbox = get_mailbox(session, tenant_id, name)
    created = mailbox is None
    if mailbox is None:
        mailbox = MailboxRecord(tenant_id=tenant_id, name=name, consecutive_failures=0)
        session.add(mailbox)
    for key, value in config.model_dump().items():
        setattr(mailbox, key, value)
    session.flush()
    return mailbox, created


def enabled_mailboxes(session: Session) -> list[MailboxRecord]:
    """Every enabled mailbox of every tenant, in a stable order."""
    query = select(MailboxRecord).where(MailboxRecord.enabled.is_(True))
    return list(session.scalars(query.order_by(MailboxRecord.created_at, MailboxRecord.id)))


def record_success(session: Session, mailbox_id: uuid.UUID) -> None:
    """A poll worked: the failure streak ends."""
    mailbox = session.get(MailboxRecord, mailbox_id)
    if mailbox is not None:
        mailbox.consecutive_failures = 0
        mailbox.failing_since = None
        mailbox.last_error = None
        mailbox.last_polled_at = utcnow()


def record_failure(session: Session, mailbox_id: uuid.UUID, error: str) -> MailboxRecord | None:
    """A poll failed: count it in the streak (started now if none) and keep the error."""
    mailbox = session.get(MailboxRecord, mailbox_id)
    if mailbox is None:
        return None
    now: datetime = utcnow()
    mailbox.consecutive_failures += 1
    mailbox.failing_since = mailbox.failing_since or now
    mailbox.last_error = error[:2000]
    mailbox.last_polled_at = now
    return mailbox
