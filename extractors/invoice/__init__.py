"""Invoice extraction without per-vendor templates: labels, geometry, grammars, cross-checks."""

from extractors.invoice.extract import InvoiceExtraction, extract_invoice

__all__ = ["InvoiceExtraction", "extract_invoice"]
