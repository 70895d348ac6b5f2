"""Files: invoices, their line items and drawing registers as CSV and JSON.

Two faces over the same row builders: `FilesConnector` writes one JSON and one CSV per
document under DATA_DIR/exports/<tenant>/ (overwriting, so a retry is harmless and `lookup`
is a file check), and the export routes render a tenant's whole register on demand. Money
stays text (never float). Must not touch the database.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from models import Envelope
from service.connectors import DeliveryDocument, ExternalRef

NAME = "files"
INVOICE_COLUMNS = (
    "document_id",
    "vendor",
    "invoice_number",
    "invoice_date",
    "due_date",
    "po_number",
    "project_name",
    "project_number",
    "currency",
    "subtotal",
    "tax_total",
    "retainage",
    "total",
    "amount_due",
)
LINE_COLUMNS = (
    "document_id",
    "invoice_number",
    "line",
    "description",
    "quantity",
    "unit",
    "unit_price",
    "amount",
    "cost_code",
)
SHEET_COLUMNS = (
    "document_id",
    "page",
    "sheet_number",
    "sheet_title",
    "discipline",
    "revision",
    "revision_date",
    "issue_date",
    "scale",
    "project_name",
    "project_number",
)


def invoice_row(document_id: str, envelope: Envelope) -> dict[str, Any] | None:
    """One register row of an invoice-like envelope, or None."""
    invoice = envelope.invoice
    if invoice is None:
        return None
    data = invoice.model_dump(mode="json")
    return {
        **{key: data.get(key) for key in INVOICE_COLUMNS if key in data},
        "document_id": document_id,
        "vendor": invoice.vendor.name,
        "project_name": invoice.project.name,
        "project_number": invoice.project.number,
    }


def line_rows(document_id: str, envelope: Envelope) -> list[dict[str, Any]]:
    """The line items of an invoice-like envelope as rows."""
    invoice = envelope.invoice
    if invoice is None:
        return []
    lines = invoice.model_dump(mode="json")["line_items"]
    return [
        {"document_id": document_id, "invoice_number": invoice.invoice_number, "line": n, **line}
        for n, line in enumerate(lines, start=1)
    ]


def sheet_rows(document_id: str, envelope: Envelope) -> list[dict[str, Any]]:
    """The drawing register (sheet log) rows of a drawing set."""
    if envelope.drawing_set is None:
        return []
    sheets = envelope.drawing_set.model_dump(mode="json")["sheets"]
    return [
        {"document_id": document_id, **{k: v for k, v in sheet.items() if k in SHEET_COLUMNS}}
        for sheet in sheets
    ]


def to_csv(columns: Iterable[str], rows: Iterable[dict[str, Any]]) -> str:
    """Rows as CSV text with a header; absent values are empty cells."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()


def _write(path: Path, text: str) -> None:
    """Atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


class FilesConnector:
    """Per-document JSON and CSV files in a folder."""

    name = NAME

    def __init__(self, root: Path) -> None:
        self._root = root

    def push(self, document: DeliveryDocument, result: Envelope) -> ExternalRef:
        """Write the document's JSON and CSV; the JSON's path is the reference."""
        doc_id = str(document.id)
        kind = "drawings" if result.drawing_set is not None else "invoices"
        target = self._root / kind / f"{doc_id}.json"
        if kind == "drawings":
            _write(target.with_suffix(".csv"), to_csv(SHEET_COLUMNS, sheet_rows(doc_id, result)))
        else:
            _write(target.with_suffix(".csv"), to_csv(LINE_COLUMNS, line_rows(doc_id, result)))
        _write(target, json.dumps(result.model_dump(mode="json"), indent=2))
        return ExternalRef(NAME, str(target), doc_id)

    def lookup(self, external_key: str) -> ExternalRef | None:
        """The JSON written for this document id, if any."""
        for kind in ("invoices", "drawings"):
            path = self._root / kind / f"{external_key}.json"
            if path.exists():
                return ExternalRef(NAME, str(path), external_key)
        return None
