"""The pipeline's billing stage: a classified pay application or lien waiver into its envelope.

Fills the invoice (with pay_application) or lien_waiver block, field confidences (lowered by
shaky OCR), warnings (missing fields, failed G702/G703 checks naming the lines) and the review
decision. Pure: an envelope and pages in, a new envelope out.
"""

from __future__ import annotations

from collections.abc import Sequence

from extractors.billing.lien_waiver import extract_lien_waiver
from extractors.billing.pay_application import extract_pay_application
from extractors.page import Page
from models import DocumentType, Envelope, Invoice, check_invoice_arithmetic

BILLING_TYPES = (DocumentType.PAY_APPLICATION, DocumentType.LIEN_WAIVER)


def _scaled(confidence: dict[str, float], factor: float) -> dict[str, float]:
    if factor >= 1.0:
        return dict(confidence)
    return {path: round(value * factor, 3) for path, value in confidence.items()}


def _missing(invoice: Invoice) -> list[str]:
    summary = invoice.pay_application
    present = {
        "pay_application.application_number": summary and summary.application_number,
        "pay_application.period_to": summary and summary.period_to,
        "pay_application.current_payment_due": summary and summary.current_payment_due,
        "vendor.name": invoice.vendor.name,
    }
    return [path for path, value in present.items() if value is None]


def billing_envelope(
    base: Envelope,
    pages: Sequence[Page],
    warnings: Sequence[str],
    threshold: float,
    ocr_factor: float = 1.0,
) -> Envelope:
    """A classified billing document's envelope and pages in, the envelope with its block out."""
    readable = [page for page in pages if page.words]
    notes = list(warnings)
    if base.document_type is DocumentType.LIEN_WAIVER:
        waiver = extract_lien_waiver(readable)
        confidence = _scaled(waiver.field_confidence, ocr_factor)
        notes += waiver.warnings
        missing = [] if waiver.waiver.waiver_type and waiver.waiver.claimant else ["claimant"]
        update: dict[str, object] = {"lien_waiver": waiver.waiver}
    else:
        extraction = extract_pay_application(readable)
        confidence = _scaled(extraction.field_confidence, ocr_factor)
        missing = _missing(extraction.invoice)
        issues = extraction.issues + [
            str(issue) for issue in check_invoice_arithmetic(extraction.invoice)
        ]
        notes += extraction.warnings
        notes += [f"required field not found: {path}" for path in missing]
        notes += [f"arithmetic check failed: {issue}" for issue in issues]
        missing += issues
        update = {"invoice": extraction.invoice}
    low = sorted(path for path, value in confidence.items() if value < threshold)
    notes += [f"low confidence (below {threshold}): {path}" for path in low]
    review = bool(base.needs_review or missing or low)
    return base.model_copy(
        update={
            **update,
            "field_confidence": confidence,
            "needs_review": review,
            "warnings": notes,
        }
    )
