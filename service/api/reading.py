"""Reads for the routes: one document, a filtered page of them, results, and waiting for done.

Every query is scoped to the caller's tenant: another tenant's id is a 404 exactly like an
id that does not exist. Waiting polls the database (the source of truth), never the broker.
Must not change rows.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import anyio

from models import Envelope, ErrorCode
from service.api.errors import ApiError, not_found
from service.bootstrap import Container
from service.db.documents import (
    DocumentFilter,
    get_document,
    latest_result,
    list_documents,
    result_versions,
)
from service.db.tables import DocumentRecord, DocumentStatus, ResultRecord
from service.db.tenants import Caller

POLL_INTERVAL_S = 0.5


def failure_envelope(document: DocumentRecord) -> dict[str, Any]:
    """The contract envelope of a document that failed before any result was stored."""
    codes = {code.value for code in ErrorCode}
    code = document.error_code if document.error_code in codes else ErrorCode.INTERNAL_ERROR
    message = document.error_message or "processing failed"
    envelope = Envelope.failed(document.filename or str(document.id), ErrorCode(code), message)
    return envelope.model_dump(mode="json")


def load_document(container: Container, caller: Caller, document_id: uuid.UUID) -> DocumentRecord:
    """The caller's document, or 404."""
    with container.sessions() as session:
        document = get_document(session, caller.tenant_id, document_id)
    if document is None:
        raise not_found()
    return document


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """A document and its newest result version (None before extraction finished)."""

    document: DocumentRecord
    result: ResultRecord | None


def load_result(container: Container, caller: Caller, document_id: uuid.UUID) -> DocumentResult:
    """The caller's document and its latest result, or 404."""
    with container.sessions() as session:
        document = get_document(session, caller.tenant_id, document_id)
        if document is None:
            raise not_found()
        result = latest_result(session, document.id)
    return DocumentResult(document, result)


def load_versions(
    container: Container, caller: Caller, document_id: uuid.UUID
) -> list[ResultRecord]:
    """Every result version of the caller's document, or 404."""
    with container.sessions() as session:
        document = get_document(session, caller.tenant_id, document_id)
        if document is None:
            raise not_found()
        return result_versions(session, document.id)


def is_done(document: DocumentRecord) -> bool:
    """True once extraction finished (well or badly)."""
    return DocumentStatus(document.status).is_done


def wait_budget(container: Container, requested: float | None) -> float:
    """The seconds to wait: what was asked, capped by `api.max_wait_s`."""
    if not requested or requested <= 0:
        return 0.0
    return min(requested, container.settings.api.max_wait_s)


async def wait_until_done(
    container: Container, caller: Caller, document_ids: list[uuid.UUID], seconds: float
) -> None:
    """Poll until every document is done or `seconds` have passed."""
    deadline = time.monotonic() + seconds
    pending = list(document_ids)
    while pending and time.monotonic() < deadline:
        documents = [
            await anyio.to_thread.run_sync(load_document, container, caller, doc_id)
            for doc_id in pending
        ]
        pending = [document.id for document in documents if not is_done(document)]
        if pending:
            await anyio.sleep(min(POLL_INTERVAL_S, max(0.0, deadline - time.monotonic())))


def encode_cursor(document: DocumentRecord) -> str:
    """An opaque position after this document (its created_at and id)."""
    raw = json.dumps([document.created_at.isoformat(), str(document.id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """A cursor back into its position; 422 when it was not made by `encode_cursor`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created, doc_id = json.loads(raw)
        return datetime.fromisoformat(created), uuid.UUID(doc_id)
    except (ValueError, TypeError, binascii.Error) as error:
        raise ApiError(422, "invalid_cursor", "the cursor is not one this API gave") from error


def list_page(
    container: Container, caller: Caller, where: DocumentFilter, limit: int, cursor: str | None
) -> tuple[list[DocumentRecord], str | None]:
    """A page of the caller's documents and the cursor of the next page (None at the end)."""
    after = decode_cursor(cursor) if cursor else None
    with container.sessions() as session:
        rows = list_documents(session, caller.tenant_id, where, limit=limit + 1, after=after)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1]) if more and rows else None
