"""Approval and the outbox: `POST /v1/documents/{id}/approve`, `GET /v1/outbox`,
`POST /v1/outbox/{id}/replay`, `GET /v1/documents/{id}/exports`.

Thin: the approval and its export intents commit together (`service.outbox.approval`); a
duplicate is flagged (committed) and answered 409 with the original's id. Replaying puts a
dead or failed row back to pending. Must not push anything itself: the dispatcher does.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query
from pydantic import BaseModel

from service.api.deps import CallerDep, ContainerDep
from service.api.errors import ERROR_RESPONSES, ApiError, not_found
from service.db.documents import get_document
from service.db.session import unit_of_work
from service.db.tables import OutboxRecord, OutboxState
from service.outbox import repository
from service.outbox.approval import ApprovalError, approve

router = APIRouter(tags=["delivery"], responses=ERROR_RESPONSES)


class ApprovalView(BaseModel):
    """What an approval did."""

    document_id: uuid.UUID
    status: str
    version: int | None
    connectors: list[str]
    outbox: list[uuid.UUID]


class OutboxView(BaseModel):
    """One export intent."""

    id: uuid.UUID
    document_id: uuid.UUID
    connector: str
    result_version: int
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


class OutboxList(BaseModel):
    """Export intents, newest first."""

    rows: list[OutboxView]


class ExportView(BaseModel):
    """Where a document landed in one system."""

    connector: str
    external_id: str
    external_key: str
    url: str | None
    created_at: datetime


class ExportList(BaseModel):
    """A document's external references."""

    exports: list[ExportView]


def _uuid(raw: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError as error:
        raise not_found(what) from error


def _row_view(row: OutboxRecord) -> OutboxView:
    return OutboxView(
        id=row.id,
        document_id=row.document_id,
        connector=row.connector,
        result_version=row.result_version,
        state=row.state,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
    )


@router.post(
    "/v1/documents/{document_id}/approve",
    response_model=ApprovalView,
    summary="Approve the result and export it",
)
def approve_document(
    document_id: str,
    container: ContainerDep,
    caller: CallerDep,
    x_docproc_author: Annotated[str | None, Header(max_length=200)] = None,
) -> ApprovalView:
    """Approve the latest result; one outbox row per enabled connector, in one transaction."""
    doc_id = _uuid(document_id, "document")
    author = x_docproc_author or f"api-key:{caller.key_prefix}"
    with unit_of_work(container.sessions) as session:
        document = get_document(session, caller.tenant_id, doc_id)
        if document is None:
            raise not_found()
        try:
            done = approve(session, document, author, container.settings)
        except ApprovalError as error:
            raise ApiError(409, error.code, error.message) from error
        status = document.status
    if done.duplicate_of is not None:
        raise ApiError(
            409, "duplicate", f"duplicate of document {done.duplicate_of}; it is not exported twice"
        )
    return ApprovalView(
        document_id=doc_id,
        status=status,
        version=done.version,
        connectors=done.connectors,
        outbox=done.outbox_ids,
    )


@router.get("/v1/outbox", response_model=OutboxList, summary="Export intents")
def list_outbox(
    container: ContainerDep,
    caller: CallerDep,
    state: OutboxState | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> OutboxList:
    """The tenant's outbox rows, newest first; `?state=dead` for the dead letters."""
    with container.sessions() as session:
        rows = repository.list_rows(session, caller.tenant_id, state, limit)
        return OutboxList(rows=[_row_view(row) for row in rows])


@router.post(
    "/v1/outbox/{outbox_id}/replay",
    response_model=OutboxView,
    summary="Replay a dead or failed export",
)
def replay_outbox(outbox_id: str, container: ContainerDep, caller: CallerDep) -> OutboxView:
    """Back to pending, due now, with a fresh attempt budget."""
    with unit_of_work(container.sessions) as session:
        row = repository.get_row(session, caller.tenant_id, _uuid(outbox_id, "outbox row"))
        if row is None:
            raise not_found("outbox row")
        if row.state not in (OutboxState.DEAD, OutboxState.FAILED):
            raise ApiError(409, "not_replayable", f"a {row.state} row cannot be replayed")
        repository.replay(session, row)
        session.flush()
        return _row_view(row)


@router.get(
    "/v1/documents/{document_id}/exports",
    response_model=ExportList,
    summary="Where the document landed",
)
def document_exports(document_id: str, container: ContainerDep, caller: CallerDep) -> ExportList:
    """The external reference per connector."""
    doc_id = _uuid(document_id, "document")
    with container.sessions() as session:
        if get_document(session, caller.tenant_id, doc_id) is None:
            raise not_found()
        return ExportList(
            exports=[
                ExportView(
                    connector=e.connector,
                    external_id=e.external_id,
                    external_key=e.external_key,
                    url=e.url,
                    created_at=e.created_at,
                )
                for e in repository.exports_of(session, doc_id)
            ]
        )
