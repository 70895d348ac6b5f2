"""Buildertrend: bills for the matching job, as an import file a person uploads.

Buildertrend offers no general public REST API for bills (its integrations are partner
ones such as QuickBooks/Xero sync), so this adapter writes what is realistic: one CSV per
job in the layout of a bill import (job, vendor, bill title, invoice number, dates, cost code,
description, amount; one row per line item), under DATA_DIR/exports/<tenant>/buildertrend/.
Check the column names against the tenant's own import template (`columns` in the settings
renames them). Overwrites per document, so a retry is harmless. Must not touch the database.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from models import Envelope
from service.connectors import DeliveryDocument, ExternalRef, invoice_key, invoice_of
from service.connectors.matching import AliasBook

NAME = "buildertrend"
COLUMNS = (
    "Job",
    "Vendor",
    "Bill Title",
    "Invoice Number",
    "Invoice Date",
    "Due Date",
    "Cost Code",
    "Description",
    "Amount",
)


class BuildertrendConnector:
    """Bill import files, one per document, in a job folder."""

    name = NAME

    def __init__(self, root: Path, settings: dict[str, Any], aliases: AliasBook) -> None:
        self._root = root
        self._rename: dict[str, str] = dict(settings.get("columns") or {})
        self._aliases = aliases

    def _job(self, document: DeliveryDocument, result: Envelope) -> str:
        invoice = invoice_of(result)
        name = invoice.project.name or invoice.project.number or document.project_hint or ""
        alias = self._aliases.project(name) if name else None
        return alias.name if alias else name or "Unassigned"

    def push(self, document: DeliveryDocument, result: Envelope) -> ExternalRef:
        """Write the bill's import rows; the file path is the reference."""
        invoice = invoice_of(result)
        job = self._job(document, result)
        vendor_alias = self._aliases.vendor(str(invoice.vendor.name))
        vendor = vendor_alias.name if vendor_alias else str(invoice.vendor.name)
        common = {
            "Job": job,
            "Vendor": vendor,
            "Invoice Number": invoice.invoice_number,
            "Bill Title": f"{vendor} {invoice.invoice_number}",
            "Invoice Date": invoice.invoice_date,
            "Due Date": invoice.due_date,
        }
        rows = [
            {
                **common,
                "Cost Code": line.cost_code,
                "Description": line.description,
                "Amount": line.amount,
            }
            for line in invoice.line_items
            if line.amount is not None
        ] or [{**common, "Description": "Invoice total", "Amount": invoice.total}]
        safe_job = "".join(c if c.isalnum() or c in " -_" else "_" for c in job).strip() or "job"
        path = self._root / safe_job / f"{document.id}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        with temporary.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, [self._rename.get(c, c) for c in COLUMNS])
            writer.writeheader()
            for row in rows:
                writer.writerow(
                    {self._rename.get(k, k): "" if v is None else v for k, v in row.items()}
                )
        temporary.replace(path)
        return ExternalRef(NAME, str(path), invoice_key(vendor, str(invoice.invoice_number)))

    def lookup(self, external_key: str) -> ExternalRef | None:
        """Import files are not indexed by key; a retry simply rewrites its own file."""
        return None
