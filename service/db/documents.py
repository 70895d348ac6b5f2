"""Repository of documents, their result versions and their event log.

Functions take a `Session` and never commit: the caller owns the transaction. Every read
that serves a request is scoped to a tenant.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Envelope
from service.db.session import driver_fetch_one
from service.db.tables import (
    DocumentRecord,
    DocumentStatus,
    EventRecord,
    ResultKind,
    ResultRecord,
    utcnow,
)


@dataclass(frozen=True, slots=True)
class NewDocument:
    """What intake knows about an upload once its bytes are stored."""

    tenant_id: uuid.UUID
    sha256: str
    size: int
    media_type: str | None
    filename: str | None = None
    source: str = "api"
    external_id: str | None = None
    callback_url: str | None = None
    document_type_hint: str | None = None
    project_hint: str | None = None


def create_or_get_document(session: Session, new: NewDocument) -> tuple[DocumentRecord, bool]:
    """The tenant's document for these bytes, created if new; `True` when it was created.

    Race-safe: two uploads of the same bytes at once meet at the unique index and the loser
    returns the winner's row.
    """
    existing = _by_hash(session, new.tenant_id, new.sha256)
    if existing is not None:
        return existing, False
    document = DocumentRecord(
        tenant_id=new.tenant_id, sha256=new.sha256, size=new.size, media_type=new.media_type,
        filename=new.filename, source=new.source, external_id=new.external_id,
        callback_url=new.callback_url, document_type_hint=new.document_type_hint,
        project_hint=new.project_hint, status=DocumentStatus.RECEIVED,
    )  # fmt: skip
    try:
        with session.begin_nested():
            session.add(document)
            session.flush()
    except IntegrityError:
        winner = _by_hash(session, new.tenant_id, new.sha256)
        if winner is None:
            raise
        return winner, False
    record_event(session, document, "received", {"filename": new.filename, "source": new.source})
    return document, True


# One round trip on PostgreSQL: the row is inserted already QUEUED together with its
# `received` and `queued` events, or nothing happens when the tenant has these bytes already.
_ADMIT = """
WITH admitted AS (
    INSERT INTO documents (id, tenant_id, sha256, size, media_type, filename, source,
        external_id, callback_url, document_type_hint, project_hint, status, generation,
        attempts, created_at, updated_at, queued_at)
    VALUES (%(id)s, %(tenant_id)s, %(sha256)s, %(size)s, %(media_type)s, %(filename)s,
        %(source)s, %(external_id)s, %(callback_url)s, %(document_type_hint)s,
        %(project_hint)s, %(queued)s, 1, 0, %(now)s, %(now)s, %(now)s)
    ON CONFLICT (tenant_id, sha256) DO NOTHING
    RETURNING id
), logged AS (
    INSERT INTO document_events (document_id, kind, status, detail, created_at)
    SELECT admitted.id, entry.kind, entry.kind, CAST(entry.detail AS JSONB), %(now)s
    FROM admitted CROSS JOIN (VALUES (1, %(received)s, %(received_detail)s),
                                     (2, %(queued)s, %(queued_detail)s)) AS entry (n, kind, detail)
    ORDER BY entry.n
)
SELECT id FROM admitted
"""


def admit_documents(
    connection: Connection, uploads: Sequence[NewDocument]
) -> list[tuple[DocumentRecord, bool]]:
    """Each upload's document, created QUEUED (events `received`, `queued`) when the tenant
    does not have these bytes yet, else the existing one (`False`); in upload order.

    On PostgreSQL a new document costs one statement (so a single upload may run in
    autocommit); elsewhere it is `create_or_get_document` and `mark_queued`. Race-safe like
    `create_or_get_document`. Never commits.
    """
    if connection.dialect.name != "postgresql":
        with Session(bind=connection, expire_on_commit=False) as session:
            admitted = []
            for new in uploads:
                document, created = create_or_get_document(session, new)
                if created:
                    mark_queued(session, document)
                admitted.append((document, created))
            session.flush()
        return admitted
    return [_admit_one(connection, new) for new in uploads]


def _admit_one(connection: Connection, new: NewDocument) -> tuple[DocumentRecord, bool]:
    now = utcnow()
    # The row as inserted (columns left out are NULL, and read as None on this object).
    document = DocumentRecord(
        id=uuid.uuid4(), tenant_id=new.tenant_id, sha256=new.sha256, size=new.size,
        media_type=new.media_type, filename=new.filename, source=new.source,
        external_id=new.external_id, callback_url=new.callback_url,
        document_type_hint=new.document_type_hint, project_hint=new.project_hint,
        status=DocumentStatus.QUEUED, generation=1, attempts=0, created_at=now, updated_at=now,
        queued_at=now,
    )  # fmt: skip
    params = {
        "id": document.id, "tenant_id": new.tenant_id, "sha256": new.sha256, "size": new.size,
        "media_type": new.media_type, "filename": new.filename, "source": new.source,
        "external_id": new.external_id, "callback_url": new.callback_url,
        "document_type_hint": new.document_type_hint, "project_hint": new.project_hint,
        "queued": DocumentStatus.QUEUED.value, "received": DocumentStatus.RECEIVED.value,
        "now": now, "received_detail": json.dumps({"filename": new.filename,
                                                   "source": new.source}),
        "queued_detail": json.dumps({"generation": 1}),
    }  # fmt: skip
    if driver_fetch_one(connection, _ADMIT, params) is not None:
        return document, True
    # These bytes were there already (or a concurrent upload of them just committed: this
    # statement's snapshot predates it, a new one sees it).
    with Session(bind=connection, expire_on_commit=False) as session:
        existing = _by_hash(session, new.tenant_id, new.sha256)
    if existing is None:
        raise LookupError(f"document {new.sha256} of tenant {new.tenant_id} vanished")
    return existing, False


def _by_hash(session: Session, tenant_id: uuid.UUID, sha256: str) -> DocumentRecord | None:
    query = select(DocumentRecord).where(
        DocumentRecord.tenant_id == tenant_id, DocumentRecord.sha256 == sha256
    )
    return session.scalars(query).first()


def get_document(
    session: Session, tenant_id: uuid.UUID, document_id: uuid.UUID
) -> DocumentRecord | None:
    """A tenant's document by id; another tenant's id is simply not found."""
    query = select(DocumentRecord).where(
        DocumentRecord.id == document_id, DocumentRecord.tenant_id == tenant_id
    )
    return session.scalars(query).first()


def get_document_by_id(session: Session, document_id: uuid.UUID) -> DocumentRecord | None:
    """A document by id across tenants: for workers, which are handed ids by the API."""
    return session.get(DocumentRecord, document_id)


def record_event(
    session: Session, document: DocumentRecord, kind: str, detail: dict[str, Any] | None = None
) -> EventRecord:
    """Append one entry to the document's event log."""
    entry = EventRecord(
        document_id=document.id, kind=kind, status=document.status, detail=detail or {}
    )
    session.add(entry)
    return entry


def mark_queued(session: Session, document: DocumentRecord, *, reprocess: bool = False) -> None:
    """The document is handed to the workers (a reprocess starts a new generation)."""
    if reprocess:
        document.generation += 1
        document.attempts = 0
        document.error_code = None
        document.error_message = None
    document.status = DocumentStatus.QUEUED
    document.queued_at = utcnow()
    document.lease_until = None
    record_event(session, document, "queued", {"generation": document.generation})


class ClaimOutcome(StrEnum):
    """What a worker found when it tried to take a document."""

    CLAIMED = "claimed"
    ALREADY_DONE = "already_done"
    LEASED_ELSEWHERE = "leased_elsewhere"
    POISONED = "poisoned"
    MISSING = "missing"
    STALE = "stale"


@dataclass(frozen=True, slots=True)
class Claim:
    """A claim's outcome and, when claimed, the document."""

    outcome: ClaimOutcome
    document: DocumentRecord | None = None


def claim_document(
    session: Session,
    document_id: uuid.UUID,
    generation: int,
    *,
    lease: timedelta,
    max_attempts: int,
    owner: str,
    now: datetime | None = None,
) -> Claim:
    """Take a document for processing under a lease, counting the attempt.

    A document already extracted in this generation is not processed again. One leased to a
    different task message is left alone (a duplicate message); the same message coming back
    means its first delivery died with its worker, so it takes over. One delivered more than
    `max_attempts` times is failed as poison.
    """
    now = now or utcnow()
    query = select(DocumentRecord).where(DocumentRecord.id == document_id).with_for_update()
    document = session.scalars(query).first()
    if document is None:
        return Claim(ClaimOutcome.MISSING)
    if document.generation != generation:
        return Claim(ClaimOutcome.STALE, document)
    if DocumentStatus(document.status).is_done:
        return Claim(ClaimOutcome.ALREADY_DONE, document)
    if (
        document.status == DocumentStatus.PROCESSING
        and document.lease_until is not None
        and document.lease_until > now
        and document.lease_owner != owner
    ):
        return Claim(ClaimOutcome.LEASED_ELSEWHERE, document)
    document.attempts += 1
    if document.attempts > max_attempts:
        fail_document(session, document, "poison",
                      f"processing stopped after {max_attempts} attempts")  # fmt: skip
        return Claim(ClaimOutcome.POISONED, document)
    document.status = DocumentStatus.PROCESSING
    document.started_at = now
    document.lease_until = now + lease
    document.lease_owner = owner
    record_event(session, document, "processing", {"attempt": document.attempts})
    return Claim(ClaimOutcome.CLAIMED, document)


def fail_document(session: Session, document: DocumentRecord, code: str, message: str) -> None:
    """The document could not be processed: failed, with a stable code and words for a person."""
    document.status = DocumentStatus.FAILED
    document.error_code = code
    document.error_message = message
    document.finished_at = utcnow()
    document.lease_until = None
    record_event(session, document, "failed", {"code": code, "message": message})


def status_for(envelope: Envelope) -> DocumentStatus:
    """The status an extraction's envelope puts its document in."""
    if envelope.error is not None:
        return DocumentStatus.FAILED
    return DocumentStatus.NEEDS_REVIEW if envelope.needs_review else DocumentStatus.EXTRACTED


def store_extraction(
    session: Session, document: DocumentRecord, envelope: Envelope
) -> ResultRecord:
    """Keep the pipeline's envelope as this generation's extracted version (once, however
    often it is called) and move the document to its finished status."""
    existing = session.scalars(
        select(ResultRecord).where(
            ResultRecord.document_id == document.id,
            ResultRecord.generation == document.generation,
            ResultRecord.kind == ResultKind.EXTRACTED,
        )
    ).first()
    if existing is not None:
        return existing
    result = ResultRecord(
        document_id=document.id,
        version=_next_version(session, document.id),
        generation=document.generation,
        kind=ResultKind.EXTRACTED,
        envelope=envelope.model_dump(mode="json"),
        author="docproc",
    )
    session.add(result)
    _apply_summary(document, envelope)
    document.status = status_for(envelope)
    if envelope.error is not None:
        document.error_code = envelope.error.code
        document.error_message = envelope.error.message
    document.finished_at = utcnow()
    document.lease_until = None
    record_event(session, document, document.status, {"version": result.version})
    return result


def add_correction(
    session: Session, document: DocumentRecord, envelope: Envelope, author: str
) -> ResultRecord:
    """A person's corrected envelope, kept as a new version; earlier versions stay."""
    result = ResultRecord(
        document_id=document.id,
        version=_next_version(session, document.id),
        generation=document.generation,
        kind=ResultKind.CORRECTED,
        envelope=envelope.model_dump(mode="json"),
        author=author,
    )
    session.add(result)
    _apply_summary(document, envelope)
    document.status = status_for(envelope)
    record_event(session, document, "corrected", {"version": result.version, "author": author})
    return result


def _apply_summary(document: DocumentRecord, envelope: Envelope) -> None:
    """Copy the fields lists filter on out of the envelope."""
    document.document_type = envelope.document_type
    invoice = envelope.invoice
    document.vendor_name = invoice.vendor.name if invoice else None
    document.project_name = invoice.project.name if invoice else None


def _next_version(session: Session, document_id: uuid.UUID) -> int:
    current = session.scalar(
        select(func.max(ResultRecord.version)).where(ResultRecord.document_id == document_id)
    )
    return (current or 0) + 1


def latest_result(session: Session, document_id: uuid.UUID) -> ResultRecord | None:
    """The newest result version (a person's correction wins over the extraction)."""
    query = (
        select(ResultRecord)
        .where(ResultRecord.document_id == document_id)
        .order_by(ResultRecord.version.desc())
    )
    return session.scalars(query).first()


def events_after(session: Session, document_id: uuid.UUID, after_id: int = 0) -> list[EventRecord]:
    """The document's events newer than `after_id`, oldest first."""
    query = (
        select(EventRecord)
        .where(EventRecord.document_id == document_id, EventRecord.id > after_id)
        .order_by(EventRecord.id)
    )
    return list(session.scalars(query))


def expired_leases(session: Session, now: datetime | None = None) -> list[DocumentRecord]:
    """Documents stuck in PROCESSING past their lease, or QUEUED with no worker: to re-enqueue."""
    now = now or utcnow()
    query = select(DocumentRecord).where(
        DocumentRecord.status == DocumentStatus.PROCESSING, DocumentRecord.lease_until < now
    )
    return list(session.scalars(query))


@dataclass(frozen=True, slots=True)
class DocumentFilter:
    """What a listing may be narrowed by; every field is optional."""

    status: str | None = None
    document_type: str | None = None
    vendor: str | None = None
    project: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


def list_documents(
    session: Session,
    tenant_id: uuid.UUID,
    where: DocumentFilter,
    *,
    limit: int,
    after: tuple[datetime, uuid.UUID] | None = None,
) -> list[DocumentRecord]:
    """A tenant's documents, newest first, narrowed by `where`, resuming after a (created_at,
    id) position; at most `limit` rows."""
    query = select(DocumentRecord).where(DocumentRecord.tenant_id == tenant_id)
    if where.status:
        query = query.where(DocumentRecord.status == where.status)
    if where.document_type:
        query = query.where(DocumentRecord.document_type == where.document_type)
    if where.vendor:
        query = query.where(func.lower(DocumentRecord.vendor_name) == where.vendor.lower())
    if where.project:
        wanted = where.project.lower()
        query = query.where(
            or_(
                func.lower(DocumentRecord.project_name) == wanted,
                func.lower(DocumentRecord.project_hint) == wanted,
            )
        )
    if where.created_from:
        query = query.where(DocumentRecord.created_at >= where.created_from)
    if where.created_to:
        query = query.where(DocumentRecord.created_at < where.created_to)
    if after is not None:
        created, last_id = after
        query = query.where(
            or_(
                DocumentRecord.created_at < created,
                and_(DocumentRecord.created_at == created, DocumentRecord.id < last_id),
            )
        )
    query = query.order_by(DocumentRecord.created_at.desc(), DocumentRecord.id.desc())
    return list(session.scalars(query.limit(limit)))


def result_versions(session: Session, document_id: uuid.UUID) -> list[ResultRecord]:
    """Every result version of a document, oldest first."""
    query = (
        select(ResultRecord)
        .where(ResultRecord.document_id == document_id)
        .order_by(ResultRecord.version)
    )
    return list(session.scalars(query))


def stale_queued(
    session: Session, older_than: timedelta, now: datetime | None = None
) -> list[DocumentRecord]:
    """QUEUED documents with no progress for `older_than`: their message may be lost."""
    cutoff = (now or utcnow()) - older_than
    query = select(DocumentRecord).where(
        DocumentRecord.status == DocumentStatus.QUEUED,
        func.coalesce(DocumentRecord.queued_at, DocumentRecord.updated_at) < cutoff,
    )
    return list(session.scalars(query))


def mark_requeued(session: Session, document: DocumentRecord, reason: str) -> None:
    """The reconciler hands the document to the workers again (same generation, attempts kept)."""
    document.status = DocumentStatus.QUEUED
    document.queued_at = utcnow()
    document.lease_until = None
    document.lease_owner = None
    record_event(session, document, "requeued", {"reason": reason,
                                                 "generation": document.generation})  # fmt: skip


def release_claim(
    session: Session, document_id: uuid.UUID, owner: str, reason: str
) -> DocumentRecord | None:
    """Give back a claim after a transient fault: QUEUED again, the attempt not counted.

    Only the claim's owner may release it, and only while the document is still PROCESSING.
    """
    query = select(DocumentRecord).where(DocumentRecord.id == document_id).with_for_update()
    document = session.scalars(query).first()
    if (
        document is None
        or document.status != DocumentStatus.PROCESSING
        or document.lease_owner != owner
    ):
        return None
    document.attempts = max(document.attempts - 1, 0)
    document.status = DocumentStatus.QUEUED
    document.queued_at = utcnow()
    document.lease_until = None
    record_event(session, document, "retrying", {"reason": reason})
    return document


def requeue_if_stuck(
    session: Session, document_id: uuid.UUID, *, stale_after: timedelta, now: datetime | None = None
) -> DocumentRecord | None:
    """Lock the row and, if it is still stuck (lease expired in PROCESSING, or QUEUED with no
    progress for `stale_after`), mark it requeued; None when a worker got there first."""
    now = now or utcnow()
    query = (
        select(DocumentRecord)
        .where(DocumentRecord.id == document_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    document = session.scalars(query).first()
    if document is None:
        return None
    if document.status == DocumentStatus.PROCESSING:
        stuck = document.lease_until is not None and document.lease_until < now
        reason = "lease expired"
    else:
        last = document.queued_at or document.updated_at
        stuck = document.status == DocumentStatus.QUEUED and last < now - stale_after
        reason = "queued without progress"
    if not stuck:
        return None
    mark_requeued(session, document, reason)
    return document
