"""Classification is checked by what the readers find: a document in a pay application's words
whose pay-application reader finds none of a G702's figures is an invoice, and is read as one.
"""

from __future__ import annotations

from decimal import Decimal

import pymupdf

from extractors.classify import classify_document
from extractors.limits import Limits
from extractors.pipeline import run_pipeline
from extractors.text_layer import read_text_layer
from fixtures.billing import DEV_PAY_APPS, generate_pay_application
from models import DocumentType
from tests.unit.printed import Line, print_pdf

# A subcontractor's progress invoice: contract words all over it, no G702 summary at all.
PROGRESS_INVOICE: list[Line] = [
    (40, 50, "Summit Drywall LLC", 14.0, True),
    (40, 66, "412 Mill St, Boise, ID 83702"),
    (40, 96, "Progress Billing - Pay App 7", 10.0, True),
    (360, 96, "Invoice No.", 9.0, True),
    (440, 96, "SD-7781"),
    (360, 110, "Application No.", 9.0, True),
    (440, 110, "7"),
    (360, 124, "Period To", 9.0, True),
    (440, 124, "03/31/2026"),
    (40, 150, "Schedule of values attached. Previous billings and balance to bill per contract."),
    (170, 200, "Description", 8.0, True),
    (570, 200, "Amount", 8.0, True, "right"),
    (170, 218, "Level 2 drywall hang and tape"),
    (570, 218, "12,400.00", 9.0, False, "right"),
    (170, 236, "Level 3 framing"),
    (570, 236, "8,600.00", 9.0, False, "right"),
    (480, 270, "Subtotal", 9.0, False, "right"),
    (570, 270, "21,000.00", 9.0, False, "right"),
    (480, 286, "Less Retainage 10%", 9.0, False, "right"),
    (570, 286, "(2,100.00)", 9.0, False, "right"),
    (480, 302, "Amount Due", 9.0, True, "right"),
    (570, 302, "18,900.00", 9.0, True, "right"),
]


def test_words_alone_take_the_progress_invoice_for_a_pay_application() -> None:
    with pymupdf.open(stream=print_pdf(PROGRESS_INVOICE), filetype="pdf") as pdf:
        pages = [read_text_layer(page, index + 1) for index, page in enumerate(pdf)]
    assert classify_document(pages) is DocumentType.PAY_APPLICATION


def test_without_a_g702_figure_it_is_read_as_an_invoice() -> None:
    envelope = run_pipeline(print_pdf(PROGRESS_INVOICE), "progress.pdf", Limits())
    assert envelope.document_type is DocumentType.INVOICE
    invoice = envelope.invoice
    assert invoice is not None
    assert invoice.invoice_number == "SD-7781"
    assert invoice.retainage == Decimal("2100.00")
    assert invoice.amount_due == Decimal("18900.00")
    assert [item.amount for item in invoice.line_items] == [Decimal("12400.00"), Decimal("8600.00")]


def test_a_real_pay_application_stays_one() -> None:
    for design in DEV_PAY_APPS:
        document = generate_pay_application(design, 3)
        envelope = run_pipeline(document.pdf, "payapp.pdf", Limits())
        assert envelope.document_type is DocumentType.PAY_APPLICATION, design
        assert envelope.invoice is not None and envelope.invoice.pay_application is not None
