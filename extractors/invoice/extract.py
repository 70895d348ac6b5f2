"""Invoice extraction: header fields + line items, reconciled by the arithmetic cross-checks.

(Interface placeholder: being implemented.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from extractors.invoice.line_items import extract_line_items
from extractors.page import Page
from models import Invoice


@dataclass(frozen=True, slots=True)
class InvoiceExtraction:
    """What invoice extraction found: the invoice, a confidence per dotted field path, warnings."""

    invoice: Invoice
    field_confidence: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def extract_invoice(pages: Sequence[Page]) -> InvoiceExtraction:
    """The pages of an invoice in, the extracted invoice with confidences and warnings out."""
    lines = extract_line_items(pages)
    return InvoiceExtraction(Invoice(line_items=list(lines.items)), {}, list(lines.warnings))
