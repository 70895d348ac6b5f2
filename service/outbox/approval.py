"""Approval: a person's (or the tenant's automatic) yes, and the export intents it creates.

`approve` stores the approved result version (learning, as aliases, the vendor and project
names a person corrected) and writes one outbox row per applicable connector in the caller's
transaction — the transactional outbox: either both are committed or neither. A duplicate
invoice is flagged instead of approved. `after_extraction` runs in the
transaction that stores an extraction: it records the invoice's duplicate key and, when the
tenant asked for it, approves a result that needs no review. Never commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Envelope, Invoice
from service.config import Settings
from service.connectors.matching import normalise
from service.db.documents import latest_result, record_event
from service.db.tables import (
    DocumentRecord,
    DocumentStatus,
    ResultKind,
    ResultRecord,
    TenantRecord,
)
from service.outbox import repository
from service.outbox.configs import AliasInput, connectors_for, learn_alias
from service.outbox.duplicates import check_duplicate

APPROVABLE = frozenset(
    {DocumentStatus.EXTRACTED, DocumentStatus.NEEDS_REVIEW, DocumentStatus.EXPORTED}
)


class ApprovalError(Exception):
    """The document cannot be approved (not finished, failed, or a duplicate)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Approval:
    """What an approval did: the approved version and its outbox rows, or the duplicate."""

    version: int | None
    outbox_ids: list[uuid.UUID] = field(default_factory=list)
    connectors: list[str] = field(default_factory=list)
    duplicate_of: uuid.UUID | None = None


def approve(
    session: Session, document: DocumentRecord, author: str, settings: Settings
) -> Approval:
    """Approve the latest result and write its export intents; a duplicate is flagged instead."""
    if document.duplicate_of is not None:
        return Approval(None, duplicate_of=document.duplicate_of)
    if document.status not in APPROVABLE:
        raise ApprovalError("not_ready", f"a {document.status} document cannot be approved")
    latest = latest_result(session, document.id)
    if latest is None:
        raise ApprovalError("not_ready", "the document has no result to approve")
    envelope = Envelope.model_validate(latest.envelope)
    if envelope.error is not None:
        raise ApprovalError("failed", "a failed extraction cannot be approved")
    window = timedelta(days=settings.connectors.duplicate_window_days)
    duplicate = check_duplicate(session, document, envelope, window)
    if duplicate is not None:
        return Approval(None, duplicate_of=duplicate.original_id)
    approved = ResultRecord(
        document_id=document.id,
        version=latest.version + 1,
        generation=document.generation,
        kind=ResultKind.APPROVED,
        envelope=latest.envelope,
        author=author,
    )
    session.add(approved)
    _learn_from_corrections(session, document, envelope)
    invoice = envelope.invoice
    projects = [document.project_hint]
    if invoice is not None:
        projects += [invoice.project.name, invoice.project.number]
    names = connectors_for(session, document.tenant_id, envelope.document_type, projects)
    rows = repository.enqueue(session, document, approved.version, names)
    if document.status != DocumentStatus.EXPORTED or repository.undelivered(session, document.id):
        document.status = DocumentStatus.EXTRACTED
    document.error_code = document.error_message = None
    record_event(
        session,
        document,
        "approved",
        {"version": approved.version, "author": author, "connectors": names},
    )
    return Approval(approved.version, [row.id for row in rows], names)


def _extracted_invoice(session: Session, document: DocumentRecord) -> Invoice | None:
    query = (
        select(ResultRecord)
        .where(ResultRecord.document_id == document.id, ResultRecord.kind == ResultKind.EXTRACTED)
        .order_by(ResultRecord.version.desc())
    )
    extracted = session.scalars(query).first()
    return Envelope.model_validate(extracted.envelope).invoice if extracted else None


def _learn_from_corrections(session: Session, document: DocumentRecord, approved: Envelope) -> None:
    """A vendor or project name a person corrected becomes an alias for every connector, so
    the next invoice read the same way maps to the corrected name."""
    before, after = _extracted_invoice(session, document), approved.invoice
    if before is None or after is None:
        return
    pairs = (
        ("vendor", before.vendor.name, after.vendor.name),
        ("project", before.project.name, after.project.name),
    )
    for kind, read, corrected in pairs:
        if read and corrected and normalise(read) != normalise(corrected):
            learn_alias(session, document.tenant_id, "*", AliasInput(kind, read, corrected))


def after_extraction(
    session: Session, document: DocumentRecord, envelope: Envelope, settings: Settings
) -> Approval | None:
    """In the extraction's transaction: duplicate check, then auto-approval if the tenant wants
    it and nothing needs review."""
    if envelope.error is not None:
        return None
    window = timedelta(days=settings.connectors.duplicate_window_days)
    if check_duplicate(session, document, envelope, window) is not None:
        return None
    tenant = session.get(TenantRecord, document.tenant_id)
    if tenant is None or not tenant.auto_approve or document.status != DocumentStatus.EXTRACTED:
        return None
    return approve(session, document, "auto-approve", settings)
