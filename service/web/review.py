"""The review screen's model: which fields an invoice shows, their values, confidence and
boxes on the page; and approving a corrected document.

Saving goes through the API's correction path (`service.api.corrections`), so the server
validates and re-checks the arithmetic exactly as for PATCH /v1/documents/{id}/result.
Approving goes through the outbox (`service.outbox.approval.approve`, as POST
/v1/documents/{id}/approve) and refuses a result whose arithmetic still fails. Must not render
HTML.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from service.api.corrections import correct_result
from service.api.errors import ApiError, not_found
from service.bootstrap import Container
from service.db.documents import get_document, latest_result
from service.db.session import unit_of_work
from service.db.tables import ResultRecord
from service.db.tenants import Caller
from service.outbox.approval import Approval, ApprovalError
from service.outbox.approval import approve as outbox_approve
from service.web.previews import Box, Word, find_box

# (dotted path, label, kind); kind is text, money or date.
INVOICE_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("vendor.name", "Vendor", "text"),
    ("invoice_number", "Invoice number", "text"),
    ("invoice_date", "Invoice date", "date"),
    ("due_date", "Due date", "date"),
    ("po_number", "PO number", "text"),
    ("payment_terms", "Payment terms", "text"),
    ("project.name", "Project", "text"),
    ("project.number", "Project number", "text"),
    ("currency", "Currency", "text"),
    ("subtotal", "Subtotal", "money"),
    ("tax_total", "Tax", "money"),
    ("retainage", "Retainage", "money"),
    ("total", "Total", "money"),
    ("amount_due", "Amount due", "money"),
)
LINE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("description", "Description", "text"),
    ("quantity", "Qty", "money"),
    ("unit", "Unit", "text"),
    ("unit_price", "Unit price", "money"),
    ("amount", "Amount", "money"),
    ("cost_code", "Cost code", "text"),
)


@dataclass(frozen=True, slots=True)
class Field:
    """One editable field as the review form shows it."""

    path: str
    label: str
    kind: str
    value: str
    confidence: float | None
    low: bool
    box: Box | None


def _dig(data: dict[str, Any] | None, path: str) -> Any:
    current: Any = data
    for part in path.split("."):
        current = current.get(part) if isinstance(current, dict) else None
    return current


def invoice_fields(
    envelope: dict[str, Any], pages: list[list[Word]], threshold: float
) -> list[Field]:
    """The invoice's header fields with value, confidence (low below `threshold`) and box."""
    invoice = envelope.get("invoice") or {}
    confidence: dict[str, float] = envelope.get("field_confidence") or {}
    fields = []
    for path, label, kind in INVOICE_FIELDS:
        raw = _dig(invoice, path)
        value = "" if raw is None else str(raw)
        score = confidence.get(path, confidence.get(f"invoice.{path}"))
        box = find_box(pages, kind, value) if value else None
        low = score is not None and score < threshold
        fields.append(Field(path, label, kind, value, score, low, box))
    return fields


def line_rows(envelope: dict[str, Any], pages: list[list[Word]]) -> list[list[Field]]:
    """The line items as rows of fields (with boxes where found)."""
    invoice = envelope.get("invoice") or {}
    rows = []
    for line in invoice.get("line_items") or []:
        row = []
        for key, label, kind in LINE_COLUMNS:
            raw = line.get(key)
            value = "" if raw is None else str(raw)
            box = find_box(pages, kind, value) if value and key != "unit" else None
            row.append(Field(key, label, kind, value, None, False, box))
        rows.append(row)
    return rows


def save(
    container: Container,
    caller: Caller,
    document_id: uuid.UUID,
    patch: dict[str, Any],
    author: str,
) -> ResultRecord:
    """Store the person's correction as a new version (validated and re-checked)."""
    return correct_result(container, caller, document_id, patch, author)


def approve(
    container: Container,
    caller: Caller,
    document_id: uuid.UUID,
    patch: dict[str, Any],
    author: str,
) -> Approval:
    """Save the correction, then approve through the outbox; 422 while the totals disagree,
    409 for a duplicate or a document that is not ready."""
    if patch:
        save(container, caller, document_id, patch, author)
    with unit_of_work(container.sessions) as session:
        document = get_document(session, caller.tenant_id, document_id)
        if document is None:
            raise not_found()
        current = latest_result(session, document.id)
        warnings = current.envelope.get("warnings") or [] if current else []
        issues = [w for w in warnings if w.startswith("arithmetic")]
        if issues:
            raise ApiError(
                422, "arithmetic_failed", "the totals still do not add up: " + "; ".join(issues)
            )
        try:
            done = outbox_approve(session, document, author, container.settings)
        except ApprovalError as error:
            raise ApiError(409, error.code, error.message) from error
    if done.duplicate_of is not None:
        raise ApiError(
            409,
            "duplicate",
            f"this invoice duplicates document {done.duplicate_of}; it is not exported twice",
        )
    return done
