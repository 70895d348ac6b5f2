"""Reads behind the web pages: the filtered document list (cursor-paged), the review queue and
one document's history, versions and exports. Every query is scoped to one tenant.

Functions take a `Session` and never commit. Must not render anything.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric, Select, and_, cast, exists, func, or_, select
from sqlalchemy.orm import Session

from service.db.tables import (
    DocumentRecord,
    DocumentStatus,
    EventRecord,
    ExportRecord,
    OutboxRecord,
    ResultRecord,
)

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class ListFilter:
    """What the documents page may be narrowed by; every field optional."""

    status: str | None = None
    document_type: str | None = None
    vendor: str | None = None
    project: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    q: str | None = None


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _amount_clause(where: ListFilter) -> Select[Any] | None:
    if where.amount_min is None and where.amount_max is None:
        return None
    total = cast(ResultRecord.envelope["invoice"]["total"].as_string(), Numeric(18, 4))
    query = select(ResultRecord.id).where(ResultRecord.document_id == DocumentRecord.id)
    if where.amount_min is not None:
        query = query.where(total >= where.amount_min)
    if where.amount_max is not None:
        query = query.where(total <= where.amount_max)
    return query


def _filtered(query: Select[Any], where: ListFilter) -> Select[Any]:
    exact = {
        DocumentRecord.status: where.status,
        DocumentRecord.document_type: where.document_type,
    }
    for column, value in exact.items():
        if value:
            query = query.where(column == value)
    if where.vendor:
        query = query.where(func.lower(DocumentRecord.vendor_name).like(_like(where.vendor), "\\"))
    if where.project:
        pattern = _like(where.project)
        query = query.where(
            or_(
                func.lower(DocumentRecord.project_name).like(pattern, "\\"),
                func.lower(DocumentRecord.project_hint).like(pattern, "\\"),
            )
        )
    if where.q:
        pattern = _like(where.q)
        query = query.where(
            or_(
                func.lower(DocumentRecord.filename).like(pattern, "\\"),
                func.lower(DocumentRecord.vendor_name).like(pattern, "\\"),
                func.lower(DocumentRecord.project_name).like(pattern, "\\"),
            )
        )
    if where.date_from:
        query = query.where(
            DocumentRecord.created_at >= datetime.combine(where.date_from, time(), UTC)
        )
    if where.date_to:
        end = datetime.combine(where.date_to + timedelta(days=1), time(), UTC)
        query = query.where(DocumentRecord.created_at < end)
    amounts = _amount_clause(where)
    if amounts is not None:
        query = query.where(exists(amounts))
    return query


def encode_cursor(document: DocumentRecord) -> str:
    """A row's position as an opaque cursor."""
    raw = json.dumps([document.created_at.isoformat(), str(document.id)]).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    """An opaque cursor in, its (created_at, id) out; None for none or garbage."""
    if not cursor:
        return None
    try:
        created, raw_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return datetime.fromisoformat(created), uuid.UUID(raw_id)
    except (ValueError, TypeError, binascii.Error):
        return None


def list_page(
    session: Session,
    tenant_id: uuid.UUID,
    where: ListFilter,
    cursor: str | None,
    limit: int = PAGE_SIZE,
) -> tuple[list[DocumentRecord], str | None]:
    """One page of the tenant's documents, newest first, and the cursor of the next page."""
    query = _filtered(select(DocumentRecord).where(DocumentRecord.tenant_id == tenant_id), where)
    after = decode_cursor(cursor)
    if after is not None:
        created, last_id = after
        query = query.where(
            or_(
                DocumentRecord.created_at < created,
                and_(DocumentRecord.created_at == created, DocumentRecord.id < last_id),
            )
        )
    query = query.order_by(DocumentRecord.created_at.desc(), DocumentRecord.id.desc())
    rows: list[DocumentRecord] = list(session.scalars(query.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1]) if more and rows else None


def review_queue(session: Session, tenant_id: uuid.UUID, limit: int = 200) -> list[DocumentRecord]:
    """The tenant's documents that need review, oldest first."""
    waiting_since = func.coalesce(DocumentRecord.finished_at, DocumentRecord.created_at)
    query = (
        select(DocumentRecord)
        .where(
            DocumentRecord.tenant_id == tenant_id,
            DocumentRecord.status == DocumentStatus.NEEDS_REVIEW,
        )
        .order_by(waiting_since, DocumentRecord.id)
    )
    return list(session.scalars(query.limit(limit)))


@dataclass(frozen=True, slots=True)
class ExportLine:
    """Where a document went (or is going): a connector, its state and the external reference."""

    connector: str
    state: str
    reference: str | None
    url: str | None
    detail: str | None


@dataclass(frozen=True, slots=True)
class History:
    """A document's event log, result versions and exports."""

    events: list[EventRecord]
    versions: list[ResultRecord]
    exports: list[ExportLine] = field(default_factory=list)


def history(session: Session, document_id: uuid.UUID) -> History:
    """The document's events, versions and exports (the document must already be the tenant's)."""
    events = list(
        session.scalars(
            select(EventRecord)
            .where(EventRecord.document_id == document_id)
            .order_by(EventRecord.id)
        )
    )
    versions = list(
        session.scalars(
            select(ResultRecord)
            .where(ResultRecord.document_id == document_id)
            .order_by(ResultRecord.version)
        )
    )
    exports = [
        ExportLine(e.connector, "delivered", e.external_id, e.url, None)
        for e in session.scalars(
            select(ExportRecord).where(ExportRecord.document_id == document_id)
        )
    ]
    delivered = {line.connector for line in exports}
    for row in session.scalars(select(OutboxRecord).where(OutboxRecord.document_id == document_id)):
        if row.connector not in delivered:
            exports.append(ExportLine(row.connector, row.state, None, None, row.last_error))
    return History(events, versions, exports)


def is_approved(events: list[EventRecord], version: int | None) -> bool:
    """True when the newest version was approved in the web app."""
    return version is not None and any(
        e.kind == "approved" and e.detail.get("version") == version for e in events
    )


def latest_results(
    session: Session, document_ids: list[uuid.UUID]
) -> dict[uuid.UUID, ResultRecord]:
    """The newest result version of each of these documents."""
    if not document_ids:
        return {}
    newest = (
        select(ResultRecord.document_id, func.max(ResultRecord.version).label("version"))
        .where(ResultRecord.document_id.in_(document_ids))
        .group_by(ResultRecord.document_id)
        .subquery()
    )
    query = select(ResultRecord).join(
        newest,
        and_(
            ResultRecord.document_id == newest.c.document_id,
            ResultRecord.version == newest.c.version,
        ),
    )
    return {row.document_id: row for row in session.scalars(query)}
