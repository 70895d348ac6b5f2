"""The contract's vocabulary (../shared/CONTRACT.md) as pydantic v2 models.

Owns the shapes every part of docproc speaks: the result envelope, invoices,
pay applications, lien waivers and drawing sets, plus the shared value types.
Must not do I/O, read settings, or import from `extractors` or `service`.
"""

from models.arithmetic import ArithmeticIssue, check_invoice_arithmetic
from models.drawing import (
    SHEET_FIELDS,
    Discipline,
    DrawingSet,
    Revision,
    Sheet,
    discipline_for_sheet_number,
)
from models.envelope import (
    SCHEMA_VERSION,
    DocumentType,
    Envelope,
    ErrorCode,
    ExtractionError,
)
from models.invoice import BillTo, Invoice, LineItem, PayApplication, Project, Vendor
from models.lien_waiver import LienWaiver, WaiverType
from models.pay_application_checks import (
    check_g702,
    check_g703_against_g702,
    check_pay_application,
)
from models.values import Confidence, minor_unit_digits, quantize_money

__all__ = [
    "SCHEMA_VERSION",
    "SHEET_FIELDS",
    "ArithmeticIssue",
    "BillTo",
    "Confidence",
    "Discipline",
    "DocumentType",
    "DrawingSet",
    "Envelope",
    "ErrorCode",
    "ExtractionError",
    "Invoice",
    "LienWaiver",
    "LineItem",
    "PayApplication",
    "Project",
    "Revision",
    "Sheet",
    "Vendor",
    "WaiverType",
    "check_g702",
    "check_g703_against_g702",
    "check_invoice_arithmetic",
    "check_pay_application",
    "discipline_for_sheet_number",
    "minor_unit_digits",
    "quantize_money",
]
