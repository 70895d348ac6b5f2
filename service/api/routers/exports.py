"""`GET /v1/exports/{name}`: a tenant's invoice register, line items and drawing register
(sheet log) as CSV or JSON, built from the latest result of each document.

Duplicates and failed documents are left out. Rendering is the files connector's (one
definition of the columns). Must not change rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import select

from models import Envelope
from service.api.deps import CallerDep, ContainerDep
from service.api.errors import ERROR_RESPONSES, not_found
from service.connectors import files
from service.db.documents import latest_result
from service.db.tables import DocumentRecord, DocumentStatus

router = APIRouter(tags=["exports"], responses=ERROR_RESPONSES)

MAX_DOCUMENTS = 10_000
Rows = Callable[[str, Envelope], list[dict[str, Any]]]


def _invoice_rows(document_id: str, envelope: Envelope) -> list[dict[str, Any]]:
    row = files.invoice_row(document_id, envelope)
    return [row] if row else []


REGISTERS: dict[str, tuple[tuple[str, ...], Rows]] = {
    "invoices": (files.INVOICE_COLUMNS, _invoice_rows),
    "line_items": (files.LINE_COLUMNS, files.line_rows),
    "drawings": (files.SHEET_COLUMNS, files.sheet_rows),
}
_LISTED = (DocumentStatus.EXTRACTED, DocumentStatus.NEEDS_REVIEW, DocumentStatus.EXPORTED)


def register_rows(container: Any, tenant_id: Any, rows_of: Rows) -> list[dict[str, Any]]:
    """Every row of one register for a tenant, oldest document first."""
    with container.sessions() as session:
        query = (
            select(DocumentRecord)
            .where(
                DocumentRecord.tenant_id == tenant_id,
                DocumentRecord.status.in_(_LISTED),
                DocumentRecord.duplicate_of.is_(None),
            )
            .order_by(DocumentRecord.created_at, DocumentRecord.id)
            .limit(MAX_DOCUMENTS)
        )
        rows: list[dict[str, Any]] = []
        for document in session.scalars(query):
            result = latest_result(session, document.id)
            if result is not None:
                rows += rows_of(str(document.id), Envelope.model_validate(result.envelope))
        return rows


@router.get(
    "/v1/exports/{name}",
    summary="A register as CSV or JSON",
    responses={200: {"content": {"text/csv": {}, "application/json": {}}}},
)
def export_register(name: str, container: ContainerDep, caller: CallerDep) -> Response:
    """`invoices`, `line_items` or `drawings`, each `.csv` or `.json`."""
    stem, _, suffix = name.rpartition(".")
    if stem not in REGISTERS or suffix not in ("csv", "json"):
        raise not_found("export")
    columns, rows_of = REGISTERS[stem]
    rows = register_rows(container, caller.tenant_id, rows_of)
    if suffix == "json":
        return Response(json.dumps({stem: rows}), media_type="application/json")
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(files.to_csv(columns, rows), media_type="text/csv", headers=headers)
