"""Rules found on the eighteenth, twenty-second and twenty-third wild families (invoices sent
with their backup, forms someone else designed, e-mails printed to PDF): what the first
page's title calls the document, an invoice that comes after a packing list, a form caption's
note, a sentence's full stop after a number, and a house number under a slogan's label."""

from __future__ import annotations

from decimal import Decimal

from extractors.classify import classify_document, invoice_start
from extractors.invoice import extract_invoice
from models import DocumentType
from tests.unit.printed import Line, extract, read_page

INVOICE_PAGE: list[Line] = [
    (40, 50, "Anchor Ready Mix Co.", 14.0, True),
    (40, 66, "1200 Industrial Pkwy, Dayton, OH 45402"),
    (450, 50, "INVOICE", 20.0, True),
    (400, 80, "Invoice No. A-2026-2631"),
    (400, 94, "Invoice Date 02/17/2026"),
    (40, 200, "Description", 9.0, True),
    (330, 200, "Qty", 9.0, True),
    (400, 200, "Unit Price", 9.0, True),
    (505, 200, "Amount", 9.0, True),
    (40, 218, "Ready-mix concrete 4000 PSI"),
    (345, 218, "10", 9.0, False, "right"),
    (440, 218, "150.00", 9.0, False, "right"),
    (540, 218, "1,500.00", 9.0, False, "right"),
    (400, 250, "Total Due", 9.0, True),
    (540, 250, "1,500.00", 9.0, True, "right"),
]
WAIVER_PAGE: list[Line] = [
    (40, 60, "CONDITIONAL WAIVER AND RELEASE", 18.0, True),
    (40, 80, "ON PROGRESS PAYMENT", 18.0, True),
    (40, 120, "Upon receipt by the undersigned of a check in the sum of $12,400.00, this document"),
    (40, 132, "becomes effective to release any mechanic's lien, stop payment notice or bond"),
    (40, 144, "the claimant has for labor and service provided through date 01/31/2026."),
    (40, 170, "Exceptions: none. Lien waiver signed by the claimant."),
]
PACKING_PAGE: list[Line] = [
    (40, 50, "Anchor Ready Mix Co.", 14.0, True),
    (430, 50, "PACKING LIST", 20.0, True),
    (40, 120, "Ordered   Shipped   Item"),
    (40, 134, "12   10   Ready-mix concrete 4000 PSI"),
    (40, 160, "Order Total 1,850.00"),
]


def test_an_invoice_with_a_lien_waiver_attached_is_an_invoice() -> None:
    pages = [read_page(INVOICE_PAGE), read_page(WAIVER_PAGE)]
    assert classify_document(pages) is DocumentType.INVOICE
    assert classify_document([read_page(WAIVER_PAGE)]) is DocumentType.LIEN_WAIVER


def test_an_invoice_sent_after_its_packing_list_is_read_from_its_own_pages() -> None:
    pages = [read_page(PACKING_PAGE), read_page(INVOICE_PAGE)]
    assert invoice_start(pages) == 1
    assert invoice_start([read_page(INVOICE_PAGE), read_page(PACKING_PAGE)]) == 0
    invoice = extract_invoice(pages).invoice
    assert invoice.invoice_number == "A-2026-2631"
    assert invoice.total == Decimal("1500.00")


def test_a_form_caption_with_a_note_on_what_to_fill_in_names_the_vendor() -> None:
    form: list[Line] = [
        (40, 50, "KESTREL BAU GMBH", 14.0, True),
        (400, 50, "SUBCONTRACTOR INVOICE", 14.0, True),
        (40, 100, "SUBCONTRACTOR (name, address, phone)", 7.0),
        (40, 112, "Lakeside Ready Mix Co."),
        (40, 124, "4062 Ridge Rd"),
        (40, 136, "Fresno, CA 93721"),
        (300, 100, "SUBMIT TO", 7.0),
        (300, 112, "Kestrel Bau GmbH"),
    ]
    assert extract(form).invoice.vendor.name == "Lakeside Ready Mix Co."


def test_a_number_at_the_end_of_a_sentence_loses_the_full_stop() -> None:
    letter: list[Line] = [
        (40, 50, "Prairie Concrete Ltd", 14.0, True),
        (40, 120, "Please see below our invoice SI-003631 for the materials, against your"),
        (40, 132, "PO 8216. Payment is due within 30 days."),
    ]
    assert extract(letter).invoice.po_number == "8216"


def test_a_house_number_under_a_slogans_label_is_no_amount() -> None:
    letterhead: list[Line] = [
        (96, 33, "Westfield Steel Fabricators Inc.", 14.0, True),
        (96, 55, "Fees, Permits and Inspections"),
        (96, 66, "3071 Elm Ave"),
        (96, 76, "Boise, ID 83702"),
        (400, 250, "TOTAL FEES DUE", 9.0, True),
        (540, 250, "48,675.56", 9.0, True, "right"),
    ]
    invoice = extract(letterhead).invoice
    assert invoice.subtotal is None
    assert invoice.total == Decimal("48675.56")


def _table(header: list[Line], rows: list[Line]) -> list[tuple[str | None, Decimal | None]]:
    lines = extract(INVOICE_PAGE[:5] + header + rows).invoice.line_items
    return [(item.description, item.amount) for item in lines]


def test_a_back_ordered_line_bills_nothing_and_is_no_item() -> None:
    header: list[Line] = [
        (40, 200, "Description", 9.0, True),
        (300, 200, "Shipped", 9.0, True),
        (345, 200, "Unit", 9.0, True),
        (400, 200, "Unit Price", 9.0, True),
        (505, 200, "Amount", 9.0, True),
    ]
    rows: list[Line] = [
        (40, 218, "LED 2x4 troffer 4000K 40W"),
        (335, 218, "0", 9.0, False, "right"),
        (345, 218, "EA"),
        (440, 218, "94.55", 9.0, False, "right"),
        (40, 234, "3/4 EMT Conduit"),
        (335, 234, "785", 9.0, False, "right"),
        (345, 234, "LF"),
        (440, 234, "1.43", 9.0, False, "right"),
        (540, 234, "1,122.55", 9.0, False, "right"),
    ]
    assert _table(header, rows) == [("3/4 EMT Conduit", Decimal("1122.55"))]


def test_fee_schedule_and_laboratory_column_titles() -> None:
    header: list[Line] = [
        (40, 200, "Fee Code", 9.0, True),
        (100, 200, "Test Performed", 9.0, True),
        (300, 200, "Qty", 9.0, True),
        (400, 200, "Rate", 9.0, True),
        (505, 200, "Amount", 9.0, True),
    ]
    rows: list[Line] = [
        (40, 218, "09-2900"),
        (100, 218, "1/2 inch Regular Gypsum Board"),
        (320, 218, "56", 9.0, False, "right"),
        (440, 218, "13.03", 9.0, False, "right"),
        (540, 218, "729.68", 9.0, False, "right"),
    ]
    items = extract(INVOICE_PAGE[:5] + header + rows).invoice.line_items
    assert [(i.description, i.cost_code, i.amount) for i in items] == [
        ("1/2 inch Regular Gypsum Board", "09-2900", Decimal("729.68"))
    ]


def test_phase_headings_in_capitals_between_rows_join_no_description() -> None:
    header: list[Line] = [
        (40, 200, "Phase / Description", 9.0, True),
        (300, 200, "Qty", 9.0, True),
        (400, 200, "Unit Price", 9.0, True),
        (505, 200, "Amount", 9.0, True),
    ]
    rows: list[Line] = [
        (40, 216, "DESIGN DEVELOPMENT (45% complete)"),
        (40, 230, "Journeyman electrician labor"),
        (320, 230, "164", 9.0, False, "right"),
        (440, 230, "109.67", 9.0, False, "right"),
        (540, 230, "17,985.88", 9.0, False, "right"),
        (40, 242, "CONSTRUCTION DOCUMENTS (10% complete)"),
        (40, 256, "Paint, interior eggshell, 5 gal"),
        (320, 256, "177", 9.0, False, "right"),
        (440, 256, "182.91", 9.0, False, "right"),
        (540, 256, "32,375.07", 9.0, False, "right"),
    ]
    assert _table(header, rows) == [
        ("Journeyman electrician labor", Decimal("17985.88")),
        ("Paint, interior eggshell, 5 gal", Decimal("32375.07")),
    ]
