"""Repository of outbox rows and export references.

Functions take a `Session` and never commit. A row is claimed by moving its
`next_attempt_at` a lease ahead and counting the attempt (`FOR UPDATE SKIP LOCKED` on
PostgreSQL, so two dispatchers never claim one row); the attempt number is the claim's token,
so a duplicated push message finds a newer attempt and does nothing. Long backoff lives in
`next_attempt_at`, never in a broker countdown.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.connectors import ExternalRef
from service.db.documents import record_event
from service.db.tables import (
    DocumentRecord,
    DocumentStatus,
    ExportRecord,
    OutboxRecord,
    OutboxState,
    utcnow,
)


def enqueue(
    session: Session, document: DocumentRecord, version: int, connectors: list[str]
) -> list[OutboxRecord]:
    """One pending row per connector for this result version; delivered ones stay delivered."""
    rows: list[OutboxRecord] = []
    existing = {
        row.connector: row
        for row in session.scalars(
            select(OutboxRecord).where(OutboxRecord.document_id == document.id)
        )
    }
    for connector in connectors:
        row = existing.get(connector)
        if row is None:
            row = OutboxRecord(
                tenant_id=document.tenant_id,
                document_id=document.id,
                connector=connector,
                result_version=version,
                state=OutboxState.PENDING,
                attempts=0,
                next_attempt_at=utcnow(),
            )
            session.add(row)
        elif row.state != OutboxState.DELIVERED:
            reset(row, version)
        rows.append(row)
    session.flush()
    return rows


def reset(row: OutboxRecord, version: int | None = None) -> None:
    """Back to pending, due now, with a fresh attempt budget."""
    row.state = OutboxState.PENDING
    row.attempts = 0
    row.next_attempt_at = utcnow()
    if version is not None:
        row.result_version = version


@dataclass(frozen=True, slots=True)
class ClaimedRow:
    """A row handed to a push: its id and the attempt number that is the claim's token."""

    id: uuid.UUID
    attempt: int


def claim_due(
    session: Session,
    *,
    now: datetime,
    lease: timedelta,
    limit: int,
    tenant_id: uuid.UUID | None = None,
) -> list[ClaimedRow]:
    """Claim up to `limit` pending rows that are due (of one tenant, if given): count the
    attempt, hold them a lease."""
    query = select(OutboxRecord).where(
        OutboxRecord.state == OutboxState.PENDING, OutboxRecord.next_attempt_at <= now
    )
    if tenant_id is not None:
        query = query.where(OutboxRecord.tenant_id == tenant_id)
    query = (
        query.order_by(OutboxRecord.next_attempt_at).limit(limit).with_for_update(skip_locked=True)
    )
    claimed = []
    for row in session.scalars(query):
        row.attempts += 1
        row.next_attempt_at = now + lease
        claimed.append(ClaimedRow(row.id, row.attempts))
    return claimed


def get_claimed(session: Session, claim: ClaimedRow) -> OutboxRecord | None:
    """The row, locked, if this claim still holds it (pending, same attempt); else None."""
    query = select(OutboxRecord).where(OutboxRecord.id == claim.id).with_for_update()
    row = session.scalars(query.execution_options(populate_existing=True)).first()
    if row is None or row.state != OutboxState.PENDING or row.attempts != claim.attempt:
        return None
    return row


def backoff(attempt: int, base_s: float, cap_s: float, retry_after: float | None) -> timedelta:
    """Delay before the next attempt: exponential with equal jitter, never below Retry-After."""
    ceiling = min(cap_s, base_s * 2 ** max(attempt - 1, 0))
    delay = ceiling / 2 + random.uniform(0, ceiling / 2)
    return timedelta(seconds=max(delay, retry_after or 0.0))


def mark_delivered(session: Session, row: OutboxRecord, ref: ExternalRef) -> None:
    """The push landed: keep its reference; the document is exported once every row is."""
    now = utcnow()
    row.state = OutboxState.DELIVERED
    row.delivered_at = now
    row.last_error = None
    export = session.scalars(
        select(ExportRecord).where(
            ExportRecord.document_id == row.document_id, ExportRecord.connector == row.connector
        )
    ).first()
    if export is None:
        export = ExportRecord(
            tenant_id=row.tenant_id, document_id=row.document_id, connector=row.connector
        )
        session.add(export)
    export.external_id, export.external_key, export.url = ref.external_id, ref.external_key, ref.url
    session.flush()
    document = session.get(DocumentRecord, row.document_id)
    if document is None:
        return
    record_event(
        session,
        document,
        "exported_to",
        {"connector": row.connector, "external_id": ref.external_id},
    )
    if undelivered(session, row.document_id) == 0:
        document.status = DocumentStatus.EXPORTED
        record_event(session, document, "exported", {})


def undelivered(session: Session, document_id: uuid.UUID) -> int:
    """How many of the document's rows are not delivered yet."""
    query = select(func.count()).where(
        OutboxRecord.document_id == document_id, OutboxRecord.state != OutboxState.DELIVERED
    )
    return int(session.scalar(query) or 0)


def mark_failed(session: Session, row: OutboxRecord, message: str) -> None:
    """The system refused the data: the row stops; a person reviews the document."""
    row.state = OutboxState.FAILED
    row.last_error = message
    document = session.get(DocumentRecord, row.document_id)
    if document is not None:
        document.status = DocumentStatus.NEEDS_REVIEW
        document.error_code = "export_rejected"
        document.error_message = f"{row.connector}: {message}"
        record_event(
            session, document, "export_failed", {"connector": row.connector, "message": message}
        )


def schedule_retry(session: Session, row: OutboxRecord, message: str, delay: timedelta) -> None:
    """Try again after `delay`."""
    row.last_error = message
    row.next_attempt_at = utcnow() + delay


def mark_dead(session: Session, row: OutboxRecord, message: str) -> None:
    """Out of attempts: dead-lettered until someone replays it."""
    row.state = OutboxState.DEAD
    row.last_error = message
    document = session.get(DocumentRecord, row.document_id)
    if document is not None:
        record_event(
            session,
            document,
            "export_dead",
            {"connector": row.connector, "attempts": row.attempts, "message": message},
        )


def replay(session: Session, row: OutboxRecord) -> None:
    """A dead or failed row back to pending, due now, with a fresh attempt budget."""
    reset(row)
    document = session.get(DocumentRecord, row.document_id)
    if document is not None:
        record_event(session, document, "export_replayed", {"connector": row.connector})


def get_row(session: Session, tenant_id: uuid.UUID, row_id: uuid.UUID) -> OutboxRecord | None:
    """A tenant's outbox row by id."""
    query = select(OutboxRecord).where(
        OutboxRecord.id == row_id, OutboxRecord.tenant_id == tenant_id
    )
    return session.scalars(query.with_for_update()).first()


def list_rows(
    session: Session, tenant_id: uuid.UUID, state: str | None, limit: int
) -> list[OutboxRecord]:
    """A tenant's outbox rows, newest first, optionally in one state."""
    query = select(OutboxRecord).where(OutboxRecord.tenant_id == tenant_id)
    if state:
        query = query.where(OutboxRecord.state == state)
    query = query.order_by(OutboxRecord.created_at.desc(), OutboxRecord.id)
    return list(session.scalars(query.limit(limit)))


def exports_of(session: Session, document_id: uuid.UUID) -> list[ExportRecord]:
    """Where the document landed, per connector."""
    query = select(ExportRecord).where(ExportRecord.document_id == document_id)
    return list(session.scalars(query.order_by(ExportRecord.connector)))
